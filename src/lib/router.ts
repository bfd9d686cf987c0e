import { createRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import { FIELD_CODES } from "../domain/problems";
import type { Role } from "../domain/roles";
import type { AppEnv } from "../types";
import { authenticate, requireRole } from "./auth";
import { ERROR_CODES } from "./error-codes";
import { jsonBodyGuard, validationHook } from "./validation";

/** Every resource's sub-app: validation failures of params, query and bodies become one 422. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/**
 * A sub-app for key holders (docs/rules.md#roles): the body's transport checks (413, 415, 400), then the API key
 * (401), then the role (403; any role when none is named). Public sub-apps use `createRouter` and check no key.
 * `maxBytes` raises the JSON body limit for a sub-app whose bodies are larger (docs/rules.md#limits).
 */
export function createKeyHolderRouter(roles: Role[] = [], opts: { multipart?: boolean; maxBytes?: number } = {}) {
  const router = createRouter();
  router.use("*", jsonBodyGuard(opts), authenticate());
  if (roles.length > 0) router.use("*", requireRole(...roles));
  return router;
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(ERROR_CODES).openapi({ example: "VALIDATION_FAILED" }),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string().openapi({ example: "organizer.certificate.number" }),
          code: z.enum(FIELD_CODES).openapi({ example: "INVALID_CHECK_CHARACTER" }),
          message: z.string(),
          suggest: z.string().optional(),
        }),
      )
      .optional(),
  })
  .openapi("Problem");

const problemContent = { "application/problem+json": { schema: ProblemSchema } };

/** A status a route may answer with a problem (RFC 9457). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** The API reference's sections: every route belongs to one, and the document declares them in this order. */
export const TAGS = {
  filings: "Submit filings (new, change, cancel), follow them and withdraw them",
  materials: "Upload the attachments a filing points at (certificate photos, letters, permits)",
  apps: "Mini programs: register, grant providers, list and unlist",
  events: "Poll the account's events (the same ones its webhook receives)",
  webhooks: "The account's webhook endpoint, its signing secret, test pings and deliveries",
  review: "Platform review (reviewer): approve into SMS verification or reject with reasons",
  regulator: "The bureau's side (regulator): SMS verification, approval with numbers, rejection, revocation",
  admin: "Accounts and keys, deadline policies, the catalogue import, enforcement runs, the audit chain",
  public: "Anyone, without a key: look up and search registration numbers",
  reference: "Anyone, without a key: the code lists filings use (natures, certificates, regions, …)",
  verifications: "Face verification (人脸核验) of a filing's principals, and the identity provider's signed callback",
} as const;

export type Tag = keyof typeof TAGS;

const errorDescriptions: Record<ErrorStatus, string> = {
  400: "Malformed request",
  401: "Missing or bad API key",
  403: "Role not allowed",
  404: "Not found, or not yours",
  409: "State conflict",
  413: "Body too large",
  415: "Body is not JSON (or missing where one is needed)",
  422: "Validation failed (path, query or body): every problem, with field paths",
  429: "Rate limited (see Retry-After): too many lookups, or for key holders too many failed sign-ins, from this client",
  503: "A service beian depends on is not configured",
};

type ProblemAnswer = { description: string; content: typeof problemContent };

/** Standard error responses for a route's OpenAPI entry, keyed by their statuses. */
function errorResponses<const S extends readonly ErrorStatus[]>(...statuses: S): { [K in S[number]]: ProblemAnswer } {
  const answers: Partial<Record<ErrorStatus, ProblemAnswer>> = {};
  for (const s of statuses) answers[s] = { description: errorDescriptions[s], content: problemContent };
  // Every status of S was set just above; the record cannot say so itself.
  return answers as { [K in S[number]]: ProblemAnswer };
}

/** A JSON body or answer of `schema`, for a route's `content`. */
export function jsonContent<T>(schema: T) {
  return { "application/json": { schema } };
}

export const LimitQuery = z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 });
export const CursorQuery = z.string().max(64).optional();
/** `?limit=&cursor=` of every paged list: `cursor` is the `nextCursor` of the page before. */
export const PageQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

/** A page of `item`s; `nextCursor` is null on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

type Page<T> = { items: T[]; nextCursor: string | null };

/**
 * A page from a list read with `limit + 1` rows (the extra row only says whether more exist): the first `limit` rows
 * as items (each through `view` when the rows are not yet what the answer shows), and the cursor of the last one when
 * there is more.
 */
export function pageOf<T>(rows: readonly T[], limit: number, cursorOf: (item: T) => string): Page<T>;
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => T,
  cursorOf: (item: T) => string,
): Page<T>;
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  ...how: [cursorOf: (item: R) => string] | [view: (row: R) => T, cursorOf: (item: T) => string]
): Page<R> | Page<T> {
  if (how.length === 1) return pageOf(rows, limit, (row) => row, how[0]);
  const [view, cursorOf] = how;
  const items = rows.slice(0, limit).map(view);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

const bearerSecurity = [{ bearer: [] as string[] }];

/** A success answer of a route: what it means and, unless it has no body (204, 304), what it holds. */
type Answer = Exclude<RouteConfig["responses"][string], { $ref: string }> & { description: string };

/**
 * `{ [status]: answer }` for a route's `ok`: a JSON answer of `schema`, or no body when there is none. Spread two
 * for a route with two successes: `ok: { ...ok(200, "Updated", S), ...ok(201, "Created", S) }`.
 */
export function ok<const S extends number, T extends z.ZodType>(
  status: S,
  description: string,
  schema: T,
): { [K in S]: { description: string; content: { "application/json": { schema: T } } } };
export function ok<const S extends number>(status: S, description: string): { [K in S]: { description: string } };
export function ok(status: number, description: string, schema?: z.ZodType) {
  return { [status]: schema ? { description, content: jsonContent(schema) } : { description } };
}

/** A required JSON body of `schema`, for a route's `request.body`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true as const, content: jsonContent(schema) };
}

/**
 * What a route promises, as the API reference shows it: a summary, what it takes (`request`), its success answers
 * (`ok`) and the problems it may answer with (`errors`). `middleware` runs before validation. Handlers are typed from
 * it: `c.req.valid(...)` by `request`, `c.json(body, status)` by `ok` and `errors`.
 */
type RouteSpec = {
  summary: string;
  description: string;
  /** Stable and verb-first (`submitFiling`, `listEvents`): generated clients name their methods after it. */
  operationId: string;
  middleware?: RouteConfig["middleware"];
  /**
   * The roles that may call this route (403 for the others), checked before `middleware` and validation; for a
   * sub-app whose routes differ in who may call them. A sub-app of one audience names it in createKeyHolderRouter.
   */
  roles?: Role[];
  request?: RouteConfig["request"];
  ok: Record<number, Answer>;
  errors?: ErrorStatus[];
};

type ErrorsOf<S extends RouteSpec> = S["errors"] extends ErrorStatus[] ? S["errors"][number] : never;

/** The responses of a declared route, keyed by status so that handlers answer only with these and their bodies. */
type ResponsesOf<S extends RouteSpec> = S["ok"] & { [K in ErrorsOf<S>]: ProblemAnswer };

type Access = { security: { bearer: string[] }[]; keyHolder: boolean };

/**
 * The problems every route of its kind may answer, whatever it declares: 422 when it validates a path parameter, a
 * query or a body; for key holders 401 (the key), 429 (too many failed sign-ins from the client, src/lib/auth.ts)
 * and, on methods that may carry a body, the body guard's 400, 413 and 415 (createKeyHolderRouter checks any body
 * sent, before the key).
 */
function impliedErrors(method: RouteConfig["method"], request: RouteConfig["request"], access: Access): ErrorStatus[] {
  const implied: ErrorStatus[] = [];
  if (request?.params || request?.query || request?.body) implied.push(422);
  if (access.keyHolder) {
    implied.push(401, 429);
    if (method !== "get" && method !== "head" && method !== "options") implied.push(400, 413, 415);
  }
  return implied;
}

function declareMethod<M extends RouteConfig["method"]>(method: M, tag: Tag, access: Access) {
  return <const P extends string, const S extends RouteSpec>(path: P, spec: S) => {
    const { ok: answers, errors, roles, middleware, ...rest } = spec;
    const implied = impliedErrors(method, spec.request, access);
    if (roles) implied.push(403);
    const statuses = [...new Set([...(errors ?? []), ...implied])].sort();
    const own = middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware];
    const chain = roles ? [requireRole(...roles), ...own] : own;
    // The implied statuses are thrown (ApiError), never returned by handlers, so the handlers' types need not know.
    const responses = { ...answers, ...errorResponses(...statuses) } as ResponsesOf<S>;
    return createRoute({
      method,
      path,
      tags: [tag],
      ...rest,
      ...(chain.length > 0 ? { middleware: chain } : {}),
      security: access.security,
      responses,
    });
  };
}

function declareRoutes(tag: Tag, access: Access) {
  return {
    get: declareMethod("get", tag, access),
    post: declareMethod("post", tag, access),
    put: declareMethod("put", tag, access),
    patch: declareMethod("patch", tag, access),
    delete: declareMethod("delete", tag, access),
  };
}

/**
 * Declares the routes of one tag for key holders (docs/rules.md#roles), the API key in the bearer header:
 * `route.get("/{id}", { summary, request, ok: ok(200, "The filing", FilingSchema), errors: [401, 403, 404] })`.
 */
export function declareKeyRoutes(tag: Tag) {
  return declareRoutes(tag, { security: bearerSecurity, keyHolder: true });
}

/** Declares the routes of one tag that anyone may call, without a key (`security: []` says so to clients). */
export function declarePublicRoutes(tag: Tag) {
  return declareRoutes(tag, { security: [], keyHolder: false });
}
