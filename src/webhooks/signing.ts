import { fromBase64, toBase64Url } from "../lib/crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/): HMAC-SHA256 over `<id>.<timestamp>.<body>`
 * with the base64-decoded part of a `whsec_…` secret, sent as `v1,<base64>`; several signatures (during a secret
 * rotation) are separated by spaces. Receivers verify with the specification's published libraries.
 */
const encoder = new TextEncoder();

export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `whsec_${btoa(binary)}`;
}

async function sign(secret: string, content: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(secret.replace(/^whsec_/, "")),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(content)));
  // Standard base64 (with padding), as the specification's libraries produce and compare.
  let binary = "";
  for (const b of mac) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The three headers of one attempt, signed afresh with the time of this attempt. */
export async function signatureHeaders(
  messageId: string,
  body: string,
  secrets: string[],
  now: Date = new Date(),
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signatures = await Promise.all(secrets.map((s) => sign(s, `${messageId}.${timestamp}.${body}`)));
  return {
    "webhook-id": messageId,
    "webhook-timestamp": timestamp,
    "webhook-signature": signatures.map((s) => `v1,${s}`).join(" "),
  };
}

/** How far a signed message's timestamp may be from now, either way, before it counts as stale (the spec's 5 min). */
export const SIGNATURE_TOLERANCE_S = 5 * 60;

/** Two strings compared in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Whether a message received with Standard Webhooks headers was signed with `secret` within the tolerance of `now`:
 * the receiving side of `signatureHeaders`, for messages beian receives (the identity provider's callback). Any one
 * `v1,` signature of the space-separated list may match.
 */
export async function verifySignature(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  now: Date = new Date(),
): Promise<boolean> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_S) return false;
  let expected: string;
  try {
    expected = await sign(secret, `${id}.${timestamp}.${body}`);
  } catch {
    return false;
  }
  return signature.split(" ").some((part) => part.startsWith("v1,") && sameText(part.slice(3), expected));
}

export { toBase64Url };
