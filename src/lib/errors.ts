import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { onePerPath, type Problem } from "../domain/problems";
import { ERROR_STATUS, type ErrorCode } from "./error-codes";
import type { Lang } from "./i18n";
import { renderProblem, titleFor } from "./messages";

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
    // One entry per path, however the problems were gathered (docs/rules.md#error-codes).
    body.errors = onePerPath(err.problems).map((p) => renderProblem(p, lang));
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
