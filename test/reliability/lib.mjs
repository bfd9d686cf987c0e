import { DatabaseSync } from "node:sqlite";
import { readDevVars } from "../../scripts/lib.mjs";
import { pdf, png, uploadMaterial as upload } from "../../scripts/material-files.mjs";
import { DEMO_ACCOUNTS } from "../../scripts/seed.mjs";
import { d1File } from "../../scripts/service.mjs";
import { verifyPerson } from "../../scripts/verification.mjs";
import { residentIdCheckCharacter, usccCheckCharacter } from "../../src/domain/identifiers.ts";

/** The demo accounts' development keys by role (seeded by prepareState). */
export const KEYS = Object.fromEntries(DEMO_ACCOUNTS.map((a) => [a.role, a.key]));
/** The bootstrap admin key of development (.dev.vars). */
export const ADMIN_BOOTSTRAP_KEY = readDevVars().ADMIN_BOOTSTRAP_KEY ?? "bk_dev_admin_6Yo4STEdZc13uO2IgI9GmQ";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One call: `body` is sent as JSON (or `raw` as it is), `key` as a bearer token. Never throws for an HTTP status;
 * a connection failure is `{ status: 0, error }`. The body is parsed when it is JSON.
 */
export async function call(
  baseUrl,
  path,
  { method, key, body, raw, headers = {}, timeoutMs = 120_000, verification = true } = {},
) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  let payload = raw;
  const filing = /^\/v1\/filings(\/validate)?$/.test(path) && key && body !== undefined && verification;
  const retryKey = Object.entries(headers).find(([name]) => name.toLowerCase() === "idempotency-key")?.[1];
  const sent = filing ? await verified(baseUrl, key, body, retryKey) : { body };
  if (body !== undefined) {
    body = sent.body;
    payload = JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method: method ?? (payload !== undefined ? "POST" : "GET"),
      headers: h,
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    // A filing stored has used its verification: the next filing of that person for that app needs another.
    if (res.status === 201 && path === "/v1/filings" && retryKey === undefined) sent.forget?.();
    return { status: res.status, body: json, text, headers: res.headers };
  } catch (e) {
    return { status: 0, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), headers: new Headers() };
  }
}

/** Verifications handed to filings, by caller, app and person (and Idempotency-Key, so a retry sends the same). */
const verifications = new Map();

/**
 * `body` with a passed face verification of its service principal (scripts/verification.mjs) when it is a `new` or
 * `change` filing naming none, so the checks file as a platform's users do; one verification per person and app
 * until a filing uses it. A body that cannot get one (no such app, the daily limit reached) goes out as it is, and
 * the service says what is missing.
 */
async function verified(baseUrl, key, body, retryKey) {
  const principal = body?.service?.principal;
  if ((body?.type !== "new" && body?.type !== "change") || !principal?.certificate || principal.verificationId) {
    return { body };
  }
  const memo = [key, body.appId, principal.name, principal.certificate.number, retryKey ?? ""].join("|");
  let id = verifications.get(memo);
  if (!id) {
    id = verifyPerson(baseUrl, key, body.appId, principal).catch(() => undefined);
    verifications.set(memo, id);
  }
  const verificationId = await id;
  if (!verificationId) {
    verifications.delete(memo);
    return { body };
  }
  return {
    body: { ...body, service: { ...body.service, principal: { ...principal, verificationId } } },
    forget: () => verifications.delete(memo),
  };
}

/** Like `call`, but throws unless the status is `expect` (a number or a list). */
export async function must(baseUrl, path, opts = {}, expect = [200, 201]) {
  const res = await call(baseUrl, path, opts);
  const ok = Array.isArray(expect) ? expect.includes(res.status) : res.status === expect;
  if (!ok)
    throw new Error(`${opts.method ?? (opts.body ? "POST" : "GET")} ${path}: ${res.status} ${res.text ?? res.error}`);
  return res.body;
}

/** Runs `tasks` (functions returning promises) with at most `limit` in flight; results in order. */
export async function pool(limit, tasks) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

let counter = Math.floor(Math.random() * 1_000_000);
/** A number no other fixture of this process uses. */
export const unique = () => ++counter;

/** A new account of `role` with a key (through the bootstrap admin key). */
export async function newAccount(baseUrl, role, name = `${role} ${unique()}`) {
  const account = await must(baseUrl, "/v1/admin/accounts", { key: ADMIN_BOOTSTRAP_KEY, body: { name, role } });
  const key = await must(baseUrl, `/v1/admin/accounts/${account.id}/keys`, {
    key: ADMIN_BOOTSTRAP_KEY,
    method: "POST",
  });
  return { id: account.id, key: key.key, keyId: key.id };
}

/** A new app owned by the developer holding `key`. */
export async function newApp(baseUrl, key, name = `可靠性小程序${unique()}`) {
  const appId = `wxr${unique().toString(16).padStart(15, "0")}`;
  await must(baseUrl, "/v1/apps", { key, body: { appId, name } }, 201);
  return appId;
}

// Identifiers with valid check characters, distinct per call.
let residentSeq = Math.floor(Math.random() * 5_000_000);
let usccSeq = Math.floor(Math.random() * 800_000_000_000);
const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

export function residentId() {
  const n = residentSeq++;
  const birth = new Date(Date.UTC(1960, 0, 1) + (Math.floor(n / 1000) % 12_000) * 86_400_000);
  const first17 = `440305${birth.toISOString().slice(0, 10).replaceAll("-", "")}${String(n % 1000).padStart(3, "0")}`;
  return first17 + residentIdCheckCharacter(first17);
}

export function uscc() {
  let n = usccSeq++;
  let body = "";
  for (let i = 0; i < 9; i++) {
    body = USCC_ALPHABET.charAt(n % 31) + body;
    n = Math.floor(n / 31);
  }
  const first17 = `91440300${body}`;
  return first17 + usccCheckCharacter(first17);
}

/** A mainland mobile, distinct per call. */
export const mobile = () => `13${String(unique()).padStart(9, "0").slice(-9)}`;

/** A person with a resident ID, distinct mobile and email. */
export function person(name = "张三") {
  const n = unique();
  return {
    name,
    certificate: { type: "resident_id", number: residentId(), validFrom: "2020-01-01", validTo: "long_term" },
    mobile: mobile(),
    emergencyContact: mobile(),
    email: `reliability${n}@example.com`,
  };
}

/** An enterprise organizer of its own (pass it to several filings to file them under one organizer). */
export function organizer() {
  return {
    nature: "enterprise",
    name: `深圳市可靠性科技有限公司${unique()}`,
    certificate: { type: "uscc", number: uscc() },
    region: { province: "440000", city: "440300", district: "440305" },
    certificateAddress: "深圳市南山区粤海街道科技园路1号",
    address: "粤海街道科技园路1号",
    principal: person(),
  };
}

/**
 * The attachments an enterprise `new` filing needs, uploaded once by `key` (the developer or provider who
 * submits): they may be referenced by any number of that account's filings.
 */
export async function uploadMaterials(baseUrl, key) {
  const card = png(1280, 720);
  return {
    licence: await upload(baseUrl, key, "organizer.certificate.photo", png(1280, 900), "licence.png", "uscc"),
    front: await upload(baseUrl, key, "organizer.principal.certificate.front", card, "front.png", "resident_id"),
    back: await upload(baseUrl, key, "organizer.principal.certificate.back", card, "back.png", "resident_id"),
    letter: await upload(baseUrl, key, "commitment.letter", pdf("承诺书"), "commitment.pdf"),
  };
}

/**
 * A valid `new` filing body for `appId` referencing `media` (from uploadMaterials); its own organizer unless one
 * is given, its own service name and principal.
 */
export function filingBody(appId, media, org = organizer()) {
  const withPhotos = (p) => ({ ...p, certificate: { ...p.certificate, front: media.front, back: media.back } });
  const principal = withPhotos(person("李四"));
  return {
    type: "new",
    appId,
    organizer: {
      ...org,
      certificate: { ...org.certificate, photo: media.licence },
      principal: withPhotos(org.principal),
    },
    service: {
      name: `可靠性测试服务${unique()}`,
      serviceContentTypes: ["life.bill_payment"],
      preApprovals: [],
      languages: ["zh-Hans"],
      description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。",
      principal,
    },
    commitment: { accepted: true, letter: media.letter },
  };
}

/**
 * A developer with `apps` fresh apps and its materials uploaded: `{ key, id, media, appIds }`.
 * `account` reuses an existing developer (e.g. `{ key: KEYS.developer }`).
 */
export async function developerWithApps(baseUrl, apps, account) {
  const dev = account ?? (await newAccount(baseUrl, "developer"));
  const media = await uploadMaterials(baseUrl, dev.key);
  const appIds = await pool(
    8,
    Array.from({ length: apps }, () => () => newApp(baseUrl, dev.key)),
  );
  return { ...dev, media, appIds };
}

/** Submits a filing; `{ status, body }` of the answer. */
export function submit(baseUrl, key, body, idempotencyKey) {
  return call(baseUrl, "/v1/filings", {
    key,
    body,
    headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
  });
}

/** Reviewer approves; returns the answer. */
export const reviewerApprove = (baseUrl, id) =>
  call(baseUrl, `/v1/review/filings/${id}/approve`, { key: KEYS.reviewer, method: "POST" });

/** Regulator records the SMS check and approves (development mode allocates the number); returns the answer. */
export async function regulatorApprove(baseUrl, id) {
  const sms = await call(baseUrl, `/v1/regulator/filings/${id}/sms-verified`, { key: KEYS.regulator, method: "POST" });
  if (sms.status !== 200) return sms;
  return call(baseUrl, `/v1/regulator/filings/${id}/approve`, { key: KEYS.regulator, body: {} });
}

/** The whole review flow; the registration number, or throws. */
export async function approve(baseUrl, id) {
  const reviewed = await reviewerApprove(baseUrl, id);
  if (reviewed.status !== 200) throw new Error(`review approve ${id}: ${reviewed.status} ${reviewed.text}`);
  const approved = await regulatorApprove(baseUrl, id);
  if (approved.status !== 200) throw new Error(`regulator approve ${id}: ${approved.status} ${approved.text}`);
  return approved.body.registrationNumber;
}

/** Every page of a cursor-paged list (`items`, `nextCursor`), following `cursorParam`. */
export async function listAll(baseUrl, path, key, { cursorParam = "cursor", limit = 100 } = {}) {
  const items = [];
  let cursor;
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${path}${sep}limit=${limit}${cursor ? `&${cursorParam}=${encodeURIComponent(cursor)}` : ""}`;
    const page = await must(baseUrl, url, { key }, 200);
    items.push(...page.items);
    if (!page.nextCursor || page.items.length === 0) return items;
    cursor = page.nextCursor;
  }
}

/** Triggers the scheduled handler for `scheduledMs` (wrangler dev --test-scheduled). */
export async function triggerCron(baseUrl, scheduledMs, cron = "*/10 * * * *") {
  const res = await fetch(
    `${baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron).replaceAll("%20", "+")}&time=${scheduledMs}`,
  );
  await res.text();
  return res.status;
}

/** The enforcement run records, newest first (admin API). */
export async function enforcementRuns(baseUrl, limit = 50) {
  return (await must(baseUrl, `/v1/admin/enforcement/runs?limit=${limit}`, { key: ADMIN_BOOTSTRAP_KEY }, 200)).items;
}

/** Waits until the run of `scheduledMs` has finished; its record. */
export async function waitForRun(baseUrl, scheduledMs, timeoutMs = 600_000) {
  const iso = new Date(scheduledMs).toISOString();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runs = await enforcementRuns(baseUrl);
    const run = runs.find((r) => r.scheduledTime === iso && r.finishedAt);
    if (run) return run;
    await sleep(200);
  }
  throw new Error(`the run of ${iso} did not finish within ${timeoutMs / 1000} s`);
}

export { d1File };

/** Opens the state's D1 database read-only with node:sqlite; remember to close it. */
export function openD1(state) {
  return new DatabaseSync(d1File(state), { readOnly: true });
}

/** One figure compared with its expectation: `{ value, expected, ok }`. */
export function expectEq(value, expected) {
  return { value, expected: `= ${expected}`, ok: value === expected };
}
export function expectMax(value, max) {
  return { value, expected: `≤ ${max}`, ok: value <= max };
}
export function expectMin(value, min) {
  return { value, expected: `≥ ${min}`, ok: value >= min };
}

/** Signs in to the console with `key` through its form: the session cookie, and the CSRF token its pages carry. */
export async function signInToConsole(url, key) {
  const form = await fetch(`${url}/console/login`);
  const nonce = /beian_login=([^;]+)/.exec(form.headers.getSetCookie().join("\n"))?.[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  const res = await fetch(`${url}/console/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: `beian_login=${nonce}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: token ?? "", key }),
  });
  const session = /beian_session=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))?.[1];
  if (res.status !== 303 || !session) throw new Error(`console sign-in: ${res.status}`);
  const cookie = `beian_session=${session}`;
  const home = await fetch(`${url}${res.headers.get("location")}`, { headers: { cookie }, redirect: "manual" });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await home.text())?.[1];
  return { cookie, csrf };
}
