import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";
import { ApiError } from "./errors";

type RouteEntry = { method: string; path: string };
type KnownPath = { pattern: RegExp; methods: Set<string> };

/** `/v1/filings/:id` → a pattern matching `/v1/filings/fil_…` whole. */
function patternOf(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) =>
      segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  return new RegExp(`^${source}$`);
}

function knownPaths(routes: readonly RouteEntry[]): KnownPath[] {
  const byPath = new Map<string, Set<string>>();
  for (const { method, path } of routes) {
    // Middleware is registered for every method ("ALL") and says nothing about what a path takes.
    if (method === "ALL") continue;
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method);
    // Hono answers HEAD with the GET handler.
    if (method === "GET") methods.add("HEAD");
    byPath.set(path, methods);
  }
  return [...byPath].map(([path, methods]) => ({ pattern: patternOf(path), methods }));
}

/**
 * 405 Method Not Allowed with `Allow` (RFC 9110 §15.5.6) for a path some route takes, asked with a method none of them
 * does (docs/rules.md#error-codes): one rule for every route, before keys, roles and bodies are looked at, so a wrong
 * method never reads as 401, 403, 404 or 415. Paths no route takes stay 404; OPTIONS (CORS preflight) passes. `routes` is read on the first request,
 * once every sub-app is mounted.
 */
export function allowedMethods(routes: () => readonly RouteEntry[]): MiddlewareHandler<AppEnv> {
  let known: KnownPath[] | undefined;
  return async (c, next) => {
    const method = c.req.method;
    // OPTIONS is CORS's preflight, answered by the sub-apps that allow other origins.
    if (method === "OPTIONS") return next();
    known ??= knownPaths(routes());
    const path = c.req.path;
    let matched = false;
    const allowed = new Set<string>();
    for (const { pattern, methods } of known) {
      if (!pattern.test(path)) continue;
      if (methods.has(method)) return next();
      matched = true;
      for (const m of methods) allowed.add(m);
    }
    if (!matched) return next();
    const allow = [...allowed].sort().join(", ");
    throw new ApiError("METHOD_NOT_ALLOWED", `${path} takes ${allow}`, { headers: { allow } });
  };
}
