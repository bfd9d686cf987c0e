import { sql } from "drizzle-orm";
import { enforcementActions, filingHistory, materials } from "../db/schema";
import { sqlList } from "../db/sql";
import { ENDED_WITHOUT_APPROVAL } from "../domain/filing-state";
import { deleteMaterialObjects } from "../repositories/materials";
import type { SweepJob } from "./sweep";

const DAY_MS = 24 * 60 * 60 * 1000;
/** An upload no filing references is kept this long (time to finish and submit the filing). */
export const UNREFERENCED_DAYS = 7;
/** Materials of a filing that ended without approval are kept this long after it ended, then deleted. */
export const ENDED_FILING_DAYS = 180;

/**
 * A material to delete at `now`: never referenced and older than 7 days, or referenced only by filings that ended
 * without approval (rejected, withdrawn, expired) more than 180 days ago. A material behind an open or approved
 * filing is kept. `m` is the materials row.
 */
function purgeable(now: string) {
  const unreferencedBefore = new Date(Date.parse(now) - UNREFERENCED_DAYS * DAY_MS).toISOString();
  const endedBefore = new Date(Date.parse(now) - ENDED_FILING_DAYS * DAY_MS).toISOString();
  return sql`m.deleted_at is null and (
    (m.created_at < ${unreferencedBefore} and not exists (select 1 from filing_materials fm where fm.media_id = m.id))
    or (exists (select 1 from filing_materials fm where fm.media_id = m.id)
      and not exists (select 1 from filing_materials fm join filings f on f.id = fm.filing_id
        where fm.media_id = m.id and (f.status not in ${sqlList(ENDED_WITHOUT_APPROVAL)} or f.updated_at >= ${endedBefore}))))`;
}

/**
 * 材料清理: deletes the sealed objects from R2, then marks the rows deleted, with an action row per material and
 * a history row on each filing whose materials went ("the history records it").
 */
export const purgeMaterialsJob: SweepJob = {
  name: "purge_material",
  async candidates(db, now, cursor, limit) {
    const rows = await db.all<{ id: string }>(sql`select m.id from materials m
      where ${purgeable(now)} and m.id > ${cursor ?? ""} order by m.id limit ${limit}`);
    return { keys: rows.map((r) => r.id), cursor: rows.at(-1)?.id ?? null };
  },
  async beforeBatch(env, keys) {
    // R2 first: deleting twice is harmless, so a chunk that fails after this is simply done again.
    if (env.MATERIALS) await deleteMaterialObjects(env, keys);
  },
  statements(db, chunk) {
    const inChunk = sql`(select detail from ${enforcementActions} where chunk = ${chunk.id})`;
    return [
      db
        .insert(enforcementActions)
        .select(
          sql`select null, ${chunk.runId}, ${chunk.id}, '', '', '', 'purge_material', 0, m.id, ${chunk.now}
          from json_each(${chunk.keys}) k cross join materials m on m.id = k.value where ${purgeable(chunk.now)}`,
        )
        .onConflictDoNothing(),
      db.insert(filingHistory).select(
        sql`select f.id, (select coalesce(max(h.seq), 0) + 1 from ${filingHistory} h where h.filing_id = f.id),
            f.status, f.status, 'system', 'system', '[]', 'materials_deleted', ${chunk.now}
          from filings f where f.id in (select distinct filing_id from filing_materials where media_id in ${inChunk})`,
      ),
      db
        .update(materials)
        .set({ deletedAt: chunk.now })
        .where(sql`${materials.id} in ${inChunk} and ${materials.deletedAt} is null`),
    ];
  },
};
