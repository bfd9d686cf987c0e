import { and, desc, eq, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { registryExports } from "../db/schema";

/**
 * The daily exports' bookkeeping (docs/rules.md#public-lookup): which objects make a date's file, how far it got,
 * and, once finished, its size, rows and SHA-256. The objects themselves are the job's (src/jobs/export-registry.ts).
 */

export type ExportPart = { key: string; bytes: number };

export type ExportState = {
  date: string;
  cursor: string | null;
  parts: ExportPart[];
  partCount: number;
  rows: number;
  bytes: number;
  textCrc32: number;
  textBytes: number;
  sha256: string | null;
  finishedAt: string | null;
};

function toState(row: typeof registryExports.$inferSelect): ExportState {
  return {
    date: row.date,
    cursor: row.cursor,
    parts: JSON.parse(row.parts) as ExportPart[],
    partCount: row.partCount,
    rows: row.rows,
    bytes: row.bytes,
    textCrc32: row.textCrc32,
    textBytes: row.textBytes,
    sha256: row.sha256,
    finishedAt: row.finishedAt,
  };
}

export async function findExport(db: Db, date: string): Promise<ExportState | undefined> {
  const [row] = await db.select().from(registryExports).where(eq(registryExports.date, date)).limit(1);
  return row ? toState(row) : undefined;
}

/** The date's export, started now unless a run started it already. */
export async function startExport(db: Db, date: string, at: string): Promise<ExportState> {
  const [row] = await db
    .insert(registryExports)
    .values({ date, startedAt: at })
    .onConflictDoUpdate({ target: registryExports.date, set: { date: sql`${registryExports.date}` } })
    .returning();
  if (!row) throw new Error(`export ${date} neither inserted nor found`);
  return toState(row);
}

/**
 * Appends a written part, if no other run appended since `state` was read (its `partCount`); false when one did, and
 * the caller's object is then not part of the file.
 */
export async function appendPart(
  db: Db,
  state: ExportState,
  part: ExportPart,
  chunk: {
    rows: number;
    cursor: string | null;
    textCrc32: number;
    textBytes: number;
    /** Set on the last part: the file's digest, and when it was finished. */
    finish?: { sha256: string; at: string };
  },
): Promise<boolean> {
  const updated = await db
    .update(registryExports)
    .set({
      parts: JSON.stringify([...state.parts, part]),
      partCount: state.partCount + 1,
      rows: sql`${registryExports.rows} + ${chunk.rows}`,
      bytes: sql`${registryExports.bytes} + ${part.bytes}`,
      cursor: chunk.cursor,
      textCrc32: chunk.textCrc32,
      textBytes: chunk.textBytes,
      ...(chunk.finish ? { sha256: chunk.finish.sha256, finishedAt: chunk.finish.at } : {}),
    })
    .where(
      and(
        eq(registryExports.date, state.date),
        eq(registryExports.partCount, state.partCount),
        sql`${registryExports.finishedAt} is null`,
      ),
    )
    .returning({ date: registryExports.date });
  return updated.length === 1;
}

/** The newest finished export. */
export async function latestExport(db: Db): Promise<ExportState | undefined> {
  const [row] = await db
    .select()
    .from(registryExports)
    .where(isNotNull(registryExports.finishedAt))
    .orderBy(desc(registryExports.date))
    .limit(1);
  return row ? toState(row) : undefined;
}

/** A finished export by date. */
export async function finishedExport(db: Db, date: string): Promise<ExportState | undefined> {
  const state = await findExport(db, date);
  return state?.finishedAt ? state : undefined;
}

/** Exports older than `date`, for the job to delete (their objects first, then the row). */
export async function exportsBefore(db: Db, date: string): Promise<ExportState[]> {
  const rows = await db.select().from(registryExports).where(lt(registryExports.date, date)).limit(10);
  return rows.map(toState);
}

export async function deleteExport(db: Db, date: string): Promise<void> {
  await db.delete(registryExports).where(eq(registryExports.date, date));
}
