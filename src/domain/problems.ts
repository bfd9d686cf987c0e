import type { z } from "zod";

/**
 * A field-level problem found by a rule. Rules return these; the HTTP edge renders them as
 * `{path, code, message, suggest}` in the caller's language (src/lib/messages.ts).
 * `path` uses dots and indexes: `organizer.certificate.number`, `service.preApprovals[1].type`.
 */
export type Problem = {
  path: string;
  code: string;
  params?: Record<string, string | number>;
};

export function problem(path: string, code: string, params?: Problem["params"]): Problem {
  return params ? { path, code, params } : { path, code };
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
        const params = (issue.params ?? {}) as { code?: string } & Record<string, string | number>;
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
