import { and, eq, isNull, sql } from "drizzle-orm";
import { configOf } from "../config";
import { createDb, type Db } from "../db/client";
import { events, webhookDeliveries, webhookEndpoints } from "../db/schema";
import { vaultFor } from "../lib/crypto";
import { newId } from "../lib/ids";
import type { Env } from "../types";
import type { DeliveryMessage } from "./delivery-message";
import {
  classifyAnswer,
  classifyFetchError,
  type DeliveryFailure,
  describeFailure,
  disablesEndpoint,
  fetchErrorOf,
  isOpaqueFailure,
  lookupProbeUrl,
  refusedAddress,
} from "./failure";
import { type HostResolver, resolverFor, webhookUrlRefusal } from "./resolver";
import { DELIVERY_TIMEOUT_MS, type DeliverySchedule, deliverySchedule } from "./schedule";
import { signatureHeaders } from "./signing";

/**
 * Delivery of one event to its account's endpoint (docs/rules.md#webhooks). A non-2xx answer or a timeout is retried through the
 * queue with growing delays — 10 attempts over about 40 hours — then the delivery is parked as dead and listed for
 * the account. 410 Gone disables the endpoint. Each attempt is signed with the time it is sent.
 */
export {
  DEFAULT_SCHEDULE,
  DELIVERY_TIMEOUT_MS,
  type DeliverySchedule,
  deliverySchedule,
  MAX_ATTEMPTS,
  RETRY_DELAYS_S,
} from "./schedule";

type Outcome = "delivered" | "retry" | "dead" | "skipped";

export type EventRow = typeof events.$inferSelect;

/** The body a receiver gets: the event as `GET /v1/events` shows it. */
export function eventPayload(event: Pick<EventRow, "id" | "type" | "createdAt" | "data">): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.createdAt,
    createdAt: event.createdAt,
    data: JSON.parse(event.data) as unknown,
  });
}

/** The secrets that sign right now: the current one, and the previous one during its 24 h overlap. */
export async function signingSecrets(
  env: Env,
  endpoint: typeof webhookEndpoints.$inferSelect,
  now: Date,
): Promise<string[]> {
  const vault = vaultFor(env);
  const secrets = [await vault.open(endpoint.secretSealed)];
  if (
    endpoint.previousSecretSealed &&
    endpoint.previousSecretExpiresAt &&
    endpoint.previousSecretExpiresAt > now.toISOString()
  ) {
    secrets.push(await vault.open(endpoint.previousSecretSealed));
  }
  return secrets;
}

/** What one POST came to: the status (0 when no HTTP answer came) and, unless it delivered, why not. */
export type PostResult = { status: number; failure?: DeliveryFailure };

/**
 * POSTs `body` signed to `url`, once the URL policy has been checked again (a URL stored under another mode or an
 * older rule is refused here, not fetched). Never throws for anything the endpoint or the network does.
 */
export async function post(
  url: string,
  messageId: string,
  body: string,
  secrets: string[],
  {
    timeoutMs = DELIVERY_TIMEOUT_MS,
    development,
    resolver = null,
  }: { timeoutMs?: number; development: boolean; resolver?: HostResolver | null },
): Promise<PostResult> {
  const refusal = await webhookUrlRefusal(url, { development, resolver });
  if (refusal && "code" in refusal) return { status: 0, failure: refusedAddress(refusal.code) };
  // A host whose addresses could not be checked is not sent to: the attempt fails and is retried.
  if (refusal)
    return { status: 0, failure: { kind: "dns", message: `the host could not be checked: ${refusal.unresolved}` } };
  // Signing is beian's own work: a failure there is not the endpoint's, and is not reported as one.
  const signature = await signatureHeaders(messageId, body, secrets);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "beian-webhooks/1", ...signature },
      body,
      // A redirect is an answer, not a delivery: receivers must accept at the URL they registered.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    const failure = classifyAnswer(res.status);
    return failure ? { status: res.status, failure } : { status: res.status };
  } catch (e) {
    const error = fetchErrorOf(e);
    const probe = isOpaqueFailure(error) ? lookupProbeUrl(url) : null;
    const hostResolves = probe ? await hostAnswers(probe) : undefined;
    const https = new URL(url).protocol === "https:";
    return { status: 0, failure: classifyFetchError(error, { https, timeoutMs, hostResolves }) };
  }
}

const PROBE_TIMEOUT_MS = 2000;

/** Whether `url` gets any answer or connection failure other than an opaque one (undefined when it times out). */
async function hostAnswers(url: string): Promise<boolean | undefined> {
  try {
    const res = await fetch(url, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
    return true;
  } catch (e) {
    const error = fetchErrorOf(e);
    if (error.name === "TimeoutError") return undefined;
    return !isOpaqueFailure(error);
  }
}

/**
 * The test ping (`POST /v1/webhook/test`): a signed `webhook.test` message, not an event, so nothing is recorded
 * for it; a 410 answer disables the endpoint as it does for an event.
 */
export async function pingEndpoint(
  env: Env,
  db: Db,
  endpoint: typeof webhookEndpoints.$inferSelect,
  { development, timeoutMs, resolver }: { development: boolean; timeoutMs: number; resolver: HostResolver | null },
  now = new Date(),
): Promise<PostResult & { webhookId: string }> {
  const webhookId = newId("msg", now.getTime());
  const body = eventPayload({
    id: webhookId,
    type: "webhook.test",
    createdAt: now.toISOString(),
    data: JSON.stringify({ ping: true }),
  });
  const secrets = await signingSecrets(env, endpoint, now);
  const result = await post(endpoint.url, webhookId, body, secrets, { timeoutMs, development, resolver });
  if (disablesEndpoint(result.status)) await disableEndpoint(db, endpoint.accountId, new Date().toISOString());
  return { ...result, webhookId };
}

function disableEndpoint(db: Db, accountId: string, at: string) {
  return db
    .update(webhookEndpoints)
    .set({ disabledAt: at, updatedAt: at })
    .where(and(eq(webhookEndpoints.accountId, accountId), isNull(webhookEndpoints.disabledAt)));
}

/** One attempt at delivering `eventId`; what the queue should do with the message next. */
export async function attemptDelivery(
  env: Env,
  db: Db,
  eventId: string,
  now = new Date(),
  schedule: DeliverySchedule = deliverySchedule(env),
  development = configOf(env).development,
  resolver: HostResolver | null = resolverFor(configOf(env)),
): Promise<{ outcome: Outcome; delaySeconds?: number }> {
  const [event] = await db.select().from(events).where(eq(events.id, eventId)).limit(1);
  if (!event) return { outcome: "skipped" };
  const [endpoint] = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.accountId, event.accountId))
    .limit(1);
  if (!endpoint || endpoint.disabledAt) return { outcome: "skipped" };
  const at = now.toISOString();
  await db
    .insert(webhookDeliveries)
    .values({
      id: newId("dlv", now.getTime()),
      eventId,
      accountId: event.accountId,
      status: "pending",
      createdAt: at,
      updatedAt: at,
    })
    .onConflictDoNothing();
  const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId)).limit(1);
  // Already settled by an earlier copy of this message: at-least-once delivery stops here.
  if (delivery?.status !== "pending") return { outcome: "skipped" };

  const result = await post(endpoint.url, event.id, eventPayload(event), await signingSecrets(env, endpoint, now), {
    timeoutMs: schedule.timeoutMs,
    development,
    resolver,
  });
  const attempts = delivery.attempts + 1;
  const base = {
    attempts,
    lastStatus: result.status || null,
    lastError: result.failure ? describeFailure(result.failure) : null,
    updatedAt: new Date().toISOString(),
  };
  if (!result.failure) {
    await db
      .update(webhookDeliveries)
      .set({ ...base, status: "delivered", nextAttemptAt: null })
      .where(eq(webhookDeliveries.id, delivery.id));
    return { outcome: "delivered" };
  }
  if (disablesEndpoint(result.status)) {
    await db.batch([
      disableEndpoint(db, event.accountId, at),
      db
        .update(webhookDeliveries)
        .set({ ...base, status: "dead", nextAttemptAt: null })
        .where(eq(webhookDeliveries.id, delivery.id)),
    ]);
    return { outcome: "dead" };
  }
  if (attempts >= schedule.maxAttempts) {
    await db
      .update(webhookDeliveries)
      .set({ ...base, status: "dead", nextAttemptAt: null })
      .where(eq(webhookDeliveries.id, delivery.id));
    return { outcome: "dead" };
  }
  const delaySeconds = schedule.delaysSeconds[attempts - 1] ?? schedule.delaysSeconds.at(-1) ?? 3600;
  await db
    .update(webhookDeliveries)
    .set({ ...base, nextAttemptAt: new Date(now.getTime() + delaySeconds * 1000).toISOString() })
    .where(eq(webhookDeliveries.id, delivery.id));
  return { outcome: "retry", delaySeconds };
}

/**
 * Marks deliveries dead when their messages reach the dead-letter queue (the queue gave up on them), creating the
 * delivery row when the first attempt never got as far as writing one, so every such event is listed.
 */
export async function markDead(db: Db, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return;
  const ids = JSON.stringify(eventIds);
  const at = new Date().toISOString();
  await db.batch([
    db
      .insert(webhookDeliveries)
      .select(
        sql`select 'dlv_' || lower(hex(randomblob(13))), e.id, e.account_id, 'dead', 0, null, 'given up by the queue', null, ${at}, ${at}
        from ${events} e where e.id in (select value from json_each(${ids}))`,
      )
      .onConflictDoNothing(),
    db
      .update(webhookDeliveries)
      .set({ status: "dead", updatedAt: at, nextAttemptAt: null })
      .where(
        and(
          sql`${webhookDeliveries.eventId} in (select value from json_each(${ids}))`,
          eq(webhookDeliveries.status, "pending"),
        ),
      ),
  ]);
}

export const DEAD_LETTER_QUEUE = "beian-webhooks-dead";

/** The Worker's queue handler: deliveries, and the dead-letter queue behind them. */
export async function handleDeliveryBatch(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  if (batch.queue === DEAD_LETTER_QUEUE) {
    await markDead(
      db,
      batch.messages.map((m) => m.body.eventId),
    );
    batch.ackAll();
    return;
  }
  // Outside the per-message handling: a malformed schedule fails the whole batch rather than guessing one.
  const schedule = deliverySchedule(env);
  for (const message of batch.messages) {
    try {
      const { outcome, delaySeconds } = await attemptDelivery(env, db, message.body.eventId, new Date(), schedule);
      if (outcome === "retry") message.retry({ delaySeconds });
      else message.ack();
    } catch {
      // Storage trouble: let the queue try again shortly.
      message.retry({ delaySeconds: 30 });
    }
  }
}
