import { sql } from "drizzle-orm";
import { enforcementActions, events, filingHistory, filings } from "../db/schema";
import { sqlEventId } from "./policy-sql";
import type { SweepJob } from "./sweep";

const expirable = sql`f.status = 'sms_verification' and f.sms_deadline is not null`;

/**
 * 短信核验超时: filings still in `sms_verification` 24 h after entering it become `expired`, with a history row
 * and a `filing.status_changed` event to the submitter and the app's owner, like any other move.
 */
export const expireVerificationsJob: SweepJob = {
  name: "expire_sms",
  async candidates(db, now, cursor, limit) {
    const rows = await db.all<{ id: string }>(sql`select f.id from filings f
      where ${expirable} and f.sms_deadline <= ${now} and f.id > ${cursor ?? ""} order by f.id limit ${limit}`);
    return { keys: rows.map((r) => r.id), cursor: rows.at(-1)?.id ?? null };
  },
  statements(db, chunk) {
    const inChunk = sql`(select filing_id from ${enforcementActions} where chunk = ${chunk.id})`;
    const recipients = sql`select f.submitter_account_id as account_id, f.id, f.app_id, f.type from filings f where f.id in ${inChunk}
      union select a.owner_account_id, f.id, f.app_id, f.type from filings f join apps a on a.app_id = f.app_id where f.id in ${inChunk}`;
    return [
      db
        .insert(enforcementActions)
        .select(
          sql`select null, ${chunk.runId}, ${chunk.id}, f.app_id, f.id, '', 'expire_sms', 0, '', ${chunk.now}
          from json_each(${chunk.keys}) k cross join filings f on f.id = k.value
          where ${expirable} and f.sms_deadline <= ${chunk.now}`,
        )
        .onConflictDoNothing(),
      db.insert(filingHistory).select(
        sql`select f.id, (select coalesce(max(h.seq), 0) + 1 from ${filingHistory} h where h.filing_id = f.id),
            'sms_verification', 'expired', 'system', 'system', '[]', 'The 24-hour SMS window passed', ${chunk.now}
          from filings f where f.id in ${inChunk} and f.status = 'sms_verification'`,
      ),
      db
        .update(filings)
        .set({ status: "expired", updatedAt: chunk.now })
        .where(sql`${filings.id} in ${inChunk} and ${filings.status} = 'sms_verification'`),
      db.insert(events).select(
        sql`select null, ${sqlEventId}, r.account_id, 'filing.status_changed',
            json_object('filingId', r.id, 'appId', r.app_id, 'type', r.type, 'from', 'sms_verification', 'to', 'expired'),
            ${chunk.now}, null
          from (${recipients}) r`,
      ),
    ];
  },
};
