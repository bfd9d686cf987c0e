import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, appGrants, apps } from "../db/schema";

export type AppRow = typeof apps.$inferSelect;
export type AppView = AppRow & { registrationNumber: string | null };

// Spelled out with table names: in the select list of a single-table query drizzle renders columns unqualified,
// which would turn the correlation into `"app_id" = "app_id"` (always true) inside the subquery.
const activeNumber = sql<string | null>`(select "registrations"."number" from "registrations"
  where "registrations"."app_id" = "apps"."app_id" and "registrations"."status" = 'active' limit 1)`;

const appColumns = {
  appId: apps.appId,
  name: apps.name,
  ownerAccountId: apps.ownerAccountId,
  listingStatus: apps.listingStatus,
  listedAt: apps.listedAt,
  delistedAt: apps.delistedAt,
  delistReason: apps.delistReason,
  createdAt: apps.createdAt,
  updatedAt: apps.updatedAt,
  registrationNumber: activeNumber,
};

export async function getApp(db: Db, appId: string): Promise<AppView | undefined> {
  const [row] = await db.select(appColumns).from(apps).where(eq(apps.appId, appId)).limit(1);
  return row;
}

export function insertApp(db: Db, app: { appId: string; name: string; ownerAccountId: string }, now: string) {
  return db.insert(apps).values({ ...app, listingStatus: "unlisted", createdAt: now, updatedAt: now });
}

export async function listOwnApps(db: Db, ownerAccountId: string, opts: { limit: number; cursor?: string }) {
  return db
    .select(appColumns)
    .from(apps)
    .where(and(eq(apps.ownerAccountId, ownerAccountId), opts.cursor ? lt(apps.appId, opts.cursor) : undefined))
    .orderBy(desc(apps.appId))
    .limit(opts.limit + 1);
}

export function setListing(
  db: Db,
  appId: string,
  change: Pick<AppRow, "listingStatus" | "listedAt" | "delistedAt" | "delistReason">,
  now: string,
) {
  return db
    .update(apps)
    .set({ ...change, updatedAt: now })
    .where(eq(apps.appId, appId));
}

export async function hasGrant(db: Db, appId: string, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ appId: appGrants.appId })
    .from(appGrants)
    .where(and(eq(appGrants.appId, appId), eq(appGrants.accountId, accountId)))
    .limit(1);
  return row !== undefined;
}

export function addGrant(db: Db, appId: string, accountId: string, now: string) {
  return db.insert(appGrants).values({ appId, accountId, createdAt: now }).onConflictDoNothing();
}

export async function listGrants(db: Db, appId: string) {
  return db
    .select({
      appId: appGrants.appId,
      accountId: appGrants.accountId,
      accountName: accounts.name,
      createdAt: appGrants.createdAt,
    })
    .from(appGrants)
    .innerJoin(accounts, eq(accounts.id, appGrants.accountId))
    .where(eq(appGrants.appId, appId))
    .orderBy(appGrants.createdAt);
}

export function removeGrant(db: Db, appId: string, accountId: string) {
  return db.delete(appGrants).where(and(eq(appGrants.appId, appId), eq(appGrants.accountId, accountId)));
}
