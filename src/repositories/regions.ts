import type { Db } from "../db/client";
import { regions } from "../db/schema";
import { type RegionLookup, type RegionRow, regionLookupFrom } from "../domain/regions";

/**
 * The GB/T 2260 table changes only with a migration, so each isolate reads it once (about 3,200 rows,
 * one query) and validates from memory afterwards.
 */
let cached: Promise<{ rows: RegionRow[]; lookup: RegionLookup }> | undefined;

export function loadRegions(db: Db): Promise<{ rows: RegionRow[]; lookup: RegionLookup }> {
  if (!cached) {
    cached = db
      .select({ code: regions.code, name: regions.name, level: regions.level, parentCode: regions.parentCode })
      .from(regions)
      .orderBy(regions.code)
      .then((rows) => ({ rows, lookup: regionLookupFrom(rows) }));
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}
