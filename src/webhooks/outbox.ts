import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { events, webhookEndpoints } from "../db/schema";
import type { Env } from "../types";
import type { DeliveryMessage, PendingEvent } from "./delivery-message";

/**
 * Hands committed events to the delivery queue (docs/rules.md#webhooks): events of accounts with a live webhook are sent, and every
 * event picked is then marked dispatched. Sending before marking means a crash in between sends an event twice,
 * never zero times; deliveries are keyed by event, so the receiver sees one `webhook-id` either way.
 * `olderThan` lets the scheduled re-send leave fresh events to the request that wrote them.
 */
export async function dispatchOutbox(
  env: Env,
  db: Db,
  opts: { limit?: number; olderThan?: string } = {},
): Promise<number> {
  const queue = env.DELIVERY_QUEUE;
  if (!queue) return 0;
  const rows = await db.all<{ seq: number; id: string; hooked: number }>(sql`select e.seq, e.id,
      exists (select 1 from webhook_endpoints w where w.account_id = e.account_id and w.disabled_at is null) as hooked
    from ${events} e where e.dispatched_at is null ${opts.olderThan ? sql`and e.created_at < ${opts.olderThan}` : sql``}
    order by e.seq limit ${opts.limit ?? 100}`);
  if (rows.length === 0) return 0;
  await sendAndMark(env, db, rows);
  return rows.length;
}

/** Sends the hooked events of `rows` to the delivery queue, then marks all of `rows` dispatched. */
export async function sendAndMark(env: Env, db: Db, rows: PendingEvent[]): Promise<void> {
  const queue = env.DELIVERY_QUEUE;
  if (!queue || rows.length === 0) return;
  const messages = rows
    .filter((r) => r.hooked !== 0)
    .map((r) => ({ body: { eventId: r.id } satisfies DeliveryMessage }));
  for (let i = 0; i < messages.length; i += 100) await queue.sendBatch(messages.slice(i, i + 100));
  await db
    .update(events)
    .set({ dispatchedAt: new Date().toISOString() })
    .where(
      sql`${events.seq} in (select value from json_each(${JSON.stringify(rows.map((r) => r.seq))})) and ${events.dispatchedAt} is null`,
    );
}

/**
 * `dispatched_at` for a new event of `accountId` (a value, or a column of an insert's select), decided inside the
 * insert — by every writer of events, so that only accounts with a live webhook when an event is written ever
 * receive it (docs/rules.md#webhooks): when the account has no live webhook
 * there is nothing to hand on, so the event is born dispatched (`at`) and never enters the outbox; otherwise null
 * (the outbox), and the writer hands it on (`sendAndMark` with the rows its insert returns). Events stay readable
 * in the account's feed (`GET /v1/events`) either way.
 */
export function initialDispatch(accountId: string | SQL, at: string): SQL<string | null> {
  return sql<string | null>`case when exists (select 1 from ${webhookEndpoints} w where w.account_id = ${accountId}
    and w.disabled_at is null) then null else ${at} end`;
}

/**
 * Hands a committed change's events on once the answer is out: exactly `written` when the writer knows them (its
 * insert's `returning`), or else whatever the outbox holds. Every writer of events calls it after its batch commits,
 * and nothing else does; what a crash leaves between commit and hand-off, the cron sends (resendOutbox).
 */
export function handOn(
  env: Env,
  db: Db,
  ctx: { waitUntil(promise: Promise<unknown>): void },
  written?: PendingEvent[],
): void {
  if (!env.DELIVERY_QUEUE || written?.length === 0) return;
  const handOff = written ? sendAndMark(env, db, written) : dispatchOutbox(env, db);
  ctx.waitUntil(handOff.catch(() => {}));
}
