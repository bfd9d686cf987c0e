import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";
import { setBounded } from "./bounded-map";
import { ApiError } from "./errors";

/**
 * Per-client limits on the public routes, through the Workers Rate Limiting binding (its period is 10 or
 * 60 s, so `Retry-After` is the configured period). A client is its connecting IP as Cloudflare reports it.
 * Without the binding (a deployment that has not configured one) requests pass.
 * What is counted is work that reaches storage: a search, or a lookup this isolate does not hold in memory
 * (see `cachedLookup`). An answer already in memory costs no I/O and is served without asking the limiter.
 */

/**
 * Clients the limiter refused in this isolate, with when that refusal ends (a period later, as `Retry-After`
 * says): until then they are refused at once, without asking the limiter and without reading storage.
 */
const refusedUntil = new Map<string, number>();
const MAX_REFUSED = 10_000;

function limitPeriodS(c: Context<AppEnv>): number {
  return c.get("config").publicRateLimitPeriodS;
}

function rateLimited(periodS: number): ApiError {
  return new ApiError("RATE_LIMITED", `Try again in ${periodS} s`, { headers: { "retry-after": String(periodS) } });
}

/**
 * Asks the limiter for this request's client. Not `async` on purpose: a client already refused in this isolate is
 * refused by a synchronous throw, so `limitedRead` never starts its read for it. Otherwise the returned promise
 * rejects with 429 when the limiter refuses.
 */
function enforcePublicLimit(c: Context<AppEnv>, cost = 1): Promise<void> {
  const limiter = c.env.PUBLIC_RATE_LIMITER;
  if (!limiter) return Promise.resolve();
  const client = c.req.header("cf-connecting-ip") ?? "unknown";
  const periodS = limitPeriodS(c);
  const until = refusedUntil.get(client);
  if (until !== undefined) {
    if (until > Date.now()) throw rateLimited(periodS);
    refusedUntil.delete(client);
  }
  if (cost <= 0) return Promise.resolve();
  // The binding counts one per call: a request worth `cost` reads asks it `cost` times, and any refusal refuses it.
  const asked = Array.from({ length: cost }, () => limiter.limit({ key: client }));
  return Promise.all(asked).then((outcomes) => {
    if (outcomes.every(({ success }) => success)) return;
    setBounded(refusedUntil, client, Date.now() + periodS * 1000, MAX_REFUSED);
    throw rateLimited(periodS);
  });
}

/**
 * A public read that reaches storage: `read()` runs side by side with the limiter, the answer waits for both and a
 * refusal wins; a client already refused in this isolate is refused before `read()` starts. `cost` is how many
 * of the client's allowance it uses: one, or for a batch lookup the numbers it reads (none when all were in memory).
 */
export async function limitedRead<T>(c: Context<AppEnv>, read: () => Promise<T>, cost = 1): Promise<T> {
  const limited = enforcePublicLimit(c, cost);
  const [, value] = await Promise.all([limited, read()]);
  return value;
}

/** The limit as middleware, for routes that always reach storage. */
export function publicRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforcePublicLimit(c);
    return next();
  };
}
