import type { Role } from "../domain/roles";
import { fromBase64, randomToken, toBase64Url } from "./crypto";

/**
 * Console sessions (docs/rules.md#consoles): a signed cookie, never the API key itself. Its claims name the key that
 * signed in, so every request re-reads that key and a revoked key ends its sessions at once; the signature
 * (HMAC-SHA256) stops a browser from changing any claim. The signing key is derived with HKDF from
 * `BLIND_INDEX_KEY`, so a deployment needs no secret of its own for it; rotating that secret signs everyone out.
 */

/** How long a session lasts from sign-in; it is not extended by use. */
export const SESSION_TTL_S = 12 * 60 * 60;

export type SessionClaims = {
  /** The session's own random id: CSRF tokens are bound to it. */
  sid: string;
  /** The API key that signed in, or `bootstrap` for the ADMIN_BOOTSTRAP_KEY (then `fp` fingerprints it). */
  keyId: string;
  accountId: string;
  role: Role;
  /** Expiry, milliseconds since the epoch. */
  exp: number;
  /** The first 16 hex digits of the bootstrap key's SHA-256, so changing that secret ends its sessions. */
  fp?: string;
};

const encoder = new TextEncoder();
const signingKeys = new Map<string, Promise<CryptoKey>>();

function signingKey(secret: string): Promise<CryptoKey> {
  let key = signingKeys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("beian console session v1") },
          base,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign", "verify"],
        ),
      );
    signingKeys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, text: string): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await signingKey(secret), encoder.encode(text));
  return toBase64Url(new Uint8Array(sig));
}

/** Equal-time comparison of two strings of the same alphabet. */
function sameString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** A new session's claims, lasting SESSION_TTL_S from `now`. */
export function newSession(who: Omit<SessionClaims, "sid" | "exp">, now = Date.now()): SessionClaims {
  return { ...who, sid: randomToken(18), exp: now + SESSION_TTL_S * 1000 };
}

/** The cookie value: `<base64url claims>.<base64url HMAC>`. */
export async function sealSession(secret: string, claims: SessionClaims): Promise<string> {
  const body = toBase64Url(encoder.encode(JSON.stringify(claims)));
  return `${body}.${await mac(secret, `session.${body}`)}`;
}

/** The claims of a cookie this deployment signed and that has not expired; undefined for anything else. */
export async function openSession(
  secret: string,
  cookie: string | undefined,
  now = Date.now(),
): Promise<SessionClaims | undefined> {
  if (!cookie || cookie.length > 2048) return undefined;
  const dot = cookie.indexOf(".");
  if (dot <= 0) return undefined;
  const body = cookie.slice(0, dot);
  if (!sameString(cookie.slice(dot + 1), await mac(secret, `session.${body}`))) return undefined;
  let claims: SessionClaims;
  try {
    claims = JSON.parse(new TextDecoder().decode(fromBase64(body)));
  } catch {
    return undefined;
  }
  if (typeof claims?.exp !== "number" || claims.exp <= now) return undefined;
  return claims;
}

/** The CSRF token of a session (or of a sign-in form, keyed by its nonce): what every form of it must carry back. */
export function csrfToken(secret: string, sid: string): Promise<string> {
  return mac(secret, `csrf.${sid}`);
}

export async function csrfMatches(secret: string, sid: string, token: unknown): Promise<boolean> {
  return typeof token === "string" && sameString(token, await csrfToken(secret, sid));
}
