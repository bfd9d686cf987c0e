import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, appGrants, apps } from "../db/schema";
import { audit, isUniqueViolation } from "./audit";

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

/**
 * Whether `accountId` holds a grant for the app of the `apps` row being selected, as a column of that select.
 * Qualified by hand: drizzle leaves select-list columns of a single-table query unqualified.
 */
export function grantedTo(accountId: string) {
  return sql<number>`exists (select 1 from "app_grants" where "app_grants"."app_id" = "apps"."app_id" and "app_grants"."account_id" = ${accountId})`;
}

/** Registers an app, audited on its own chain; `exists` when its id is registered already (by anyone). */
export async function registerApp(
  db: Db,
  app: { appId: string; name: string; ownerAccountId: string },
  now: string,
): Promise<"created" | "exists"> {
  const { appId, name, ownerAccountId } = app;
  try {
    await audit(
      db,
      { subject: `app:${appId}`, action: "app.created", actor: ownerAccountId, at: now, data: { appId, name } },
      [insertApp(db, app, now)],
    );
    return "created";
  } catch (e) {
    if (isUniqueViolation(e, "apps")) return "exists";
    throw e;
  }
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

/** An app of a catalogue import, as the admin sends it. */
export type ImportedApp = {
  appId: string;
  name: string;
  ownerAccountId: string;
  listingStatus: "listed" | "unlisted";
  listedAt?: string | null;
};

/** What an import checks against stored data, in one round trip: which owners are developers, which apps exist. */
export async function readImportFacts(
  db: Db,
  input: { owners: string[]; appIds: string[] },
): Promise<{ developers: Set<string>; existing: string[] }> {
  const [known, existing] = await db.batch([
    db
      .select({ id: accounts.id, role: accounts.role })
      .from(accounts)
      .where(sql`${accounts.id} in (select value from json_each(${JSON.stringify(input.owners)}))`),
    db
      .select({ appId: apps.appId })
      .from(apps)
      .where(sql`${apps.appId} in (select value from json_each(${JSON.stringify(input.appIds)}))`),
  ]);
  return {
    developers: new Set(known.filter((a) => a.role === "developer").map((a) => a.id)),
    existing: existing.map((e) => e.appId),
  };
}

/** Rows per upsert statement; the rows travel as one JSON parameter, far under D1's 100 bound parameters. */
const IMPORT_CHUNK = 500;

/** The upserts of an import. An app enforcement delisted stays delisted: only a filing approval lists it again. */
export function importAppsStatements(db: Db, rows: ImportedApp[], at: string) {
  const statements = [];
  for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
    const chunk = JSON.stringify(
      rows
        .slice(i, i + IMPORT_CHUNK)
        .map((r) => ({ ...r, listedAt: r.listingStatus === "listed" ? r.listedAt : (r.listedAt ?? null) })),
    );
    statements.push(
      db
        .insert(apps)
        .select(
          sql`select json_extract(value, '$.appId'), json_extract(value, '$.name'), json_extract(value, '$.ownerAccountId'),
            json_extract(value, '$.listingStatus'), json_extract(value, '$.listedAt'), null, null, ${at}, ${at}
          from json_each(${chunk}) where true`,
        )
        .onConflictDoUpdate({
          target: apps.appId,
          set: {
            name: sql`excluded.name`,
            ownerAccountId: sql`excluded.owner_account_id`,
            listingStatus: sql`case when ${apps.listingStatus} = 'delisted' then 'delisted' else excluded.listing_status end`,
            listedAt: sql`excluded.listed_at`,
            updatedAt: at,
          },
        }),
    );
  }
  return statements;
}
