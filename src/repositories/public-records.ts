import { type and, asc, count, eq, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { publicRecords } from "../db/schema";
import { serviceNameKey } from "../domain/filing-request";

/**
 * The public lookup's reads (SPEC §8). They select named columns of `public_records` only — the table holds
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

export type SearchQuery =
  | { kind: "number"; number: string }
  | { kind: "organizer"; mainLicence: string }
  | { kind: "name"; text: string };

/**
 * Search by number, organizer number, service name (prefix, then contains) or organization name (contains).
 * Exact matches rank first. Individuals carry no `unit_name_key`, so their names are never matched.
 * `instr` rather than LIKE for "contains": no pattern-length limit and nothing to escape.
 */
export async function searchPublicRecords(
  db: Db,
  query: SearchQuery,
  page: { offset: number; limit: number },
): Promise<{ items: PublicRecord[]; total: number }> {
  let where: ReturnType<typeof and>;
  // Exact name first, then prefix, then contains; number queries match exactly and need no rank.
  let rank: ReturnType<typeof sql<number>> | undefined;
  if (query.kind === "number") {
    where = eq(publicRecords.serviceLicence, query.number);
  } else if (query.kind === "organizer") {
    where = eq(publicRecords.mainLicence, query.mainLicence);
  } else {
    const key = serviceNameKey(query.text);
    // Prefix as a range, so the index on service_name_key serves it (LIKE is case-insensitive and would not).
    const prefix = sql`(${publicRecords.serviceNameKey} >= ${key} and ${publicRecords.serviceNameKey} < ${`${key}\u{10FFFF}`})`;
    where = or(
      prefix,
      sql`instr(${publicRecords.serviceNameKey}, ${key}) > 0`,
      sql`instr(${publicRecords.unitNameKey}, ${key}) > 0`,
    );
    rank = sql<number>`case when ${publicRecords.serviceNameKey} = ${key} then 0 when ${prefix} then 1 else 2 end`;
  }
  const [rows, totals] = await db.batch([
    db
      .select(columns)
      .from(publicRecords)
      .where(where)
      .orderBy(...(rank ? [rank] : []), asc(publicRecords.serviceNameKey), asc(publicRecords.serviceLicence))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: count() }).from(publicRecords).where(where),
  ]);
  return { items: rows.map(toRecord), total: totals[0]?.total ?? 0 };
}
