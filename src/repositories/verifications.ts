import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { apps, events, verifications, verificationUses } from "../db/schema";
import { maskCertificateNumber, maskName } from "../domain/masking";
import { VERIFICATION_DAILY_LIMIT, VERIFICATION_VALID_MS } from "../domain/verification";
import { canonicalJson, type Vault } from "../lib/crypto";
import { newId } from "../lib/ids";
import type { PendingEvent } from "../webhooks/delivery-message";
import { initialDispatch } from "../webhooks/outbox";
import { audit } from "./audit";

export type VerificationRow = typeof verifications.$inferSelect;

/** The person a verification is for, as the caller gave them (the name already through the text rule). */
export type VerificationPerson = { name: string; certificate: { type: string; number: string } };

/** A person's name (as the text rule normalizes it) as a blind index: a verification and a filing compare by it. */
export function nameIndex(vault: Vault, name: string): Promise<string> {
  return vault.blindIndex("person_name", name);
}

/**
 * Stores a pending verification unless the app has started its daily limit of them on this Beijing day: one
 * conditional insert, so concurrent requests cannot pass the limit together. `limited` when it was refused.
 */
export async function createVerification(
  db: Db,
  vault: Vault,
  input: {
    id: string;
    appId: string;
    requesterAccountId: string;
    person: VerificationPerson;
    tokenHash: string;
    beijingDay: string;
    expiresAt: string;
    now: string;
  },
): Promise<"created" | "limited"> {
  const { person } = input;
  // The certificate indexed as filings' people are (src/repositories/preflight.ts `blindFacts`).
  const certificateBlind = await vault.blindIndex(
    "certificate",
    `${person.certificate.type}:${person.certificate.number}`,
  );
  const nameBlind = await nameIndex(vault, person.name);
  const masked = JSON.stringify({
    name: maskName(person.name),
    certificate: { type: person.certificate.type, number: maskCertificateNumber(person.certificate.number) },
  });
  const sealed = await vault.seal(canonicalJson(person));
  const result = await db.run(sql`insert into ${verifications}
    (id, app_id, requester_account_id, status, person_sealed, person_masked, certificate_blind, name_blind,
     token_hash, beijing_day, expires_at, created_at)
    select ${input.id}, ${input.appId}, ${input.requesterAccountId}, 'pending', ${sealed}, ${masked},
      ${certificateBlind}, ${nameBlind}, ${input.tokenHash}, ${input.beijingDay}, ${input.expiresAt}, ${input.now}
    where (select count(*) from ${verifications} v where v.app_id = ${input.appId}
      and v.beijing_day = ${input.beijingDay}) < ${VERIFICATION_DAILY_LIMIT}`);
  return (result.meta?.changes ?? 0) > 0 ? "created" : "limited";
}

export async function getVerification(db: Db, id: string): Promise<VerificationRow | undefined> {
  const [row] = await db.select().from(verifications).where(eq(verifications.id, id)).limit(1);
  return row;
}

export async function getVerificationByTokenHash(db: Db, tokenHash: string): Promise<VerificationRow | undefined> {
  const [row] = await db.select().from(verifications).where(eq(verifications.tokenHash, tokenHash)).limit(1);
  return row;
}

/**
 * The verifications a filing names, as its check needs them (src/domain/verification.ts), whether used or not: a
 * statement for the pre-flight read's batch.
 */
export function verificationsForCheck(db: Db, ids: readonly string[], resubmitOf?: string) {
  return db
    .select({
      id: verifications.id,
      appId: verifications.appId,
      requesterAccountId: verifications.requesterAccountId,
      status: verifications.status,
      expiresAt: verifications.expiresAt,
      validUntil: verifications.validUntil,
      certificateBlind: verifications.certificateBlind,
      nameBlind: verifications.nameBlind,
      // A resubmission may use again what the filing it corrects used (docs/rules.md#read-back).
      used: sql<number>`exists (select 1 from ${verificationUses} u where u.verification_id = ${verifications.id}
        and u.filing_id is not ${resubmitOf ?? null})`,
    })
    .from(verifications)
    .where(ids.length > 0 ? inArray(verifications.id, [...ids]) : sql`0`);
}

/**
 * The statements that mark verifications used by a filing, for the filing's own batch: the primary key lets one
 * filing alone use each, so a second filing naming one fails whole. A resubmission takes over the uses of the ended
 * filing it corrects (`takeOverFrom`), and only those.
 */
export function useVerifications(
  db: Db,
  ids: readonly string[],
  filingId: string,
  at: string,
  takeOverFrom?: string,
): BatchItem<"sqlite">[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  return [
    ...(takeOverFrom !== undefined
      ? [
          db
            .delete(verificationUses)
            .where(and(inArray(verificationUses.verificationId, unique), eq(verificationUses.filingId, takeOverFrom))),
        ]
      : []),
    db.insert(verificationUses).values(unique.map((verificationId) => ({ verificationId, filingId, createdAt: at }))),
  ];
}

/** Which of `ids` some filing has used. */
export async function usedVerifications(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: verificationUses.verificationId })
    .from(verificationUses)
    .where(inArray(verificationUses.verificationId, [...ids]));
  return rows.map((r) => r.id);
}

export type CompletionOutcome =
  | { kind: "completed"; row: VerificationRow; pending: PendingEvent[] }
  | { kind: "unchanged"; row: VerificationRow }
  | { kind: "not_found" };

/**
 * Records the provider's result for a pending verification that has not lapsed, with its audit row and the
 * `verification.completed` event to the app's owner and the requester, in one batch. A result for a verification
 * already completed (a replayed or late callback) or lapsed changes nothing. Two results at once chain on the same
 * audit subject, so only the first applies.
 */
export async function completeVerification(
  db: Db,
  input: {
    id: string;
    result: "passed" | "failed";
    reason?: string;
    completedAt: string;
    actor: string;
    now: Date;
  },
): Promise<CompletionOutcome> {
  const at = input.now.toISOString();
  let read: VerificationRow | undefined;
  const results = await audit(
    db,
    {
      subject: `verification:${input.id}`,
      action: `verification.${input.result}`,
      actor: input.actor,
      at,
      data: { result: input.result, reason: input.reason ?? null, completedAt: input.completedAt },
    },
    async () => {
      const row = await getVerification(db, input.id);
      read = row;
      if (row?.status !== "pending" || row.expiresAt <= at) return null;
      const [app] = await db
        .select({ owner: apps.ownerAccountId })
        .from(apps)
        .where(eq(apps.appId, row.appId))
        .limit(1);
      const recipients = [...new Set([row.requesterAccountId, ...(app ? [app.owner] : [])])];
      const data = JSON.stringify({
        verificationId: row.id,
        appId: row.appId,
        status: input.result,
        failureReason: input.result === "failed" ? (input.reason ?? null) : null,
      });
      return [
        db
          .update(verifications)
          .set({
            status: input.result,
            failureReason: input.result === "failed" ? (input.reason ?? null) : null,
            completedAt: input.completedAt,
            // 72 h from when it passed: the provider's time, unless that lies in the future.
            validUntil:
              input.result === "passed"
                ? new Date(
                    Math.min(Date.parse(input.completedAt), input.now.getTime()) + VERIFICATION_VALID_MS,
                  ).toISOString()
                : null,
          })
          .where(and(eq(verifications.id, row.id), eq(verifications.status, "pending")))
          .returning(),
        db
          .insert(events)
          .values(
            recipients.map((accountId) => ({
              id: newId("evt", input.now.getTime()),
              accountId,
              type: "verification.completed",
              data,
              createdAt: at,
              dispatchedAt: initialDispatch(accountId, at),
            })),
          )
          .returning({ seq: events.seq, id: events.id, dispatchedAt: events.dispatchedAt }),
      ];
    },
  );
  if (!read) return { kind: "not_found" };
  if (!results) return { kind: "unchanged", row: read };
  const [updated, written] = results as [VerificationRow[], { seq: number; id: string; dispatchedAt: string | null }[]];
  const row = updated[0] ?? read;
  const pending = written.filter((e) => e.dispatchedAt === null).map(({ seq, id }) => ({ seq, id }));
  return { kind: "completed", row, pending };
}
