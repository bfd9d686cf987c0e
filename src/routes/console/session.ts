import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Role } from "../../domain/roles";
import { BOOTSTRAP_ACCOUNT_ID } from "../../lib/auth";
import { sha256Hex } from "../../lib/crypto";
import { csrfMatches, csrfToken, openSession, SESSION_TTL_S, type SessionClaims, sealSession } from "../../lib/session";
import { liveSessionKey, recordSignout, signedOut } from "../../repositories/console-sessions";
import type { AppEnv } from "../../types";

/**
 * Console sessions (docs/rules.md#consoles): the cookie, who it stands for on each request (its key unrevoked, the
 * session not signed out), the CSRF token every
 * form carries, and which console a role opens.
 */
export const SESSION_COOKIE = "beian_session";
/** The sign-in form's nonce: its CSRF token is bound to it, as a session's forms are bound to the session. */
export const LOGIN_COOKIE = "beian_login";
export const LANG_COOKIE = "beian_lang";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** The console each role opens after signing in. */
export const ROLE_HOME: Record<Role, string> = {
  developer: "/console",
  provider: "/console",
  reviewer: "/console/review",
  regulator: "/console/regulator",
  admin: "/console/admin",
};

export function sessionSecret(c: Context<AppEnv>): string {
  return c.env.BLIND_INDEX_KEY;
}

function cookieOptions(c: Context<AppEnv>, maxAge: number) {
  return {
    path: "/console",
    httpOnly: true,
    sameSite: "Strict" as const,
    secure: !c.get("config").development,
    maxAge,
  };
}

export async function startSession(c: Context<AppEnv>, claims: SessionClaims): Promise<void> {
  setCookie(c, SESSION_COOKIE, await sealSession(sessionSecret(c), claims), cookieOptions(c, SESSION_TTL_S));
}

/** Signs the request's session out for good (its cookie would otherwise hold until it expires), and clears the cookie. */
export async function signOut(c: Context<AppEnv>): Promise<void> {
  const claims = c.get("session");
  await recordSignout(c.get("db"), claims.sid, new Date(claims.exp).toISOString(), new Date().toISOString());
  endSession(c);
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/console", secure: !c.get("config").development });
}

export function setLoginNonce(c: Context<AppEnv>, nonce: string): void {
  setCookie(c, LOGIN_COOKIE, nonce, cookieOptions(c, 60 * 60));
}

export function loginNonce(c: Context<AppEnv>): string | undefined {
  const nonce = getCookie(c, LOGIN_COOKIE);
  return nonce && /^[\w-]{16,64}$/.test(nonce) ? nonce : undefined;
}

export const bootstrapFingerprint = async (key: string) => (await sha256Hex(key)).slice(0, 16);

/**
 * The signed-in principal of a request, or undefined: the cookie must be this deployment's, unexpired, and its key
 * still unrevoked (re-read on every request, so revoking a key ends its sessions at once).
 */
async function currentSession(c: Context<AppEnv>) {
  const claims = await openSession(sessionSecret(c), getCookie(c, SESSION_COOKIE));
  if (!claims) return undefined;
  if (claims.keyId === "bootstrap") {
    const bootstrap = c.env.ADMIN_BOOTSTRAP_KEY;
    if (!bootstrap || claims.fp !== (await bootstrapFingerprint(bootstrap))) return undefined;
    if (await signedOut(c.get("db"), claims.sid)) return undefined;
    return { claims, principal: { accountId: BOOTSTRAP_ACCOUNT_ID, role: "admin" as const, keyId: null } };
  }
  const key = await liveSessionKey(c.get("db"), claims.keyId, claims.sid);
  if (!key || key.accountId !== claims.accountId) return undefined;
  return { claims, principal: { accountId: key.accountId, role: key.role, keyId: key.id } };
}

/** A console path to come back to after signing in: only this console's own pages, never another site. */
export function safeNext(next: string | undefined): string | undefined {
  if (!next || next.length > 512) return undefined;
  return /^\/console(?:\/[\w\-./%]*)?(?:\?[\w\-.=&%]*)?$/.test(next) && !next.includes("//") ? next : undefined;
}

/**
 * Every console page but the sign-in: without a live session, a page read goes to the sign-in (and back after it),
 * anything else is refused; a state-changing request must carry the session's CSRF token (a form's `_csrf` field,
 * or the `X-CSRF-Token` header of the live-validation script).
 */
export function consoleSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = await currentSession(c);
    const reading = c.req.method === "GET" || c.req.method === "HEAD";
    if (!session) {
      endSession(c);
      if (!reading) return refusal(c, 401, "登录已失效，请重新登录。", "Your session has ended: sign in again.");
      const url = new URL(c.req.url);
      const back = safeNext(`${url.pathname}${url.search}`);
      return c.redirect(`/console/login${back && back !== "/console" ? `?next=${encodeURIComponent(back)}` : ""}`, 303);
    }
    c.set("principal", session.principal);
    c.set("session", session.claims);
    if (!reading) {
      const token = c.req.header(CSRF_HEADER) ?? (await formField(c, CSRF_FIELD));
      if (!(await csrfMatches(sessionSecret(c), session.claims.sid, token))) {
        return refusal(
          c,
          403,
          "表单已过期或并非来自本控制台：请刷新页面后重试。",
          "This form has expired or did not come from this console: reload the page and try again.",
        );
      }
    }
    await next();
    c.header("cache-control", "no-store");
  };
}

/** A refused post, as a small page in both languages with the way back to the sign-in. */
function refusal(c: Context<AppEnv>, status: 401 | 403, zh: string, en: string): Response {
  return c.html(
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status}</title></head><body><main><h1>${status}</h1><p>${zh}</p><p lang="en">${en}</p><p><a href="/console/login">登录 / Sign in</a></p></main></body></html>`,
    status,
    { "cache-control": "no-store" },
  );
}

/** A field of a urlencoded or multipart form body (Hono keeps the parsed body, so handlers read it again freely). */
export async function formField(c: Context<AppEnv>, name: string): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  try {
    const value = (await c.req.parseBody({ all: true }))[name];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The session's CSRF token, for a page's forms. */
export function sessionCsrf(c: Context<AppEnv>): Promise<string> {
  return csrfToken(sessionSecret(c), c.get("session").sid);
}
