import { asc, desc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";
import { canonicalJson, sha256Hex } from "../lib/crypto";

type Statement = BatchItem<"sqlite">;

export const GENESIS_HASH = "0".repeat(64);

export type AuditEntry = {
  subject: string;
  action: string;
  actorAccountId: string;
  at: string;
  data: unknown;
};

type ChainHead = { seq: number; hash: string };

export async function auditHash(
  prevHash: string,
  row: { subject: string; seq: number; action: string; actorAccountId: string; at: string; data: string },
) {
  return sha256Hex(
    `${prevHash}\n${canonicalJson({ subject: row.subject, seq: row.seq, action: row.action, actor: row.actorAccountId, at: row.at, data: row.data })}`,
  );
}

export async function chainHead(db: Db, subject: string): Promise<ChainHead | null> {
  const [row] = await db
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .where(eq(auditLog.subject, subject))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return row ?? null;
}

/**
 * The next audit row of `entry.subject`, chained to `head` (null for a new subject). The caller inserts it
 * in the same db.batch() as the change; if another writer appended first, the unique (subject, seq) fails
 * the whole batch, and the caller retries from a fresh read.
 * (It returns values, not a query: awaiting a drizzle query runs it, so builders never leave async functions.)
 */
export async function nextAuditRow(entry: AuditEntry, head: ChainHead | null): Promise<typeof auditLog.$inferInsert> {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const data = canonicalJson(entry.data);
  const row = {
    subject: entry.subject,
    seq,
    action: entry.action,
    actorAccountId: entry.actorAccountId,
    at: entry.at,
    data,
  };
  return { ...row, prevHash, hash: await auditHash(prevHash, row) };
}

/** An audited change as routes describe it: `at` defaults to now, `data` to `{}`. */
export type AuditedChange = { subject: string; action: string; actor: string; at?: string; data?: unknown };

/**
 * Runs a change and the next audit row of `entry.subject` as one db.batch(): the change and its audit row exist
 * together or not at all. When another writer extended the same chain first, the batch fails on the audit key, rolls
 * back whole, and is tried again from a fresh read of the chain's head.
 *
 * A retry means another change of the same subject committed in between, so a change computed from state read
 * earlier may no longer hold: pass `change` as a function, called for every attempt, that reads what it needs again
 * (and answers null when, read again, nothing is left to do: `audit` then writes nothing and answers null). A plain
 * list is for statements whose effect follows from the request alone.
 */
export async function audit(
  db: Db,
  entry: AuditedChange,
  change: Statement[] | (() => Promise<Statement[] | null> | Statement[] | null),
): Promise<unknown[] | null> {
  const full: AuditEntry = {
    subject: entry.subject,
    action: entry.action,
    actorAccountId: entry.actor,
    at: entry.at ?? new Date().toISOString(),
    data: entry.data ?? {},
  };
  for (let attempt = 0; ; attempt++) {
    const statements = typeof change === "function" ? await change() : change;
    if (statements === null) return null;
    const row = await nextAuditRow(full, await chainHead(db, entry.subject));
    try {
      const results = await db.batch([db.insert(auditLog).values(row), ...statements]);
      return results.slice(1);
    } catch (e) {
      if (attempt >= 4 || !isUniqueViolation(e, "audit_log")) throw e;
    }
  }
}

const AUDIT_ROWS_PER_STATEMENT = 250;

/**
 * `audit` for a change of many subjects at once (a bureau sync ends hundreds of registrations): one audit row per
 * entry, each chained to its own subject's head, all inserted with the change in one db.batch(). The heads are read
 * in one query and the rows inserted in one statement (a JSON list), so the number of queries does not grow with the
 * number of subjects. `plan` is called for every attempt, as `audit`'s function form is, and answers the entries and
 * the statements from a fresh read (null when, read again, nothing is left to do). At most one entry per subject.
 */
export async function auditMany(
  db: Db,
  plan: () => Promise<{ entries: AuditedChange[]; statements: Statement[] } | null>,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const planned = await plan();
    if (planned === null || planned.entries.length === 0) return false;
    const subjects = JSON.stringify(planned.entries.map((e) => e.subject));
    const heads = await db.all<{ subject: string; seq: number; hash: string }>(
      sql`select l.subject, l.seq, l.hash from audit_log l
        join (select subject, max(seq) as seq from audit_log
              where subject in (select value from json_each(${subjects})) group by subject) h
          on h.subject = l.subject and h.seq = l.seq`,
    );
    const headOf = new Map(heads.map((h) => [h.subject, { seq: h.seq, hash: h.hash }]));
    const at = new Date().toISOString();
    const rows = await Promise.all(
      planned.entries.map((e) =>
        nextAuditRow(
          { subject: e.subject, action: e.action, actorAccountId: e.actor, at: e.at ?? at, data: e.data ?? {} },
          headOf.get(e.subject) ?? null,
        ),
      ),
    );
    // A few hundred rows a statement, so that no one JSON parameter grows with the call (an import audits 1,000).
    const inserts = [];
    for (let i = 0; i < rows.length; i += AUDIT_ROWS_PER_STATEMENT) {
      inserts.push(
        db.insert(auditLog).select(
          sql`select r.value ->> 'subject', r.value ->> 'seq', r.value ->> 'action', r.value ->> 'actorAccountId',
            r.value ->> 'at', r.value ->> 'data', r.value ->> 'prevHash', r.value ->> 'hash'
          from json_each(${JSON.stringify(rows.slice(i, i + AUDIT_ROWS_PER_STATEMENT))}) r`,
        ),
      );
    }
    const [first, ...more] = inserts;
    if (first === undefined) return false;
    try {
      await db.batch([first, ...more, ...planned.statements]);
      return true;
    } catch (e) {
      if (attempt >= 4 || !isUniqueViolation(e, "audit_log")) throw e;
    }
  }
}

/** Whether `e` is a unique-constraint failure, optionally on a given table. */
export function isUniqueViolation(e: unknown, table?: string): boolean {
  const text = e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? "")}` : String(e);
  if (!/UNIQUE constraint failed/i.test(text)) return false;
  return table === undefined || text.includes(`${table}.`);
}

/** Re-computes every chain; returns the subjects whose chain is broken. */
export async function verifyAuditChains(
  db: Db,
): Promise<{ rows: number; subjects: number; broken: { subject: string; seq: number }[] }> {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.subject), asc(auditLog.seq));
  const broken: { subject: string; seq: number }[] = [];
  const subjects = new Set<string>();
  let prev: { subject: string; seq: number; hash: string } | null = null;
  for (const row of rows) {
    subjects.add(row.subject);
    const expectedPrev = prev && prev.subject === row.subject ? prev : null;
    const prevHash = expectedPrev ? expectedPrev.hash : GENESIS_HASH;
    const expectedSeq = expectedPrev ? expectedPrev.seq + 1 : 1;
    const hash = await auditHash(row.prevHash, row);
    if (row.seq !== expectedSeq || row.prevHash !== prevHash || hash !== row.hash) {
      broken.push({ subject: row.subject, seq: row.seq });
    }
    prev = row;
  }
  return { rows: rows.length, subjects: subjects.size, broken };
}
