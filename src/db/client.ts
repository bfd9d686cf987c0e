import { drizzle } from "drizzle-orm/d1";

export function createDb(d1: D1Database) {
  // Queries are built with the SQL-like builder only; without the schema, the relational query API stays out of
  // the bundle and nothing is derived from the schema on each request.
  return drizzle(d1);
}

export type Db = ReturnType<typeof createDb>;

const forBinding = new WeakMap<D1Database, Db>();

/** The query builder over `d1`, made once per binding and isolate rather than on every request. */
export function dbFor(d1: D1Database): Db {
  let db = forBinding.get(d1);
  if (!db) {
    db = createDb(d1);
    forBinding.set(d1, db);
  }
  return db;
}

/**
 * The query builder for reads that any replica may serve (D1 Sessions API, "first-unconstrained"): the public
 * lookup, whose answers may be up to 60 s old anyway (docs/rules.md#public-lookup). Writes and everything a key holder reads stay on the
 * primary. Called where a public read actually happens, so an answer served from memory opens no session.
 */
export function replicaDb(d1: D1Database): Db {
  // drizzle's D1 driver uses prepare() and batch(), which a session has too.
  return typeof d1.withSession === "function"
    ? createDb(d1.withSession("first-unconstrained") as unknown as D1Database)
    : dbFor(d1);
}
