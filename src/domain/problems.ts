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
