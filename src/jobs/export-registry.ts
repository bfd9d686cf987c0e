import type { Db } from "../db/client";
import { csvHeader, csvLines, UTF8_BOM } from "../domain/registry-csv";
import { beijingToday } from "../domain/time";
import { crc32After, deflatePiece, GZIP_HEADER, gzipTrailer } from "../lib/gzip-segments";
import { newId } from "../lib/ids";
import { publicRecordsAfter } from "../repositories/public-records";
import {
  appendPart,
  deleteExport,
  type ExportPart,
  type ExportState,
  exportsBefore,
  findExport,
  startExport,
} from "../repositories/registry-exports";
import type { Env } from "../types";
import type { Budget } from "./budget";

/**
 * The nightly export of the public registry (docs/rules.md#public-lookup). The first scheduled run of a Beijing day
 * starts that day's file; each run then writes as many chunks as its budget allows, and a later run goes on where
 * it stopped. A chunk is EXPORT_CHUNK_ROWS records read in number order after the last one written, as CSV,
 * deflated as one piece of the file's single gzip stream (src/lib/gzip-segments.ts) and put in the EXPORTS bucket as
 * one object; the file is the parts' concatenation. The first part starts with the gzip header, then the BOM and the
 * CSV header line; the last one (the chunk that comes back short) ends with the gzip trailer. Then the file is
 * finished: its SHA-256 is computed by streaming the parts through a digest, and the export is listed. A chunk whose append lost to another
 * run's (two runs overlapping) deletes its object, and that run stops.
 */
export const EXPORT_CHUNK_ROWS = 2_000;

/** Days of exports kept: older ones are deleted once a newer one is finished. */
export const EXPORTS_KEPT_DAYS = 7;

export type ExportOutcome = { date: string; rows: number; finished: boolean };

const encoder = new TextEncoder();

function concat(...pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The SHA-256 of the parts' concatenation (read back from the bucket as a stream), then `tail`. */
async function digestOf(bucket: R2Bucket, parts: ExportState["parts"], tail: Uint8Array): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  for (const part of parts) {
    const object = await bucket.get(part.key);
    if (!object) throw new Error(`export part ${part.key} is missing`);
    await object.body.pipeTo(digest, { preventClose: true });
  }
  const writer = digest.getWriter();
  await writer.write(tail);
  await writer.close();
  return [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** Deletes exports more than EXPORTS_KEPT_DAYS older than `date`, objects first. */
async function pruneExports(db: Db, bucket: R2Bucket, date: string, budget: Budget): Promise<void> {
  if (!budget.allows(2)) return;
  const old = await exportsBefore(db, daysBefore(date, EXPORTS_KEPT_DAYS));
  budget.spend(1);
  for (const e of old) {
    if (!budget.allows(1)) return;
    if (e.parts.length > 0) await bucket.delete(e.parts.map((p) => p.key));
    await deleteExport(db, e.date);
    budget.spend(1);
  }
}

/**
 * Works on the export of `now`'s Beijing date within `budget`. Undefined without an EXPORTS bucket (nothing is
 * exported) or when the budget does not reach it.
 */
export async function exportRegistry(
  env: Env,
  db: Db,
  budget: Budget,
  now: Date,
  options: { chunkRows?: number } = {},
): Promise<ExportOutcome | undefined> {
  const bucket = env.EXPORTS;
  if (!bucket || !budget.allows(3)) return undefined;
  const chunkRows = options.chunkRows ?? EXPORT_CHUNK_ROWS;
  const date = beijingToday(now);
  const found = await findExport(db, date);
  budget.spend(1);
  if (found?.finishedAt) return { date, rows: 0, finished: true };
  let state: ExportState = found ?? (await startExport(db, date, now.toISOString()));
  if (!found) budget.spend(1);
  let rows = 0;
  // A chunk costs its read and its append; finishing costs one more.
  while (budget.allows(3)) {
    const records = await publicRecordsAfter(db, state.cursor, chunkRows);
    budget.spend(1);
    // The last chunk is written even when it holds no record: it carries the trailer.
    const last = records.length < chunkRows;
    const text = encoder.encode((state.partCount === 0 ? UTF8_BOM + csvHeader() : "") + csvLines(records));
    const textCrc32 = crc32After(text, state.textCrc32);
    const textBytes = state.textBytes + text.byteLength;
    const body = concat(
      state.partCount === 0 ? GZIP_HEADER : new Uint8Array(),
      deflatePiece(text),
      last ? gzipTrailer(textCrc32, textBytes) : new Uint8Array(),
    );
    const key: string = `registry/${date}/${String(state.partCount).padStart(6, "0")}-${newId("part")}.csv.gz`;
    await bucket.put(key, body, { httpMetadata: { contentType: "application/gzip" } });
    const part: ExportPart = { key, bytes: body.byteLength };
    const cursor: string | null = records.at(-1)?.serviceLicence ?? state.cursor;
    // The last part finishes the file in the same statement that appends it, so no run can append after the trailer.
    const finish = last
      ? { sha256: await digestOf(bucket, state.parts, body), at: new Date().toISOString() }
      : undefined;
    const appended = await appendPart(db, state, part, { rows: records.length, cursor, textCrc32, textBytes, finish });
    budget.spend(1);
    if (!appended) {
      await bucket.delete(key);
      return { date, rows, finished: false };
    }
    rows += records.length;
    state = {
      ...state,
      parts: [...state.parts, part],
      partCount: state.partCount + 1,
      rows: state.rows + records.length,
      bytes: state.bytes + part.bytes,
      cursor,
      textCrc32,
      textBytes,
    };
    if (last) {
      await pruneExports(db, bucket, date, budget);
      return { date, rows, finished: true };
    }
  }
  return { date, rows, finished: false };
}
