import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { apps, filingMaterials, filings, materials } from "../db/schema";
import type { ReferencingFiling } from "../domain/permissions";
import type { Env } from "../types";

export type MaterialRow = typeof materials.$inferSelect;

/** Where a material's sealed bytes live in the bucket. */
export function materialObjectKey(mediaId: string): string {
  return `materials/${mediaId}`;
}

/** The bucket, or a loud failure: a deployment without it cannot take uploads at all. */
export function materialsBucket(env: Pick<Env, "MATERIALS">): R2Bucket {
  if (!env.MATERIALS) throw new Error("The MATERIALS R2 bucket is not bound");
  return env.MATERIALS;
}

export function insertMaterial(db: Db, row: MaterialRow) {
  return db.insert(materials).values(row);
}

export async function getMaterial(db: Db, id: string): Promise<MaterialRow | undefined> {
  const [row] = await db.select().from(materials).where(eq(materials.id, id)).limit(1);
  return row;
}

/**
 * The rows of `ids` (deleted ones included: callers decide what a deleted material means to them). The ids
 * travel as one JSON parameter, so any number of them stays within D1's 100 bound parameters. A query, not a
 * promise, so it can ride in another read's db.batch() (the filing pre-flight does).
 */
export function findMaterials(db: Db, ids: readonly string[]) {
  return db
    .select()
    .from(materials)
    .where(sql`${materials.id} in (select value from json_each(${JSON.stringify([...new Set(ids)])}))`);
}

/** The filings that reference a material, with their status and their app's owner: who else may read it. */
export async function materialReferences(db: Db, mediaId: string): Promise<ReferencingFiling[]> {
  return db
    .select({ filingId: filings.id, status: filings.status, appOwnerAccountId: apps.ownerAccountId })
    .from(filingMaterials)
    .innerJoin(filings, eq(filings.id, filingMaterials.filingId))
    .innerJoin(apps, eq(apps.appId, filings.appId))
    .where(eq(filingMaterials.mediaId, mediaId));
}

/** R2 takes at most 1000 keys per delete. */
const R2_DELETE_BATCH = 1000;

/** Deletes the stored objects of `ids` (for the clean-up job; the rows are marked by the caller). */
export async function deleteMaterialObjects(env: Pick<Env, "MATERIALS">, ids: readonly string[]): Promise<void> {
  const bucket = materialsBucket(env);
  for (let i = 0; i < ids.length; i += R2_DELETE_BATCH) {
    await bucket.delete(ids.slice(i, i + R2_DELETE_BATCH).map(materialObjectKey));
  }
}
