import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { checkCertificate } from "../../src/domain/identifiers";
import type { CertificateType } from "../../src/domain/reference";
import { normalizeText } from "../../src/domain/text";
import { VERIFICATION_TASK_TTL_MS, VERIFICATION_VALID_MS } from "../../src/domain/verification";
import { canonicalJson, sha256Hex, vaultFor } from "../../src/lib/crypto";
import { newId } from "../../src/lib/ids";
import { nameIndex } from "../../src/repositories/verifications";
import { call, callJson } from "./api";

type Person = { name: string; certificate: { type: string; number: string } };

/** `POST /v1/verifications` as `key`. */
export function startVerification(key: string, appId: string, person: Person) {
  return callJson("/v1/verifications", {
    key,
    body: {
      appId,
      person: { name: person.name, certificate: { type: person.certificate.type, number: person.certificate.number } },
    },
  });
}

let messages = 0;

/**
 * `POST /v1/identity/callback` with `body` signed as the identity provider signs it (the specification's own library,
 * so beian's check is tested against it): `secret` and `timestamp` to sign otherwise, `id` to send a message again.
 */
export async function sendCallback(
  body: unknown,
  opts: { secret?: string; timestamp?: Date; id?: string; signature?: string } = {},
) {
  const raw = JSON.stringify(body);
  const id = opts.id ?? `msg_${Date.now()}_${++messages}`;
  const timestamp = opts.timestamp ?? new Date();
  const signature =
    opts.signature ?? new Webhook(opts.secret ?? (env.IDENTITY_WEBHOOK_SECRET as string)).sign(id, timestamp, raw);
  const res = await call("/v1/identity/callback", {
    method: "POST",
    rawBody: raw,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "webhook-signature": signature,
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, id };
}

/** The provider's result for a verification, as its callback carries it. */
export function result(verificationId: string, outcome: "passed" | "failed", reason?: string) {
  return {
    type: "verification.result",
    data: { verificationId, result: outcome, ...(reason ? { reason } : {}), completedAt: new Date().toISOString() },
  };
}

/** Starts a verification through the API and passes it through the signed callback; its id. */
export async function verifiedPerson(key: string, appId: string, person: Person): Promise<string> {
  const started = await startVerification(key, appId, person);
  if (started.status !== 201) throw new Error(`verification: ${started.status} ${JSON.stringify(started.body)}`);
  const done = await sendCallback(result(started.body.id, "passed"));
  if (done.status !== 200) throw new Error(`callback: ${done.status} ${JSON.stringify(done.body)}`);
  return started.body.id;
}

/**
 * A passed verification of `person` for `appId` requested by `accountId`, written straight to D1 in one insert (no
 * daily limit, no HTTP), sealed and indexed as the repository does: what the test factories give every filing they
 * send, so tests about other rules file as before. Throws when there is no such app.
 */
export async function passedVerification(accountId: string, appId: string, given: Person): Promise<string> {
  const vault = vaultFor(env);
  // As the route stores a person: the name through the text rule, the number normalized when it is valid.
  const type = given.certificate.type as CertificateType;
  const checked = checkCertificate(type, given.certificate.number);
  const person = {
    name: normalizeText(given.name),
    certificate: { type, number: checked.ok ? checked.value : given.certificate.number.trim() },
  };
  const now = new Date();
  const at = now.toISOString();
  const id = newId("ver", now.getTime());
  await env.DB.prepare(
    `insert into verifications (id, app_id, requester_account_id, status, person_sealed, person_masked,
       certificate_blind, name_blind, token_hash, beijing_day, completed_at, valid_until, expires_at, created_at)
     values (?, ?, ?, 'passed', ?, ?, ?, ?, ?, 'factory', ?, ?, ?, ?)`,
  )
    .bind(
      id,
      appId,
      accountId,
      await vault.seal(canonicalJson(person)),
      JSON.stringify({ name: "*", certificate: { type, number: "*" } }),
      await vault.blindIndex("certificate", `${type}:${person.certificate.number}`),
      await nameIndex(vault, person.name),
      await sha256Hex(id),
      at,
      new Date(now.getTime() + VERIFICATION_VALID_MS).toISOString(),
      new Date(now.getTime() + VERIFICATION_TASK_TTL_MS).toISOString(),
      at,
    )
    .run();
  return id;
}

const accounts = new Map<string, Promise<string | undefined>>();

/** The account holding `key`, straight from D1; undefined for a key that is no one's. */
function accountOf(key: string): Promise<string | undefined> {
  let id = accounts.get(key);
  if (!id) {
    id = sha256Hex(key).then(async (hash) => {
      const row = await env.DB.prepare("select account_id as id from api_keys where key_hash = ?")
        .bind(hash)
        .first<{ id: string }>();
      return row?.id;
    });
    accounts.set(key, id);
  }
  return id;
}

type Loose = Record<string, unknown>;
const loose = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);

/** Verifications given to a request sent with an Idempotency-Key, by key and request, so a retry sends the same. */
const retried = new Map<string, Promise<string | undefined>>();

/**
 * A copy of a `new` or `change` filing whose service principal names a passed verification of that person for the
 * app, requested by `key`'s account, when it names none (tests about verifications send exactly what they mean).
 * `retryKey` (the request's Idempotency-Key) makes the same request get the same verification again. A body that
 * cannot have one (no such app, no such caller, no person) goes out as it was.
 */
export async function withVerification(key: string, body: unknown, retryKey?: string): Promise<unknown> {
  if (!loose(body) || (body.type !== "new" && body.type !== "change") || typeof body.appId !== "string") return body;
  const service = body.service;
  if (!loose(service) || !loose(service.principal) || service.principal.verificationId !== undefined) return body;
  const { name, certificate } = service.principal;
  if (typeof name !== "string" || !loose(certificate)) return body;
  if (typeof certificate.type !== "string" || typeof certificate.number !== "string") return body;
  const accountId = await accountOf(key);
  if (!accountId) return body;
  const memo = retryKey === undefined ? undefined : `${key}|${retryKey}|${canonicalJson(body)}`;
  let verification = memo === undefined ? undefined : retried.get(memo);
  if (!verification) {
    verification = passedVerification(accountId, body.appId.trim(), {
      name,
      certificate: { type: certificate.type, number: certificate.number },
    }).catch(() => undefined); // no such app: the request is about something else
    if (memo !== undefined) retried.set(memo, verification);
  }
  const verificationId = await verification;
  if (!verificationId) return body;
  const copy = structuredClone(body) as Loose & { service: Loose & { principal: Loose } };
  copy.service.principal.verificationId = verificationId;
  return copy;
}
