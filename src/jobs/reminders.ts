import { sql } from "drizzle-orm";
import { enforcementActions, events } from "../db/schema";
import { coveredAndUnfiled, type PolicyRow } from "../repositories/policies";
import { initialDispatch } from "../webhooks/outbox";
import { sqlEventId } from "./policy-sql";
import type { SweepJob } from "./sweep";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The reminder offset due at `now` for `policy`: the nearest one whose moment has come, or null — none yet, or the
 * deadline has passed (reminders stop at the deadline). Only the nearest is ever sent: a run that resumes after a
 * long outage sends the 7-day reminder, not a stale 30-day one as well.
 */
export function dueReminderOffset(policy: Pick<PolicyRow, "deadline" | "reminderDays">, now: string): number | null {
  const deadline = Date.parse(policy.deadline);
  const at = Date.parse(now);
  if (at >= deadline) return null;
  const offsets = (JSON.parse(policy.reminderDays) as number[]).filter((d) => deadline - d * DAY_MS <= at);
  return offsets.length === 0 ? null : Math.min(...offsets);
}

/** 提醒: one `app.deadline_reminder` per covered, unfiled app and offset, to the app's owner. */
export function reminderJob(policy: PolicyRow, offset: number): SweepJob {
  const notSent = sql`not exists (select 1 from ${enforcementActions} ea where ea.action = 'reminder' and ea.policy_id = ${policy.id}
    and ea.app_id = a.app_id and ea.filing_id = '' and ea.offset_days = ${offset} and ea.detail = '')`;
  return {
    name: "reminder",
    async candidates(db, _now, cursor, limit) {
      const rows = await db.all<{ app_id: string }>(sql`select a.app_id from apps a
        where ${coveredAndUnfiled(policy.listedBefore)} and ${notSent} and a.app_id > ${cursor ?? ""}
        order by a.app_id limit ${limit}`);
      return { keys: rows.map((r) => r.app_id), cursor: rows.at(-1)?.app_id ?? null };
    },
    statements(db, chunk) {
      return [
        db
          .insert(enforcementActions)
          .select(
            sql`select null, ${chunk.runId}, ${chunk.id}, a.app_id, '', ${policy.id}, 'reminder', ${offset}, '', ${chunk.now}
            from json_each(${chunk.keys}) k cross join apps a on a.app_id = k.value
            where ${coveredAndUnfiled(policy.listedBefore)} and ${notSent}`,
          )
          .onConflictDoNothing(),
        db.insert(events).select(
          sql`select null, ${sqlEventId}, a.owner_account_id, 'app.deadline_reminder',
              json_object('appId', a.app_id, 'policyId', ${policy.id}, 'deadline', ${policy.deadline}, 'daysBefore', ${offset}),
              ${chunk.now}, ${initialDispatch(sql`a.owner_account_id`, chunk.now)}
            from ${enforcementActions} ea join apps a on a.app_id = ea.app_id where ea.chunk = ${chunk.id}`,
        ),
      ];
    },
  };
}
