/**
 * Hot registration numbers, kept close to the lookup route (SPEC §8: a change is visible within 60 s).
 * Two layers, each with a short, fixed lifetime:
 * - this isolate's memory (no I/O at all on a hit), at most ISOLATE_TTL_MS old;
 * - the colo's Cache API, at most CACHE_TTL_S old.
 * With the browser's `max-age` (BROWSER_MAX_AGE_S) on top, the worst case is 15 + 15 + 30 = 60 s.
 * A change made in this isolate drops its entries at once (`forgetNumbers`); elsewhere the lifetimes bound it.
 */
export const ISOLATE_TTL_MS = 15_000;
export const CACHE_TTL_S = 15;
export const BROWSER_MAX_AGE_S = 30;
const MAX_ENTRIES = 10_000;

export type CachedLookup = { status: 200 | 404; body: string; etag: string };

const memory = new Map<string, { value: CachedLookup; expires: number }>();

function cacheKey(number: string): string {
  return `https://lookup.beian.internal/registrations/${encodeURIComponent(number)}`;
}

function defaultCache(): Cache | undefined {
  return (globalThis as { caches?: { default?: Cache } }).caches?.default;
}

function remember(number: string, value: CachedLookup, now: number): void {
  if (memory.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest entry.
    const oldest = memory.keys().next().value;
    if (oldest !== undefined) memory.delete(oldest);
  }
  memory.set(number, { value, expires: now + ISOLATE_TTL_MS });
}

/**
 * The cached answer for `number`, or `load()`'s, stored in both layers. `beforeIo` runs when the answer is not in
 * memory, before the Cache API or `load()` is asked (the public rate limit).
 */
export async function cachedLookup(
  number: string,
  load: () => Promise<CachedLookup>,
  waitUntil: (p: Promise<unknown>) => void,
  beforeIo: () => Promise<void> = async () => {},
): Promise<CachedLookup> {
  const now = Date.now();
  const hit = memory.get(number);
  if (hit && hit.expires > now) return hit.value;
  if (hit) memory.delete(number);
  await beforeIo();

  const cache = defaultCache();
  const cached = cache ? await cache.match(cacheKey(number)) : undefined;
  if (cached) {
    const value: CachedLookup = {
      status: cached.status === 404 ? 404 : 200,
      body: await cached.text(),
      etag: cached.headers.get("etag") ?? "",
    };
    remember(number, value, now);
    return value;
  }

  const value = await load();
  remember(number, value, now);
  if (cache) {
    const stored = new Response(value.body, {
      status: value.status,
      headers: { etag: value.etag, "cache-control": `max-age=${CACHE_TTL_S}` },
    });
    waitUntil(cache.put(cacheKey(number), stored).catch(() => {}));
  }
  return value;
}

/** Drops numbers whose registration just changed, here and in this colo's cache. */
export async function forgetNumbers(numbers: string[]): Promise<void> {
  const cache = defaultCache();
  for (const number of numbers) {
    memory.delete(number);
    if (cache) await cache.delete(cacheKey(number)).catch(() => false);
  }
}
