import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { apps } from "../db/schema";
import type { FilingStatus } from "../domain/filing-state";
import { vaultFor } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { auditedBatch } from "../repositories/audit";
import { type FilingRow, getFilingRow, toFilingView } from "../repositories/filings";
import type { AppEnv } from "../types";

/**
 * What reviewers and the regulator share: a filing in one of their statuses (404 otherwise, like any filing
 * that is not theirs to see), its unmasked view with the read audited, and who hears of a move.
 */
export async function staffFiling(
  c: Context<AppEnv>,
  id: string,
  statuses: readonly FilingStatus[],
): Promise<FilingRow> {
  const filing = await getFilingRow(c.get("db"), id);
  if (!filing || !statuses.includes(filing.status)) throw new ApiError("NOT_FOUND", "No such filing in your queue");
  return filing;
}

/** The filing with its request unmasked; the read itself is written to the filing's audit chain. */
export async function unmaskedView(c: Context<AppEnv>, filing: FilingRow) {
  const request = JSON.parse(await vaultFor(c.env).open(filing.requestSealed)) as Record<string, unknown>;
  const principal = c.get("principal");
  await auditedBatch(
    c.get("db"),
    {
      subject: `filing:${filing.id}`,
      action: "filing.viewed_unmasked",
      actorAccountId: principal.accountId,
      at: new Date().toISOString(),
      data: { role: principal.role },
    },
    [],
  );
  return { ...toFilingView(filing), request };
}

/** The accounts told of a filing's moves: the app's owner and the submitter. */
export async function filingRecipients(c: Context<AppEnv>, filing: FilingRow): Promise<string[]> {
  const [app] = await c
    .get("db")
    .select({ owner: apps.ownerAccountId })
    .from(apps)
    .where(eq(apps.appId, filing.appId))
    .limit(1);
  return [...new Set([filing.submitterAccountId, ...(app ? [app.owner] : [])])];
}

export function queueItem(row: FilingRow) {
  return {
    id: row.id,
    type: row.type,
    appId: row.appId,
    status: row.status,
    serviceName: row.serviceName,
    organizerNature: row.organizerNature,
    smsDeadline: row.smsDeadline,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
