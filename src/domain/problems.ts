import type { z } from "zod";

/**
 * Every field-level code (`errors[].code`), a closed list: stable API, published as an enum in the OpenAPI `Problem`
 * schema; each has its message in both languages (src/lib/messages.ts). docs/rules.md#error-codes says when each
 * is given.
 */
export const FIELD_CODES = [
  "REQUIRED",
  "INVALID_TYPE",
  "UNKNOWN_FIELD",
  "UNKNOWN_REQUEST_FIELD",
  "INVALID_VALUE",
  "TOO_SHORT",
  "TOO_LONG",
  "TOO_FEW",
  "TOO_MANY",
  "TOO_SMALL",
  "TOO_BIG",
  "INVALID_CHARACTERS",
  "INVALID_FORMAT",
  "INVALID_CHECK_CHARACTER",
  "INVALID_REGION_CODE",
  "INVALID_BIRTH_DATE",
  "INVALID_DATE",
  "UNDERAGE",
  "BIRTH_DATE_MISMATCH",
  "CERTIFICATE_EXPIRED",
  "CERTIFICATE_EXPIRING",
  "CERTIFICATE_NOT_YET_VALID",
  "INVALID_VALIDITY",
  "LONG_TERM_NOT_ALLOWED",
  "CERTIFICATE_TYPE_NOT_ALLOWED",
  "USCC_NATURE_MISMATCH",
  "UNKNOWN_REGION",
  "REGION_MISMATCH",
  "DISTRICT_REQUIRED",
  "DISTRICT_NOT_ALLOWED",
  "EMERGENCY_CONTACT_SAME_AS_MOBILE",
  "UNKNOWN_SERVICE_CONTENT_TYPE",
  "NOT_SECOND_LEVEL",
  "DUPLICATE",
  "PRE_APPROVAL_REQUIRED",
  "COMMITMENT_REQUIRED",
  "MASKED_VALUE",
  "INVALID_TRANSITION",
  "ORGANIZER_PROVINCE_CONFLICT",
  "SERVICE_NAME_TAKEN",
  "ORGANIZER_QUOTA_EXCEEDED",
  "MOBILE_SHARED",
  "ORGANIZER_MISMATCH",
  "PROVINCE_CHANGE",
  "FILING_IN_PROGRESS",
  "REGISTRATION_REQUIRED",
  "REGISTRATION_EXISTS",
  "SERVICE_NAME_MISMATCH",
  "NOT_AN_OBJECT",
  "ORGANIZER_APPS_NOT_HELD",
  "REGISTRATION_NUMBER_INVALID",
  "MAIN_LICENCE_TAKEN",
  "WEBHOOK_URL_NOT_HTTPS",
  "WEBHOOK_URL_PRIVATE",
  "OFFSET_REQUIRED",
  "MEDIA_NOT_FOUND",
  "MEDIA_FIELD_MISMATCH",
  "MEDIA_CERTIFICATE_MISMATCH",
  "UNKNOWN_MATERIAL_FIELD",
  "UNSUPPORTED_FILE_TYPE",
  "INVALID_IMAGE",
  "IMAGE_TOO_SMALL",
  "IMAGE_TOO_LARGE",
  "IMAGE_TRUNCATED",
  "TRAILING_DATA",
  "ACTIVE_CONTENT",
  "WRONG_ORIENTATION",
  "CERTIFICATE_TYPE_MISMATCH",
  "CERTIFICATE_TYPE_NOT_EXPECTED",
  "FILE_TOO_LARGE",
  "UNKNOWN_ACCOUNT",
  "UNKNOWN_APP",
  "NOT_A_PROVIDER",
  "INVALID_CURSOR",
  "VERIFICATION_NOT_FOUND",
  "VERIFICATION_PENDING",
  "VERIFICATION_FAILED",
  "VERIFICATION_EXPIRED",
  "VERIFICATION_PERSON_MISMATCH",
  "VERIFICATION_USED",
] as const;
export type FieldCode = (typeof FIELD_CODES)[number];

/**
 * A field-level problem found by a rule. Rules return these; the HTTP edge renders them as
 * `{path, code, message, suggest}` in the caller's language (src/lib/messages.ts).
 * `path` uses dots and indexes: `organizer.certificate.number`, `service.preApprovals[1].type`.
 */
export type Problem = {
  path: string;
  code: FieldCode;
  params?: Record<string, string | number>;
};

export function problem(path: string, code: FieldCode, params?: Problem["params"]): Problem {
  return params ? { path, code, params } : { path, code };
}

/**
 * `DUPLICATE` at every repeat of a key in a list (the first stays unmarked): a row named twice in one call. Keys
 * left undefined (rows that have none, or whose key did not parse) are never repeats.
 */
export function duplicateProblems(keys: readonly (string | undefined)[], pathOf: (index: number) => string): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  keys.forEach((key, i) => {
    if (key === undefined) return;
    if (seen.has(key)) out.push(problem(pathOf(i), "DUPLICATE"));
    seen.add(key);
  });
  return out;
}

/** Codes that only say a value is outside its size bounds: any other problem at the same path says more. */
const SIZE_CODES: ReadonlySet<FieldCode> = new Set([
  "TOO_SHORT",
  "TOO_LONG",
  "TOO_FEW",
  "TOO_MANY",
  "TOO_SMALL",
  "TOO_BIG",
]);

/**
 * At most one problem per path (docs/rules.md#error-codes): the most specific one, which is any problem but a size
 * bound over a size bound (an empty required `mediaId` is `REQUIRED`, not `TOO_SHORT`), and otherwise the first
 * reported, so the schema's word comes before the rules' and the rules' before the stored-data checks'. Paths keep
 * the order in which they were first reported.
 */
export function onePerPath(problems: readonly Problem[]): Problem[] {
  const chosen = new Map<string, Problem>();
  for (const p of problems) {
    const held = chosen.get(p.path);
    if (held === undefined || (SIZE_CODES.has(held.code) && !SIZE_CODES.has(p.code))) chosen.set(p.path, p);
  }
  return [...chosen.values()];
}

/** Joins path segments the way every `errors[].path` is written. */
export function joinPath(...segments: (string | number)[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (s !== "") out += out ? `.${s}` : s;
  }
  return out;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describeType(expected: string): string {
  return expected === "int" ? "integer" : expected;
}

/** Maps zod issues to field problems: one entry per problem, stable codes, dotted paths. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], input: unknown, basePath = ""): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const segments = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const path = joinPath(basePath, ...segments);
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) out.push({ path: joinPath(path, key), code: "UNKNOWN_FIELD" });
        break;
      case "invalid_type":
        if (valueAt(input, issue.path) === undefined) out.push({ path, code: "REQUIRED" });
        else out.push({ path, code: "INVALID_TYPE", params: { expected: describeType(issue.expected) } });
        break;
      case "invalid_value":
        // zod reports a missing enum or literal as invalid_value; a missing field is REQUIRED, as for other types.
        if (valueAt(input, issue.path) === undefined) out.push({ path, code: "REQUIRED" });
        else out.push({ path, code: "INVALID_VALUE", params: { allowed: issue.values.map(String).join(", ") } });
        break;
      case "too_small": {
        const min = Number(issue.minimum);
        const code = issue.origin === "array" ? "TOO_FEW" : issue.origin === "string" ? "TOO_SHORT" : "TOO_SMALL";
        out.push({ path, code, params: { min } });
        break;
      }
      case "too_big": {
        const max = Number(issue.maximum);
        const code = issue.origin === "array" ? "TOO_MANY" : issue.origin === "string" ? "TOO_LONG" : "TOO_BIG";
        out.push({ path, code, params: { max } });
        break;
      }
      case "custom": {
        const params = (issue.params ?? {}) as { code?: FieldCode } & Record<string, string | number>;
        const { code, ...rest } = params;
        out.push({ path, code: code ?? "INVALID_VALUE", params: rest });
        break;
      }
      case "invalid_union":
        out.push({
          path,
          code: valueAt(input, issue.path) === undefined ? "REQUIRED" : "INVALID_VALUE",
        });
        break;
      default:
        out.push({ path, code: "INVALID_FORMAT" });
    }
  }
  return out;
}
