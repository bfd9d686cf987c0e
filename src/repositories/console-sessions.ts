import { and, eq, isNull, lt, notExists } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, apiKeys, consoleSignouts } from "../db/schema";

/**
 * What a console session stands on (docs/rules.md#consoles), read on every console request: the key that signed in,
 * still unrevoked, and the session not signed out. One query either way.
 */
export async function liveSessionKey(db: Db, keyId: string, sid: string) {
  const [row] = await db
    .select({ id: apiKeys.id, accountId: apiKeys.accountId, role: accounts.role })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(
      and(
        eq(apiKeys.id, keyId),
        isNull(apiKeys.revokedAt),
        notExists(db.select({ sid: consoleSignouts.sid }).from(consoleSignouts).where(eq(consoleSignouts.sid, sid))),
      ),
    )
    .limit(1);
  return row;
}

/** Whether a session (of the bootstrap key, which has no key row) was signed out. */
export async function signedOut(db: Db, sid: string): Promise<boolean> {
  const [row] = await db
    .select({ sid: consoleSignouts.sid })
    .from(consoleSignouts)
    .where(eq(consoleSignouts.sid, sid))
    .limit(1);
  return row !== undefined;
}

/** Ends a session before its expiry, and forgets the sign-outs of sessions that have expired anyway. */
export async function recordSignout(db: Db, sid: string, expiresAt: string, now: string): Promise<void> {
  await db.batch([
    db.insert(consoleSignouts).values({ sid, expiresAt }).onConflictDoNothing(),
    db.delete(consoleSignouts).where(lt(consoleSignouts.expiresAt, now)),
  ]);
}
