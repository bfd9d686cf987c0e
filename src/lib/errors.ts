import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Problem } from "../domain/problems";
import type { Lang } from "./i18n";
import { renderProblem, titleFor } from "./messages";

/**
 * Every error beian answers with, and its HTTP status. Codes are stable API: clients switch on them.
 * Field-level codes (inside `errors[]`) live in src/lib/messages.ts.
 */
export const ERROR_STATUS = {
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  FILING_IN_PROGRESS: 409,
  REGISTRATION_REQUIRED: 409,
  REGISTRATION_EXISTS: 409,
  INVALID_TRANSITION: 409,
  SMS_WINDOW_EXPIRED: 409,
  FILING_REQUIRED: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  CONFLICT: 409,
  APP_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  REGISTRATION_NUMBER_INVALID: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type handlers throw for every non-2xx answer; rendered as problem+json by `onError`. */
export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly problems: Problem[];
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, opts: { problems?: Problem[]; headers?: Record<string, string> } = {}) {
    super(ERROR_STATUS[code], { message: detail ?? code });
    this.code = code;
    this.detail = detail;
    this.problems = opts.problems ?? [];
    this.headers = opts.headers;
  }
}

export function validationFailed(problems: Problem[]): ApiError {
  return new ApiError("VALIDATION_FAILED", undefined, { problems });
}

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: ReturnType<typeof renderProblem>[];
};

/** Builds the RFC 9457 body every error shares. */
export function problemBody(err: ApiError, lang: Lang, requestId?: string): ProblemBody {
  const title = titleFor(err.code, lang);
  const body: ProblemBody = {
    type: `https://beian.dev/problems/${err.code.toLowerCase().replaceAll("_", "-")}`,
    title,
    status: err.status,
    code: err.code,
    detail: err.detail ?? title,
  };
  if (err.problems.length > 0 || err.code === "VALIDATION_FAILED") {
    body.errors = err.problems.map((p) => renderProblem(p, lang));
  }
  if (requestId) body.requestId = requestId;
  return body;
}

export function problemResponse(c: Context, err: ApiError): Response {
  const lang = (c.get("lang") as Lang | undefined) ?? "en";
  const body = problemBody(err, lang, c.get("requestId") as string | undefined);
  const headers: Record<string, string> = {
    "content-type": "application/problem+json; charset=utf-8",
    ...err.headers,
  };
  if (err.code === "UNAUTHORIZED") headers["www-authenticate"] = 'Bearer realm="beian"';
  return new Response(JSON.stringify(body), { status: err.status, headers });
}
