import { OpenAPIHono, z } from "@hono/zod-openapi";
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
 */
export function createKeyHolderRouter(roles: Role[] = [], opts: { multipart?: boolean } = {}) {
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

/** Standard error responses for a route's OpenAPI entry. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429)[]) {
  const descriptions: Record<number, string> = {
    400: "Malformed request",
    401: "Missing or bad API key",
    403: "Role not allowed",
    404: "Not found, or not yours",
    409: "State conflict",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Validation failed: every problem, with field paths",
    429: "Rate limited",
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s] ?? "Error", content: problemContent }]),
  );
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

/**
 * A page from a list read with `limit + 1` rows (the extra row only says whether more exist): the first `limit` rows
 * as items, and the cursor of the last one when there is more.
 */
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => T,
  cursorOf: (item: T) => string,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit).map(view);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

export const bearerSecurity = [{ bearer: [] as string[] }];
