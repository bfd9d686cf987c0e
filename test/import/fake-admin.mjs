// A stand-in for the service's registrations import (`POST /v1/admin/registrations/import`) on 127.0.0.1, for
// testing `npm run import` apart from the real route: the same contract (≤ 1,000 rows a call, all or nothing,
// every problem a 422 entry at `registrations[i].…`, idempotent by number, `{imported, updated, unchanged}`), a
// 256 KiB limit on a body (smaller than the service's 1 MiB on admin routes), a few of the real rules
// (docs/rules.md#identifiers, #numbers), and faults on demand: 429 with Retry-After and 503.
import { createServer } from "node:http";
import { checkCertificate } from "../../src/domain/identifiers.ts";

const NUMBER = /^[\u4e00-\u9fff]ICP备(?:\d{10}|\d{8})号-[1-9]\d{0,3}X$/;
const NATURES = ["enterprise", "individual", "government", "institution", "social_organization"];
const STATUSES = ["active", "cancelled", "revoked", "access_removed"];

function problemsOf(r, i) {
  const at = (path, code, message) => ({ path: `registrations[${i}]${path ? `.${path}` : ""}`, code, message });
  const out = [];
  if (r === null || typeof r !== "object") return [at("", "INVALID_TYPE", "an object")];
  if (typeof r.number !== "string") out.push(at("number", "REQUIRED", "Required"));
  else if (!NUMBER.test(r.number)) out.push(at("number", "INVALID_FORMAT", "Not a registration number"));
  const o = r.organizer ?? {};
  if (!NATURES.includes(o.nature)) out.push(at("organizer.nature", "INVALID_VALUE", "Unknown nature"));
  if (typeof o.name !== "string" || o.name.trim() === "") out.push(at("organizer.name", "REQUIRED", "Required"));
  if (o.certificate) {
    const check = checkCertificate(o.certificate.type, String(o.certificate.number ?? ""));
    if (!check.ok) out.push(at("organizer.certificate.number", check.code, "Not a valid certificate number"));
  }
  if (typeof r.service?.name !== "string" || r.service.name === "") {
    out.push(at("service.name", "REQUIRED", "Required"));
  }
  const t = Date.parse(r.approvedAt);
  if (!Number.isFinite(t) || new Date(t).toISOString() !== r.approvedAt) {
    out.push(at("approvedAt", "INVALID_DATE", "Not a date and time"));
  }
  if (r.status !== undefined && !STATUSES.includes(r.status)) out.push(at("status", "INVALID_VALUE", "Unknown"));
  return out;
}

/**
 * Starts the fake on a free port. `fault(n)` may answer the n-th call (from 1) with `{ status, retryAfter }`
 * instead; `afterStore(store)` runs once a call's rows are stored, before the answer goes out (a test kills the
 * client there: the rows are in, the client never learns it). Resolves with `{ url, key, store, calls, rowsReceived, close }`: `store` maps number → row.
 */
export async function startFakeAdmin({ key = "bk_fake_admin", fault = () => undefined, afterStore } = {}) {
  const store = new Map();
  const state = { calls: 0, rowsReceived: 0 };
  const server = createServer(async (req, res) => {
    const answer = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    const text = bytes.toString("utf8");
    if (req.method !== "POST" || req.url !== "/v1/admin/registrations/import") {
      return answer(404, { code: "NOT_FOUND", status: 404 });
    }
    if (req.headers.authorization !== `Bearer ${key}`) return answer(401, { code: "UNAUTHORIZED", status: 401 });
    state.calls++;
    // The service's limit on a JSON body outside its admin routes (docs/decisions.md, "Requests and errors"): kept
    // here, under the admin routes' 1 MiB, so that the importer's halving after a 413 is exercised.
    if (bytes.length > 256 * 1024) return answer(413, { code: "PAYLOAD_TOO_LARGE", status: 413 });
    const f = fault(state.calls);
    if (f) {
      const headers = f.retryAfter !== undefined ? { "retry-after": String(f.retryAfter) } : {};
      return answer(f.status, { code: f.status === 429 ? "RATE_LIMITED" : "UNAVAILABLE", status: f.status }, headers);
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return answer(400, { code: "INVALID_JSON", status: 400 });
    }
    const rows = body?.registrations;
    if (!Array.isArray(rows) || rows.length < 1 || rows.length > 1000) {
      return answer(422, {
        code: "VALIDATION_FAILED",
        errors: [{ path: "registrations", code: "TOO_MANY", message: "1 to 1000 rows" }],
      });
    }
    state.rowsReceived += rows.length;
    const errors = rows.flatMap(problemsOf);
    const seen = new Set();
    rows.forEach((r, i) => {
      if (seen.has(r?.number)) errors.push({ path: `registrations[${i}].number`, code: "DUPLICATE", message: "Twice" });
      seen.add(r?.number);
    });
    if (errors.length > 0) return answer(422, { code: "VALIDATION_FAILED", status: 422, errors });
    const counts = { imported: 0, updated: 0, unchanged: 0 };
    for (const r of rows) {
      const before = store.get(r.number);
      const json = JSON.stringify(r);
      if (before === undefined) counts.imported++;
      else if (before === json) counts.unchanged++;
      else counts.updated++;
      store.set(r.number, json);
    }
    afterStore?.(store);
    return answer(200, counts);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    store,
    get calls() {
      return state.calls;
    },
    get rowsReceived() {
      return state.rowsReceived;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
