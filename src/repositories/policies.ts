import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { policies } from "../db/schema";

export type PolicyRow = typeof policies.$inferSelect;

export function toPolicyView(row: PolicyRow) {
  return {
    id: row.id,
    name: row.name,
    listedBefore: row.listedBefore,
    deadline: row.deadline,
    reminderDays: JSON.parse(row.reminderDays) as number[],
    action: row.action,
    active: row.active,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function listPolicies(db: Db): Promise<PolicyRow[]> {
  return db.select().from(policies).orderBy(desc(policies.createdAt));
}

export async function activePolicies(db: Db): Promise<PolicyRow[]> {
  return db.select().from(policies).where(eq(policies.active, true)).orderBy(policies.deadline);
}

export async function getPolicy(db: Db, id: string): Promise<PolicyRow | undefined> {
  const [row] = await db.select().from(policies).where(eq(policies.id, id)).limit(1);
  return row;
}

export function insertPolicy(db: Db, row: PolicyRow) {
  return db.insert(policies).values(row);
}

export function updatePolicy(db: Db, id: string, change: Partial<PolicyRow>) {
  return db.update(policies).set(change).where(eq(policies.id, id));
}

/**
 * The apps a policy covers and that have not filed (docs/rules.md#enforcement), as SQL over the apps row `a`: listed,
 * listed before the policy's cutoff, and without an active registration. The deadline jobs and an app's filing
 * status both ask it; `listedBefore` is a value, or a column of the policy row being read.
 */
export function coveredAndUnfiled(listedBefore: string | SQL) {
  return sql`a.listing_status = 'listed' and a.listed_at is not null and a.listed_at < ${listedBefore}
    and not exists (select 1 from registrations r where r.app_id = a.app_id and r.status = 'active')`;
}

/** The active policies whose deadline applies to `appId`, the nearest deadline first (a query, for a batch). */
export function selectDeadlinesOfApp(db: Db, appId: string) {
  return db
    .select({ id: policies.id, name: policies.name, deadline: policies.deadline })
    .from(policies)
    .where(
      and(
        eq(policies.active, true),
        sql`exists (select 1 from apps a where a.app_id = ${appId} and ${coveredAndUnfiled(sql`"policies"."listed_before"`)})`,
      ),
    )
    .orderBy(policies.deadline);
}
