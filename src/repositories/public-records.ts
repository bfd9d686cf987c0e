import { asc, count, eq, gt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { publicChanges, publicRecords } from "../db/schema";
import { serviceNameKey } from "../domain/filing-request";
import type { PublicChangeKind } from "../domain/registration-state";

/**
 * The public lookup's reads (docs/rules.md#public-lookup). They select named columns of `public_records` only — the table holds
 * nothing private — and shape MIIT's field names in one place.
 */

export type PublicRecord = {
  serviceLicence: string;
  mainLicence: string;
  unitName: string;
  natureName: string;
  serviceName: string;
  serviceType: number;
  contentTypeName: string;
  updateRecordTime: string;
  limitAccess: "是" | "否";
  status: "active" | "cancelled" | "revoked" | "access_removed";
  redacted: string[];
};

const columns = {
  serviceLicence: publicRecords.serviceLicence,
  mainLicence: publicRecords.mainLicence,
  unitName: publicRecords.unitName,
  natureName: publicRecords.natureName,
  serviceName: publicRecords.serviceName,
  serviceType: publicRecords.serviceType,
  contentTypeName: publicRecords.contentTypeName,
  updateRecordTime: publicRecords.updateRecordTime,
  status: publicRecords.status,
  redacted: publicRecords.redacted,
};

type Row = { [K in keyof typeof columns]: (typeof columns)[K]["_"]["data"] };

function toRecord(row: Row): PublicRecord {
  return {
    ...row,
    limitAccess: row.status === "active" ? "否" : "是",
    redacted: JSON.parse(row.redacted) as string[],
  };
}

/** One primary-key read. */
export async function findPublicRecord(db: Db, number: string): Promise<PublicRecord | undefined> {
  const [row] = await db.select(columns).from(publicRecords).where(eq(publicRecords.serviceLicence, number)).limit(1);
  return row ? toRecord(row) : undefined;
}

/** The records of `numbers` (canonical), in one read: each a primary-key lookup of one JSON list parameter. */
export async function findPublicRecords(db: Db, numbers: readonly string[]): Promise<PublicRecord[]> {
  if (numbers.length === 0) return [];
  const rows = await db
    .select(columns)
    .from(publicRecords)
    .where(sql`${publicRecords.serviceLicence} in (select value from json_each(${JSON.stringify(numbers)}))`);
  return rows.map(toRecord);
}

export type PublicChange = { seq: number; change: PublicChangeKind; at: string; record: PublicRecord };

/**
 * Up to `limit` changes after `afterSeq`, in commit order (docs/rules.md#public-lookup). Rows are written by triggers in
 * the statement that changes the record and `seq` is AUTOINCREMENT in a database that runs one batch at a time, so a
 * row with a lower `seq` never commits after one with a higher: reading by `seq` never skips one. A read replica
 * holds a prefix of that order, so a page read from any replica skips nothing either.
 */
export async function changesAfter(db: Db, afterSeq: number, limit: number): Promise<PublicChange[]> {
  const rows = await db
    .select({
      seq: publicChanges.seq,
      change: publicChanges.change,
      at: publicChanges.at,
      serviceLicence: publicChanges.serviceLicence,
      mainLicence: publicChanges.mainLicence,
      unitName: publicChanges.unitName,
      natureName: publicChanges.natureName,
      serviceName: publicChanges.serviceName,
      serviceType: publicChanges.serviceType,
      contentTypeName: publicChanges.contentTypeName,
      updateRecordTime: publicChanges.updateRecordTime,
      status: publicChanges.status,
      redacted: publicChanges.redacted,
    })
    .from(publicChanges)
    .where(gt(publicChanges.seq, afterSeq))
    .orderBy(asc(publicChanges.seq))
    .limit(limit);
  return rows.map(({ seq, change, at, ...row }) => ({ seq, change, at, record: toRecord(row) }));
}

/** Up to `limit` records after `cursor` (exclusive) in number order, for the export: a primary-key range. */
export async function publicRecordsAfter(db: Db, cursor: string | null, limit: number): Promise<PublicRecord[]> {
  const rows = await db
    .select(columns)
    .from(publicRecords)
    .where(cursor === null ? undefined : gt(publicRecords.serviceLicence, cursor))
    .orderBy(asc(publicRecords.serviceLicence))
    .limit(limit);
  return rows.map(toRecord);
}

/** Trigram search needs at least three characters to match anything. */
export const MIN_TRIGRAM_CHARS = 3;

/** An FTS5 phrase matching `text` literally (quotes doubled, so no query syntax gets through). */
function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

export type SearchQuery =
  /** Service numbers, the one typed first (ranked first). */
  | { kind: "number"; numbers: string[] }
  /** Main licences: one typed, or every one bare digits could be. */
  | { kind: "organizer"; mainLicences: string[] }
  | { kind: "name"; text: string };

/**
 * Search by numbers, main licences, service name (prefix, then contains) or organization name (prefix or contains).
 * Exact matches rank first. Individuals carry no `unit_name_key`, so their names are never matched. Every path is
 * an index: primary key, the name indexes' ranges, or the trigram index (migration 0006).
 */
function searchConditions(query: SearchQuery) {
  // Exact name first, then prefix, then contains; numbers match exactly, the one typed first. Lists travel as one
  // JSON parameter, each item a key lookup.
  if (query.kind === "number") {
    return {
      where: sql`${publicRecords.serviceLicence} in (select value from json_each(${JSON.stringify(query.numbers)}))`,
      rank: sql<number>`case when ${publicRecords.serviceLicence} = ${query.numbers[0] ?? ""} then 0 else 1 end`,
    };
  }
  if (query.kind === "organizer") {
    return {
      where: sql`${publicRecords.mainLicence} in (select value from json_each(${JSON.stringify(query.mainLicences)}))`,
    };
  }
  const key = serviceNameKey(query.text);
  // Prefixes as index ranges (LIKE is case-insensitive and would not use the index).
  const upper = `${key}\u{10FFFF}`;
  const servicePrefix = sql`(${publicRecords.serviceNameKey} >= ${key} and ${publicRecords.serviceNameKey} < ${upper})`;
  const unitPrefix = sql`(${publicRecords.unitNameKey} >= ${key} and ${publicRecords.unitNameKey} < ${upper})`;
  // Contains: the trigram index for three characters or more; one or two characters (common in Chinese names)
  // cannot be served by trigrams, so they match name prefixes only, never by scanning every record.
  // FTS5 reads its query as a C string: a NUL would end it inside the phrase (a syntax error). No name holds a NUL,
  // so such a query has no contains term.
  const contains =
    [...key].length >= MIN_TRIGRAM_CHARS && !key.includes("\0")
      ? sql`${publicRecords}.rowid in (select rowid from public_records_fts where public_records_fts match ${ftsPhrase(key)})`
      : undefined;
  return {
    // Each term an index of its own, so SQLite answers the OR as a union of index lookups.
    where: or(servicePrefix, unitPrefix, contains),
    rank: sql<number>`case when ${publicRecords.serviceNameKey} = ${key} then 0 when ${servicePrefix} then 1 else 2 end`,
  };
}

/**
 * The page query of a search, each row carrying the number of all matches (`count(*) over ()`: the ranking sorts
 * every match anyway, so the total costs no second statement). Exported so a test can check its plan never scans
 * the table.
 */
export function searchPageQuery(db: Db, query: SearchQuery, page: { offset: number; limit: number }) {
  const { where, rank } = searchConditions(query);
  return db
    .select({ ...columns, total: sql<number>`count(*) over ()` })
    .from(publicRecords)
    .where(where)
    .orderBy(...(rank ? [rank] : []), asc(publicRecords.serviceNameKey), asc(publicRecords.serviceLicence))
    .limit(page.limit)
    .offset(page.offset);
}

export async function searchPublicRecords(
  db: Db,
  query: SearchQuery,
  page: { offset: number; limit: number },
): Promise<{ items: PublicRecord[]; total: number }> {
  const rows = await searchPageQuery(db, query, page);
  const first = rows[0];
  if (first) return { items: rows.map(({ total: _, ...row }) => toRecord(row)), total: first.total };
  // No row to carry the total: none match, or the page is past the last one (only then is counting needed).
  if (page.offset === 0) return { items: [], total: 0 };
  const [counted] = await db.select({ total: count() }).from(publicRecords).where(searchConditions(query).where);
  return { items: [], total: counted?.total ?? 0 };
}
