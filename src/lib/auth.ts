import type { MiddlewareHandler } from "hono";
import type { Role } from "../domain/roles";
import { findActiveKey, touchKey } from "../repositories/accounts";
import type { AppEnv } from "../types";
import { sha256Hex } from "./crypto";
import { ApiError } from "./errors";

/** The `ADMIN_BOOTSTRAP_KEY` secret acts for this built-in admin, so a fresh deployment can create accounts. */
export const BOOTSTRAP_ACCOUNT_ID = "acc_bootstrap";

/** Resolves `Authorization: Bearer <key>` to the calling account. Revoked keys stop working at once. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new ApiError("UNAUTHORIZED", "Send Authorization: Bearer <api key>");
    const token = match[1];
    const hash = await sha256Hex(token);
    if (c.env.ADMIN_BOOTSTRAP_KEY && hash === (await sha256Hex(c.env.ADMIN_BOOTSTRAP_KEY))) {
      c.set("principal", { accountId: BOOTSTRAP_ACCOUNT_ID, role: "admin", keyId: null });
      return next();
    }
    const key = await findActiveKey(c.get("db"), hash);
    if (!key) throw new ApiError("UNAUTHORIZED", "The API key is unknown or revoked");
    c.set("principal", { accountId: key.accountId, role: key.role, keyId: key.id });
    const now = new Date();
    // Recording use is best-effort and at most once a minute per key, off the request's critical path.
    if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > 60_000) {
      c.executionCtx.waitUntil(touchKey(c.get("db"), key.id, now.toISOString()).catch(() => {}));
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
