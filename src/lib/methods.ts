import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";
import { ApiError } from "./errors";

type RouteEntry = { method: string; path: string };
type KnownPath = { pattern: RegExp; methods: Set<string> };
/**
 * Patterns grouped by their path's first two segments (`v1/filings`), so a request is matched against the few that
 * share its prefix; `loose` holds those whose first two segments are not both fixed (`/health`, `/r/:number`).
 */
type KnownPaths = { byPrefix: Map<string, KnownPath[]>; loose: KnownPath[] };

const isFixed = (segment: string | undefined): segment is string =>
  segment !== undefined && segment !== "" && !segment.includes(":") && !segment.includes("*");

/** `/v1/filings/fil_1` → `v1/filings`; undefined for paths of fewer than two segments. */
function prefixOf(path: string): string | undefined {
  const [, first, second] = path.split("/");
  return isFixed(first) && isFixed(second) ? `${first}/${second}` : undefined;
}

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

function knownPaths(routes: readonly RouteEntry[]): KnownPaths {
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
  const known: KnownPaths = { byPrefix: new Map(), loose: [] };
  for (const [path, methods] of byPath) {
    const entry = { pattern: patternOf(path), methods };
    const prefix = prefixOf(path);
    if (prefix === undefined) known.loose.push(entry);
    else known.byPrefix.set(prefix, [...(known.byPrefix.get(prefix) ?? []), entry]);
  }
  return known;
}

/**
 * 405 Method Not Allowed with `Allow` (RFC 9110 §15.5.6) for a path some route takes, asked with a method none of them
 * does (docs/rules.md#error-codes): one rule for every route, before keys, roles and bodies are looked at, so a wrong
 * method never reads as 401, 403, 404 or 415. Paths no route takes stay 404; OPTIONS (CORS preflight) passes. `routes` is read on the first request,
 * once every sub-app is mounted.
 */
export function allowedMethods(routes: () => readonly RouteEntry[]): MiddlewareHandler<AppEnv> {
  let known: KnownPaths | undefined;
  return async (c, next) => {
    const method = c.req.method;
    // OPTIONS is CORS's preflight, answered by the sub-apps that allow other origins.
    if (method === "OPTIONS") return next();
    known ??= knownPaths(routes());
    const path = c.req.path;
    let matched = false;
    const allowed = new Set<string>();
    const prefix = prefixOf(path);
    const candidates = [...((prefix !== undefined && known.byPrefix.get(prefix)) || []), ...known.loose];
    for (const { pattern, methods } of candidates) {
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
