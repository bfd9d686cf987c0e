/**
 * Retrying 429 and 503 answers (and, for requests safe to repeat, network failures), honouring `Retry-After`.
 * Every attempt sends the same bytes: the body is read once and replayed, so a submission keeps its body and its
 * `Idempotency-Key` across attempts and the server answers a repeat with the first filing (docs/rules.md#idempotency).
 */

export interface RetryOptions {
  /** Attempts after the first; 0 turns retrying off. Default 3. */
  retries?: number;
  /** The longest wait before an attempt, in ms: a `Retry-After` asking for more ends the retries. Default 60 s. */
  maxDelayMs?: number;
  /** The wait before the first retry when the server names none, in ms, doubled for each later one. Default 500. */
  baseDelayMs?: number;
}

export type Fetch = (request: Request) => Promise<Response>;

/** Statuses that say "not now": the request was not acted on and may be sent again as it is. */
const RETRY_STATUSES = new Set([429, 503]);
/** Methods a repeat cannot double (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/**
 * `Retry-After` (RFC 9110 §10.2.3) as a wait in ms from `now`: delay-seconds or an HTTP date (a date already past
 * is 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) opens with the day's name; Date.parse
  // reads all three, and much else that is not a date, hence the check.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  // HTTP dates are in GMT; asctime's form does not say so, and would otherwise be read as local time.
  const at = Date.parse(/GMT$/.test(text) ? text : `${text} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export type Sleep = (ms: number, signal?: AbortSignal | null) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** `fetch` with retries per `options`; `wait` is how it sleeps (the tests count the waits instead). */
export function retryingFetch(fetch: Fetch, options: RetryOptions = {}, wait: Sleep = sleep): Fetch {
  const retries = Math.max(0, options.retries ?? 3);
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const baseDelayMs = options.baseDelayMs ?? 500;
  return async (request) => {
    if (retries === 0) return fetch(request);
    // Read once, replayed as it is: a multipart body keeps its boundary, a JSON body its bytes.
    const body = request.body ? await request.arrayBuffer() : undefined;
    const repeatable = IDEMPOTENT_METHODS.has(request.method) || request.headers.has("idempotency-key");
    for (let attempt = 0; ; attempt++) {
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      let response: Response;
      try {
        response = await fetch(new Request(request, body === undefined ? {} : { body }));
      } catch (error) {
        // A connection failure may or may not have reached the server: repeat only what is safe to repeat.
        if (!repeatable || attempt >= retries || request.signal.aborted) throw error;
        await wait(backoff, request.signal);
        continue;
      }
      if (!RETRY_STATUSES.has(response.status) || attempt >= retries) return response;
      const asked = parseRetryAfter(response.headers.get("retry-after"));
      const delay = asked ?? backoff;
      if (delay > maxDelayMs) return response;
      await response.body?.cancel();
      await wait(delay, request.signal);
    }
  };
}
