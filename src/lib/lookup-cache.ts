import { setBounded } from "./bounded-map";

/**
 * Hot registration numbers, kept in this isolate's memory (docs/rules.md#public-lookup: a change is visible within 60 s): a hit costs no
 * I/O at all. Entries live at most ISOLATE_TTL_MS; with the browser's `max-age` (BROWSER_MAX_AGE_S) on top, the worst
 * case is 30 + 30 = 60 s. A change made in this isolate drops its entries at once (`forgetNumbers`); elsewhere the
 * lifetime bounds it.
 * There is no Cache API layer between memory and D1: a miss would ask the colo cache, then read D1, then write the
 * cache — three round trips where one primary-key read does (`npm run bench` measured cold lookups at 0.26–0.36 × a
 * bare read with that layer in the path) — and public reads go to D1 read replicas near the caller anyway
 * (src/db/client.ts).
 */
export const ISOLATE_TTL_MS = 30_000;
export const BROWSER_MAX_AGE_S = 30;
const MAX_ENTRIES = 10_000;

export type CachedLookup = { status: 200 | 404; body: string; etag: string };

const memory = new Map<string, { value: CachedLookup; expires: number }>();

/** The answer for `number` held in memory and not yet expired; undefined when none is. */
export function heldLookup(number: string): CachedLookup | undefined {
  const hit = memory.get(number);
  if (hit && hit.expires > Date.now()) return hit.value;
  if (hit) memory.delete(number);
  return undefined;
}

/** Holds `value` as the answer for `number` for ISOLATE_TTL_MS from `since` (when its read started). */
export function holdLookup(number: string, value: CachedLookup, since: number = Date.now()): void {
  setBounded(memory, number, { value, expires: since + ISOLATE_TTL_MS }, MAX_ENTRIES);
}

/** The answer for `number` held in memory, or `load()`'s, then held (`load` runs only when nothing is held). */
export async function cachedLookup(number: string, load: () => Promise<CachedLookup>): Promise<CachedLookup> {
  const now = Date.now();
  const hit = heldLookup(number);
  if (hit) return hit;
  const value = await load();
  holdLookup(number, value, now);
  return value;
}

/** Drops numbers whose registration just changed from this isolate's memory. */
export function forgetNumbers(numbers: string[]): void {
  for (const number of numbers) memory.delete(number);
}
