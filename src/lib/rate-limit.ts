import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";
import { ApiError } from "./errors";

/**
 * Per-client limits on the public routes, through the Workers Rate Limiting binding (its period is 10 or
 * 60 s, so `Retry-After` is the configured period). A client is its connecting IP as Cloudflare reports it.
 * Without the binding (a deployment that has not configured one) requests pass.
 * What is counted is work that reaches storage: a search, or a lookup this isolate does not hold in memory
 * (see `cachedLookup`). An answer already in memory costs no I/O and is served without asking the limiter.
 */
export async function enforcePublicLimit(c: Context<AppEnv>): Promise<void> {
  const limiter = c.env.PUBLIC_RATE_LIMITER;
  if (!limiter) return;
  const client = c.req.header("cf-connecting-ip") ?? "unknown";
  const { success } = await limiter.limit({ key: client });
  if (!success) {
    const period = Number(c.env.PUBLIC_RATE_LIMIT_PERIOD ?? 60) || 60;
    throw new ApiError("RATE_LIMITED", `Try again in ${period} s`, { headers: { "retry-after": String(period) } });
  }
}

/** The limit as middleware, for routes that always reach storage. */
export function publicRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforcePublicLimit(c);
    return next();
  };
}
