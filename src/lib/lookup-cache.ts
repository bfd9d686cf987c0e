/**
 * Hot registration numbers, kept in this isolate's memory (SPEC §8: a change is visible within 60 s): a hit costs no
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

function remember(number: string, value: CachedLookup, now: number): void {
  if (memory.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest entry.
    const oldest = memory.keys().next().value;
    if (oldest !== undefined) memory.delete(oldest);
  }
  memory.set(number, { value, expires: now + ISOLATE_TTL_MS });
}

/**
 * The answer for `number` held in memory, or `load()`'s, then held. `beforeIo` (the public rate limit) runs when
 * the answer is not in memory, side by side with `load()`: the answer waits for both, and a refusal wins. A
 * `beforeIo` that throws synchronously (a client already refused) keeps `load()` from starting at all.
 */
export async function cachedLookup(
  number: string,
  load: () => Promise<CachedLookup>,
  beforeIo: () => Promise<void> = () => Promise.resolve(),
): Promise<CachedLookup> {
  const now = Date.now();
  const hit = memory.get(number);
  if (hit && hit.expires > now) return hit.value;
  if (hit) memory.delete(number);
  const limited = beforeIo();
  const [, value] = await Promise.all([limited, load()]);
  remember(number, value, now);
  return value;
}

/** Drops numbers whose registration just changed from this isolate's memory. */
export function forgetNumbers(numbers: string[]): void {
  for (const number of numbers) memory.delete(number);
}
