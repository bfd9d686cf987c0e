import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { issuesToProblems } from "../domain/problems";
import type { AppEnv } from "../types";
import { ApiError, validationFailed } from "./errors";

/** The hook @hono/zod-openapi calls when params, query or a JSON body fail their schema. */
export function validationHook(result: { success: boolean; error?: z.ZodError; data?: unknown; target?: string }) {
  if (!result.success && result.error) {
    throw validationFailed(issuesToProblems(result.error.issues, result.data));
  }
}

export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The admin routes' limit: a catalogue import call carries up to 1,000 rows, and 1,000 registrations are about
 * 300 KB (docs/rules.md#limits).
 */
export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;

function hasBody(c: Context): boolean {
  const length = c.req.header("content-length");
  if (length !== undefined) return Number(length) > 0;
  return c.req.header("transfer-encoding") !== undefined;
}

/** `multipart/form-data; boundary=…` → `multipart/form-data`. */
export function mediaTypeOf(contentType: string | undefined): string {
  return contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = mediaTypeOf(contentType);
  return mediaType === "application/json" || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

/**
 * Reads a request body whole, stopping as soon as it passes `max` bytes (null then): a chunked body has no
 * Content-Length to trust, and a declared one may lie.
 */
export async function readBodyCapped(request: Request, max: number): Promise<Uint8Array | null> {
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        return null;
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
  return bytes;
}

/**
 * Transport checks for every request that carries a body: size (413), media type (415), JSON syntax (400).
 * A request without a body passes; routes that need one say so with `requireJsonBody`. Mounted by each sub-app that
 * takes bodies (`createKeyHolderRouter`), before the key is checked.
 */
export function jsonBodyGuard(opts: { multipart?: boolean; maxBytes?: number } = {}): MiddlewareHandler<AppEnv> {
  const max = opts.maxBytes ?? MAX_BODY_BYTES;
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS" || !hasBody(c)) {
      return next();
    }
    // A sub-app that takes files reads its multipart bodies itself, under its own limit.
    if (opts.multipart && mediaTypeOf(c.req.header("content-type")) === "multipart/form-data") return next();
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > max) throw new ApiError("PAYLOAD_TOO_LARGE", `The body may be at most ${max} bytes`);
    if (!isJsonType(c.req.header("content-type"))) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the body with Content-Type: application/json");
    }
    // Read once with a hard cap, then parse.
    const bytes = await readBodyCapped(c.req.raw, max);
    if (!bytes) throw new ApiError("PAYLOAD_TOO_LARGE", `The body may be at most ${max} bytes`);
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
