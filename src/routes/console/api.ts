import type { Context } from "hono";
import { asInternalCall } from "../../lib/auth";
import type { AppEnv } from "../../types";

/** A problem as the API answers it (RFC 9457), with the field problems the consoles show beside their fields. */
export type ApiProblem = {
  code: string;
  title: string;
  detail: string;
  status: number;
  errors?: { path: string; code: string; message: string; suggest?: string }[];
};

export type ApiAnswer<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  | { ok: false; status: number; problem: ApiProblem; headers: Headers };

type CallOptions = {
  /** A JSON body. */
  json?: unknown;
  /** A multipart body (a material's upload). */
  form?: FormData;
  headers?: Record<string, string>;
};

/**
 * The consoles act through the API itself (docs/rules.md#consoles): every read and every move is the same route a
 * key holder calls, answered in-process with the session's principal, so no rule has a second implementation and the
 * audit records the same reads. Problems come back in the console's language.
 */
export async function callApi<T = unknown>(
  c: Context<AppEnv>,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<ApiAnswer<T>> {
  const headers = new Headers(opts.headers);
  headers.set("accept-language", c.get("lang") === "zh" ? "zh-CN" : "en");
  const forwarded = c.req.header("cf-connecting-ip");
  if (forwarded) headers.set("cf-connecting-ip", forwarded);
  // Bodies go as bytes with their length, as they arrive from a client: the API's body guards read Content-Length.
  let body: Uint8Array | undefined;
  if (opts.json !== undefined) {
    headers.set("content-type", "application/json");
    body = new TextEncoder().encode(JSON.stringify(opts.json));
  } else if (opts.form) {
    const encoded = new Response(opts.form);
    headers.set("content-type", encoded.headers.get("content-type") ?? "multipart/form-data");
    body = new Uint8Array(await encoded.arrayBuffer());
  }
  if (body) headers.set("content-length", String(body.byteLength));
  const request = asInternalCall(new Request(new URL(path, c.req.url), { method, headers, body }), c.get("principal"));
  const res = await c.get("api")(request);
  const type = res.headers.get("content-type") ?? "";
  const parsed = /json/i.test(type) ? await res.json() : undefined;
  if (res.ok) return { ok: true, status: res.status, data: parsed as T, headers: res.headers };
  return { ok: false, status: res.status, problem: parsed as ApiProblem, headers: res.headers };
}

/** The raw answer of an API route (a material's bytes), for a console route that passes it through. */
export function fetchApi(c: Context<AppEnv>, path: string): Promise<Response> {
  const request = asInternalCall(new Request(new URL(path, c.req.url)), c.get("principal"));
  return c.get("api")(request);
}
