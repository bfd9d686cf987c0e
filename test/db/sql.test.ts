import { env } from "cloudflare:workers";
import { type SQL, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { sqlList, sqlLiteralList, sqlNewId } from "../../src/db/sql";
import { IN_FLIGHT } from "../../src/domain/filing-state";
import { newId } from "../../src/lib/ids";

const render = (q: SQL) => createDb(env.DB).all(q).getQuery();

describe("sqlList", () => {
  it("binds the whole list as one JSON parameter", () => {
    const values = Array.from({ length: 150 }, (_, i) => `s${i}`);
    const { sql: text, params } = render(sql`select 1 where 'x' in ${sqlList(values)}`);
    expect(text).toBe("select 1 where 'x' in (select value from json_each(?))");
    expect(params).toEqual([JSON.stringify(values)]);
  });

  it("matches exactly its values", async () => {
    const q = (v: string) => render(sql`select ${v} in ${sqlList(["a", "it's"])} as hit`);
    for (const [v, hit] of [
      ["a", 1],
      ["it's", 1],
      ["b", 0],
    ] as const) {
      const { sql: text, params } = q(v);
      expect(
        (
          await env.DB.prepare(text)
            .bind(...params)
            .first<{ hit: number }>()
        )?.hit,
        v,
      ).toBe(hit);
    }
  });
});

describe("sqlLiteralList", () => {
  it("spells the values as quoted literals, with no parameter", () => {
    expect(render(sql`${sqlLiteralList(["a", "b_c"])}`)).toMatchObject({ sql: "('a', 'b_c')", params: [] });
  });

  it("doubles quotes inside a value", () => {
    expect(render(sql`${sqlLiteralList(["it's"])}`).sql).toBe("('it''s')");
  });

  it("is what the one-in-flight index was created with: changing the lifecycle table needs a migration", async () => {
    const row = await env.DB.prepare(
      "select sql from sqlite_master where type = 'index' and name = 'filings_one_in_flight'",
    ).first<{ sql: string }>();
    expect(row?.sql.endsWith(` WHERE status in ${render(sql`${sqlLiteralList(IN_FLIGHT)}`).sql}`)).toBe(true);
  });

  it("lets a query spelling the predicate the same way use that partial index", async () => {
    const { sql: text, params } = render(
      sql`select id from filings where app_id = ${"wx0"} and status in ${sqlLiteralList(IN_FLIGHT)} limit 1`,
    );
    const plan = await env.DB.prepare(`explain query plan ${text}`)
      .bind(...params)
      .all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail)).toEqual(["SEARCH filings USING INDEX filings_one_in_flight (app_id=?)"]);
  });
});

describe("sqlNewId", () => {
  it("makes ids of the shape newId makes: the prefix, then 26 characters of its alphabet", async () => {
    const rows = await createDb(env.DB).all<{ id: string }>(
      sql`select ${sqlNewId("evt")} as id from (select 1 union all select 2 union all select 3)`,
    );
    const shape = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
    expect(newId("evt")).toMatch(shape);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.id).toMatch(shape);
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
  });
});
