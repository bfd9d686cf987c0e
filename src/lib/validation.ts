import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { joinPath, type Problem } from "../domain/problems";
import type { AppEnv } from "../types";
import { ApiError, validationFailed } from "./errors";

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

/** Maps zod issues to beian's field problems: one entry per problem, stable codes, dotted paths. */
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

/** Parses `value` with `schema` or throws one 422 listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, basePath = ""): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(issuesToProblems(result.error.issues, value, basePath));
  return result.data;
}

/** The hook @hono/zod-openapi calls when params, query or a JSON body fail their schema. */
export function validationHook(result: { success: boolean; error?: z.ZodError; data?: unknown; target?: string }) {
  if (!result.success && result.error) {
    throw validationFailed(issuesToProblems(result.error.issues, result.data));
  }
}

export const MAX_BODY_BYTES = 256 * 1024;

function hasBody(c: Context): boolean {
  const length = c.req.header("content-length");
  if (length !== undefined) return Number(length) > 0;
  return c.req.header("transfer-encoding") !== undefined;
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return mediaType === "application/json" || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

/**
 * Transport checks for every request that carries a body: size (413), media type (415), JSON syntax (400).
 * A request without a body passes; routes that need one say so with `requireJsonBody`.
 */
export function jsonBodyGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS" || !hasBody(c)) {
      return next();
    }
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES)
      throw new ApiError("PAYLOAD_TOO_LARGE", `The body may be at most ${MAX_BODY_BYTES} bytes`);
    if (!isJsonType(c.req.header("content-type"))) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the body with Content-Type: application/json");
    }
    // Read once with a hard cap (a chunked body has no Content-Length to trust), then parse.
    const reader = c.req.raw.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > MAX_BODY_BYTES) {
          await reader.cancel();
          throw new ApiError("PAYLOAD_TOO_LARGE", `The body may be at most ${MAX_BODY_BYTES} bytes`);
        }
        chunks.push(value);
      }
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw new ApiError("MALFORMED_JSON", "The body is not valid UTF-8");
    }
    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? undefined : JSON.parse(text);
    } catch (e) {
      throw new ApiError("MALFORMED_JSON", e instanceof Error ? e.message : undefined);
    }
    c.set("body", parsed);
    // Later readers (validators) get the parsed value without touching the consumed stream.
    c.req.bodyCache.json = Promise.resolve(parsed);
    return next();
  };
}

/** For routes that take a JSON body: a missing one is 415, like one of the wrong type. */
export function requireJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("body") === undefined) {
      if (!isJsonType(c.req.header("content-type"))) {
        throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "This route needs a JSON body (Content-Type: application/json)");
      }
      throw new ApiError("MALFORMED_JSON", "This route needs a JSON body");
    }
    return next();
  };
}
