import { and, asc, desc, eq, gt, gte, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import {
  appGrants,
  apps,
  auditLog,
  events,
  filingHistory,
  filingMaterials,
  filingPeople,
  filings,
  idempotencyKeys,
} from "../db/schema";
import type { FilingRequest } from "../domain/filing-request";
import { serviceNameKey } from "../domain/filing-request";
import {
  type FilingAction,
  type FilingStatus,
  IN_FLIGHT,
  initialStatus,
  nextStatus,
  smsDeadlineFor,
} from "../domain/filing-state";
import { type FilingView, maskRequest, type Reason, toFilingView } from "../domain/filing-view";
import { nameSkeleton } from "../domain/name-skeleton";
import { FILING_READERS, type FilingRelation } from "../domain/permissions";
import type { BlindFacts } from "../domain/preflight";
import type { SmsRole } from "../domain/sms-verification";
import { canonicalJson, type Vault } from "../lib/crypto";
import { idFloor, newId } from "../lib/ids";
import type { PendingEvent } from "../webhooks/delivery-message";
import { initialDispatch } from "../webhooks/outbox";
import { isUniqueViolation, nextAuditRow } from "./audit";
import { usedVerifications, useVerifications } from "./verifications";

export type FilingRow = typeof filings.$inferSelect;

/** The role each person of a request stands in, by the path the request rules name them at. */
const PERSON_ROLES: Record<string, SmsRole> = {
  "organizer.principal": "organizer_principal",
  "service.principal": "service_principal",
  "organizer.legalRepresentative": "legal_representative",
};

export type TransitionEffects = {
  statements: BatchItem<"sqlite">[];
  set?: Partial<{ [K in keyof FilingRow]: FilingRow[K] | SQL }>;
};

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type SubmitInput = {
  request: FilingRequest;
  blind: BlindFacts;
  submitter: { accountId: string; role: string };
  appOwnerAccountId: string;
  /** For cancellations: the organizer of the registration being cancelled. */
  organizerBlind?: string;
  organizerProvince?: string;
  idempotency?: { key: string; requestHash: string };
  /** The materials the request references (already checked); recorded so staff and owners may read them. */
  materials: { path: string; mediaId: string }[];
  /**
   * For a filing starting in SMS verification (a cancellation): who must confirm, as the rows to insert and the
   * masked list (docs/rules.md#sms-confirmation), made for the new filing's id.
   */
  smsList?: (filingId: string, at: string) => Promise<{ statements: BatchItem<"sqlite">[]; json: string }>;
  /** The ended filing a resubmission corrects. */
  resubmittedFrom?: string;
  /** The face verifications the request names (already checked), marked used by this filing in its batch. */
  verifications: { path: string; id: string }[];
  now: Date;
};

export type SubmitOutcome =
  | { kind: "created"; view: FilingView; pending: PendingEvent[] }
  | { kind: "replay"; status: number; body: string }
  | { kind: "key_reused" }
  | { kind: "in_progress" }
  /** Another filing used one of its verifications first: the paths that named them. */
  | { kind: "verification_used"; paths: string[] };

/**
 * Stores a filing with everything that belongs to it in one db.batch(): the filing, the idempotency record
 * (a concurrent duplicate fails on its key), its people's blind indexes, the first history row, the
 * first audit row and the `filing.submitted` events. Either all of it exists afterwards or none of it.
 */
export async function submitFiling(db: Db, vault: Vault, input: SubmitInput): Promise<SubmitOutcome> {
  const { request, now } = input;
  const at = now.toISOString();
  const id = newId("fil", now.getTime());
  const status = initialStatus(request.type);
  const isCancel = request.type === "cancel";
  const sms = smsDeadlineFor(status, now) !== null && input.smsList ? await input.smsList(id, at) : undefined;
  const row: FilingRow = {
    id,
    type: request.type,
    appId: request.appId,
    status,
    submitterAccountId: input.submitter.accountId,
    organizerBlind: isCancel ? (input.organizerBlind ?? null) : (input.blind.organizer ?? null),
    organizerNature: isCancel ? null : request.organizer.nature,
    organizerProvince: isCancel ? (input.organizerProvince ?? null) : request.organizer.region.province.slice(0, 2),
    serviceName: isCancel ? null : request.service.name,
    serviceNameKey: isCancel ? null : serviceNameKey(request.service.name),
    serviceNameSkeleton: isCancel ? null : nameSkeleton(request.service.name),
    cancelScope: isCancel ? request.scope : null,
    requestSealed: await vault.seal(canonicalJson(request)),
    requestMasked: JSON.stringify(maskRequest(request)),
    reasons: "[]",
    registrationNumber: null,
    smsDeadline: smsDeadlineFor(status, now),
    smsVerifications: sms?.json ?? "[]",
    resubmittedFrom: input.resubmittedFrom ?? null,
    createdAt: at,
    updatedAt: at,
  };
  const view = toFilingView(row);
  const body = JSON.stringify(view);
  const audit = await nextAuditRow(
    {
      subject: `filing:${id}`,
      action: "filing.submitted",
      actorAccountId: input.submitter.accountId,
      at,
      data: { type: request.type, appId: request.appId, status },
    },
    null,
    db.auditKeys(),
  );
  const recipients = [...new Set([input.appOwnerAccountId, input.submitter.accountId])];
  const eventData = JSON.stringify({ filingId: id, appId: request.appId, type: request.type, status });
  const people = input.blind.people
    .filter((p): p is { path: string; certificate: string; mobile?: string } => !!p.certificate)
    .map((p) => ({
      filingId: id,
      role: PERSON_ROLES[p.path] ?? ("service_principal" as const),
      certificateBlind: p.certificate,
      mobileBlind: p.mobile ?? null,
    }));

  const key = input.idempotency;
  try {
    const results = await db.batch([
      db.insert(filings).values(row),
      ...(key
        ? [
            // An expired record of this key no longer counts; the insert after it claims the key.
            db
              .delete(idempotencyKeys)
              .where(
                and(
                  eq(idempotencyKeys.accountId, input.submitter.accountId),
                  eq(idempotencyKeys.key, key.key),
                  lt(idempotencyKeys.expiresAt, at),
                ),
              ),
            db.insert(idempotencyKeys).values({
              accountId: input.submitter.accountId,
              key: key.key,
              requestHash: key.requestHash,
              filingId: id,
              responseStatus: 201,
              responseBody: body,
              createdAt: at,
              expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
            }),
          ]
        : []),
      ...(people.length > 0 ? [db.insert(filingPeople).values(people)] : []),
      ...(sms?.statements ?? []),
      ...useVerifications(
        db,
        input.verifications.map((v) => v.id),
        id,
        at,
        input.resubmittedFrom,
      ),
      ...(input.materials.length > 0
        ? [
            db
              .insert(filingMaterials)
              .values(input.materials.map((m) => ({ filingId: id, mediaId: m.mediaId, path: m.path }))),
          ]
        : []),
      db.insert(filingHistory).values({
        filingId: id,
        seq: 1,
        fromStatus: null,
        toStatus: status,
        actorAccountId: input.submitter.accountId,
        actorRole: input.submitter.role,
        reasons: "[]",
        at,
      }),
      db.insert(auditLog).values(audit),
      db
        .insert(events)
        .values(
          recipients.map((accountId) => ({
            id: newId("evt", now.getTime()),
            accountId,
            type: "filing.submitted",
            data: eventData,
            createdAt: at,
            dispatchedAt: initialDispatch(accountId, at),
          })),
        )
        .returning({ seq: events.seq, id: events.id, dispatchedAt: events.dispatchedAt }),
    ]);
    const written = results.at(-1) as { seq: number; id: string; dispatchedAt: string | null }[];
    const pending = written.filter((e) => e.dispatchedAt === null).map(({ seq, id }) => ({ seq, id }));
    return { kind: "created", view, pending };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Lost a race: either a duplicate of this request committed first, or another filing for the app did.
    if (key) {
      const [existing] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.accountId, input.submitter.accountId), eq(idempotencyKeys.key, key.key)))
        .limit(1);
      if (existing) {
        if (existing.requestHash !== key.requestHash) return { kind: "key_reused" };
        return { kind: "replay", status: existing.responseStatus, body: existing.responseBody };
      }
    }
    // A filing of the app now in flight is the conflict to report (it may well be the one that used the
    // verification); otherwise a verification another filing used in the meantime.
    const [open] = await db
      .select({ id: filings.id })
      .from(filings)
      .where(and(eq(filings.appId, request.appId), inArray(filings.status, [...IN_FLIGHT])))
      .limit(1);
    const used = open
      ? []
      : await usedVerifications(
          db,
          input.verifications.map((v) => v.id),
        );
    if (used.length > 0) {
      return {
        kind: "verification_used",
        paths: input.verifications.filter((v) => used.includes(v.id)).map((v) => v.path),
      };
    }
    return { kind: "in_progress" };
  }
}

export async function getFilingRow(db: Db, id: string): Promise<FilingRow | undefined> {
  const [row] = await db.select().from(filings).where(eq(filings.id, id)).limit(1);
  return row;
}

/** Each way an account can stand to a filing, as a predicate on the filing row. */
const RELATION_SQL: Record<FilingRelation, (accountId: string) => SQL> = {
  submitter: (accountId) => eq(filings.submitterAccountId, accountId),
  app_owner: (accountId) =>
    sql`exists (select 1 from ${apps} where ${apps.appId} = ${filings.appId} and ${apps.ownerAccountId} = ${accountId})`,
  grantee: (accountId) =>
    sql`exists (select 1 from ${appGrants} where ${appGrants.appId} = ${filings.appId} and ${appGrants.accountId} = ${accountId})`,
};

/**
 * Who may read a filing through /v1/filings, as SQL: `mayReadFiling` in src/domain/permissions.ts
 * (docs/rules.md#permissions), built from the same list of relations, FILING_READERS.
 */
function visibleTo(accountId: string) {
  return or(...FILING_READERS.map((relation) => RELATION_SQL[relation](accountId)));
}

export async function getVisibleFiling(db: Db, id: string, accountId: string): Promise<FilingRow | undefined> {
  const [row] = await db
    .select()
    .from(filings)
    .where(and(eq(filings.id, id), visibleTo(accountId)))
    .limit(1);
  return row;
}

export async function listVisibleFilings(
  db: Db,
  accountId: string,
  opts: { appId?: string; status?: FilingStatus; cursor?: string; limit: number },
) {
  return db
    .select()
    .from(filings)
    .where(
      and(
        visibleTo(accountId),
        opts.appId ? eq(filings.appId, opts.appId) : undefined,
        opts.status ? eq(filings.status, opts.status) : undefined,
        opts.cursor ? lt(filings.id, opts.cursor) : undefined,
      ),
    )
    .orderBy(desc(filings.id))
    .limit(opts.limit + 1);
}

export async function filingHistoryRows(db: Db, filingId: string) {
  return db.select().from(filingHistory).where(eq(filingHistory.filingId, filingId)).orderBy(asc(filingHistory.seq));
}

/**
 * What asking to move a filing came to: moved (the filing as it now is), refused by the lifecycle (it is in a status
 * the action does not leave), or lost to a concurrent move (the status read was no longer the filing's at write time).
 */
export type TransitionOutcome =
  | { kind: "moved"; filing: FilingRow }
  | { kind: "refused"; status: FilingStatus; action: FilingAction }
  | { kind: "raced" };

export type TransitionInput = {
  filing: FilingRow;
  action: FilingAction;
  actor: { accountId: string; role: string };
  reasons?: Reason[];
  now: Date;
  recipients: string[];
  /**
   * What the move does besides changing the filing (registrations on approval, say), built from the filing as
   * read fresh. These statements run first in the same batch; `set` adds columns to the filing's update.
   */
  effects?: (filing: FilingRow, to: FilingStatus, at: string) => Promise<TransitionEffects> | TransitionEffects;
};

/**
 * Moves a filing one step of its lifecycle, with its history row, audit row and status event in one batch.
 * The update is conditional on the status read, so two concurrent moves cannot both apply: the loser is `raced`.
 */
export async function transitionFiling(db: Db, input: TransitionInput): Promise<TransitionOutcome> {
  const { now } = input;
  const at = now.toISOString();
  const reasons = JSON.stringify(input.reasons ?? []);
  // Status, history and audit heads are read together: a move committed after this read appends history
  // with the same seq as this one, so the two batches collide and only one applies.
  const [current, head, last] = await db.batch([
    db.select().from(filings).where(eq(filings.id, input.filing.id)).limit(1),
    db
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .where(eq(auditLog.subject, `filing:${input.filing.id}`))
      .orderBy(desc(auditLog.seq))
      .limit(1),
    db
      .select({ seq: filingHistory.seq })
      .from(filingHistory)
      .where(eq(filingHistory.filingId, input.filing.id))
      .orderBy(desc(filingHistory.seq))
      .limit(1),
  ]);
  const filing: FilingRow = current[0] ?? input.filing;
  const to = nextStatus(filing.status, input.action);
  if (!to) return { kind: "refused", status: filing.status, action: input.action };
  const audit = await nextAuditRow(
    {
      subject: `filing:${filing.id}`,
      action: `filing.${input.action}`,
      actorAccountId: input.actor.accountId,
      at,
      data: { from: filing.status, to, reasons: input.reasons ?? [] },
    },
    head[0] ?? null,
    db.auditKeys(),
  );
  const eventData = JSON.stringify({
    filingId: filing.id,
    appId: filing.appId,
    type: filing.type,
    from: filing.status,
    to,
  });
  const effects = input.effects ? await input.effects(filing, to, at) : { statements: [] };
  try {
    const statements: BatchItem<"sqlite">[] = [
      ...effects.statements,
      db
        .update(filings)
        .set({ ...effects.set, status: to, reasons, updatedAt: at })
        .where(and(eq(filings.id, filing.id), eq(filings.status, filing.status)))
        .returning(),
      db.insert(filingHistory).values({
        filingId: filing.id,
        seq: (last[0]?.seq ?? 0) + 1,
        fromStatus: filing.status,
        toStatus: to,
        actorAccountId: input.actor.accountId,
        actorRole: input.actor.role,
        reasons,
        at,
      }),
      db.insert(auditLog).values(audit),
      db.insert(events).values(
        [...new Set(input.recipients)].map((accountId) => ({
          id: newId("evt", now.getTime()),
          accountId,
          type: "filing.status_changed",
          data: eventData,
          createdAt: at,
          dispatchedAt: initialDispatch(accountId, at),
        })),
      ),
    ];
    const results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    const updated = results[effects.statements.length] as FilingRow[];
    const row = updated[0];
    return row ? { kind: "moved", filing: row } : { kind: "raced" };
  } catch (e) {
    if (isUniqueViolation(e)) return { kind: "raced" };
    throw e;
  }
}

/** The accounts told of a filing's moves: the submitter and the app's owner. */
export async function filingRecipients(db: Db, filing: Pick<FilingRow, "appId" | "submitterAccountId">) {
  const [app] = await db.select({ owner: apps.ownerAccountId }).from(apps).where(eq(apps.appId, filing.appId)).limit(1);
  return [...new Set([filing.submitterAccountId, ...(app ? [app.owner] : [])])];
}

/** Filings in `statuses`, oldest first: the staff queues. `cursor` is the last id of the previous page. */
export async function filingQueue(db: Db, statuses: readonly FilingStatus[], opts: { cursor?: string; limit: number }) {
  return db
    .select()
    .from(filings)
    .where(and(inArray(filings.status, [...statuses]), opts.cursor ? gt(filings.id, opts.cursor) : undefined))
    .orderBy(asc(filings.id))
    .limit(opts.limit + 1);
}

/**
 * How many filings `accountId` submitted since `since` (docs/rules.md#submission-quota): a range of the submitter
 * index, as filing ids sort by creation time.
 */
export async function submissionsSince(db: Db, accountId: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(filings)
    .where(and(eq(filings.submitterAccountId, accountId), gte(filings.id, idFloor("fil", since.getTime()))));
  return row?.n ?? 0;
}
