import { sql } from "drizzle-orm";
import { apps, enforcementActions, events } from "../db/schema";
import { coveredAndUnfiled, type PolicyRow } from "../repositories/policies";
import { initialDispatch } from "../webhooks/outbox";
import { sqlEventId } from "./policy-sql";
import type { SweepJob } from "./sweep";

/** 清退: after a policy's deadline, every covered, listed app without an active registration is delisted. */
export function delistDeadlineJob(policy: PolicyRow): SweepJob {
  return {
    name: "delist_deadline",
    async candidates(db, _now, cursor, limit) {
      const rows = await db.all<{ app_id: string }>(sql`select a.app_id from apps a
        where ${coveredAndUnfiled(policy.listedBefore)} and a.app_id > ${cursor ?? ""} order by a.app_id limit ${limit}`);
      return { keys: rows.map((r) => r.app_id), cursor: rows.at(-1)?.app_id ?? null };
    },
    statements(db, chunk) {
      const inChunk = sql`(select app_id from ${enforcementActions} where chunk = ${chunk.id})`;
      return [
        db
          .insert(enforcementActions)
          .select(
            sql`select null, ${chunk.runId}, ${chunk.id}, a.app_id, '', ${policy.id}, 'delist_deadline', 0, '', ${chunk.now}
            from json_each(${chunk.keys}) k cross join apps a on a.app_id = k.value
            where ${coveredAndUnfiled(policy.listedBefore)}`,
          )
          .onConflictDoNothing(),
        db
          .update(apps)
          .set({ listingStatus: "delisted", delistedAt: chunk.now, delistReason: "deadline", updatedAt: chunk.now })
          .where(sql`${apps.appId} in ${inChunk} and ${apps.listingStatus} = 'listed'`),
        db.insert(events).select(
          sql`select null, ${sqlEventId}, a.owner_account_id, 'app.delisted',
              json_object('appId', a.app_id, 'reason', 'deadline', 'policyId', ${policy.id}, 'deadline', ${policy.deadline}),
              ${chunk.now}, ${initialDispatch(sql`a.owner_account_id`, chunk.now)}
            from ${enforcementActions} ea join apps a on a.app_id = ea.app_id where ea.chunk = ${chunk.id}`,
        ),
      ];
    },
  };
}
