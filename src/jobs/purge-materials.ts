import { sql } from "drizzle-orm";
import { enforcementActions, events, materials } from "../db/schema";
import { sqlList } from "../db/sql";
import { ENDED_WITHOUT_APPROVAL } from "../domain/filing-state";
import { deleteMaterialObjects } from "../repositories/materials";
import { initialDispatch } from "../webhooks/outbox";
import { sqlEventId } from "./policy-sql";
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
 * 材料清理: deletes the sealed objects from R2, then marks the rows deleted, with an action row per material and a
 * `filing.materials_deleted` event to the submitter and the app's owner of each filing whose materials went, naming
 * them. The filing's history is left alone: it records the filing's moves, and a deletion is not one.
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
    const touched = sql`(select distinct filing_id from filing_materials where media_id in ${inChunk})`;
    const recipients = sql`select f.submitter_account_id as account_id, f.id, f.app_id, f.type from filings f where f.id in ${touched}
      union select a.owner_account_id, f.id, f.app_id, f.type from filings f join apps a on a.app_id = f.app_id where f.id in ${touched}`;
    // json(): a subquery's value loses its JSON subtype, and json_object would embed the array as a string.
    const deleted = sql`json((select json_group_array(json_object('mediaId', d.media_id, 'path', d.path))
      from (select fm.media_id, fm.path from filing_materials fm
        where fm.filing_id = r.id and fm.media_id in ${inChunk} order by fm.path) d))`;
    return [
      db
        .insert(enforcementActions)
        .select(
          sql`select null, ${chunk.runId}, ${chunk.id}, '', '', '', 'purge_material', 0, m.id, ${chunk.now}
          from json_each(${chunk.keys}) k cross join materials m on m.id = k.value where ${purgeable(chunk.now)}`,
        )
        .onConflictDoNothing(),
      db.insert(events).select(
        sql`select null, ${sqlEventId}, r.account_id, 'filing.materials_deleted',
            json_object('filingId', r.id, 'appId', r.app_id, 'type', r.type, 'materials', ${deleted}), ${chunk.now},
            ${initialDispatch(sql`r.account_id`, chunk.now)}
          from (${recipients}) r`,
      ),
      db
        .update(materials)
        .set({ deletedAt: chunk.now })
        .where(sql`${materials.id} in ${inChunk} and ${materials.deletedAt} is null`),
    ];
  },
};
