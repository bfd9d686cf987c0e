import { and, desc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { auditLog, events, filingSmsVerifications, filings, registrations } from "../db/schema";
import type { FilingRequest } from "../domain/filing-request";
import type { SmsVerificationView } from "../domain/filing-view";
import { maskMobile } from "../domain/masking";
import {
  applySmsStep,
  confirmAllPending,
  SMS_ROLES,
  type SmsPerson,
  type SmsResult,
  type SmsRole,
  type SmsStepOutcome,
  smsCandidates,
  smsFailureReason,
  whoMustConfirm,
} from "../domain/sms-verification";
import type { Vault } from "../lib/crypto";
import { newId } from "../lib/ids";
import { initialDispatch } from "../webhooks/outbox";
import { isUniqueViolation, nextAuditRow } from "./audit";
import { type FilingRow, type TransitionEffects, transitionFiling } from "./filings";

type Statement = BatchItem<"sqlite">;
type SmsRow = typeof filingSmsVerifications.$inferSelect;

/** The answer's form of the list (masked mobiles), as stored on the filing row for every reader. */
function viewJson(rows: readonly { mobileMasked: string }[], people: readonly SmsPerson[]): string {
  const list: SmsVerificationView[] = people.map((p, i) => ({
    role: p.role,
    mobile: rows[i]?.mobileMasked ?? "",
    status: p.status,
    wrongAttempts: p.wrongAttempts,
    updatedAt: p.updatedAt,
  }));
  return JSON.stringify(list);
}

const personOf = (r: SmsRow): SmsPerson => ({
  role: r.role,
  status: r.status,
  wrongAttempts: r.wrongAttempts,
  updatedAt: r.updatedAt,
});

/**
 * The list of who must confirm, for a filing entering `sms_verification` (docs/rules.md#sms-confirmation): the rows
 * to insert in the move's batch and the masked list for the filing row. People are told apart by the blind index of
 * their certificate; mobiles are sealed.
 */
export async function smsListEffects(
  db: Db,
  vault: Vault,
  filingId: string,
  request: FilingRequest,
  at: string,
): Promise<{ statements: Statement[]; json: string }> {
  const candidates = await Promise.all(
    smsCandidates(request).map(async (c) => ({
      ...c,
      certificate: await vault.blindIndex("certificate", c.certificate),
    })),
  );
  const people = whoMustConfirm(candidates);
  if (people.length === 0) return { statements: [], json: "[]" };
  const rows: SmsRow[] = await Promise.all(
    people.map(async (p) => ({
      filingId,
      role: p.role,
      mobileSealed: await vault.seal(p.mobile),
      mobileMasked: maskMobile(p.mobile),
      status: "pending" as const,
      wrongAttempts: 0,
      updatedAt: at,
    })),
  );
  return { statements: [db.insert(filingSmsVerifications).values(rows)], json: viewJson(rows, rows.map(personOf)) };
}

function readRows(db: Db, filingId: string) {
  return db.select().from(filingSmsVerifications).where(eq(filingSmsVerifications.filingId, filingId));
}

/** The list in role order, as it is shown. */
const inRoleOrder = (rows: SmsRow[]) => [...rows].sort((a, b) => SMS_ROLES.indexOf(a.role) - SMS_ROLES.indexOf(b.role));

/** `filing.sms_updated` to each recipient, one per person changed: role and status, never a mobile. */
function smsEvents(db: Db, filing: FilingRow, changed: readonly SmsPerson[], recipients: string[], now: Date) {
  const at = now.toISOString();
  const rows = changed.flatMap((p) =>
    [...new Set(recipients)].map((accountId) => ({
      id: newId("evt", now.getTime()),
      accountId,
      type: "filing.sms_updated",
      data: JSON.stringify({
        filingId: filing.id,
        appId: filing.appId,
        type: filing.type,
        role: p.role,
        status: p.status,
        wrongAttempts: p.wrongAttempts,
      }),
      createdAt: at,
      dispatchedAt: initialDispatch(accountId, at),
    })),
  );
  return rows.length > 0 ? [db.insert(events).values(rows)] : [];
}

/** The person's update, guarded on the state it was judged from: a concurrent step makes it change nothing. */
function personUpdate(db: Db, filingId: string, before: SmsPerson, after: SmsPerson): Statement {
  return db
    .update(filingSmsVerifications)
    .set({ status: after.status, wrongAttempts: after.wrongAttempts, updatedAt: after.updatedAt })
    .where(
      and(
        eq(filingSmsVerifications.filingId, filingId),
        eq(filingSmsVerifications.role, before.role),
        eq(filingSmsVerifications.status, before.status),
        eq(filingSmsVerifications.wrongAttempts, before.wrongAttempts),
        // Nor once the filing has left verification (the cron's expiry moves it without touching these rows).
        sql`exists (select 1 from ${filings} where ${filings.id} = ${filingId} and ${filings.status} = 'sms_verification')`,
      ),
    );
}

export type SmsStepRecord =
  | Exclude<SmsStepOutcome, { kind: "applied" } | { kind: "unchanged" }>
  | { kind: "done"; filing: FilingRow }
  | { kind: "refused"; status: FilingRow["status"] }
  | { kind: "raced" };

export type SmsStepInput = {
  filing: FilingRow;
  role: SmsRole;
  result: SmsResult;
  actor: { accountId: string; role: string };
  now: Date;
  recipients: string[];
};

class ListChanged extends Error {}

/**
 * Records one step the regulator reported for one person (docs/rules.md#sms-confirmation). A step that leaves the
 * filing in verification is one batch: the person, the filing's list, an audit row on the filing's chain (whose
 * sequence collides with any concurrent write to the filing) and the events. A step that ends verification (the
 * last person verified, or the fifth wrong code) is the filing's move, with the same writes inside it. A step that
 * lost a race to another is judged again from a fresh read, up to three times.
 */
export async function recordSmsStep(db: Db, input: SmsStepInput): Promise<SmsStepRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await recordOnce(db, input);
    if (outcome.kind !== "raced") return outcome;
  }
  return { kind: "raced" };
}

async function recordOnce(db: Db, input: SmsStepInput): Promise<SmsStepRecord> {
  const { now } = input;
  const at = now.toISOString();
  const id = input.filing.id;
  const [current, unordered, head] = await db.batch([
    db.select().from(filings).where(eq(filings.id, id)).limit(1),
    readRows(db, id),
    db
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .where(eq(auditLog.subject, `filing:${id}`))
      .orderBy(desc(auditLog.seq))
      .limit(1),
  ]);
  const filing = current[0];
  if (!filing) return { kind: "raced" };
  if (filing.status !== "sms_verification") return { kind: "refused", status: filing.status };
  const rows = inRoleOrder(unordered);
  const people = rows.map(personOf);
  const outcome = applySmsStep(people, input.role, input.result, at);
  if (outcome.kind === "unchanged") return { kind: "done", filing };
  if (outcome.kind !== "applied") return outcome;
  const before = people.find((p) => p.role === input.role) as SmsPerson;
  const json = viewJson(rows, outcome.people);
  const writes = [
    personUpdate(db, id, before, outcome.person),
    ...smsEvents(db, filing, [outcome.person], input.recipients, now),
  ];

  if (outcome.filing !== "continue") {
    try {
      const moved = await transitionFiling(db, {
        filing,
        action: outcome.filing === "failed" ? "sms_failed" : "sms_verified",
        actor: input.actor,
        reasons: outcome.filing === "failed" ? [smsFailureReason(input.role)] : undefined,
        now,
        recipients: input.recipients,
        effects: (fresh): TransitionEffects => {
          // Judged from the list read above: a step recorded since then changed the list, so judge again.
          if (fresh.smsVerifications !== filing.smsVerifications) throw new ListChanged();
          return { statements: writes, set: { smsVerifications: json } };
        },
      });
      if (moved.kind === "moved") return { kind: "done", filing: moved.filing };
      return moved.kind === "refused" ? { kind: "refused", status: moved.status } : { kind: "raced" };
    } catch (e) {
      if (e instanceof ListChanged) return { kind: "raced" };
      throw e;
    }
  }

  const audit = await nextAuditRow(
    {
      subject: `filing:${id}`,
      action: "filing.sms_updated",
      actorAccountId: input.actor.accountId,
      at,
      data: {
        role: input.role,
        result: input.result,
        status: outcome.person.status,
        wrongAttempts: outcome.person.wrongAttempts,
      },
    },
    head[0] ?? null,
    db.auditKeys(),
  );
  try {
    const results = await db.batch([
      db.insert(auditLog).values(audit),
      db
        .update(filings)
        .set({ smsVerifications: json, updatedAt: at })
        .where(and(eq(filings.id, id), eq(filings.status, "sms_verification")))
        .returning(),
      ...writes,
    ]);
    const updated = (results[1] as FilingRow[])[0];
    return updated ? { kind: "done", filing: updated } : { kind: "raced" };
  } catch (e) {
    if (isUniqueViolation(e)) return { kind: "raced" };
    throw e;
  }
}

/**
 * `sms-verified`, what its move does besides: every person still pending confirmed at once, with their events and
 * the filing's list. Built from the list read inside the move (after its status read), so a step recorded meanwhile
 * collides with the move's audit row.
 */
export function confirmAllEffects(db: Db, recipients: string[], now: Date) {
  return async (filing: FilingRow): Promise<TransitionEffects> => {
    const rows = inRoleOrder(await readRows(db, filing.id));
    if (rows.length === 0) return { statements: [] };
    const { people, changed } = confirmAllPending(rows.map(personOf), now.toISOString());
    return {
      statements: [
        ...rows
          .map(personOf)
          .filter((p) => p.status === "pending")
          .map((p) => personUpdate(db, filing.id, p, { ...p, status: "verified", updatedAt: now.toISOString() })),
        ...smsEvents(db, filing, changed, recipients, now),
      ],
      set: { smsVerifications: viewJson(rows, people) },
    };
  };
}

/**
 * The request whose people confirm a cancellation: that of the filing last approved for the registration, sealed.
 * Null for a registration imported without one (nobody is listed; the regulator confirms with `sms-verified`).
 */
export async function registrationRequestSealed(db: Db, number: string): Promise<string | null> {
  const [row] = await db
    .select({ sealed: filings.requestSealed })
    .from(registrations)
    .innerJoin(filings, eq(filings.id, registrations.filingId))
    .where(eq(registrations.number, number))
    .limit(1);
  return row?.sealed ?? null;
}
