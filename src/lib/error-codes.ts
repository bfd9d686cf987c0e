import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error beian answers with, and its HTTP status. Codes are stable API: clients switch on them.
 * Field-level codes (inside `errors[]`) are `FIELD_CODES` (src/domain/problems.ts).
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
  SUBMISSION_QUOTA_EXCEEDED: 429,
  VERIFICATION_RATE_LIMITED: 429,
  INTERNAL: 500,
  IDENTITY_PROVIDER_MISSING: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
