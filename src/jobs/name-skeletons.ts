import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { nameSkeleton } from "../domain/name-skeleton";
import type { Budget } from "./budget";

/**
 * Fills the service-name skeleton (src/domain/name-skeleton.ts) of rows written before it was stored (migration
 * 0010): SQL cannot compute it, so each enforcement run reads up to CHUNK names at a time, computes their skeletons
 * and writes them back in one statement, until none is left or the budget is spent. Until a row has its skeleton,
 * SERVICE_NAME_TAKEN compares it by its key, as before (src/repositories/preflight.ts); once every row has one, the
 * run costs one read per table.
 */
const CHUNK = 500;

const TABLES = [
  { table: sql`registrations`, key: sql`number` },
  { table: sql`filings`, key: sql`id` },
] as const;

export async function fillNameSkeletons(db: Db, budget: Budget, chunk = CHUNK): Promise<number> {
  let filled = 0;
  for (const { table, key } of TABLES) {
    while (budget.allows(2)) {
      const rows = await db.all<{ k: string; name: string }>(
        sql`select ${key} as k, service_name as name from ${table}
          where service_name_skeleton is null and service_name is not null limit ${chunk}`,
      );
      budget.spend(1);
      if (rows.length === 0) break;
      const pairs = JSON.stringify(rows.map((r) => ({ k: r.k, s: nameSkeleton(r.name) })));
      await db.run(
        sql`update ${table} set service_name_skeleton =
            (select j.value ->> 's' from json_each(${pairs}) j where j.value ->> 'k' = ${table}.${key})
          where ${key} in (select value ->> 'k' from json_each(${pairs}))`,
      );
      budget.spend(1);
      filled += rows.length;
      if (rows.length < chunk) break;
    }
  }
  return filled;
}
