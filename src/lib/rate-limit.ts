import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";
import { ApiError } from "./errors";

/**
 * Per-client limits on the public routes, through the Workers Rate Limiting binding (its period is 10 or
 * 60 s, so `Retry-After` is the configured period). A client is its connecting IP as Cloudflare reports it.
 * Without the binding (a deployment that has not configured one) requests pass.
 */
export function publicRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limiter = c.env.PUBLIC_RATE_LIMITER;
    if (limiter) {
      const client = c.req.header("cf-connecting-ip") ?? "unknown";
      const { success } = await limiter.limit({ key: client });
      if (!success) {
        const period = Number(c.env.PUBLIC_RATE_LIMIT_PERIOD ?? 60) || 60;
        throw new ApiError("RATE_LIMITED", `Try again in ${period} s`, { headers: { "retry-after": String(period) } });
      }
    }
    return next();
  };
}
