import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, apiKeys } from "../db/schema";
import type { Role } from "../domain/roles";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";

export type Account = typeof accounts.$inferSelect;

export async function findActiveKey(db: Db, keyHash: string) {
  const [row] = await db
    .select({ id: apiKeys.id, accountId: apiKeys.accountId, lastUsedAt: apiKeys.lastUsedAt, role: accounts.role })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

export async function touchKey(db: Db, keyId: string, at: string) {
  await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, keyId));
}

export function newAccount(input: { name: string; role: Role }): Account {
  return { id: newId("acc"), name: input.name, role: input.role, createdAt: new Date().toISOString() };
}

export function insertAccount(db: Db, account: Account) {
  return db.insert(accounts).values(account);
}

export async function getAccount(db: Db, id: string): Promise<Account | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id)).limit(1);
  return row;
}

/** Newest first, `cursor` = the last id of the previous page. */
export async function listAccounts(db: Db, opts: { limit: number; cursor?: string; role?: Role }) {
  const conditions = [
    opts.cursor ? lt(accounts.id, opts.cursor) : undefined,
    opts.role ? eq(accounts.role, opts.role) : undefined,
  ];
  return db
    .select()
    .from(accounts)
    .where(and(...conditions))
    .orderBy(desc(accounts.id))
    .limit(opts.limit + 1);
}

/** A new key: the plaintext to show once, and the row to store (its SHA-256 digest, never the key). */
export async function newKey(accountId: string, plaintext = `bk_${randomToken(32)}`) {
  const row = {
    id: newId("key"),
    accountId,
    keyHash: await sha256Hex(plaintext),
    prefix: plaintext.slice(0, 10),
    createdAt: new Date().toISOString(),
  };
  return { row, shown: { id: row.id, key: plaintext, prefix: row.prefix, createdAt: row.createdAt } };
}

export function insertKey(db: Db, row: typeof apiKeys.$inferInsert) {
  return db.insert(apiKeys).values(row);
}

export async function listKeys(db: Db, accountId: string) {
  return db
    .select({
      id: apiKeys.id,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(desc(apiKeys.id));
}

export async function getKey(db: Db, accountId: string, keyId: string) {
  const [row] = await db
    .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)))
    .limit(1);
  return row;
}

export function revokeKeyStatement(db: Db, keyId: string, at: string) {
  return db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
}
