import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, events, webhookDeliveries, webhookEndpoints } from "../db/schema";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export async function endpointOf(db: Db, accountId: string): Promise<EndpointRow | undefined> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.accountId, accountId)).limit(1);
  return row;
}

/** Creates the account's endpoint unless one exists; answers whether this call created it. */
export async function createEndpoint(db: Db, row: EndpointRow): Promise<boolean> {
  const created = await db.insert(webhookEndpoints).values(row).onConflictDoNothing().returning();
  return created.length > 0;
}

export async function updateEndpoint(
  db: Db,
  accountId: string,
  change: Partial<EndpointRow>,
): Promise<EndpointRow | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set(change)
    .where(eq(webhookEndpoints.accountId, accountId))
    .returning();
  return row;
}

/** Removes the account's endpoint; answers whether there was one. */
export async function deleteEndpoint(db: Db, accountId: string): Promise<boolean> {
  const removed = await db
    .delete(webhookEndpoints)
    .where(eq(webhookEndpoints.accountId, accountId))
    .returning({ accountId: webhookEndpoints.accountId });
  return removed.length > 0;
}

/** The account's deliveries, newest first, `limit + 1` rows from after `cursor` (the last id of the page before). */
export function listDeliveries(
  db: Db,
  accountId: string,
  opts: { status?: DeliveryRow["status"]; cursor?: string; limit: number },
) {
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.accountId, accountId),
        opts.status ? eq(webhookDeliveries.status, opts.status) : undefined,
        opts.cursor ? lt(webhookDeliveries.id, opts.cursor) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(opts.limit + 1);
}

/**
 * Deliveries of every account (the operator's view), newest first, `limit + 1` rows from after `cursor`: each with its
 * account's name and role and its event's type, read by the delivery's and the event's unique keys.
 */
export function listDeliveriesOfAllAccounts(
  db: Db,
  opts: { status?: DeliveryRow["status"]; cursor?: string; limit: number },
) {
  return db
    .select({
      id: webhookDeliveries.id,
      accountId: webhookDeliveries.accountId,
      accountName: accounts.name,
      eventId: webhookDeliveries.eventId,
      eventType: events.type,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      lastStatus: webhookDeliveries.lastStatus,
      lastError: webhookDeliveries.lastError,
      createdAt: webhookDeliveries.createdAt,
      updatedAt: webhookDeliveries.updatedAt,
    })
    .from(webhookDeliveries)
    .leftJoin(accounts, eq(accounts.id, webhookDeliveries.accountId))
    .leftJoin(events, eq(events.id, webhookDeliveries.eventId))
    .where(
      and(
        opts.status ? eq(webhookDeliveries.status, opts.status) : undefined,
        opts.cursor ? lt(webhookDeliveries.id, opts.cursor) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(opts.limit + 1);
}

export async function getDelivery(db: Db, accountId: string, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.accountId, accountId)))
    .limit(1);
  return row;
}

/** A dead delivery back to pending from its first attempt; undefined when it is no longer dead. */
export async function reviveDelivery(db: Db, id: string, at: string): Promise<DeliveryRow | undefined> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: "pending", attempts: 0, nextAttemptAt: at, updatedAt: at })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, "dead")))
    .returning();
  return row;
}
