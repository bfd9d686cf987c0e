/**
 * Every route the app registers has a row in the authorization table (test/reliability/authz-table.mjs), so a new
 * route cannot ship without someone deciding who may call it; and every row names a route that exists.
 */
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { AUTHZ_TABLE, PRINCIPALS, routeKey } from "../reliability/authz-table.mjs";

/** Hono's `/v1/apps/:appId` → the table's `/v1/apps/{appId}`; a trailing slash of a sub-app's root is dropped. */
function normalize(path: string): string {
  const braced = path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
  return braced.length > 1 ? braced.replace(/\/+$/, "") : braced;
}

function registeredRoutes(): string[] {
  const keys = new Set<string>();
  for (const r of createApp().routes) {
    // Middleware (`use`) is registered as ALL; every handler has a real method.
    if (r.method === "ALL") continue;
    keys.add(routeKey(r.method, normalize(r.path)));
  }
  return [...keys].sort();
}

describe("authorization table", () => {
  const tableKeys = AUTHZ_TABLE.map((r) => routeKey(r.method, r.path));

  it("lists every registered route", () => {
    const registered = registeredRoutes();
    expect(registered.length).toBeGreaterThan(50);
    const missing = registered.filter((k) => !tableKeys.includes(k));
    expect(missing, "routes without an entry in test/reliability/authz-table.mjs").toEqual([]);
  });

  it("lists only routes that exist, each once", () => {
    const registered = registeredRoutes();
    expect(tableKeys.filter((k) => !registered.includes(k))).toEqual([]);
    expect(new Set(tableKeys).size).toBe(tableKeys.length);
  });

  it("says, for every route, what each kind of caller gets", () => {
    for (const row of AUTHZ_TABLE) {
      expect(Object.keys(row.who).sort(), routeKey(row.method, row.path)).toEqual([...PRINCIPALS].sort());
      for (const outcome of Object.values(row.who)) expect(["ok", "signin", 401, 403, 404]).toContain(outcome);
    }
  });
});
