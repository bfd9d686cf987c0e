import { asc, desc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";
import { type AuditKeyring, canonicalJson, sha256Hex } from "../lib/crypto";

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

type HashedFields = { subject: string; seq: number; action: string; actorAccountId: string; at: string; data: string };

/**
 * A row's hash: the HMAC-SHA256, under the audit key `keyId`, of the previous row's hash and the canonical JSON of
 * `{subject, seq, action, actor, at, data}`. A row without a key id was written before the chain was keyed and
 * carries the plain SHA-256 of the same text.
 */
export async function auditHash(prevHash: string, row: HashedFields, keys: AuditKeyring, keyId: string | null) {
  const text = `${prevHash}\n${canonicalJson({ subject: row.subject, seq: row.seq, action: row.action, actor: row.actorAccountId, at: row.at, data: row.data })}`;
  return keyId === null ? sha256Hex(text) : keys.mac(text, keyId);
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
 * The next audit row of `entry.subject`, chained to `head` (null for a new subject) and signed with the current
 * audit key. The caller inserts it in the same db.batch() as the change; if another writer appended first, the
 * unique (subject, seq) fails the whole batch, and the caller retries from a fresh read.
 * (It returns values, not a query: awaiting a drizzle query runs it, so builders never leave async functions.)
 */
export async function nextAuditRow(
  entry: AuditEntry,
  head: ChainHead | null,
  keys: AuditKeyring,
): Promise<typeof auditLog.$inferInsert> {
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
  const keyId = keys.currentKeyId;
  return { ...row, prevHash, hash: await auditHash(prevHash, row, keys, keyId), keyId };
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
    const row = await nextAuditRow(full, await chainHead(db, entry.subject), db.auditKeys());
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
    const keys = db.auditKeys();
    const rows = await Promise.all(
      planned.entries.map((e) =>
        nextAuditRow(
          { subject: e.subject, action: e.action, actorAccountId: e.actor, at: e.at ?? at, data: e.data ?? {} },
          headOf.get(e.subject) ?? null,
          keys,
        ),
      ),
    );
    // A few hundred rows a statement, so that no one JSON parameter grows with the call (an import audits 1,000).
    const inserts = [];
    for (let i = 0; i < rows.length; i += AUDIT_ROWS_PER_STATEMENT) {
      inserts.push(
        db.insert(auditLog).select(
          sql`select r.value ->> 'subject', r.value ->> 'seq', r.value ->> 'action', r.value ->> 'actorAccountId',
            r.value ->> 'at', r.value ->> 'data', r.value ->> 'prevHash', r.value ->> 'hash', r.value ->> 'keyId'
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

/** Why a chain is reported: see `verifyAuditChains`. */
export type BrokenReason = "hash" | "unkeyed" | "unknown_key" | "rewritten" | "truncated" | "deleted" | "anchor";
export type BrokenChain = { subject: string; seq: number; reason: BrokenReason };
/** A chain's head as an anchor recorded it. */
export type AnchoredHead = { subject: string; seq: number; hash: string };

/**
 * Re-computes every chain and compares it with the anchored heads (docs/rules.md#integrity). Each broken subject
 * is reported once, at its first bad sequence: `hash` (a row's sequence, link or HMAC does not follow), `unkeyed`
 * (an unkeyed row after a keyed one: legacy rows may only open a chain), `unknown_key` (a key id no configured
 * key has), and against the anchors `rewritten` (the row at the anchored sequence has another hash), `truncated`
 * (the chain ends before its anchored head) and `deleted` (an anchored chain has no rows left, reported at 1).
 */
export async function verifyAuditChains(
  db: Db,
  anchored: AnchoredHead[] = [],
): Promise<{ rows: number; subjects: number; broken: BrokenChain[] }> {
  const keys = db.auditKeys();
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.subject), asc(auditLog.seq));
  const firstBad = new Map<string, BrokenChain>();
  const report = (b: BrokenChain) => {
    const known = firstBad.get(b.subject);
    if (!known || b.seq < known.seq) firstBad.set(b.subject, b);
  };
  const heads = new Map<string, Map<number, string>>();
  type Link = { subject: string; seq: number; hash: string; keyed: boolean };
  let prev = null as Link | null;
  for (const row of rows) {
    const same: Link | null = prev && prev.subject === row.subject ? prev : null;
    let hashes = heads.get(row.subject);
    if (!hashes) {
      hashes = new Map();
      heads.set(row.subject, hashes);
    }
    hashes.set(row.seq, row.hash);
    const keyed = row.keyId !== null;
    prev = { subject: row.subject, seq: row.seq, hash: row.hash, keyed: keyed || (same?.keyed ?? false) };
    if (firstBad.has(row.subject)) continue;
    const expectedSeq = same ? same.seq + 1 : 1;
    const prevHash = same ? same.hash : GENESIS_HASH;
    if (row.seq !== expectedSeq || row.prevHash !== prevHash) {
      report({ subject: row.subject, seq: row.seq, reason: "hash" });
    } else if (!keyed && same?.keyed) {
      report({ subject: row.subject, seq: row.seq, reason: "unkeyed" });
    } else if (keyed && !keys.has(row.keyId as string)) {
      report({ subject: row.subject, seq: row.seq, reason: "unknown_key" });
    } else if ((await auditHash(row.prevHash, row, keys, row.keyId)) !== row.hash) {
      report({ subject: row.subject, seq: row.seq, reason: "hash" });
    }
  }
  for (const head of anchored) {
    const hashes = heads.get(head.subject);
    if (!hashes) {
      report({ subject: head.subject, seq: 1, reason: "deleted" });
      continue;
    }
    const last = Math.max(...hashes.keys());
    if (last < head.seq) report({ subject: head.subject, seq: last + 1, reason: "truncated" });
    else if (hashes.get(head.seq) !== head.hash) report({ subject: head.subject, seq: head.seq, reason: "rewritten" });
  }
  const broken = [...firstBad.values()].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  return { rows: rows.length, subjects: heads.size, broken };
}
