import { env, exports } from "cloudflare:workers";
import { serviceNameKey } from "../../src/domain/filing-request";
import { hasBackSide, needsResidencePermit, PERSONAL_CERTIFICATES } from "../../src/domain/materials";
import { nameSkeleton } from "../../src/domain/name-skeleton";
import { canonicalJson, vaultFor } from "../../src/lib/crypto";
import { checkAgainstDocument } from "./contract";
import { makeResidentId, makeUscc } from "./identifiers";
import { uploadMaterial } from "./materials";
import { withVerification } from "./verifications";

const BASE = "http://beian.test";

export type CallOptions = {
  method?: string;
  key?: string;
  body?: unknown;
  /** Sent as-is (no JSON encoding, no content type) when given. */
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  /**
   * Filings sent to /v1/filings and /v1/filings/validate get the attachments they leave out (uploaded once per
   * caller and kind, see `withMaterials`), so tests about other rules need not repeat them. Tests about the
   * attachments themselves pass `false` and send exactly what they mean.
   */
  materials?: boolean;
  /**
   * Likewise, `new` and `change` filings whose service principal names no verification get a passed one of that
   * person (see `withVerification`); tests about verifications pass `false`.
   */
  verification?: boolean;
};

/** Calls the Worker through its real entry, as a client would. */
export async function call(path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    const filing = /^\/v1\/filings(\/validate)?$/.test(path) && opts.key;
    let sent = filing && opts.materials !== false ? await withMaterials(opts.key as string, opts.body) : opts.body;
    if (filing && opts.verification !== false) {
      const retryKey = Object.entries(headers).find(([name]) => name.toLowerCase() === "idempotency-key")?.[1];
      sent = await withVerification(opts.key as string, sent, retryKey);
    }
    body = JSON.stringify(sent);
    headers["content-type"] ??= "application/json";
  }
  const method = opts.method ?? (body !== undefined ? "POST" : "GET");
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  await checkAgainstDocument(method, new URL(path, BASE).pathname, res);
  return res;
}

// biome-ignore lint/suspicious/noExplicitAny: test helpers return parsed JSON of any shape
type AnyJson = any;

export async function callJson(
  path: string,
  opts: CallOptions = {},
): Promise<{ status: number; body: AnyJson; res: Response }> {
  const res = await call(path, opts);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
}

export const adminKey = (): string => env.ADMIN_BOOTSTRAP_KEY;

let counter = Math.floor(Math.random() * 1_000_000);
export const unique = (): number => ++counter;

export type Role = "developer" | "provider" | "reviewer" | "regulator" | "admin";

/** A fresh account of `role` with a fresh key. */
export async function newAccount(
  role: Role,
  name = `${role} ${unique()}`,
): Promise<{ id: string; key: string; keyId: string }> {
  const account = await callJson("/v1/admin/accounts", { key: adminKey(), body: { name, role } });
  if (account.status !== 201) throw new Error(`account: ${account.status} ${JSON.stringify(account.body)}`);
  const key = await callJson(`/v1/admin/accounts/${account.body.id}/keys`, { key: adminKey(), method: "POST" });
  if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
  return { id: account.body.id, key: key.body.key, keyId: key.body.id };
}

/** A fresh app owned by the developer holding `key`. */
export async function newApp(key: string, name = `示例小程序${unique()}`): Promise<string> {
  const appId = `wx${unique().toString(16).padStart(16, "0")}`;
  const res = await callJson("/v1/apps", { key, body: { appId, name } });
  if (res.status !== 201) throw new Error(`app: ${res.status} ${JSON.stringify(res.body)}`);
  return appId;
}

/** A mainland mobile no other test data uses. */
export function mobile(): string {
  return `13${String(unique()).padStart(9, "0").slice(-9)}`;
}

export function person(overrides: Record<string, unknown> = {}) {
  return {
    name: "张三",
    certificate: { type: "resident_id", number: makeResidentId(), validFrom: "2020-01-01", validTo: "long_term" },
    mobile: mobile(),
    emergencyContact: mobile(),
    email: `user${unique()}@example.com`,
    ...overrides,
  };
}

/** A valid `new` filing for `appId`: its own organizer, people and service name, so it conflicts with nothing. */
export function validFiling(appId: string) {
  const principal = person();
  return {
    type: "new",
    appId,
    organizer: {
      nature: "enterprise",
      name: `深圳市示例科技有限公司${unique()}`,
      certificate: { type: "uscc", number: makeUscc("91") },
      region: { province: "440000", city: "440300", district: "440305" },
      certificateAddress: "深圳市南山区粤海街道科技园路1号",
      address: "粤海街道科技园路1号",
      principal,
    },
    service: {
      name: `示例生活助手${unique()}`,
      serviceContentTypes: ["life.bill_payment"],
      preApprovals: [],
      languages: ["zh-Hans"],
      description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。",
      principal,
    },
    commitment: { accepted: true },
  };
}

/**
 * What `call` adds to a filing it sends, for tests that send their own bytes: the materials it leaves out, then a
 * passed verification of its service principal.
 */
export async function withAttachments(key: string, body: unknown): Promise<unknown> {
  return withVerification(key, await withMaterials(key, body));
}

/** `POST /v1/filings` as `key`, with extra headers (Idempotency-Key, Accept-Language…). */
export function submitFiling(key: string, body: unknown, headers?: Record<string, string>) {
  return callJson("/v1/filings", { key, body, headers });
}

/** `POST /v1/filings/validate` (the dry run) as `key`. */
export function validateFiling(key: string, body: unknown, headers?: Record<string, string>) {
  return callJson("/v1/filings/validate", { key, body, headers });
}

/** The `{path, code}` pairs of an `errors[]` (problem body or dry run), without the wording. */
export function problemsOf(body: { errors?: { path: string; code: string }[] }): { path: string; code: string }[] {
  return (body.errors ?? []).map(({ path, code }) => ({ path, code }));
}

/** How many filings are stored for `appId` (straight from D1). */
export async function countFilings(appId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from filings where app_id = ?")
    .bind(appId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

type SeedFiling = {
  appId: string;
  organizer: {
    nature: string;
    name: string;
    certificate: { type: string; number: string };
    region: { province: string };
  };
  service: { name: string };
};

/**
 * An active registration for `filing.appId` as if `filing` had been approved, written straight to D1: the
 * organizer row (created once per certificate, with the blind index the code computes) and the registration.
 * Lets tests reach `change`, `cancel` and the pre-flight rules without walking the review flow.
 */
export async function seedRegistration(
  filing: SeedFiling,
  opts: {
    status?: "active" | "cancelled" | "revoked" | "access_removed";
    /** As a row written before skeletons were stored (migration 0010) holds it: none. */
    withoutSkeleton?: boolean;
  } = {},
): Promise<{ number: string; organizerId: string }> {
  const vault = vaultFor(env);
  const { organizer } = filing;
  const blind = await vault.blindIndex("certificate", `${organizer.certificate.type}:${organizer.certificate.number}`);
  const at = new Date().toISOString();
  const seq = String(unique()).padStart(6, "0").slice(-6);
  await env.DB.prepare(
    `insert into organizers (id, certificate_blind, nature, name, province, organizer_number, data_sealed, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (certificate_blind) do nothing`,
  )
    .bind(
      `org_seed_${seq}`,
      blind,
      organizer.nature,
      organizer.name,
      organizer.region.province.slice(0, 2),
      `粤ICP备2024${seq}号`,
      await vault.seal(canonicalJson(organizer)),
      at,
      at,
    )
    .run();
  const org = await env.DB.prepare("select id, organizer_number as number from organizers where certificate_blind = ?")
    .bind(blind)
    .first<{ id: string; number: string }>();
  if (!org) throw new Error("seedRegistration: organizer row missing");
  const number = `${org.number}-${unique()}X`;
  await env.DB.prepare(
    `insert into registrations (number, app_id, organizer_id, filing_id, status, service_name, service_name_key,
       service_name_skeleton, version, approved_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
  )
    .bind(
      number,
      filing.appId,
      org.id,
      `fil_seed_${seq}`,
      opts.status ?? "active",
      filing.service.name,
      serviceNameKey(filing.service.name),
      opts.withoutSkeleton ? null : nameSkeleton(filing.service.name),
      at,
      at,
    )
    .run();
  return { number, organizerId: org.id };
}

/** A fresh developer with one fresh app of its own. */
export async function developerWithApp(): Promise<{ dev: { id: string; key: string; keyId: string }; appId: string }> {
  const dev = await newAccount("developer");
  return { dev, appId: await newApp(dev.key) };
}

const uploaded = new Map<string, Promise<string>>();

/**
 * One upload per caller, field and certificate type, reused by every filing that needs it; undefined when the
 * caller cannot upload (a bad key, a role that does not file), so the request goes out as the test wrote it.
 */
async function materialOf(key: string, field: string, certificateType?: string): Promise<string | undefined> {
  const id = `${key}|${field}|${certificateType ?? ""}`;
  let mediaId = uploaded.get(id);
  if (!mediaId) {
    mediaId = uploadMaterial(key, field, certificateType ? { certificateType } : { kind: "pdf" });
    uploaded.set(id, mediaId);
  }
  return mediaId.catch(() => undefined);
}

type Loose = Record<string, unknown>;
const loose = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A copy of `body` with every attachment it needs and leaves out filled in by materials `key` uploads: the licence
 * of a non-individual organizer, both principals' certificate photos (the back for two-sided cards), the
 * residence permit of an individual filing outside its ID's province, an authorization letter when there is a legal
 * representative, the commitment letter, a permit per pre-approval.
 * Anything already present — right or wrong — is left as it is, and so is anything malformed.
 */
export async function withMaterials(key: string, body: unknown): Promise<unknown> {
  if (!loose(body) || (body.type !== "new" && body.type !== "change")) return body;
  const copy = structuredClone(body);
  const organizer = copy.organizer;
  const service = copy.service;
  if (
    loose(organizer) &&
    loose(organizer.certificate) &&
    organizer.certificate.type === "uscc" &&
    organizer.certificate.photo === undefined
  ) {
    organizer.certificate.photo = await materialOf(key, "organizer.certificate.photo", "uscc");
  }
  for (const [base, holder] of [
    ["organizer.principal", loose(organizer) ? organizer.principal : undefined],
    ["service.principal", loose(service) ? service.principal : undefined],
  ] as const) {
    if (!loose(holder) || !loose(holder.certificate)) continue;
    const certificate = holder.certificate;
    const type = certificate.type;
    if (typeof type !== "string" || !PERSONAL_CERTIFICATES.includes(type as never)) continue;
    if (certificate.front === undefined) certificate.front = await materialOf(key, `${base}.certificate.front`, type);
    if (certificate.back === undefined && hasBackSide(type)) {
      certificate.back = await materialOf(key, `${base}.certificate.back`, type);
    }
  }
  if (
    loose(organizer) &&
    loose(organizer.principal) &&
    needsResidencePermit(organizer) &&
    organizer.principal.residencePermit === undefined
  ) {
    organizer.principal.residencePermit = await materialOf(key, "organizer.principal.residencePermit");
  }
  if (loose(organizer) && organizer.legalRepresentative !== undefined && organizer.authorizationLetter === undefined) {
    organizer.authorizationLetter = await materialOf(key, "organizer.authorizationLetter");
  }
  if (loose(copy.commitment) && copy.commitment.letter === undefined) {
    copy.commitment.letter = await materialOf(key, "commitment.letter");
  }
  if (loose(service) && Array.isArray(service.preApprovals)) {
    for (const permit of service.preApprovals) {
      if (loose(permit) && permit.document === undefined) {
        permit.document = await materialOf(key, "service.preApprovals[].document");
      }
    }
  }
  return copy;
}
