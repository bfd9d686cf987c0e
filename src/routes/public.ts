import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { cors } from "hono/cors";
import { replicaDb } from "../db/client";
import {
  mainLicencesOfDigits,
  numbersFoundBy,
  parseMainLicence,
  parseRegistrationNumber,
} from "../domain/registration-number";
import { PUBLIC_CHANGES, REGISTRATION_STATUSES } from "../domain/registration-state";
import { CSV_COLUMNS } from "../domain/registry-csv";
import { sha256Hex } from "../lib/crypto";
import { ApiError, problemBody } from "../lib/errors";
import { BROWSER_MAX_AGE_S, type CachedLookup, cachedLookup, heldLookup, holdLookup } from "../lib/lookup-cache";
import { limitedRead } from "../lib/rate-limit";
import { createRouter, declarePublicRoutes, jsonBody, ok } from "../lib/router";
import { jsonBodyGuard, requireJsonBody } from "../lib/validation";
import {
  changesAfter,
  findPublicRecord,
  findPublicRecords,
  type PublicRecord,
  type SearchQuery,
  searchPublicRecords,
} from "../repositories/public-records";
import { finishedExport, latestExport } from "../repositories/registry-exports";
import type { AppEnv } from "../types";

/**
 * The public lookup (docs/rules.md#public-lookup): anyone, no key, read-only, CORS from any origin, rate limited per client,
 * cacheable (`max-age` and `ETag`), and nothing personal in any answer.
 */
export const publicRoutes = createRouter();
const route = declarePublicRoutes("public");

publicRoutes.use(
  "*",
  cors({ origin: "*", allowMethods: ["GET", "HEAD", "POST", "OPTIONS"], exposeHeaders: ["ETag", "Retry-After"] }),
);

export const PublicRecordSchema = z
  .object({
    serviceLicence: z.string().openapi({
      example: "粤ICP备2024012345号-1X",
      description: "The registration number: under a filing number, an ICP licence (ICP证) or a B1/B2 licence",
    }),
    mainLicence: z.string().openapi({
      example: "粤ICP备2024012345号",
      description: "The main licence it is numbered under: the organizer's filing number or operating licence",
    }),
    unitName: z.string().openapi({ description: "Organizer name; first character then * for individuals" }),
    natureName: z.string().openapi({ example: "企业" }),
    serviceName: z.string(),
    serviceType: z.number().int().openapi({ description: "7 = mini program, 6 = app" }),
    contentTypeName: z.string().openapi({ description: "Pre-approval kinds, comma-joined, or empty" }),
    updateRecordTime: z.string().openapi({ example: "2024-03-01 10:00:00", description: "Beijing time" }),
    limitAccess: z.enum(["是", "否"]).openapi({ description: "是 exactly when the status is not active" }),
    status: z.enum(REGISTRATION_STATUSES),
    redacted: z.array(z.string()).openapi({ description: "Fields withheld by policy, as RDAP does" }),
  })
  .openapi("PublicRecord");

const CACHE_CONTROL = `public, max-age=${BROWSER_MAX_AGE_S}`;

async function etagOf(body: string): Promise<string> {
  return `"${(await sha256Hex(body)).slice(0, 32)}"`;
}

/** 304 when the client already holds this version; else the body with its validators. */
function conditional(c: Context<AppEnv>, answer: CachedLookup, contentType: string): Response {
  const headers = { etag: answer.etag, "cache-control": CACHE_CONTROL };
  const match = c.req.header("if-none-match");
  if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === answer.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(answer.body, { status: answer.status, headers: { ...headers, "content-type": contentType } });
}

/** What a lookup holds in memory for a number: the record's JSON, or the 404 problem. */
async function lookupAnswer(record: PublicRecord | undefined): Promise<CachedLookup> {
  const body = record
    ? JSON.stringify(record)
    : JSON.stringify(problemBody(new ApiError("NOT_FOUND", "No registration has this number"), "en"));
  return { status: record ? 200 : 404, body, etag: await etagOf(body) };
}

/** The key a lookup is held under: the canonical number, or the trimmed input when it is no number. */
function lookupKey(input: string): { key: string; number: string | undefined } {
  const parsed = parseRegistrationNumber(input);
  return { key: parsed?.normalized ?? input.trim(), number: parsed?.normalized };
}

/** A registration's public record by number, from memory or one primary-key read (rate limited unless in memory). */
export async function lookupNumber(c: Context<AppEnv>, input: string): Promise<CachedLookup> {
  const { key, number } = lookupKey(input);
  return cachedLookup(key, async () => {
    const record = await limitedRead(c, async () =>
      number ? findPublicRecord(replicaDb(c.env.DB), number) : undefined,
    );
    return lookupAnswer(record);
  });
}

/**
 * Several numbers at once, in the order asked (docs/rules.md#public-lookup): each read as the single lookup reads it,
 * answers held in memory served from there, the rest in one read that costs the client one of its allowance per
 * number (each distinct number once), and then held like a single lookup's.
 */
export async function lookupNumbers(c: Context<AppEnv>, inputs: readonly string[]): Promise<(PublicRecord | null)[]> {
  const keyed = inputs.map(lookupKey);
  const answers = new Map<string, CachedLookup>();
  const missing = new Map<string, string | undefined>();
  for (const { key, number } of keyed) {
    const held = answers.has(key) ? undefined : heldLookup(key);
    if (held) answers.set(key, held);
    else if (!answers.has(key)) missing.set(key, number);
  }
  if (missing.size > 0) {
    const since = Date.now();
    const numbers = [...new Set([...missing.values()].filter((n): n is string => n !== undefined))];
    const found = await limitedRead(c, () => findPublicRecords(replicaDb(c.env.DB), numbers), missing.size);
    const byNumber = new Map(found.map((r) => [r.serviceLicence, r]));
    for (const [key, number] of missing) {
      const answer = await lookupAnswer(number === undefined ? undefined : byNumber.get(number));
      holdLookup(key, answer, since);
      answers.set(key, answer);
    }
  }
  return keyed.map(({ key }) => {
    const answer = answers.get(key);
    return answer?.status === 200 ? (JSON.parse(answer.body) as PublicRecord) : null;
  });
}

/** How many numbers one batch lookup may ask for. */
export const MAX_BATCH_NUMBERS = 50;

publicRoutes.openapi(
  route.post("/registrations/lookup", {
    summary: "Look up up to 50 registration numbers at once",
    operationId: "lookupRegistrations",
    description:
      "Anyone may check up to 50 numbers in one request: each is read as `GET /v1/public/registrations/{number}` " +
      "reads it (any family, any accepted spelling), and the answer lists `{query, record}` in the order asked, " +
      "`record` null for a number not found or a string that is no service number. Each number not held in memory " +
      "counts against the client's rate limit as one lookup.",
    middleware: [jsonBodyGuard({ maxBytes: 64 * 1024 }), requireJsonBody()],
    request: {
      body: jsonBody(
        z.object({
          numbers: z
            .array(z.string().min(1).max(200).openapi({ example: "粤ICP备2024012345号-1X" }))
            .min(1)
            .max(MAX_BATCH_NUMBERS),
        }),
      ),
    },
    ok: ok(
      200,
      "One item per number asked, in the same order",
      z
        .object({
          items: z.array(
            z.object({
              query: z.string().openapi({ description: "The number as it was sent" }),
              record: z.union([PublicRecordSchema, z.null()]).openapi({ description: "Null when not found" }),
            }),
          ),
        })
        .openapi("LookupResults"),
    ),
    errors: [400, 413, 415, 429],
  }),
  async (c) => {
    const { numbers } = c.req.valid("json");
    const records = await lookupNumbers(c, numbers);
    return c.json({ items: numbers.map((query, i) => ({ query, record: records[i] ?? null })) }, 200);
  },
);

publicRoutes.openapi(
  route.get("/registrations/{number}", {
    summary: "Look up a registration number (full-width and variant forms accepted)",
    operationId: "lookupRegistration",
    description:
      "Anyone may check a registration number (备案号) of any form — under a filing number (ICP备), an ICP licence (ICP证) or a B1/B2 licence: its organizer, service and status. Full-width characters and variant forms are accepted; an ETag makes repeated checks cheap.",
    request: { params: z.object({ number: z.string().max(200).openapi({ example: "粤ICP备2024012345号-1X" }) }) },
    ok: { ...ok(200, "The public record", PublicRecordSchema), ...ok(304, "Not modified (If-None-Match)") },
    errors: [404, 429],
  }),
  async (c) => {
    const answer = await lookupNumber(c, c.req.valid("param").number);
    return conditional(
      c,
      answer,
      answer.status === 200 ? "application/json; charset=utf-8" : "application/problem+json; charset=utf-8",
    ) as never;
  },
);

const SearchQuerySchema = z.object({
  q: z.string().trim().min(1).max(50).openapi({
    example: "示例",
    description:
      "A registration number (with or without its suffix), a main licence (主体备案号 or operating licence), the bare digits of one, or a name; trimmed first",
    pattern: "\\S",
  }),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
});

/**
 * How the search reads `q`, shared by the JSON search and the search page (docs/rules.md#public-lookup): a service
 * number (typed without its suffix, it finds the suffixed ones too), a main licence, the bare digits of a main
 * licence, or else a name.
 */
export function searchQuery(q: string): SearchQuery {
  const service = parseRegistrationNumber(q);
  if (service) return { kind: "number", numbers: numbersFoundBy(service) };
  const main = parseMainLicence(q);
  if (main) return { kind: "organizer", mainLicences: [main.mainLicence] };
  const licences = mainLicencesOfDigits(q);
  if (licences) return { kind: "organizer", mainLicences: licences };
  return { kind: "name", text: q };
}

publicRoutes.openapi(
  route.get("/search", {
    summary: "Search registrations by number, organizer number, service name or organization name",
    operationId: "searchRegistrations",
    description:
      "Anyone may search registrations: `q` is read as a service number (one typed without its suffix finds the " +
      "suffixed ones too), a main licence (主体备案号, ICP证 or B1/B2 licence), the bare digits of a main licence, or " +
      "else a service or organizer name. Exact number matches come first; an ETag makes repeated searches cheap.",
    request: { query: SearchQuerySchema },
    ok: {
      ...ok(
        200,
        "A page of records, exact number matches first",
        z.object({
          items: z.array(PublicRecordSchema),
          total: z.number(),
          page: z.number(),
          pageSize: z.number(),
        }),
      ),
      ...ok(304, "Not modified (If-None-Match)"),
    },
    errors: [422, 429],
  }),
  async (c) => {
    const { q, page, pageSize } = c.req.valid("query");
    const result = await limitedRead(c, () =>
      searchPublicRecords(replicaDb(c.env.DB), searchQuery(q), { offset: (page - 1) * pageSize, limit: pageSize }),
    );
    const body = JSON.stringify({ ...result, page, pageSize });
    return conditional(c, { status: 200, body, etag: await etagOf(body) }, "application/json; charset=utf-8") as never;
  },
);

/** How many changes one page of the change feed may hold. */
export const MAX_CHANGES_PAGE = 500;

/** A full page of the feed never changes (docs/rules.md#public-lookup): caches may keep it for good. */
const FULL_PAGE_CACHE_CONTROL = "public, max-age=31536000, immutable";

publicRoutes.openapi(
  route.get("/changes", {
    summary: "Follow every change to the public records, in commit order (for mirrors)",
    operationId: "listPublicChanges",
    description:
      "Every change to a public record, oldest first: `issued`, `updated`, `cancelled`, `revoked`, `access_removed` " +
      "or `reinstated`, each with the public record as it was after the change (individuals masked, as in every " +
      "public answer). Start without `after`, then pass back `nextCursor`: pages come in commit order and never skip " +
      "a change, so applying them in order keeps a mirror exact. A full page never changes and may be cached for good; " +
      "a shorter one (the end of the feed) is cacheable for 30 s.",
    request: {
      query: z.object({
        after: z
          .string()
          .regex(/^\d{1,15}$/)
          .optional()
          .openapi({
            example: "1042",
            description: "The `nextCursor` of the page before; the feed's start without it",
          }),
        limit: z.coerce.number().int().min(1).max(MAX_CHANGES_PAGE).default(100),
      }),
    },
    ok: ok(
      200,
      "Changes after the cursor, oldest first",
      z
        .object({
          items: z.array(
            z
              .object({
                seq: z.number().int().openapi({ description: "The change's place in commit order" }),
                change: z.enum(PUBLIC_CHANGES),
                at: z
                  .string()
                  .openapi({ example: "2026-03-01T02:00:00.000Z", description: "When it was committed (UTC)" }),
                record: PublicRecordSchema,
              })
              .openapi("PublicChange"),
          ),
          nextCursor: z
            .string()
            .nullable()
            .openapi({ description: "The last change's `seq`, or the `after` given when nothing is new" }),
        })
        .openapi("PublicChangePage"),
    ),
    errors: [429],
  }),
  async (c) => {
    const { after, limit } = c.req.valid("query");
    const items = await limitedRead(c, () => changesAfter(replicaDb(c.env.DB), after ? Number(after) : 0, limit));
    const last = items.at(-1);
    c.header("cache-control", items.length === limit ? FULL_PAGE_CACHE_CONTROL : CACHE_CONTROL);
    return c.json({ items, nextCursor: last ? String(last.seq) : (after ?? null) }, 200);
  },
);

const ExportInfoSchema = z
  .object({
    date: z.string().openapi({ example: "2026-03-01", description: "The Beijing date it was written" }),
    url: z.string().openapi({ example: "/v1/public/export/2026-03-01.csv.gz" }),
    bytes: z.number().int().openapi({ description: "Size of the gzip file" }),
    rows: z.number().int().openapi({ description: "Records in it (lines after the header)" }),
    sha256: z.string().openapi({ description: "SHA-256 of the gzip file, hex" }),
    columns: z.array(z.string()),
  })
  .openapi("RegistryExport");

publicRoutes.openapi(
  route.get("/export", {
    summary: "The latest nightly export of the whole public registry",
    operationId: "getRegistryExport",
    description:
      "Once a day the whole public registry is written as gzip-compressed CSV (UTF-8 with a BOM, a header line, one " +
      "line per public record in number order, the record's fields as the lookup names them). This answers the " +
      "newest file's date, address, size, row count and SHA-256; 404 before the first one is written.",
    ok: ok(200, "The newest export", ExportInfoSchema),
    errors: [404, 429],
  }),
  async (c) => {
    const latest = await limitedRead(c, () => latestExport(replicaDb(c.env.DB)));
    if (!latest?.sha256) throw new ApiError("NOT_FOUND", "No export has been written yet");
    c.header("cache-control", CACHE_CONTROL);
    return c.json(
      {
        date: latest.date,
        url: `/v1/public/export/${latest.date}.csv.gz`,
        bytes: latest.bytes,
        rows: latest.rows,
        sha256: latest.sha256,
        columns: [...CSV_COLUMNS],
      },
      200,
    );
  },
);

const gzipBody = { schema: { type: "string" as const, format: "binary" } };

publicRoutes.openapi(
  route.get("/export/{file}", {
    summary: "Download one day's export (gzip-compressed CSV)",
    operationId: "downloadRegistryExport",
    description:
      "The export of a date as `GET /v1/public/export` lists it, streamed: `ETag` is its SHA-256, and a file never " +
      "changes once written, so it may be cached for good. Kept for 7 days.",
    request: {
      params: z.object({
        file: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}\.csv\.gz$/)
          .openapi({ example: "2026-03-01.csv.gz" }),
      }),
    },
    ok: {
      200: { description: "The file", content: { "application/gzip": gzipBody } },
      ...ok(304, "Not modified (If-None-Match)"),
    },
    errors: [404, 429],
  }),
  async (c) => {
    const date = c.req.valid("param").file.slice(0, 10);
    const bucket = c.env.EXPORTS;
    const state = await limitedRead(c, () => finishedExport(replicaDb(c.env.DB), date));
    if (!bucket || !state?.sha256) throw new ApiError("NOT_FOUND", "No export of that date");
    const headers = {
      etag: `"${state.sha256}"`,
      "cache-control": "public, max-age=31536000, immutable",
    };
    const match = c.req.header("if-none-match");
    if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === headers.etag)) {
      return new Response(null, { status: 304, headers }) as never;
    }
    const { readable, writable } = new FixedLengthStream(state.bytes);
    const pump = (async () => {
      for (const part of state.parts) {
        const object = await bucket.get(part.key);
        if (!object) throw new Error(`export part ${part.key} is missing`);
        await object.body.pipeTo(writable, { preventClose: true });
      }
      await writable.close();
    })().catch((e: unknown) => writable.abort(e));
    c.executionCtx.waitUntil(pump);
    return new Response(readable, {
      status: 200,
      headers: {
        ...headers,
        "content-type": "application/gzip",
        "content-disposition": `attachment; filename="beian-registry-${date}.csv.gz"`,
      },
    }) as never;
  },
);
