import { sql } from "drizzle-orm";
import { apps, enforcementActions, events } from "../db/schema";
import { REGISTRATION_ENDING } from "../domain/registration-state";
import { initialDispatch } from "../webhooks/outbox";
import { sqlEventId } from "./policy-sql";
import type { SweepJob } from "./sweep";

/** The newest ended registration of app `a` (cancelled, revoked or access removed). */
const endedNumber = sql`(select r.number from registrations r where r.app_id = a.app_id and r.status <> 'active'
  order by r.updated_at desc limit 1)`;

const listedWithoutRegistration = sql`a.listing_status = 'listed'
  and not exists (select 1 from registrations r where r.app_id = a.app_id and r.status = 'active')
  and exists (select 1 from registrations r where r.app_id = a.app_id and r.status <> 'active')`;

/** The delisting reason of registration `r`'s status, from the one table of endings. */
const REASON = sql`case r.status ${sql.join(
  Object.entries(REGISTRATION_ENDING).map(([status, ending]) => sql`when ${status} then ${ending.delistReason}`),
  sql` `,
)} end`;

/**
 * Apps still listed although their registration was cancelled, revoked or lost its access. Approvals and
 * revocations delist at once; this sweep catches whatever reached that state another way (an import, say).
 */
export const delistEndedJob: SweepJob = {
  name: "delist_registration_ended",
  async candidates(db, _now, cursor, limit) {
    const rows = await db.all<{ app_id: string }>(sql`select a.app_id from apps a
      where ${listedWithoutRegistration} and a.app_id > ${cursor ?? ""} order by a.app_id limit ${limit}`);
    return { keys: rows.map((r) => r.app_id), cursor: rows.at(-1)?.app_id ?? null };
  },
  statements(db, chunk) {
    const inChunk = sql`(select app_id from ${enforcementActions} where chunk = ${chunk.id})`;
    return [
      db
        .insert(enforcementActions)
        .select(
          sql`select null, ${chunk.runId}, ${chunk.id}, a.app_id, '', '', 'delist_registration_ended', 0, ${endedNumber}, ${chunk.now}
          from json_each(${chunk.keys}) k cross join apps a on a.app_id = k.value where ${listedWithoutRegistration}`,
        )
        .onConflictDoNothing(),
      db
        .update(apps)
        .set({
          listingStatus: "delisted",
          delistedAt: chunk.now,
          updatedAt: chunk.now,
          delistReason: sql`(select ${REASON} from ${enforcementActions} ea join registrations r on r.number = ea.detail
            where ea.chunk = ${chunk.id} and ea.app_id = ${apps.appId})`,
        })
        .where(sql`${apps.appId} in ${inChunk} and ${apps.listingStatus} = 'listed'`),
      db.insert(events).select(
        sql`select null, ${sqlEventId}, a.owner_account_id, 'app.delisted',
            json_object('appId', a.app_id, 'reason', a.delist_reason, 'registrationNumber', ea.detail), ${chunk.now},
            ${initialDispatch(sql`a.owner_account_id`, chunk.now)}
          from ${enforcementActions} ea join apps a on a.app_id = ea.app_id where ea.chunk = ${chunk.id}`,
      ),
    ];
  },
};
