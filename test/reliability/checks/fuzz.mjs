// Fuzzing every route of a running service with fast-check generated requests: valid bodies with one field
// mutated, random JSON, wrong types, huge strings, unicode edge cases, wrong methods and content types, bad
// headers, bad path parameters and query strings — mostly with valid keys of every role. Promised: no answer is
// a 5xx; every 4xx of the API is problem+json with a stable `code`; no body shows a stack trace or SQL.
// Requests are generated from one seed: first one for each route (so every route is fuzzed, however small the run),
// then batches of requests to routes drawn at random. A failure prints the request itself and its seed and place
// (route pass #i, or batch and index), which `sampleEachRoute` or `sample(seed, batch)` regenerates.
import { rmSync } from "node:fs";
import fc from "fast-check";
import { seedFilings } from "../../../scripts/seed.mjs";
import { prepareState, startService } from "../../../scripts/service.mjs";
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
  pool,
  residentId,
  signInToConsole,
} from "../lib.mjs";

const PORT = 8931;
const BATCH = 1000;
/** Quick mode's size (the full run sends 100,000): the routes once each, then random ones up to this many. */
const QUICK_REQUESTS = 1_000;
const CONCURRENCY = 24;
const MAX_URL = 16_000;

/** Requests earlier runs answered wrongly (a NUL in a contains-search broke the FTS5 query: a 500). */
const FOUND_BEFORE = ["/v1/public/search?q=ab%00", "/?q=a%00c", "/v1/public/search?q=%E7%A4%BA%E4%BE%8B%00%E5%8A%A9"];

/** Routes that are not in the OpenAPI document: liveness, docs and the public web pages. */
const EXTRA_ROUTES = [
  { method: "GET", path: "/health", query: [] },
  { method: "GET", path: "/openapi.json", query: [] },
  { method: "GET", path: "/docs", query: [] },
  { method: "GET", path: "/docs/init.js", query: [] },
  { method: "GET", path: "/", query: ["q", "page"] },
  { method: "GET", path: "/r/{number}", query: [] },
  { method: "GET", path: "/badge/{file}", query: [] },
  // The face verification simulator's page (development), by a verification's token.
  { method: "GET", path: "/verify/{token}", query: [] },
  { method: "POST", path: "/verify/{token}", query: [] },
  // The consoles (docs/rules.md#consoles), driven with a signed-in session's cookie and, on posts, mostly its CSRF
  // token, so garbage reaches the handlers rather than stopping at the session checks.
  { method: "GET", path: "/console/login", query: ["next", "lang"], console: true },
  { method: "POST", path: "/console/login", query: [], console: true },
  { method: "GET", path: "/console", query: ["lang"], console: true },
  { method: "GET", path: "/console/admin", query: ["lang"], console: true },
  { method: "GET", path: "/console/admin/audit", query: ["lang"], console: true },
  { method: "GET", path: "/console/admin/accounts", query: ["lang", "cursor"], console: true },
  { method: "GET", path: "/console/admin/accounts/{id}", query: ["lang", "created", "revoked"], console: true },
  { method: "GET", path: "/console/admin/accounts/{id}/keys.csv", query: [], console: true },
  { method: "GET", path: "/console/admin/export/coverage.csv", query: [], console: true },
  { method: "GET", path: "/console/admin/export/runs.csv", query: [], console: true },
  { method: "GET", path: "/console/admin/export/deliveries.csv", query: [], console: true },
  { method: "GET", path: "/console/admin/export/accounts.csv", query: [], console: true },
  { method: "GET", path: "/console/admin/export/audit.csv", query: [], console: true },
  { method: "POST", path: "/console/admin/accounts", query: [], console: true },
  { method: "POST", path: "/console/admin/accounts/{id}/keys", query: [], console: true },
  { method: "POST", path: "/console/admin/accounts/{id}/keys/{keyId}/revoke", query: [], console: true },
  { method: "GET", path: "/console/review", query: ["lang", "limit", "cursor", "done", "id"], console: true },
  { method: "GET", path: "/console/review/filings/{id}", query: ["lang"], console: true },
  { method: "GET", path: "/console/review/materials/{mediaId}", query: [], console: true },
  { method: "POST", path: "/console/review/filings/{id}/approve", query: [], console: true },
  { method: "POST", path: "/console/review/filings/{id}/reject", query: [], console: true },
  { method: "GET", path: "/console/regulator", query: ["lang", "status", "limit", "cursor", "done"], console: true },
  { method: "GET", path: "/console/regulator/filings/{id}", query: ["done", "id", "role", "result"], console: true },
  { method: "GET", path: "/console/regulator/materials/{mediaId}", query: [], console: true },
  { method: "POST", path: "/console/regulator/filings/{id}/approve", query: [], console: true },
  { method: "POST", path: "/console/regulator/filings/{id}/reject", query: [], console: true },
  { method: "POST", path: "/console/regulator/filings/{id}/sms", query: [], console: true },
  // The developer console's pages and forms (docs/rules.md#developer-console).
  { method: "GET", path: "/console/events", query: ["after", "lang"], console: true },
  { method: "GET", path: "/console/webhook", query: ["lang"], console: true },
  { method: "POST", path: "/console/webhook", query: [], console: true },
  { method: "POST", path: "/console/webhook/test", query: [], console: true },
  { method: "POST", path: "/console/webhook/deliveries/{id}/retry", query: [], console: true },
  { method: "POST", path: "/console/apps", query: [], console: true },
  { method: "GET", path: "/console/apps/{appId}/file", query: ["type", "lang"], console: true },
  { method: "POST", path: "/console/apps/{appId}/file", query: ["type"], console: true },
  { method: "GET", path: "/console/filings/{id}", query: ["done"], console: true },
  { method: "GET", path: "/console/filings/{id}/resubmit", query: [], console: true },
  { method: "POST", path: "/console/filings/{id}/resubmit", query: [], console: true },
  { method: "POST", path: "/console/filings/{id}/withdraw", query: [], console: true },
  { method: "GET", path: "/console/materials/{id}", query: [], console: true },
  // Signing out ends the session it is sent with: these cases get sessions of their own (`spare`).
  { method: "POST", path: "/console/logout", query: [], console: "spare" },
];

/** Pages and badges answer in their own format (an HTML page, an SVG badge), even for a 4xx. */
const isPage = (path) =>
  path === "/" ||
  path === "/console" ||
  path.startsWith("/console/") ||
  path.startsWith("/?") ||
  path.startsWith("/r/") ||
  path.startsWith("/badge/") ||
  path.startsWith("/verify/");

/** What never appears in an answer: a stack frame, a SQLite or D1 message, SQL text. */
const LEAKS = [
  /\bat [^\n]{0,200}\.(ts|js|mjs):\d+/,
  /SQLITE_/,
  /D1_ERROR/,
  /\bSELECT\b[^\n]{0,200}\bFROM\b/,
  /\bINSERT INTO\b/,
  /no such (table|column)/i,
];

// ---- arbitraries -------------------------------------------------------------------------------------------

const edgeChar = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(
    "\u0000",
    "\u001f",
    "\u007f",
    "\ufeff",
    "\u200b",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u0301",
    "\u00a0",
    "\u3000",
    "\uffff",
    "𠮷",
    "👨‍👩‍👧",
    "🇨🇳",
    "Ａ",
    "１",
    "ｘ",
    "粤",
    "é",
    "ـ",
    "א",
  ),
  fc.constantFrom('"', "\\", "/", "%", "_", "'", "\n", "\r", "\t", "<", ">", "&", "?", "#", "*", ";", "--", "`"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
);
const edgeString = fc.string({ unit: edgeChar, maxLength: 40 });

const special = fc.constantFrom(
  "",
  " ",
  "long_term",
  "new",
  "change",
  "cancel",
  "uscc",
  "resident_id",
  "2020-02-30",
  "9999-12-31",
  "2024-03-31T23:59:59",
  "+8613800138000",
  "11010519491231002X",
  "91350100M000100Y43",
  "粤ICP备2024012345号-1X",
  "__proto__",
  "constructor",
  "' OR 1=1 --",
  "%s%s%n",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  "${7*7}",
  "<script>alert(1)</script>",
  0,
  -0,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0.5,
  true,
  false,
  null,
  [],
  {},
  [null],
);

const huge = fc
  .record({
    char: fc.constantFrom("a", "名", "𠮷", "\ud800", "\\", '"', " ", "%"),
    size: fc.integer({ min: 1_000, max: 70_000 }),
  })
  .map(({ char, size }) => char.repeat(size));

const jsonish = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: edgeChar }) },
  { weight: 3, arbitrary: special },
  { weight: 2, arbitrary: edgeString },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: huge },
);

/** Arrays or objects nested `depth` deep, as JSON text (JSON.stringify would recurse). */
const deepText = fc
  .record({ depth: fc.integer({ min: 50, max: 60_000 }), kind: fc.constantFrom("array", "object") })
  .map(({ depth, kind }) =>
    kind === "array" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

/** Latin-1 header text (fetch only sends byte strings), without CR, LF and NUL. */
const headerText = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every path into a value, containers included. */
function pathsOf(value, prefix = []) {
  const out = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...prefix, i]));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

const DEEP = "\u0001deep\u0001";

/** A copy of `template` with one change at one of its paths, as JSON text. */
function mutateText(template, m) {
  const paths = pathsOf(template);
  if (paths.length === 0) return JSON.stringify(m.value ?? null);
  const path = paths[m.at % paths.length];
  const root = structuredClone(template);
  let parent = root;
  for (const seg of path.slice(0, -1)) parent = parent[seg];
  const last = path[path.length - 1];
  switch (m.kind) {
    case "replace":
      parent[last] = m.value;
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(last, 1);
      else delete parent[last];
      break;
    case "add":
      if (isObject(parent[last])) parent[last][m.key] = m.value;
      else if (Array.isArray(parent[last])) parent[last].push(m.value);
      else parent[m.key] = m.value;
      break;
    case "deep":
      parent[last] = DEEP;
      return JSON.stringify(root).replace(JSON.stringify(DEEP), m.text);
  }
  return JSON.stringify(root);
}

const mutation = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("replace"), at: fc.nat(), value: jsonish }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete"), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("add"), at: fc.nat(), key: edgeString, value: jsonish }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deep"), at: fc.nat(), text: deepText }) },
);

/** Percent-encodes text for a URL; a lone surrogate becomes its (invalid) UTF-8 bytes, %ED%A0%80 and the like. */
function encodeLoose(text) {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%ED%${(0xa0 | ((code >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else out += encodeURIComponent(ch);
  }
  return out;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/**
 * Builds the request arbitraries for a service from its routes, the ids that exist in it, the keys of every role and
 * valid bodies to mutate: `any` picks a route and a request for it; `forRoute(route)` a request for that route.
 */
function requestArbitraries(ctx) {
  const routeArb = fc.constantFrom(...ctx.routes);
  const keyArb = fc.oneof(
    { weight: 14, arbitrary: fc.constantFrom(...ctx.keys).map((k) => `Bearer ${k}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        headerText,
        headerText.map((t) => `Bearer ${t}`),
        fc.constantFrom("Bearer", "Bearer  ", "Basic Zm9vOmJhcg==", "bearer bk_unknown", "Bearer a b c"),
        fc.integer({ min: 1_000, max: 16_000 }).map((n) => `Bearer ${"k".repeat(n)}`),
      ),
    },
  );
  const contentTypeArb = fc.oneof(
    { weight: 10, arbitrary: fc.constant("application/json") },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        undefined,
        "application/json; charset=utf-8",
        "application/merge-patch+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "application/json; charset=latin1",
        "application/jsonx",
        "",
        "*/*",
      ),
    },
    { weight: 1, arbitrary: headerText },
  );
  const extraHeadersArb = fc.record(
    {
      "accept-language": fc.oneof(
        fc.constantFrom("zh-CN", "zh", "en", "zh-TW;q=0.9,en;q=0.8", "*", ";;;", "zh-CN;q=abc", "x".repeat(5000)),
        headerText,
      ),
      "if-none-match": fc.oneof(fc.constantFrom("*", 'W/"abc"', '"', "", '"x", W/', "\\"), headerText),
      "idempotency-key": fc.oneof(headerText, fc.uuid(), fc.constant("k".repeat(400))),
      accept: fc.oneof(fc.constantFrom("application/json", "text/html", "image/svg+xml", "*/*"), headerText),
    },
    { requiredKeys: [] },
  );
  // One request in twenty carries a header of up to 24 KB.
  const hugeHeaderArb = fc.oneof(
    { weight: 19, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 24_000 }).map((n) => "h".repeat(n)) },
  );
  const paramValue = (name) =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .constantFrom(...(ctx.params[name]?.length ? ctx.params[name] : ctx.params.any))
          .map(encodeURIComponent),
      },
      { weight: 3, arbitrary: edgeString.map(encodeLoose) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "",
          "%",
          "%ZZ",
          "%00",
          "..%2F..%2Fetc%2Fpasswd",
          "%2e%2e",
          "null",
          "undefined",
          "-1",
          "1e999",
          encodeURIComponent("粤ICP备2024012345号-1X".normalize("NFKD")),
          encodeURIComponent("ＩＣＰ备"),
          "x".repeat(3000),
          "名".repeat(300),
        ),
      },
    );
  const queryArb = (names) =>
    fc.array(
      fc.tuple(
        fc.oneof(
          { weight: 4, arbitrary: names.length ? fc.constantFrom(...names) : fc.constant("q") },
          { weight: 1, arbitrary: edgeString },
        ),
        fc.oneof(
          fc.constantFrom("1", "0", "-1", "50", "51", "200", "201", "dead", "true", "示例", "粤ICP备", "abc", ""),
          edgeString,
          fc.integer().map(String),
          huge.map((s) => s.slice(0, 3000)),
        ),
      ),
      { maxLength: 4 },
    );
  const bodyFor = (route) => {
    const template = ctx.templates[`${route.method} ${route.path}`];
    const arbs = [
      { weight: 2, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? "null") },
      { weight: 1, arbitrary: fc.dictionary(edgeString, jsonish, { maxKeys: 6 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: deepText },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.constantFrom("{", '{"a":', "[1,]", "{'a':1}", "\ufeff{}", "NaN", "undefined", "{}}", '"\\ud800"'),
        ),
      },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ];
    if (template) arbs.push({ weight: 10, arbitrary: mutation.map((m) => mutateText(template(), m)) });
    return fc.oneof(...arbs);
  };
  const forRoute = (route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
      ),
      params: fc.tuple(...route.params.map(paramValue), fc.constant(null)),
      query: queryArb(route.query),
      authorization: keyArb,
      contentType: contentTypeArb,
      headers: fc
        .tuple(extraHeadersArb, hugeHeaderArb)
        .map(([headers, huge]) => (huge ? { ...headers, "x-huge": huge } : headers)),
      body: bodyFor(route),
      invalidUtf8: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
      sameClient: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
      session: route.console
        ? fc.oneof(
            {
              weight: 8,
              arbitrary: fc.constantFrom(...(route.console === "spare" ? ctx.spareSessions : ctx.sessions)),
            },
            { weight: 1, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: headerText.map((t) => ({ cookie: `beian_session=${t}`, csrf: t })) },
          )
        : fc.constant(undefined),
      withCsrf: fc.integer({ min: 0, max: 9 }).map((n) => n !== 0),
    });
  return { any: routeArb.chain(forRoute), forRoute };
}

/** The concrete request of a generated case. */
function toRequest(c) {
  let i = 0;
  let path = c.route.path.replace(/\{[^}]+\}/g, () => c.params[i++] ?? "x");
  if (c.route.path === "/badge/{file}" && !path.endsWith(".svg")) path += ".svg";
  const query = c.query.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`);
  // Past about 64 KB the runtime in front of the Worker answers 414 itself; stay well under it.
  while (query.join("&").length + path.length > MAX_URL) query.pop();
  if (query.length > 0) path += `?${query.join("&")}`;
  const headers = {};
  if (c.authorization !== undefined) headers.authorization = c.authorization;
  for (const [k, v] of Object.entries(c.headers)) headers[k] = v;
  headers["cf-connecting-ip"] = c.sameClient ? "203.0.113.7" : `10.${rnd()}.${rnd()}.${rnd()}`;
  if (c.route.console) {
    delete headers.authorization;
    if (c.session) headers.cookie = c.session.cookie;
    if (c.session && c.withCsrf && c.method !== "GET" && c.method !== "HEAD") headers["x-csrf-token"] = c.session.csrf;
  }
  let body;
  if (c.body !== undefined && c.method !== "GET" && c.method !== "HEAD") {
    body = Buffer.from(c.body, "utf8");
    if (c.invalidUtf8) body = Buffer.concat([body, Buffer.from([0xc3, 0x28, 0xff])]);
    if (c.contentType !== undefined) headers["content-type"] = c.contentType;
  }
  return { method: c.method, path, headers, body };
}
const rnd = () => Math.floor(Math.random() * 256);

/** One batch of generated cases, the same for the same seed and batch number. */
export function sample(arb, seed, batch, size = BATCH) {
  return fc.sample(arb, { seed: seed + batch * 7919, numRuns: size });
}

/** The first pass: one generated case for each route, in `routes` order, the same for the same seed. */
export function sampleEachRoute(arbs, routes, seed) {
  return routes.map((route, i) => fc.sample(arbs.forRoute(route), { seed: seed + 104_729 + i, numRuns: 1 })[0]);
}

function describeRequest(r) {
  const headers = Object.fromEntries(
    Object.entries(r.headers).map(([k, v]) => [k, v.length > 80 ? `${v.slice(0, 60)}… (${v.length} chars)` : v]),
  );
  const body = r.body ? r.body.toString("utf8") : undefined;
  return `${r.method} ${r.path.length > 200 ? `${r.path.slice(0, 200)}… (${r.path.length} chars)` : r.path} ${JSON.stringify(headers)}${
    body !== undefined
      ? ` body ${JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}… (${body.length} chars)` : body)}`
      : ""
  }`;
}

/** What is wrong with an answer, or null. */
function problemWith(req, res) {
  if (res.status === 0) return `no answer (${res.error})`;
  if (res.status >= 500) return `status ${res.status}`;
  const text = res.text ?? "";
  for (const leak of LEAKS) if (leak.test(text)) return `body leaks ${leak}`;
  if (res.status >= 400 && req.method !== "HEAD") {
    const type = res.headers.get("content-type") ?? "";
    const page = isPage(req.path.split("?")[0] ?? "");
    if (page && /^(text\/html|image\/svg\+xml)/.test(type)) return null;
    if (!type.startsWith("application/problem+json")) return `${res.status} with content-type ${type || "(none)"}`;
    const code = res.body?.code;
    if (typeof code !== "string" || !/^[A-Z][A-Z0-9_]*$/.test(code)) return `${res.status} without a code`;
    if (res.body.status !== res.status) return `${res.status} but body.status ${res.body.status}`;
  }
  return null;
}

async function routesOf(url) {
  const doc = await must(url, "/openapi.json", {}, 200);
  const routes = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.includes(method.toUpperCase())) continue;
      const params = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      const query = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      routes.push({ method: method.toUpperCase(), path, query, params: pathParams(path, params) });
    }
  }
  for (const r of EXTRA_ROUTES) routes.push({ ...r, params: pathParams(r.path, []) });
  return routes;
}
const pathParams = (path, _declared) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);

/** Real ids for path parameters, valid bodies to mutate, the keys of every role. */
async function setUp(url, log) {
  const seeded = await seedFilings(url);
  const numbers = seeded.map((s) => s.number).filter(Boolean);
  if (numbers.length === 0) throw new Error(`demo filings not approved: ${JSON.stringify(seeded)}`);
  const dev = await developerWithApps(url, 40, { key: KEYS.developer });
  const filings = (await must(url, "/v1/filings", { key: KEYS.developer }, 200)).items.map((f) => f.id);
  const mediaIds = Object.values(dev.media);
  const provider = await newAccount(url, "provider", "模糊测试服务商");
  const accounts = (await must(url, "/v1/admin/accounts", { key: ADMIN_BOOTSTRAP_KEY }, 200)).items.map((a) => a.id);
  const keys = (await must(url, `/v1/admin/accounts/${provider.id}/keys`, { key: ADMIN_BOOTSTRAP_KEY }, 200)).items.map(
    (k) => k.id,
  );
  const policies = (await must(url, "/v1/admin/policies", { key: ADMIN_BOOTSTRAP_KEY }, 200)).items.map((p) => p.id);
  const appIds = [...dev.appIds, "wxdemo0000000001", "wxdemo0000000002", "wxdemo0000000003"];
  const any = [...filings, ...accounts, ...policies, ...appIds.slice(0, 3), "dlv_01M83WTGHVYB8SSXN6G9CECFQ2"];
  let appTurn = 0;
  const nextApp = () => dev.appIds[appTurn++ % dev.appIds.length];
  const reasons = { reasons: [{ field: "service.name", error: "名称不符合规范", suggest: "请修改" }] };
  // A face verification to read, press on the simulator and name in the identity callback.
  const person = { name: "模糊", certificate: { type: "resident_id", number: residentId() } };
  const verification = await must(url, "/v1/verifications", {
    key: KEYS.developer,
    body: { appId: dev.appIds[0], person },
  });
  const templates = {
    "POST /v1/filings": () => filingBody(nextApp(), dev.media),
    "POST /v1/filings/validate": () => filingBody(nextApp(), dev.media),
    // Patches (docs/rules.md#read-back): on the demo's approved registration, and on an ended or open filing.
    "POST /v1/filings/{id}/resubmit": () => ({ patch: { service: { name: "模糊测试重新提交", languages: null } } }),
    "POST /v1/apps": () => ({ appId: `wxf${Math.random().toString(16).slice(2, 14)}`, name: "模糊测试小程序" }),
    "POST /v1/apps/{appId}/grants": () => ({ accountId: provider.id }),
    "POST /v1/public/registrations/lookup": () => ({
      numbers: ["粤ICP备2024012345号-1X", "粤ICP备2024012345号-1x", "京ICP证030173号-1X", "粤B2-20090059-1626X"],
    }),
    "POST /v1/verifications": () => ({ appId: nextApp(), person }),
    "POST /v1/identity/callback": () => ({
      type: "verification.result",
      data: { verificationId: verification.id, result: "passed", completedAt: "2026-01-01T00:00:00+08:00" },
    }),
    "POST /v1/admin/accounts": () => ({ name: "模糊测试账号", role: "developer" }),
    "POST /v1/admin/policies": () => ({
      name: "模糊测试政策",
      listedBefore: "2026-01-01T00:00:00+08:00",
      deadline: "2027-01-01T00:00:00+08:00",
      reminderDays: [30, 7, 1],
      action: "delist",
    }),
    "PATCH /v1/admin/policies/{id}": () => ({ name: "模糊测试政策（改）", active: true }),
    "POST /v1/admin/apps/import": () => ({
      apps: [
        {
          appId: `wxi${Math.random().toString(16).slice(2, 14)}`,
          name: "导入小程序",
          ownerAccountId: "acc_demo_developer",
          listingStatus: "listed",
          listedAt: "2023-05-01T10:00:00+08:00",
        },
      ],
    }),
    "POST /v1/admin/registrations/import": () => ({
      registrations: [
        {
          number: `粤ICP备${2023000000 + Math.floor(Math.random() * 900000)}号-1X`,
          organizer: { nature: "enterprise", name: "模糊测试导入有限公司" },
          service: { name: "模糊测试导入" },
          approvedAt: "2023-05-01T10:00:00+08:00",
        },
      ],
    }),
    "PUT /v1/webhook": () => ({ url: "http://127.0.0.1:9/hook" }),
    "POST /v1/review/filings/{id}/reject": () => reasons,
    "POST /v1/regulator/filings/{id}/reject": () => reasons,
    "POST /v1/regulator/filings/{id}/sms-verifications": () => ({
      role: ["organizer_principal", "service_principal", "legal_representative"][Math.floor(Math.random() * 3)],
      result: ["verified", "wrong_code", "resent"][Math.floor(Math.random() * 3)],
    }),
    "POST /v1/regulator/registrations/{number}/revoke": () => reasons,
    "POST /v1/regulator/filings/{id}/approve": () => ({ registrationNumber: "粤ICP备2026000001号-9X" }),
    "POST /v1/regulator/registrations/sync": () => ({
      changes: [{ number: numbers[0], status: "active", at: "2026-01-01T00:00:00+08:00" }],
    }),
  };
  // Console sessions of every role; sign-out cases spend spare ones (a spent one still exercises the refusal).
  const sessions = [];
  for (const key of new Set(Object.values(KEYS))) sessions.push(await signInToConsole(url, key));
  const spareSessions = [];
  for (let i = 0; i < 4; i++) spareSessions.push(await signInToConsole(url, KEYS.developer));
  log(`fixtures: ${appIds.length} apps, ${filings.length} filings, ${numbers.length} registrations`);
  return {
    sessions,
    spareSessions,
    keys: [...new Set(Object.values(KEYS)), ADMIN_BOOTSTRAP_KEY, provider.key],
    params: {
      appId: appIds,
      id: [...filings, ...accounts, ...policies, verification.id],
      token: [new URL(verification.url).pathname.slice("/verify/".length)],
      mediaId: mediaIds,
      number: numbers,
      file: numbers.map((n) => `${n}.svg`),
      accountId: [provider.id, ...accounts],
      keyId: keys,
      any,
    },
    templates,
  };
}

export async function check({ quick, log }) {
  const target = quick ? QUICK_REQUESTS : 100_000;
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const state = await prepareState();
  log(`state ${state}, seed ${seed}, ${target.toLocaleString("en-US")} requests`);
  const service = await startService({ state, port: PORT });
  try {
    const ctx = await setUp(service.url, log);
    ctx.routes = await routesOf(service.url);
    const arbs = requestArbitraries(ctx);
    const failures = [];
    const byStatus = new Map();
    const routesHit = new Set();
    let sent = 0;
    let errors5xx = 0;
    let badProblems = 0;
    let leaks = 0;
    let noAnswer = 0;
    const started = Date.now();
    // What earlier runs found, sent first on every run so a regression shows even in quick mode.
    for (const path of FOUND_BEFORE) {
      const req = { method: "GET", path, headers: { "cf-connecting-ip": "10.255.0.1" } };
      const res = await call(service.url, path, { headers: req.headers });
      sent++;
      byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
      const problem = problemWith(req, res);
      if (!problem) continue;
      if (res.status >= 500) errors5xx++;
      else badProblems++;
      failures.push(`${problem} — found before: ${describeRequest(req)} → ${(res.text ?? "").slice(0, 200)}`);
    }
    /** Sends generated cases, `where(index)` naming each for a failure's report. */
    const send = (cases, where) =>
      pool(
        CONCURRENCY,
        cases.map((c, index) => async () => {
          const req = toRequest(c);
          const res = await call(service.url, req.path, {
            method: req.method,
            raw: req.body,
            headers: req.headers,
            timeoutMs: 60_000,
          });
          routesHit.add(`${c.route.method} ${c.route.path}`);
          byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
          const problem = problemWith(req, res);
          if (!problem) return;
          if (res.status === 0) noAnswer++;
          else if (res.status >= 500) errors5xx++;
          else if (problem.startsWith("body leaks")) leaks++;
          else badProblems++;
          const failure = `${problem} — seed ${seed} ${where(index)}: ${describeRequest(req)} → ${(res.text ?? "").slice(0, 300)}`;
          if (failures.length < 10) {
            failures.push(failure);
            log(failure);
          }
        }),
      );
    // Every route once, whatever the size of the run; then routes drawn at random.
    const eachRoute = sampleEachRoute(arbs, ctx.routes, seed);
    await send(eachRoute, (i) => `route pass #${i}`);
    sent += eachRoute.length;
    log(`each of ${ctx.routes.length} routes once`);
    for (let batch = 0; sent < target; batch++) {
      const cases = sample(arbs.any, seed, batch, Math.min(BATCH, target - sent));
      await send(cases, (i) => `batch ${batch} #${i}`);
      sent += cases.length;
      if (batch % 10 === 9 || sent >= target) {
        const rate = sent / ((Date.now() - started) / 1000);
        log(`${sent.toLocaleString("en-US")} sent, ${rate.toFixed(0)}/s, ${errors5xx} ≥ 500, ${badProblems} bad 4xx`);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const statuses = [...byStatus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}: ${n}`)
      .join(", ");
    return {
      name: "fuzz",
      ok: errors5xx === 0 && badProblems === 0 && leaks === 0 && noAnswer === 0,
      figures: {
        "requests sent": expectMin(sent, target),
        "routes exercised": expectEq(routesHit.size, ctx.routes.length),
        "requests per second": Math.round(sent / seconds),
        "responses ≥ 500": expectEq(errors5xx, 0),
        "4xx not problem+json or without code": expectEq(badProblems, 0),
        "bodies with a stack trace or SQL": expectEq(leaks, 0),
        "requests without an answer": expectEq(noAnswer, 0),
        seed,
      },
      notes: [`statuses: ${statuses}`, ...failures],
    };
  } finally {
    await service.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
