import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { developerWithApp } from "../support/api";

/** The D1 binding, recording which sessions are opened and which statements run outside one. */
function observedDb() {
  const sessions: string[] = [];
  const primary: string[] = [];
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "withSession") {
        return (constraint: D1SessionConstraint) => {
          sessions.push(constraint);
          return target.withSession(constraint);
        };
      }
      if (prop === "prepare") {
        return (query: string) => {
          primary.push(query);
          return target.prepare(query);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, sessions, primary };
}

async function request(path: string, db: D1Database, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const res = await createApp().request(path, { headers }, { ...env, DB: db }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("public reads go to any replica (D1 Sessions API)", () => {
  it("the number lookup, search and pages read through an unconstrained session, never the primary", async () => {
    for (const path of [
      "/v1/public/registrations/%E7%B2%A4ICP%E5%A4%872024990001%E5%8F%B7-1X",
      "/v1/public/search?q=%E7%A4%BA%E4%BE%8B%E5%B0%8F%E7%A8%8B%E5%BA%8F",
      "/?q=%E7%A4%BA%E4%BE%8B%E5%B0%8F%E7%A8%8B%E5%BA%8F",
      "/badge/%E7%B2%A4ICP%E5%A4%872024990002%E5%8F%B7-1X.svg",
    ]) {
      const { db, sessions, primary } = observedDb();
      const res = await request(path, db, { "cf-connecting-ip": `198.51.100.${sessions.length + 10}` });
      expect(res.status, path).toBeLessThan(500);
      expect(sessions, path).toEqual(["first-unconstrained"]);
      expect(primary, path).toEqual([]);
    }
  });

  it("an answer held in memory opens no session at all", async () => {
    const path = "/v1/public/registrations/%E7%B2%A4ICP%E5%A4%872024990003%E5%8F%B7-1X";
    const first = observedDb();
    await request(path, first.db, { "cf-connecting-ip": "198.51.100.30" });
    expect(first.sessions).toEqual(["first-unconstrained"]);
    const again = observedDb();
    expect((await request(path, again.db, { "cf-connecting-ip": "198.51.100.30" })).status).toBe(404);
    expect(again.sessions).toEqual([]);
    expect(again.primary).toEqual([]);
  });

  it("a key holder's reads stay on the primary", async () => {
    const { dev } = await developerWithApp();
    const { db, sessions, primary } = observedDb();
    const res = await request("/v1/apps", db, { authorization: `Bearer ${dev.key}` });
    expect(res.status).toBe(200);
    expect(sessions).toEqual([]);
    expect(primary.length).toBeGreaterThan(0);
  });
});
