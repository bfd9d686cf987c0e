import { desc, eq } from "drizzle-orm";
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
