// Authorization matrix: every route × every kind of caller (no key, a malformed key, a revoked key, each role, and
// a developer who owns none of the probed things) against the expected table in ../authz-table.mjs, which is
// written from docs/rules.md#permissions. Each cell is one real request to a running service; a cell matches when the answer's
// class (ok / 401 / 403 / 404) is the table's.
import { seedFilings } from "../../../scripts/seed.mjs";
import { AUTHZ_TABLE, PRINCIPALS, routeKey } from "../authz-table.mjs";
import {
  ADMIN_BOOTSTRAP_KEY,
  call,
  developerWithApps,
  expectEq,
  expectMin,
  filingBody,
  KEYS,
  must,
  newAccount,
  residentId,
  serviceFor,
  signInToConsole,
  submit,
  triggerCron,
  waitForRun,
} from "../lib.mjs";

const PORT = 8932;

/** The public routes limit each client; every probe comes from an address of its own so none is limited. */
let clientSeq = 0;
const clientAddress = () => {
  clientSeq++;
  return `10.${(clientSeq >> 16) & 255}.${(clientSeq >> 8) & 255}.${clientSeq & 255}`;
};

/** A session cookie in the right shape that this deployment never signed. */
const FORGED_SESSION = {
  cookie: "beian_session=eyJzaWQiOiJ4Iiwia2V5SWQiOiJrIiwicm9sZSI6ImFkbWluIiwiZXhwIjo5OTk5OTk5OTk5OTk5fQ.AAAA",
  csrf: "forged",
};

/**
 * A console probe (docs/rules.md#consoles): the caller's session cookie instead of a key, and on a form post the
 * session's CSRF token, so the answer is about who the caller is, never about a missing token.
 */
async function consoleCall(url, probe, method, session, clientHeaders) {
  const headers = { ...clientHeaders };
  if (session) headers.cookie = session.cookie;
  let body;
  if (method !== "GET") {
    const fields = new URLSearchParams(probe.form ?? {});
    if (session?.csrf) fields.set("_csrf", session.csrf);
    if (probe.signIn) {
      // The sign-in form's own nonce and token; the key is the caller's (none for an anonymous caller).
      const form = await fetch(`${url}/console/login`);
      headers.cookie = `beian_login=${/beian_login=([^;]+)/.exec(form.headers.getSetCookie().join("\n"))?.[1]}`;
      fields.set("_csrf", /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "");
      if (probe.withKey) fields.set("key", probe.withKey);
    }
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = fields;
  }
  try {
    const res = await fetch(`${url}${probe.path}`, { method, headers, body, redirect: "manual" });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers };
  } catch (e) {
    return { status: 0, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), headers: new Headers() };
  }
}

/** The answer's class, as the table writes it: a console read sent to the sign-in is "signin". */
export function outcomeOf(status, location, method = "GET") {
  if (method === "GET" && status === 303 && location?.startsWith("/console/login")) return "signin";
  if (status === 401 || status === 403 || status === 404) return status;
  if ((status >= 200 && status < 400) || status === 400 || status === 409 || status === 422) return "ok";
  return status;
}

/**
 * The fixtures the probes point at: the demo data (an approved and listed app, a provider's filing in platform
 * review, an approved individual's app), plus a second developer, a revoked key, a throwaway key to delete and a
 * filing for the reviewer to approve.
 */
async function setUp(url, log) {
  const seeded = await seedFilings(url);
  const number = (appId) => seeded.find((s) => s.appId === appId)?.number;
  const listedApp = "wxdemo0000000001"; // approved, listed, granted to the provider below
  const providerApp = "wxdemo0000000002"; // granted to the provider, which filed it (platform review)
  const ownApp = "wxdemo0000000003"; // approved, the developer's alone
  await must(url, `/v1/apps/${listedApp}/grants`, { key: KEYS.developer, body: { accountId: "acc_demo_provider" } });

  const filingOf = async (appId) =>
    (await must(url, `/v1/filings?appId=${appId}`, { key: KEYS.developer }, 200)).items[0];
  const approved = await filingOf(listedApp);
  const inReview = await filingOf(providerApp);
  const mediaId = inReview.request.organizer.certificate.photo;

  const other = await newAccount(url, "developer", "另一位开发者");
  // A key that worked, then was revoked: it must stop working at once.
  const revokedAccount = await newAccount(url, "developer", "已吊销密钥的开发者");
  const before = await call(url, "/v1/apps", { key: revokedAccount.key });
  // Its console session, opened while the key still worked, must end with it.
  const revokedSession = await signInToConsole(url, revokedAccount.key);
  await must(
    url,
    `/v1/admin/accounts/${revokedAccount.id}/keys/${revokedAccount.keyId}`,
    { key: ADMIN_BOOTSTRAP_KEY, method: "DELETE" },
    [200, 204],
  );
  const after = await call(url, "/v1/apps", { key: revokedAccount.key });
  const throwaway = await newAccount(url, "developer", "用于删除密钥的账号");

  // A filing of the developer's in platform review, for the reviewer's approve probe (which moves it on).
  const dev = await developerWithApps(url, 1, { key: KEYS.developer });
  const forReview = await submit(url, KEYS.developer, filingBody(dev.appIds[0], dev.media));
  if (forReview.status !== 201) throw new Error(`review fixture: ${forReview.status} ${forReview.text}`);
  const policies = await must(url, "/v1/admin/policies", { key: ADMIN_BOOTSTRAP_KEY }, 200);
  // A pending face verification of the listed app (granted to the provider), for the read and the simulator probes.
  const verification = await must(url, "/v1/verifications", {
    key: KEYS.developer,
    body: { appId: listedApp, person: { name: "王五", certificate: { type: "resident_id", number: residentId() } } },
  });
  log(`fixtures ready: ${approved.id} (approved), ${inReview.id} (platform review), ${number(listedApp)}`);
  // The cron writes the nightly export that GET /v1/public/export lists.
  const cronAt = Date.now() - (Date.now() % 600_000);
  await triggerCron(url, cronAt);
  await waitForRun(url, cronAt);

  const sessions = { anonymous: undefined, malformed: FORGED_SESSION, revoked: revokedSession };
  for (const principal of ["developer", "provider", "reviewer", "regulator", "admin"]) {
    sessions[principal] = await signInToConsole(url, KEYS[principal]);
  }
  sessions.otherDeveloper = await signInToConsole(url, other.key);

  return {
    sessions,
    keys: {
      anonymous: undefined,
      malformed: undefined,
      revoked: revokedAccount.key,
      developer: KEYS.developer,
      otherDeveloper: other.key,
      provider: KEYS.provider,
      reviewer: KEYS.reviewer,
      regulator: KEYS.regulator,
      admin: KEYS.admin,
    },
    revocation: { before: before.status, after: after.status },
    listedApp,
    ownApp,
    number: number(listedApp),
    approvedFiling: approved.id,
    reviewFiling: inReview.id,
    freshFiling: forReview.body.id,
    mediaId,
    approvedMediaId: approved.request.organizer.certificate.photo,
    throwaway,
    policyId: policies.items[0].id,
    verificationId: verification.id,
    verifyPath: new URL(verification.url).pathname,
  };
}

const REASONS = { reasons: [{ field: "service.name", error: "名称不符", suggest: "请修改名称" }] };

/**
 * The request each route is probed with, built so that a caller the table allows lands in "ok" (2xx, or a
 * 400/409/422 about the request or the state) and repeated probes land in the same class.
 */
function probes(f) {
  const enc = encodeURIComponent;
  const form = () => {
    const data = new FormData();
    data.set("field", "commitment.letter");
    return data;
  };
  return {
    "GET /health": { path: "/health" },
    "GET /openapi.json": { path: "/openapi.json" },
    "GET /docs": { path: "/docs" },
    "GET /docs/init.js": { path: "/docs/init.js" },
    "GET /": { path: `/?q=${enc("示例")}` },
    "GET /r/{number}": { path: `/r/${enc(f.number)}` },
    "GET /badge/{file}": { path: `/badge/${enc(f.number)}.svg` },
    "GET /v1/reference/natures": { path: "/v1/reference/natures" },
    "GET /v1/reference/certificate-types": { path: "/v1/reference/certificate-types" },
    "GET /v1/reference/pre-approval-types": { path: "/v1/reference/pre-approval-types" },
    "GET /v1/reference/service-content-types": { path: "/v1/reference/service-content-types" },
    "GET /v1/reference/languages": { path: "/v1/reference/languages" },
    "GET /v1/reference/regions": { path: "/v1/reference/regions?province=440000" },
    "GET /v1/public/registrations/{number}": { path: `/v1/public/registrations/${enc(f.number)}` },
    "GET /v1/public/search": { path: `/v1/public/search?q=${enc("示例")}` },
    "GET /v1/public/changes": { path: "/v1/public/changes?limit=5" },
    "GET /v1/public/export": { path: "/v1/public/export" },
    // A file name that is no date: 422 for everyone, as no key is looked at.
    "GET /v1/public/export/{file}": { path: "/v1/public/export/latest.csv" },
    "POST /v1/public/registrations/lookup": {
      path: "/v1/public/registrations/lookup",
      body: { numbers: [f.number, "粤ICP备2025999999号-1X"] },
    },

    "POST /v1/admin/accounts": { path: "/v1/admin/accounts", body: {} },
    "GET /v1/admin/accounts": { path: "/v1/admin/accounts" },
    "POST /v1/admin/accounts/{id}/keys": { path: `/v1/admin/accounts/${f.throwaway.id}/keys`, method: "POST" },
    "GET /v1/admin/accounts/{id}/keys": { path: `/v1/admin/accounts/${f.throwaway.id}/keys` },
    "DELETE /v1/admin/accounts/{id}/keys/{keyId}": {
      path: `/v1/admin/accounts/${f.throwaway.id}/keys/${f.throwaway.keyId}`,
      method: "DELETE",
    },
    "GET /v1/admin/audit/verify": { path: "/v1/admin/audit/verify" },
    "POST /v1/admin/policies": { path: "/v1/admin/policies", body: {} },
    "GET /v1/admin/policies": { path: "/v1/admin/policies" },
    "PATCH /v1/admin/policies/{id}": { path: `/v1/admin/policies/${f.policyId}`, method: "PATCH", body: {} },
    "POST /v1/admin/apps/import": { path: "/v1/admin/apps/import", body: { apps: [] } },
    "POST /v1/admin/registrations/import": { path: "/v1/admin/registrations/import", body: { registrations: [] } },
    "GET /v1/admin/enforcement/runs": { path: "/v1/admin/enforcement/runs" },
    "GET /v1/admin/coverage": { path: "/v1/admin/coverage" },
    "GET /v1/admin/webhook-deliveries": { path: "/v1/admin/webhook-deliveries" },

    "POST /v1/apps": { path: "/v1/apps", body: {} },
    "GET /v1/apps": { path: "/v1/apps" },
    "GET /v1/apps/{appId}": { path: `/v1/apps/${f.ownApp}` },
    "POST /v1/apps/{appId}/list": { path: `/v1/apps/${f.ownApp}/list`, method: "POST" },
    "POST /v1/apps/{appId}/unlist": { path: `/v1/apps/${f.ownApp}/unlist`, method: "POST" },
    "POST /v1/apps/{appId}/grants": { path: `/v1/apps/${f.ownApp}/grants`, body: { accountId: "acc_demo_provider" } },
    "GET /v1/apps/{appId}/grants": { path: `/v1/apps/${f.ownApp}/grants` },
    "GET /v1/apps/{appId}/filing-status": { path: `/v1/apps/${f.listedApp}/filing-status` },
    "GET /v1/apps/{appId}/registration": { path: `/v1/apps/${f.listedApp}/registration` },
    "DELETE /v1/apps/{appId}/grants/{accountId}": {
      path: `/v1/apps/${f.ownApp}/grants/acc_demo_provider`,
      method: "DELETE",
    },

    "POST /v1/filings/validate": { path: "/v1/filings/validate", body: { type: "new", appId: f.listedApp } },
    "POST /v1/filings": { path: "/v1/filings", body: { type: "new", appId: f.listedApp } },
    "GET /v1/filings": { path: "/v1/filings" },
    "GET /v1/filings/{id}": { path: `/v1/filings/${f.approvedFiling}` },
    "GET /v1/filings/{id}/history": { path: `/v1/filings/${f.approvedFiling}/history` },
    "POST /v1/filings/{id}/withdraw": { path: `/v1/filings/${f.approvedFiling}/withdraw`, method: "POST" },
    // An approved filing has not ended without approval: allowed callers get 409 INVALID_TRANSITION.
    "POST /v1/filings/{id}/resubmit": { path: `/v1/filings/${f.approvedFiling}/resubmit`, body: { patch: {} } },

    "POST /v1/materials": { path: "/v1/materials", raw: form },
    // A person whose number fails its check: allowed callers get 422 and no verification is started (the daily
    // limit is untouched); a caller who may not file for the app gets its 404 first.
    "POST /v1/verifications": {
      path: "/v1/verifications",
      body: {
        appId: f.listedApp,
        person: { name: "王五", certificate: { type: "resident_id", number: "110101199003078514" } },
      },
    },
    "GET /v1/verifications/{id}": { path: `/v1/verifications/${f.verificationId}` },
    "POST /v1/identity/callback": {
      path: "/v1/identity/callback",
      body: { type: "verification.result", data: { verificationId: f.verificationId, result: "passed" } },
    },
    "GET /verify/{token}": { path: f.verifyPath },
    // The first press passes the verification, every later one changes nothing; each answers with the page again.
    "POST /verify/{token}": {
      path: f.verifyPath,
      method: "POST",
      raw: () => new URLSearchParams({ result: "passed" }),
    },
    "GET /v1/materials/{mediaId}": { path: `/v1/materials/${f.mediaId}` },
    "GET /v1/materials/{mediaId}/content": { path: `/v1/materials/${f.mediaId}/content` },

    "GET /v1/review/queue": { path: "/v1/review/queue" },
    "GET /v1/review/filings/{id}": { path: `/v1/review/filings/${f.reviewFiling}` },
    "POST /v1/review/filings/{id}/approve": { path: `/v1/review/filings/${f.freshFiling}/approve`, method: "POST" },
    "POST /v1/review/filings/{id}/reject": { path: `/v1/review/filings/${f.reviewFiling}/reject`, body: {} },

    "GET /v1/regulator/queue": { path: "/v1/regulator/queue" },
    "GET /v1/regulator/filings/{id}": { path: `/v1/regulator/filings/${f.approvedFiling}` },
    "POST /v1/regulator/filings/{id}/sms-verified": {
      path: `/v1/regulator/filings/${f.approvedFiling}/sms-verified`,
      method: "POST",
    },
    // The approved filing is past SMS verification: an allowed caller gets 409 and nothing moves.
    "POST /v1/regulator/filings/{id}/sms-verifications": {
      path: `/v1/regulator/filings/${f.approvedFiling}/sms-verifications`,
      body: { role: "organizer_principal", result: "verified" },
    },
    "POST /v1/regulator/filings/{id}/reject": {
      path: `/v1/regulator/filings/${f.approvedFiling}/reject`,
      body: REASONS,
    },
    "POST /v1/regulator/filings/{id}/approve": { path: `/v1/regulator/filings/${f.approvedFiling}/approve`, body: {} },
    "POST /v1/regulator/registrations/{number}/revoke": {
      path: `/v1/regulator/registrations/${enc(f.number)}/revoke`,
      body: {},
    },
    // Reports the status the registration has: allowed callers get 200 "unchanged" and nothing moves.
    "POST /v1/regulator/registrations/sync": {
      path: "/v1/regulator/registrations/sync",
      body: { changes: [{ number: f.number, status: "active", at: "2026-01-01T00:00:00+08:00" }] },
    },

    "GET /v1/events": { path: "/v1/events" },
    "PUT /v1/webhook": { path: "/v1/webhook", method: "PUT", body: { url: "http://127.0.0.1:9/hook" } },
    "GET /v1/webhook": { path: "/v1/webhook" },
    "POST /v1/webhook/test": { path: "/v1/webhook/test", method: "POST" },
    "GET /v1/webhook/deliveries": { path: "/v1/webhook/deliveries?status=dead" },
    "POST /v1/webhook/deliveries/{id}/retry": { path: "/v1/webhook/deliveries/dlv_not_yours/retry", method: "POST" },
    "DELETE /v1/webhook": { path: "/v1/webhook", method: "DELETE" },

    // The consoles: each caller's own session (or none, a forged one, one whose key was revoked).
    "GET /console/login": { path: "/console/login" },
    // The sign-in itself, with the caller's key (none, malformed or revoked: 401; any account's: 303 in).
    "POST /console/login": { path: "/console/login", signIn: true },
    "GET /console": { path: "/console" },
    // Signing out ends the session: the table's last row, so no probe after it needs the session.
    "POST /console/logout": { path: "/console/logout" },
    "GET /console/review": { path: "/console/review" },
    "GET /console/regulator": { path: "/console/regulator" },
    "GET /console/admin": { path: "/console/admin" },
    "GET /console/admin/audit": { path: "/console/admin/audit" },
    "GET /console/admin/accounts": { path: "/console/admin/accounts" },
    "GET /console/admin/accounts/{id}": { path: `/console/admin/accounts/${f.throwaway.id}` },
    "GET /console/admin/accounts/{id}/keys.csv": { path: `/console/admin/accounts/${f.throwaway.id}/keys.csv` },
    "GET /console/admin/export/coverage.csv": { path: "/console/admin/export/coverage.csv" },
    "GET /console/admin/export/runs.csv": { path: "/console/admin/export/runs.csv" },
    "GET /console/admin/export/deliveries.csv": { path: "/console/admin/export/deliveries.csv" },
    "GET /console/admin/export/accounts.csv": { path: "/console/admin/export/accounts.csv" },
    "GET /console/admin/export/audit.csv": { path: "/console/admin/export/audit.csv" },
    // An empty form: the operator gets the form again with its problems (422).
    "POST /console/admin/accounts": { path: "/console/admin/accounts" },
    // A key for the throwaway account (the operator sees it once); revoking its key again is still a redirect.
    "POST /console/admin/accounts/{id}/keys": { path: `/console/admin/accounts/${f.throwaway.id}/keys` },
    "POST /console/admin/accounts/{id}/keys/{keyId}/revoke": {
      path: `/console/admin/accounts/${f.throwaway.id}/keys/${f.throwaway.keyId}/revoke`,
    },
    "GET /console/review/filings/{id}": { path: `/console/review/filings/${f.reviewFiling}` },
    "GET /console/review/materials/{mediaId}": { path: `/console/review/materials/${f.mediaId}` },
    "POST /console/review/filings/{id}/approve": { path: `/console/review/filings/${f.approvedFiling}/approve` },
    "POST /console/review/filings/{id}/reject": { path: `/console/review/filings/${f.reviewFiling}/reject` },
    "GET /console/regulator/filings/{id}": { path: `/console/regulator/filings/${f.approvedFiling}` },
    "GET /console/regulator/materials/{mediaId}": { path: `/console/regulator/materials/${f.approvedMediaId}` },
    "POST /console/regulator/filings/{id}/approve": { path: `/console/regulator/filings/${f.approvedFiling}/approve` },
    "POST /console/regulator/filings/{id}/reject": {
      path: `/console/regulator/filings/${f.approvedFiling}/reject`,
      form: { field: "service.name", "error:service.name": "名称不符", "suggest:service.name": "请修改名称" },
    },
    "POST /console/regulator/filings/{id}/sms": {
      path: `/console/regulator/filings/${f.approvedFiling}/sms`,
      form: { role: "organizer_principal", result: "verified" },
    },
    "GET /console/events": { path: "/console/events" },
    "GET /console/webhook": { path: "/console/webhook" },
    "POST /console/webhook": { path: "/console/webhook", form: { url: "ftp://not-a-webhook" } },
    "POST /console/webhook/test": { path: "/console/webhook/test" },
    "POST /console/webhook/deliveries/{id}/retry": { path: "/console/webhook/deliveries/dlv_not_yours/retry" },
    "POST /console/apps": { path: "/console/apps", form: { appId: "x", name: "授权检查" } },
    "GET /console/apps/{appId}/file": { path: `/console/apps/${f.ownApp}/file` },
    "POST /console/apps/{appId}/file": { path: `/console/apps/${f.ownApp}/file`, form: { _action: "check" } },
    "GET /console/filings/{id}": { path: `/console/filings/${f.approvedFiling}` },
    "GET /console/filings/{id}/resubmit": { path: `/console/filings/${f.approvedFiling}/resubmit` },
    "POST /console/filings/{id}/resubmit": {
      path: `/console/filings/${f.approvedFiling}/resubmit`,
      form: { _action: "check" },
    },
    "POST /console/filings/{id}/withdraw": { path: `/console/filings/${f.approvedFiling}/withdraw` },
    "GET /console/materials/{id}": { path: `/console/materials/${f.mediaId}` },
  };
}

/** A malformed Authorization header per try: wrong scheme, no token, two tokens, a token that is no key. */
const MALFORMED = ["Basic Zm9vOmJhcg==", "Bearer", "Bearer a b", "Bearer%20x", "bk_dev_developer_9f3KqT7wXn2LmP4s"];

export async function check({ quick, log, shared }) {
  const service = await serviceFor(shared, { port: PORT });
  log(`state ${service.state}`);
  try {
    const fixtures = await setUp(service.url, log);
    const byKey = probes(fixtures);
    const mismatches = [];
    let cells = 0;
    let malformedIndex = 0;
    for (const row of AUTHZ_TABLE) {
      const key = routeKey(row.method, row.path);
      const probe = byKey[key];
      if (!probe) {
        mismatches.push(`${key}: no probe written for this route`);
        continue;
      }
      for (const principal of PRINCIPALS) {
        const headers = { "cf-connecting-ip": clientAddress() };
        if (principal === "malformed") headers.authorization = MALFORMED[malformedIndex++ % MALFORMED.length];
        const res = row.console
          ? await consoleCall(
              service.url,
              {
                ...probe,
                withKey:
                  principal === "malformed" ? MALFORMED[malformedIndex++ % MALFORMED.length] : fixtures.keys[principal],
              },
              probe.method ?? row.method,
              probe.signIn ? undefined : fixtures.sessions[principal],
              headers,
            )
          : await call(service.url, probe.path, {
              method: probe.method ?? row.method,
              key: fixtures.keys[principal],
              body: probe.body,
              raw: probe.raw?.(),
              headers,
            });
        cells++;
        const got = outcomeOf(res.status, res.headers?.get("location") ?? undefined, probe.method ?? row.method);
        const want = row.who[principal];
        if (got !== want) {
          mismatches.push(
            `${key} as ${principal}: expected ${want}, got ${res.status} ${(res.text ?? res.error ?? "").slice(0, 160)}`,
          );
        }
      }
    }
    const { before, after } = fixtures.revocation;
    const notes = mismatches.slice(0, 20);
    if (mismatches.length > 20) notes.push(`… and ${mismatches.length - 20} more`);
    if (quick) notes.push("quick and full mode run the same matrix");
    return {
      name: "authz",
      ok: mismatches.length === 0 && before === 200 && after === 401,
      figures: {
        routes: AUTHZ_TABLE.length,
        principals: PRINCIPALS.length,
        "cells checked": expectMin(cells, AUTHZ_TABLE.length * PRINCIPALS.length),
        mismatches: expectEq(mismatches.length, 0),
        "revoked key: status before → right after revocation": `${before} → ${after}`,
      },
      notes,
    };
  } finally {
    await service.close();
  }
}
