import { z } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import { reasonFieldProblems } from "../domain/filing-request";
import type { FilingAction, FilingStatus } from "../domain/filing-state";
import { toFilingView, toUnmaskedView } from "../domain/filing-view";
import type { Role } from "../domain/roles";

import { vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { createKeyHolderRouter, declareKeyRoutes, jsonBody, ok, PageQuery, pageOf, pageSchema } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { audit } from "../repositories/audit";
import { type FilingRow, filingQueue, filingRecipients, getFilingRow } from "../repositories/filings";
import { handOn } from "../webhooks/outbox";
import { moveFiling } from "./filing-moves";
import { FilingParams, FilingSchema } from "./filings.schemas";
import { QueueItemSchema, RejectBodySchema, StaffFilingSchema } from "./review.schemas";

/** A filing in one of `statuses`; any other is 404, like any filing that is not the caller's to see. */
export async function staffFiling(db: Db, id: string, statuses: readonly FilingStatus[]): Promise<FilingRow> {
  const filing = await getFilingRow(db, id);
  if (!filing || !statuses.includes(filing.status)) throw new ApiError("NOT_FOUND", "No such filing in your queue");
  return filing;
}

function queueItem(row: FilingRow) {
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

/**
 * What reviewers (平台初审) and the regulator (管局) share, written once: their queue (filings in the statuses they
 * act on, oldest first), an unmasked read of a filing they may see (the read itself audited on the filing's chain),
 * and rejection with per-field reasons. Each caller adds its own approvals.
 */
export function staffRoutes(staff: {
  role: Extract<Role, "reviewer" | "regulator">;
  /** The statuses of the queue, oldest first. */
  queue: readonly [FilingStatus, ...FilingStatus[]];
  /** What the role may read (docs/rules.md#permissions). */
  visible: readonly FilingStatus[];
  reject: Extract<FilingAction, "platform_reject" | "bureau_reject">;
  /** What the API reference says of each shared route, and its operationId. */
  operations: Record<"queue" | "read" | "reject", { summary: string; description: string; operationId: string }>;
}) {
  const routes = createKeyHolderRouter([staff.role]);
  const route = declareKeyRoutes(staff.role === "reviewer" ? "review" : "regulator");

  routes.openapi(
    route.get("/queue", {
      ...staff.operations.queue,
      request: { query: PageQuery.extend({ status: z.enum(staff.queue).optional() }) },
      ok: ok(200, "A page of the queue", pageSchema(QueueItemSchema)),
      errors: [401, 403, 422],
    }),
    async (c) => {
      const { cursor, limit, status } = c.req.valid("query");
      const rows = await filingQueue(c.get("db"), status ? [status] : staff.queue, { cursor, limit });
      return c.json(
        pageOf(rows, limit, queueItem, (item) => item.id),
        200,
      );
    },
  );

  routes.openapi(
    route.get("/filings/{id}", {
      ...staff.operations.read,
      request: { params: FilingParams },
      ok: ok(200, "The filing", StaffFilingSchema),
      errors: [401, 403, 404],
    }),
    async (c) => {
      const db = c.get("db");
      const filing = await staffFiling(db, c.req.valid("param").id, staff.visible);
      const request = JSON.parse(await vaultFor(c.env).open(filing.requestSealed)) as Record<string, unknown>;
      const principal = c.get("principal");
      await audit(
        db,
        {
          subject: `filing:${filing.id}`,
          action: "filing.viewed_unmasked",
          actor: principal.accountId,
          at: new Date().toISOString(),
          data: { role: principal.role },
        },
        [],
      );
      return c.json(toUnmaskedView(filing, request), 200);
    },
  );

  routes.openapi(
    route.post("/filings/{id}/reject", {
      ...staff.operations.reject,
      middleware: [requireJsonBody()],
      request: { params: FilingParams, body: jsonBody(RejectBodySchema) },
      ok: ok(200, "The filing", FilingSchema),
      errors: [400, 401, 403, 404, 409, 415, 422],
    }),
    async (c) => {
      const db = c.get("db");
      // A filing outside what the role may read is 404, as reading it is: no answer tells it exists. One the role
      // sees but whose status the move does not leave is refused by the lifecycle (409).
      const filing = await staffFiling(db, c.req.valid("param").id, staff.visible);
      const { reasons } = c.req.valid("json");
      const unknown = reasonFieldProblems(reasons, filing.type);
      if (unknown.length > 0) throw validationFailed(unknown);
      const updated = await moveFiling(db, {
        filing,
        action: staff.reject,
        actor: c.get("principal"),
        reasons,
        now: new Date(),
        recipients: await filingRecipients(db, filing),
      });
      handOn(c.env, db, c.executionCtx);
      return c.json(toFilingView(updated), 200);
    },
  );

  return routes;
}
