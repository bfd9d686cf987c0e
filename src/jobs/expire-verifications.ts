import { sql } from "drizzle-orm";
import { enforcementActions, events, filingHistory, filings } from "../db/schema";
import { transitionOf } from "../domain/filing-state";
import { initialDispatch } from "../webhooks/outbox";
import { sqlEventId } from "./policy-sql";
import type { SweepJob } from "./sweep";

const { from, to } = transitionOf("sms_expire");

/**
 * A filing whose SMS window closed before `now`. The deadline itself is still inside the window, as
 * smsWindowClosed says (docs/rules.md#sms-window). `f` is the filings row.
 */
const expirable = (now: string) => sql`f.status = ${from} and f.sms_deadline is not null and f.sms_deadline < ${now}`;

/**
 * 短信核验超时: the lifecycle's `sms_expire` move (docs/rules.md#lifecycle) for every filing whose window closed,
 * with a history row and a `filing.status_changed` event to the submitter and the app's owner, like any other move.
 */
export const expireVerificationsJob: SweepJob = {
  name: "expire_sms",
  async candidates(db, now, cursor, limit) {
    const rows = await db.all<{ id: string }>(sql`select f.id from filings f
      where ${expirable(now)} and f.id > ${cursor ?? ""} order by f.id limit ${limit}`);
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
          where ${expirable(chunk.now)}`,
        )
        .onConflictDoNothing(),
      db.insert(filingHistory).select(
        sql`select f.id, (select coalesce(max(h.seq), 0) + 1 from ${filingHistory} h where h.filing_id = f.id),
            ${from}, ${to}, 'system', 'system', '[]', 'The 24-hour SMS window passed', ${chunk.now}
          from filings f where f.id in ${inChunk} and f.status = ${from}`,
      ),
      db
        .update(filings)
        .set({ status: to, updatedAt: chunk.now })
        .where(sql`${filings.id} in ${inChunk} and ${filings.status} = ${from}`),
      db.insert(events).select(
        sql`select null, ${sqlEventId}, r.account_id, 'filing.status_changed',
            json_object('filingId', r.id, 'appId', r.app_id, 'type', r.type, 'from', ${from}, 'to', ${to}),
            ${chunk.now}, ${initialDispatch(sql`r.account_id`, chunk.now)}
          from (${recipients}) r`,
      ),
    ];
  },
};
