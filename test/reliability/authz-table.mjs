// Who may call what: the expected answer class for every route and every kind of caller, written from docs/rules.md#permissions
// (and, where it is silent, from docs/decisions.md), not from the route code. The authorization check
// (test/reliability/checks/authz.mjs) calls every cell against a running service; test/routes/authz-coverage.test.ts
// fails when the app registers a route this table does not list.
//
// Outcome classes:
//   "ok"  the call got past authentication and authorization: 2xx, 304, or a 400/409/422 about the request or the
//         resource's state (the probes are built so that an allowed caller sees one of those);
//   401   no key, a malformed key, an unknown or revoked key;
//   403   the caller's role may not use the route;
//   "signin" (consoles) a page read without a live session: 303 to the sign-in;
//   404   the resource exists but is not the caller's (docs/rules.md#permissions: the role is checked first, then ownership).

/** Every kind of caller the matrix tries. `otherDeveloper` is a developer who owns none of the probed resources. */
export const PRINCIPALS = [
  "anonymous",
  "malformed",
  "revoked",
  "developer",
  "otherDeveloper",
  "provider",
  "reviewer",
  "regulator",
  "admin",
];

const NO_KEY = { anonymous: 401, malformed: 401, revoked: 401 };
const ROLES = ["developer", "otherDeveloper", "provider", "reviewer", "regulator", "admin"];

/** Reference data, the public lookup, the pages and the docs: anyone, and a key (even a bad one) is ignored. */
const everyone = () => Object.fromEntries(PRINCIPALS.map((p) => [p, "ok"]));

/** Any authenticated account, acting on its own things only (events, webhook). */
const anyAccount = (outcome = "ok") => ({ ...NO_KEY, ...Object.fromEntries(ROLES.map((r) => [r, outcome])) });

/** Only `roles` get past the role check; everyone else with a key is 403. `extra` sets ownership outcomes. */
function only(roles, extra = {}) {
  const cells = { ...NO_KEY };
  for (const r of ROLES) {
    const role = r === "otherDeveloper" ? "developer" : r;
    cells[r] = roles.includes(role) ? "ok" : 403;
  }
  return { ...cells, ...extra };
}

/**
 * The consoles (docs/rules.md#consoles) are driven with each caller's session cookie, opened by signing in with its
 * key; without a live session (none, a forged cookie, one whose key was revoked) a page read goes to the sign-in
 * ("signin": 303 to /console/login) and a form post is 401. Staff consoles refuse other roles with a 403 page.
 */
const SIGNED_OUT = { anonymous: "signin", malformed: "signin", revoked: "signin" };
const SIGNED_OUT_POST = { anonymous: 401, malformed: 401, revoked: 401 };

/** A console page or form (`post`) of `roles`; `extra` sets ownership outcomes. */
function consoleOnly(roles, { post = false, ...extra } = {}) {
  const cells = { ...only(roles), ...(post ? SIGNED_OUT_POST : SIGNED_OUT) };
  return { ...cells, ...extra };
}

/**
 * The table. Order matters only to the live check, which walks it top to bottom: a route that creates something
 * comes before the one that reads or removes it (the webhook), and each probe is chosen so that a repeated or
 * reordered run still lands in the same class.
 */
export const AUTHZ_TABLE = [
  // Liveness, docs and pages (docs/rules.md#permissions: no key, and #public-lookup: the public web).
  { method: "GET", path: "/health", who: everyone() },
  { method: "GET", path: "/openapi.json", who: everyone() },
  { method: "GET", path: "/docs", who: everyone() },
  // The API reference's start-up script, served beside /docs.
  { method: "GET", path: "/docs/init.js", who: everyone() },
  { method: "GET", path: "/", who: everyone() },
  { method: "GET", path: "/r/{number}", who: everyone() },
  { method: "GET", path: "/badge/{file}", who: everyone() },

  // Reference data and the public lookup (docs/rules.md#permissions: no key, and a key is ignored — even a bad one).
  { method: "GET", path: "/v1/reference/natures", who: everyone() },
  { method: "GET", path: "/v1/reference/certificate-types", who: everyone() },
  { method: "GET", path: "/v1/reference/pre-approval-types", who: everyone() },
  { method: "GET", path: "/v1/reference/service-content-types", who: everyone() },
  { method: "GET", path: "/v1/reference/languages", who: everyone() },
  { method: "GET", path: "/v1/reference/regions", who: everyone() },
  { method: "GET", path: "/v1/public/registrations/{number}", who: everyone() },
  { method: "GET", path: "/v1/public/search", who: everyone() },
  { method: "POST", path: "/v1/public/registrations/lookup", who: everyone() },
  { method: "GET", path: "/v1/public/changes", who: everyone() },
  // The check runs the cron first, so an export exists (test/reliability/checks/authz.mjs).
  { method: "GET", path: "/v1/public/export", who: everyone() },
  { method: "GET", path: "/v1/public/export/{file}", who: everyone() },

  // Accounts, keys, audit, catalogue, policies, job history: admin only (docs/rules.md#permissions).
  { method: "POST", path: "/v1/admin/accounts", who: only(["admin"]) },
  { method: "GET", path: "/v1/admin/accounts", who: only(["admin"]) },
  { method: "POST", path: "/v1/admin/accounts/{id}/keys", who: only(["admin"]) },
  { method: "GET", path: "/v1/admin/accounts/{id}/keys", who: only(["admin"]) },
  { method: "DELETE", path: "/v1/admin/accounts/{id}/keys/{keyId}", who: only(["admin"]) },
  { method: "GET", path: "/v1/admin/audit/verify", who: only(["admin"]) },
  { method: "POST", path: "/v1/admin/policies", who: only(["admin"]) },
  { method: "GET", path: "/v1/admin/policies", who: only(["admin"]) },
  { method: "PATCH", path: "/v1/admin/policies/{id}", who: only(["admin"]) },
  { method: "POST", path: "/v1/admin/apps/import", who: only(["admin"]) },
  { method: "POST", path: "/v1/admin/registrations/import", who: only(["admin"]) },
  { method: "GET", path: "/v1/admin/enforcement/runs", who: only(["admin"]) },
  { method: "GET", path: "/v1/admin/coverage", who: only(["admin"]) },
  { method: "GET", path: "/v1/admin/webhook-deliveries", who: only(["admin"]) },

  // Apps: developers, each its own (docs/rules.md#permissions); providers file for granted apps but do not manage them
  // (decisions: "Apps routes are for developers"). Another developer's app is 404.
  { method: "POST", path: "/v1/apps", who: only(["developer"]) },
  { method: "GET", path: "/v1/apps", who: only(["developer"]) },
  { method: "GET", path: "/v1/apps/{appId}", who: only(["developer"], { otherDeveloper: 404 }) },
  { method: "POST", path: "/v1/apps/{appId}/list", who: only(["developer"], { otherDeveloper: 404 }) },
  { method: "POST", path: "/v1/apps/{appId}/unlist", who: only(["developer"], { otherDeveloper: 404 }) },
  { method: "POST", path: "/v1/apps/{appId}/grants", who: only(["developer"], { otherDeveloper: 404 }) },
  { method: "GET", path: "/v1/apps/{appId}/grants", who: only(["developer"], { otherDeveloper: 404 }) },
  { method: "DELETE", path: "/v1/apps/{appId}/grants/{accountId}", who: only(["developer"], { otherDeveloper: 404 }) },
  // An app's filing status: whoever may file for it, the owner and a granted provider.
  {
    method: "GET",
    path: "/v1/apps/{appId}/filing-status",
    who: only(["developer", "provider"], { otherDeveloper: 404 }),
  },
  // The registration read back: the same callers (docs/rules.md#read-back).
  {
    method: "GET",
    path: "/v1/apps/{appId}/registration",
    who: only(["developer", "provider"], { otherDeveloper: 404 }),
  },

  // Filings: developers and providers; reads by the submitter or the app's owner (a provider through a grant).
  // Admins have no implicit access to filings (docs/rules.md#permissions): 403.
  { method: "POST", path: "/v1/filings/validate", who: only(["developer", "provider"], { otherDeveloper: 404 }) },
  { method: "POST", path: "/v1/filings", who: only(["developer", "provider"], { otherDeveloper: 404 }) },
  // A list is of the caller's own and granted apps: another developer gets an empty page, not a 404.
  { method: "GET", path: "/v1/filings", who: only(["developer", "provider"]) },
  { method: "GET", path: "/v1/filings/{id}", who: only(["developer", "provider"], { otherDeveloper: 404 }) },
  { method: "GET", path: "/v1/filings/{id}/history", who: only(["developer", "provider"], { otherDeveloper: 404 }) },
  // docs/rules.md#permissions: the submitter withdraws, and so may the app's owner. A provider that can see the filing (granted app)
  // but neither submitted it nor owns the app is refused with 403: it may see it, so a 404 would be untrue.
  {
    method: "POST",
    path: "/v1/filings/{id}/withdraw",
    who: only(["developer", "provider"], { otherDeveloper: 404, provider: 403 }),
  },
  // Resubmitting an ended filing: as withdrawing, the submitter or the app's owner (docs/rules.md#read-back).
  {
    method: "POST",
    path: "/v1/filings/{id}/resubmit",
    who: only(["developer", "provider"], { otherDeveloper: 404, provider: 403 }),
  },

  // Materials (the materials issue; README): uploads by developers and providers. Reads by the uploader, the
  // owner of an app whose filing uses it, and the reviewer or regulator while such a filing is in their queue;
  // everyone else — another developer, a regulator before the bureau stages, an admin — gets the 404 of a
  // material that does not exist (there is no role to check first: every role may read some material).
  { method: "POST", path: "/v1/materials", who: only(["developer", "provider"]) },

  // Face verification (docs/rules.md#verifications): whoever may file for the app starts and reads them; the
  // identity provider's callback takes no key (its Standard Webhooks signature is the credential, so an unsigned
  // probe is 401 whatever key it carries); the simulator's page is the development web, reached by its token.
  { method: "POST", path: "/v1/verifications", who: only(["developer", "provider"], { otherDeveloper: 404 }) },
  { method: "GET", path: "/v1/verifications/{id}", who: only(["developer", "provider"], { otherDeveloper: 404 }) },
  { method: "POST", path: "/v1/identity/callback", who: Object.fromEntries(PRINCIPALS.map((p) => [p, 401])) },
  { method: "GET", path: "/verify/{token}", who: everyone() },
  { method: "POST", path: "/verify/{token}", who: everyone() },
  {
    method: "GET",
    path: "/v1/materials/{mediaId}",
    who: {
      ...NO_KEY,
      developer: "ok",
      provider: "ok",
      reviewer: "ok",
      otherDeveloper: 404,
      regulator: 404,
      admin: 404,
    },
  },
  {
    method: "GET",
    path: "/v1/materials/{mediaId}/content",
    who: {
      ...NO_KEY,
      developer: "ok",
      provider: "ok",
      reviewer: "ok",
      otherDeveloper: 404,
      regulator: 404,
      admin: 404,
    },
  },

  // Platform review: reviewers only (docs/rules.md#permissions).
  { method: "GET", path: "/v1/review/queue", who: only(["reviewer"]) },
  { method: "GET", path: "/v1/review/filings/{id}", who: only(["reviewer"]) },
  { method: "POST", path: "/v1/review/filings/{id}/approve", who: only(["reviewer"]) },
  { method: "POST", path: "/v1/review/filings/{id}/reject", who: only(["reviewer"]) },

  // The bureau side: the regulator only (docs/rules.md#permissions).
  { method: "GET", path: "/v1/regulator/queue", who: only(["regulator"]) },
  { method: "GET", path: "/v1/regulator/filings/{id}", who: only(["regulator"]) },
  { method: "POST", path: "/v1/regulator/filings/{id}/sms-verified", who: only(["regulator"]) },
  { method: "POST", path: "/v1/regulator/filings/{id}/sms-verifications", who: only(["regulator"]) },
  { method: "POST", path: "/v1/regulator/filings/{id}/reject", who: only(["regulator"]) },
  { method: "POST", path: "/v1/regulator/filings/{id}/approve", who: only(["regulator"]) },
  { method: "POST", path: "/v1/regulator/registrations/{number}/revoke", who: only(["regulator"]) },
  { method: "POST", path: "/v1/regulator/registrations/sync", who: only(["regulator"]) },

  // Events and webhooks: any account, its own (docs/rules.md#permissions).
  { method: "GET", path: "/v1/events", who: anyAccount() },
  { method: "PUT", path: "/v1/webhook", who: anyAccount() },
  { method: "GET", path: "/v1/webhook", who: anyAccount() },
  { method: "POST", path: "/v1/webhook/test", who: anyAccount() },
  { method: "GET", path: "/v1/webhook/deliveries", who: anyAccount() },
  // Probed with a delivery id that is not the caller's: not found, whoever asks (deliveries are per account).
  { method: "POST", path: "/v1/webhook/deliveries/{id}/retry", who: anyAccount(404) },
  { method: "DELETE", path: "/v1/webhook", who: anyAccount() },

  // The consoles (docs/rules.md#consoles): the sign-in form is anyone's, and signing in takes any account's key.
  { method: "GET", path: "/console/login", who: everyone(), console: true },
  { method: "POST", path: "/console/login", who: anyAccount(), console: true },
  {
    method: "GET",
    path: "/console",
    who: consoleOnly(["developer", "provider"], { reviewer: "ok", regulator: "ok", admin: "ok" }),
    console: true,
  },
  { method: "GET", path: "/console/review", who: consoleOnly(["reviewer"]), console: true },
  { method: "GET", path: "/console/regulator", who: consoleOnly(["regulator"]), console: true },
  { method: "GET", path: "/console/admin", who: consoleOnly(["admin"]), console: true },
  // The operator dashboard's pages, CSV exports and forms (docs/rules.md#operator-dashboard).
  ...[
    "/console/admin/audit",
    "/console/admin/accounts",
    "/console/admin/accounts/{id}",
    "/console/admin/accounts/{id}/keys.csv",
    "/console/admin/export/coverage.csv",
    "/console/admin/export/runs.csv",
    "/console/admin/export/deliveries.csv",
    "/console/admin/export/accounts.csv",
    "/console/admin/export/audit.csv",
  ].map((path) => ({ method: "GET", path, who: consoleOnly(["admin"]), console: true })),
  ...[
    "/console/admin/accounts",
    "/console/admin/accounts/{id}/keys",
    "/console/admin/accounts/{id}/keys/{keyId}/revoke",
  ].map((path) => ({ method: "POST", path, who: consoleOnly(["admin"], { post: true }), console: true })),
  // The review workbench (docs/rules.md#consoles): its role only, then the API decides (a filing or material outside
  // what the role may read is 404, as in the API). Probed so that nothing moves: a rejection without reasons (422),
  // the reviewer approving a filing that left platform review (404), the bureau acting on an approved filing (409).
  { method: "GET", path: "/console/review/filings/{id}", who: consoleOnly(["reviewer"]), console: true },
  { method: "GET", path: "/console/review/materials/{mediaId}", who: consoleOnly(["reviewer"]), console: true },
  {
    method: "POST",
    path: "/console/review/filings/{id}/approve",
    who: consoleOnly(["reviewer"], { post: true, reviewer: 404 }),
    console: true,
  },
  {
    method: "POST",
    path: "/console/review/filings/{id}/reject",
    who: consoleOnly(["reviewer"], { post: true }),
    console: true,
  },
  { method: "GET", path: "/console/regulator/filings/{id}", who: consoleOnly(["regulator"]), console: true },
  { method: "GET", path: "/console/regulator/materials/{mediaId}", who: consoleOnly(["regulator"]), console: true },
  {
    method: "POST",
    path: "/console/regulator/filings/{id}/approve",
    who: consoleOnly(["regulator"], { post: true }),
    console: true,
  },
  {
    method: "POST",
    path: "/console/regulator/filings/{id}/reject",
    who: consoleOnly(["regulator"], { post: true }),
    console: true,
  },
  {
    method: "POST",
    path: "/console/regulator/filings/{id}/sms",
    who: consoleOnly(["regulator"], { post: true }),
    console: true,
  },
  // The developer console (docs/rules.md#developer-console): developers and providers, each on what the API lets it
  // read or file for; staff get the 403 page. Probed after the API's webhook rows, so no account has a webhook.
  { method: "GET", path: "/console/events", who: consoleOnly(["developer", "provider"]), console: true },
  { method: "GET", path: "/console/webhook", who: consoleOnly(["developer", "provider"]), console: true },
  // A URL the API refuses: 422, nothing set.
  {
    method: "POST",
    path: "/console/webhook",
    who: consoleOnly(["developer", "provider"], { post: true }),
    console: true,
  },
  {
    method: "POST",
    path: "/console/webhook/test",
    who: consoleOnly(["developer", "provider"], { post: true, developer: 404, otherDeveloper: 404, provider: 404 }),
    console: true,
  },
  {
    method: "POST",
    path: "/console/webhook/deliveries/{id}/retry",
    who: consoleOnly(["developer", "provider"], { post: true, developer: 404, otherDeveloper: 404, provider: 404 }),
    console: true,
  },
  // Registering an app is the developer's (the API's 403 for a provider); probed with an AppID the API refuses.
  { method: "POST", path: "/console/apps", who: consoleOnly(["developer"], { post: true }), console: true },
  // The developer's own app: another developer and the provider (not granted it) get the 404 page.
  {
    method: "GET",
    path: "/console/apps/{appId}/file",
    who: consoleOnly(["developer", "provider"], { otherDeveloper: 404, provider: 404 }),
    console: true,
  },
  {
    method: "POST",
    path: "/console/apps/{appId}/file",
    who: consoleOnly(["developer", "provider"], { post: true, otherDeveloper: 404, provider: 404 }),
    console: true,
  },
  // The approved filing of an app granted to the provider: readable by it, not by another developer.
  {
    method: "GET",
    path: "/console/filings/{id}",
    who: consoleOnly(["developer", "provider"], { otherDeveloper: 404 }),
    console: true,
  },
  {
    method: "GET",
    path: "/console/filings/{id}/resubmit",
    who: consoleOnly(["developer", "provider"], { otherDeveloper: 404 }),
    console: true,
  },
  // Resubmitting and withdrawing are the submitter's or the owner's: the provider reads the filing but may not.
  {
    method: "POST",
    path: "/console/filings/{id}/resubmit",
    who: consoleOnly(["developer", "provider"], { post: true, otherDeveloper: 404, provider: 403 }),
    console: true,
  },
  {
    method: "POST",
    path: "/console/filings/{id}/withdraw",
    who: consoleOnly(["developer", "provider"], { post: true, otherDeveloper: 404, provider: 403 }),
    console: true,
  },
  // A material the provider uploaded for an app the developer owns.
  {
    method: "GET",
    path: "/console/materials/{id}",
    who: consoleOnly(["developer", "provider"], { otherDeveloper: 404 }),
    console: true,
  },
  // Last: signing out ends the session every later probe would need.
  {
    method: "POST",
    path: "/console/logout",
    who: consoleOnly(
      ROLES.map((r) => (r === "otherDeveloper" ? "developer" : r)),
      { post: true },
    ),
    console: true,
  },
];

/** `METHOD /path/{param}` — the key the coverage test and the check use. */
export const routeKey = (method, path) => `${method.toUpperCase()} ${path}`;
