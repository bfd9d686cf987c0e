import type { Context, MiddlewareHandler } from "hono";
import type { Principal, Role } from "../domain/roles";
import { findActiveKey, touchKey } from "../repositories/accounts";
import type { AppEnv } from "../types";
import { setBounded } from "./bounded-map";
import { sha256Hex } from "./crypto";
import { ApiError } from "./errors";

/** The `ADMIN_BOOTSTRAP_KEY` secret acts for this built-in admin, so a fresh deployment can create accounts. */
export const BOOTSTRAP_ACCOUNT_ID = "acc_bootstrap";

/** The failure limiter's period (wrangler.toml `AUTH_FAILURE_LIMITER`), which `Retry-After` tells a refused client. */
export const AUTH_FAILURE_PERIOD_S = 60;

/**
 * Clients refused for failed sign-ins in this isolate, with when the refusal ends: until then each of their requests
 * is 429 before its key is looked up, so a flood of bad keys costs no D1 read.
 */
const refusedUntil = new Map<string, number>();
const MAX_REFUSED = 10_000;

function tooManyFailures(): ApiError {
  return new ApiError("RATE_LIMITED", `Too many failed sign-ins; try again in ${AUTH_FAILURE_PERIOD_S} s`, {
    headers: { "retry-after": String(AUTH_FAILURE_PERIOD_S) },
  });
}

/**
 * A client is its connecting IP as Cloudflare's edge (or `wrangler dev`) reports it. A request without one did not come
 * through either (the vitest runs, a self-hosted runtime behind a proxy of its own) and is not counted: lumping all
 * such callers into one client would let one of them lock every key holder out.
 */
function clientOf(c: Context<AppEnv>): string | undefined {
  return c.req.header("cf-connecting-ip") || undefined;
}

/** Before any lookup: a client this isolate refused within the period is refused again, at no I/O. */
function refuseIfRefused(client: string | undefined): void {
  if (client === undefined) return;
  const until = refusedUntil.get(client);
  if (until === undefined) return;
  if (until > Date.now()) throw tooManyFailures();
  refusedUntil.delete(client);
}

/** A failed sign-in: counted against the client; past the limit the answer is 429 instead of 401. */
async function failed(c: Context<AppEnv>, client: string | undefined, unauthorized: ApiError): Promise<never> {
  const limiter = c.env.AUTH_FAILURE_LIMITER;
  if (client !== undefined && limiter) {
    const { success } = await limiter.limit({ key: client });
    if (!success) {
      setBounded(refusedUntil, client, Date.now() + AUTH_FAILURE_PERIOD_S * 1000, MAX_REFUSED);
      throw tooManyFailures();
    }
  }
  throw unauthorized;
}

/**
 * Requests the consoles make to the API in-process (src/routes/console/api.ts), with the principal of the session
 * that made them. Keyed by the Request object itself, which only code in this isolate holds: nothing a client sends
 * can name an entry.
 */
const internalCalls = new WeakMap<Request, Principal>();

/** Marks `request` as made by the console for `principal`: the API takes it as that principal's own call. */
export function asInternalCall(request: Request, principal: Principal): Request {
  internalCalls.set(request, principal);
  return request;
}

/**
 * The principal an API key stands for, or a 401 (429 past the failure limit, docs/rules.md#roles): the bootstrap
 * admin for `ADMIN_BOOTSTRAP_KEY`, else the account of an unrevoked key. Used by the bearer header and the
 * console's sign-in alike, so both count failures against the same limit.
 */
export async function principalForKey(
  c: Context<AppEnv>,
  token: string | undefined,
): Promise<Principal & { lastUsedAt?: string | null }> {
  const client = clientOf(c);
  refuseIfRefused(client);
  if (!token) return failed(c, client, new ApiError("UNAUTHORIZED", "Send Authorization: Bearer <api key>"));
  const hash = await sha256Hex(token);
  if (c.env.ADMIN_BOOTSTRAP_KEY && hash === (await sha256Hex(c.env.ADMIN_BOOTSTRAP_KEY))) {
    return { accountId: BOOTSTRAP_ACCOUNT_ID, role: "admin", keyId: null };
  }
  const key = await findActiveKey(c.get("db"), hash);
  if (!key) return failed(c, client, new ApiError("UNAUTHORIZED", "The API key is unknown or revoked"));
  return { accountId: key.accountId, role: key.role, keyId: key.id, lastUsedAt: key.lastUsedAt };
}

/**
 * Resolves `Authorization: Bearer <key>` to the calling account. Revoked keys stop working at once. Failed sign-ins
 * (401) are limited per client (docs/rules.md#roles): a valid key is never counted, and a client over the limit is
 * refused before its key is looked up. A console's in-process call already carries its session's principal.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const internal = internalCalls.get(c.req.raw);
    if (internal) {
      c.set("principal", internal);
      return next();
    }
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const { lastUsedAt, ...principal } = await principalForKey(c, match?.[1]);
    c.set("principal", principal);
    const now = new Date();
    // Recording use is best-effort and at most once a minute per key, off the request's critical path.
    const keyId = principal.keyId;
    if (keyId && (!lastUsedAt || now.getTime() - Date.parse(lastUsedAt) > 60_000)) {
      c.executionCtx.waitUntil(touchKey(c.get("db"), keyId, now.toISOString()).catch(() => {}));
    }
    return next();
  };
}

/** Role check (403) — ownership (404) is each route's own, after this. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get("principal").role)) {
      throw new ApiError("FORBIDDEN", `This route is for: ${roles.join(", ")}`);
    }
    return next();
  };
}
