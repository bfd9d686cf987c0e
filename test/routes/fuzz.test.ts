/**
 * Property tests through the Worker's real entry: whatever arrives, beian answers with a deliberate status —
 * never a 5xx — and every 4xx is a problem+json with a stable code.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, newAccount, newApp, validFiling, withAttachments } from "../support/api";

/** Conflicts with stored state: the dry run lists them at `appId`, submit answers them as a 409. */
const CONFLICTS = ["FILING_IN_PROGRESS", "REGISTRATION_EXISTS", "REGISTRATION_REQUIRED"];

const RUNS = 300;
const TIMEOUT = 60_000;

let dev: { id: string; key: string };
/** The app the mutated filings are aimed at; replaced whenever a submission is accepted (one filing in flight per app). */
let currentApp: string;
const ownApps = new Set<string>();

beforeAll(async () => {
  dev = await newAccount("developer");
  currentApp = await newApp(dev.key);
  ownApps.add(currentApp);
});

type Answer = { status: number; contentType: string; body: unknown; text: string };

async function send(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await call(path, {
    method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
    key: dev.key,
    rawBody: init.body,
    headers: { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body, text };
}

/** Escapes lone surrogates, so a failure message survives the trip to the test runner (which needs UTF-8). */
function safe(text: string): string {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
}

/** The invariants every answer keeps. */
function expectWellFormed(a: Answer, rawContext: string) {
  const context = safe(rawContext);
  expect(a.status, `${context} → ${a.status} ${a.text.slice(0, 500)}`).toBeLessThan(500);
  if (a.status >= 400) {
    expect(a.contentType, context).toMatch(/^application\/problem\+json/);
    const body = a.body as { code?: unknown; status?: unknown; title?: unknown };
    expect(body?.code, context).toMatch(/^[A-Z_]+$/);
    expect(body.status, context).toBe(a.status);
    expect(typeof body.title, context).toBe("string");
  }
}

function expectValidationResult(a: Answer, rawContext: string) {
  const context = safe(rawContext);
  expect(a.status, `${context} → ${a.text.slice(0, 500)}`).toBe(200);
  const body = a.body as { valid: unknown; errors: unknown };
  expect(Object.keys(body).sort()).toEqual(["errors", "valid"]);
  expect(typeof body.valid).toBe("boolean");
  expect(Array.isArray(body.errors)).toBe(true);
  const errors = body.errors as { path: unknown; code: unknown; message: unknown }[];
  expect(body.valid).toBe(errors.length === 0);
  for (const e of errors) {
    expect(typeof e.path).toBe("string");
    expect(e.code).toMatch(/^[A-Z_]+$/);
    expect(typeof e.message).toBe("string");
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Validate answers 200 for any JSON object — except 404 for a string `appId` that is not one of the caller's apps. */
function expectValidateAnswer(body: unknown, a: Answer, rawContext: string) {
  const context = safe(rawContext);
  expectWellFormed(a, context);
  if (!isPlainObject(body)) {
    // Not an object: one problem at path "" (200), or a transport error.
    if (a.status === 200) {
      expectValidationResult(a, context);
      expect((a.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain("");
    } else expect([400, 422], context).toContain(a.status);
    return;
  }
  if (typeof body.appId === "string" && !ownApps.has(body.appId.trim())) {
    expect(a.status, context).toBe(404);
    return;
  }
  expectValidationResult(a, context);
}

// ---- arbitraries -------------------------------------------------------------------------------------------

/** Single "characters" that tend to break things: lone surrogates, NUL, BOM, bidi, combining marks, astral… */
const edgeChar = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(
    "\u0000",
    "\u001f",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\u0301",
    "\u00a0",
    "\u3000",
    "𠮷",
    "👨‍👩‍👧",
    "Ａ",
    "ｘ",
    "é",
  ),
  fc.constantFrom('"', "\\", "/", "%", "_", "'", "\n", "\r", "\t", "<", ">", "&", "?", "#", "*"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
);
const edgeString = fc.string({ unit: edgeChar, maxLength: 40 });

const specialValue = fc.constantFrom<unknown>(
  "",
  " ",
  "long_term",
  "new",
  "cancel",
  "resident_id",
  "uscc",
  "2020-02-30",
  "0000-00-00",
  "9999-12-31",
  "+8613800138000",
  "11010519491231002X",
  "91350100M000100Y43",
  "__proto__",
  "constructor",
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
  { __proto__: null },
  { type: "resident_id" },
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: edgeChar }) },
  { weight: 2, arbitrary: specialValue },
  { weight: 2, arbitrary: edgeString },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
);

const huge = fc
  .record({
    char: fc.constantFrom("a", "名", "𠮷", "\ud800", "\\", '"', " "),
    size: fc.integer({ min: 1_000, max: 60_000 }),
  })
  .map(({ char, size }) => char.repeat(size));

/** Arrays or objects nested `depth` deep, as JSON text (built as text: JSON.stringify would recurse). */
const deepText = fc
  .record({ depth: fc.integer({ min: 100, max: 100_000 }), kind: fc.constantFrom("array", "object") })
  .map(({ depth, kind }) =>
    kind === "array" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

type Segment = string | number;

/** Every path into a value, containers included. */
function pathsOf(value: unknown, prefix: Segment[] = []): Segment[][] {
  const out: Segment[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...prefix, i]));
  } else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

const TEMPLATE_PATHS = pathsOf(validFiling("wx_template_0000"));

type Mutation =
  | { kind: "replace"; path: Segment[]; value: unknown }
  | { kind: "delete"; path: Segment[] }
  | { kind: "add"; path: Segment[]; key: string; value: unknown }
  | { kind: "huge"; path: Segment[]; value: string }
  | { kind: "deep"; path: Segment[]; text: string };

const pathArb = fc.constantFrom(...TEMPLATE_PATHS);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("replace" as const), path: pathArb, value: jsonish }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), path: pathArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("add" as const), path: pathArb, key: edgeString, value: jsonish }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("huge" as const), path: pathArb, value: huge }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deep" as const), path: pathArb, text: deepText }) },
);

const DEEP_MARKER = "\u0001deep\u0001";

/** Applies a mutation to a fresh valid filing and returns the JSON text to send. */
function mutate(filing: unknown, m: Mutation): string {
  const root = structuredClone(filing) as Record<string, unknown>;
  const parentPath = m.path.slice(0, -1);
  const last = m.path[m.path.length - 1] as Segment;
  let parent: unknown = root;
  for (const seg of parentPath) parent = (parent as Record<Segment, unknown>)[seg];
  const container = parent as Record<Segment, unknown>;
  switch (m.kind) {
    case "replace":
    case "huge":
      container[last] = m.value;
      break;
    case "delete":
      if (Array.isArray(container)) container.splice(last as number, 1);
      else delete container[last];
      break;
    case "add": {
      const target = container[last];
      if (isPlainObject(target)) target[m.key] = m.value;
      else if (Array.isArray(target)) target.push(m.value);
      else container[last] = { [m.key]: m.value };
      break;
    }
    case "deep":
      container[last] = DEEP_MARKER;
      return JSON.stringify(root).replace(JSON.stringify(DEEP_MARKER), m.text);
  }
  return JSON.stringify(root);
}

const describeMutation = (m: Mutation) =>
  `${m.kind} ${m.path.join(".")}${"value" in m ? ` = ${JSON.stringify(m.value)?.slice(0, 200)}` : ""}${"key" in m ? ` key ${JSON.stringify(m.key)}` : ""}${"text" in m ? ` (${m.text.length} chars deep)` : ""}`;

// ---- properties ---------------------------------------------------------------------------------------------

describe("fuzzing POST /v1/filings/validate and POST /v1/filings", () => {
  it(
    "random JSON values: validate answers 200 {valid, errors} for objects; neither endpoint ever 5xx",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4, stringUnit: edgeChar }) },
            { weight: 3, arbitrary: fc.dictionary(edgeString, jsonish, { maxKeys: 6 }) },
            { weight: 1, arbitrary: specialValue },
            {
              weight: 2,
              arbitrary: fc.record(
                {
                  type: jsonish,
                  appId: jsonish,
                  organizer: jsonish,
                  service: jsonish,
                  commitment: jsonish,
                  scope: jsonish,
                  reason: jsonish,
                },
                { requiredKeys: [] },
              ),
            },
          ),
          fc.constantFrom("validate", "submit"),
          async (value, endpoint) => {
            const text = JSON.stringify(value) ?? "null";
            if (endpoint === "validate") {
              const v = await send("/v1/filings/validate", { body: text });
              expectValidateAnswer(value, v, `validate ${text.slice(0, 300)}`);
            } else {
              const s = await send("/v1/filings", { body: text });
              expectWellFormed(s, `submit ${text.slice(0, 300)}`);
              expect(s.status).not.toBe(201);
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "a valid filing with one field mutated: never 5xx, and submit agrees with the dry run",
    async () => {
      await fc.assert(
        fc.asyncProperty(mutationArb, fc.boolean(), async (mutation, withIdempotencyKey) => {
          const context = safe(describeMutation(mutation));
          const text = mutate(
            (await withAttachments(dev.key, validFiling(currentApp))) as ReturnType<typeof validFiling>,
            mutation,
          );
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          const v = await send("/v1/filings/validate", { body: text });
          expectWellFormed(v, `validate ${context}`);
          if (new TextEncoder().encode(text).byteLength > 256 * 1024) {
            expect(v.status, context).toBe(413);
            return;
          }
          expectValidateAnswer(parsed, v, `validate ${context}`);

          const headers: Record<string, string> = withIdempotencyKey ? { "idempotency-key": crypto.randomUUID() } : {};
          const s = await send("/v1/filings", { body: text, headers });
          expectWellFormed(s, `submit ${context}`);
          if (v.status === 404) {
            expect(s.status, context).toBe(404);
            return;
          }
          const result = v.body as { valid: boolean; errors: { path: string; code: string }[] };
          if (result.valid) {
            expect(s.status, `submit ${context} → ${s.text.slice(0, 500)}`).toBe(201);
            expect((s.body as { status: string }).status).toBe("platform_review");
            currentApp = await newApp(dev.key);
            ownApps.add(currentApp);
          } else if (result.errors.some((e) => e.path === "appId" && CONFLICTS.includes(e.code))) {
            // The dry run lists a conflict with stored state among its problems; submit answers it alone, as a 409.
            expect(s.status, `submit ${context} → ${s.text.slice(0, 500)}`).toBe(409);
            const conflict = (s.body as { code: string }).code;
            expect(
              result.errors.map((e) => e.code),
              context,
            ).toContain(conflict);
          } else {
            expect(s.status, `submit ${context} → ${s.text.slice(0, 500)}`).toBe(422);
            const submitErrors = (s.body as { errors: { path: string; code: string }[] }).errors;
            const key = (e: { path: string; code: string }) => safe(`${e.path} ${e.code}`);
            expect(submitErrors.map(key).sort(), context).toEqual(result.errors.map(key).sort());
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "arbitrary text sent as JSON: 400 unless it parses, never 5xx",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ unit: edgeChar, maxLength: 200 }),
            fc.json({ maxDepth: 3 }).map((j) => j.slice(0, Math.max(0, j.length - 1))),
            fc.json({ maxDepth: 3 }).map((j) => `${j}${j}`),
            deepText,
            fc.constantFrom(
              '"\\ud800"',
              '{"appId":"\\udfff\\ud800"}',
              '{"a":1,"a":2}',
              "\ufeff{}",
              "{}\u0000",
              "[]",
              "0",
              '""',
            ),
          ),
          fc.constantFrom("/v1/filings/validate", "/v1/filings"),
          async (text, path) => {
            const a = await send(path, { body: text });
            expectWellFormed(a, `${path} ${JSON.stringify(text.slice(0, 200))}`);
            let parses = true;
            try {
              // A leading UTF-8 byte order mark is dropped when decoding (RFC 8259 §8.1 lets a parser ignore it).
              JSON.parse(text.replace(/^\ufeff/, ""));
            } catch {
              parses = false;
            }
            if (!parses && text.trim() !== "") expect(a.status).toBe(400);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("edge cases found by fuzzing, pinned", () => {
  it("a body nested 100,000 deep is a 422, with or without an Idempotency-Key (hashing it must not overflow the stack)", async () => {
    const filing = (await withAttachments(dev.key, validFiling(currentApp))) as ReturnType<typeof validFiling>;
    const text = JSON.stringify({ ...filing, type: DEEP_MARKER }).replace(
      JSON.stringify(DEEP_MARKER),
      `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
    );
    const variants: Record<string, string>[] = [{}, { "idempotency-key": crypto.randomUUID() }];
    for (const headers of variants) {
      const s = await send("/v1/filings", { body: text, headers });
      expectWellFormed(s, "deep submit");
      expect(s.status).toBe(422);
      expect((s.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain("type");
    }
    const v = await send("/v1/filings/validate", { body: text });
    expectValidationResult(v, "deep validate");
    expect((v.body as { valid: boolean }).valid).toBe(false);
  });

  it("lone surrogates escaped in JSON are read as text, not refused as malformed", async () => {
    const filing = (await withAttachments(dev.key, validFiling(currentApp))) as ReturnType<typeof validFiling>;
    const text = JSON.stringify({ ...filing, commitment: { ...filing.commitment, note: "\ud800" } });
    expect(text).toContain("\\ud800");
    const v = await send("/v1/filings/validate", { body: text });
    expectValidationResult(v, "surrogate validate");
    expect((v.body as { errors: { path: string; code: string }[] }).errors).toEqual([
      expect.objectContaining({ path: "commitment.note", code: "UNKNOWN_FIELD" }),
    ]);
  });
});

describe("fuzzing GET /v1/filings", () => {
  it(
    "random query strings: 200 or 422, never 5xx",
    async () => {
      const queryKey = fc.oneof(fc.constantFrom("appId", "status", "cursor", "limit", "appId[]", "limit "), edgeString);
      const queryValue = fc.oneof(
        edgeString,
        fc.constantFrom(
          "platform_review",
          "approved",
          "0",
          "1",
          "200",
          "201",
          "-1",
          "1e3",
          "NaN",
          "",
          "x".repeat(65),
          "fil_zzz",
        ),
        fc.integer().map(String),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc
              .array(fc.tuple(queryKey, queryValue), { maxLength: 5 })
              .map((pairs) => new URLSearchParams(pairs).toString()),
            // Raw, not form-encoded: stray percent signs, unencoded characters, repeated separators.
            fc.string({ unit: fc.constantFrom(..."%&=+;?#abc019 Z\u00e9\ud800"), maxLength: 40 }),
          ),
          async (query) => {
            const a = await send(`/v1/filings?${query}`);
            const context = safe(`GET /v1/filings?${query} → ${a.text.slice(0, 300)}`);
            expectWellFormed(a, context);
            expect([200, 422], context).toContain(a.status);
            if (a.status === 200) {
              const body = a.body as { items: unknown[]; nextCursor: unknown };
              expect(Array.isArray(body.items)).toBe(true);
              expect(body.nextCursor === null || typeof body.nextCursor === "string").toBe(true);
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
