import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { events } from "../db/schema";

/** Where an account's event sits in the outbox's own order; undefined when the id is not one of its events. */
export async function eventSeqOf(db: Db, accountId: string, id: string): Promise<number | undefined> {
  const [row] = await db
    .select({ seq: events.seq })
    .from(events)
    .where(and(eq(events.id, id), eq(events.accountId, accountId)))
    .limit(1);
  return row?.seq;
}

/** Up to `limit` of the account's events after `afterSeq`, in the outbox's order. */
export async function eventsAfter(db: Db, accountId: string, afterSeq: number, limit: number) {
  const rows = await db
    .select({ id: events.id, type: events.type, createdAt: events.createdAt, data: sql<string>`${events.data}` })
    .from(events)
    .where(and(eq(events.accountId, accountId), gt(events.seq, afterSeq)))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}
