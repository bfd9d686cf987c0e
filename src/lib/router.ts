import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../types";
import { validationHook } from "./validation";

/** Every resource's sub-app: validation failures of params, query and bodies become one 422. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ example: "VALIDATION_FAILED" }),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string().openapi({ example: "organizer.certificate.number" }),
          code: z.string().openapi({ example: "INVALID_CHECK_CHARACTER" }),
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

export const LimitQuery = z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 });
export const CursorQuery = z.string().max(64).optional();

export const bearerSecurity = [{ bearer: [] as string[] }];
