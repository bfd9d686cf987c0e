import { drizzle } from "drizzle-orm/d1";
import { type AuditKeyring, type AuditSecrets, auditKeyringFor } from "../lib/crypto";

/**
 * The query builder over `d1`. It carries the audit keyring (`auditKeys`), read when an audit row is written or
 * verified, so every writer of the audit chain signs with the deployment's key without each route passing it on;
 * the keyring is made on first use, so a route that audits nothing never needs `AUDIT_KEY`.
 */
export function createDb(d1: D1Database, secrets: AuditSecrets = {}) {
  // Queries are built with the SQL-like builder only; without the schema, the relational query API stays out of
  // the bundle and nothing is derived from the schema on each request.
  return Object.assign(drizzle(d1), { auditKeys: (): AuditKeyring => auditKeyringFor(secrets) });
}

export type Db = ReturnType<typeof createDb>;

const forBinding = new WeakMap<D1Database, { db: Db; secrets: string }>();

/** The query builder over `d1`, made once per binding (and audit keys) and isolate rather than on every request. */
export function dbFor(d1: D1Database, secrets: AuditSecrets = {}): Db {
  const id = `${secrets.AUDIT_KEY ?? ""}\u0000${secrets.AUDIT_OLD_KEYS ?? ""}`;
  const known = forBinding.get(d1);
  if (known && known.secrets === id) return known.db;
  const db = createDb(d1, { AUDIT_KEY: secrets.AUDIT_KEY, AUDIT_OLD_KEYS: secrets.AUDIT_OLD_KEYS });
  forBinding.set(d1, { db, secrets: id });
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
