import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDb } from "../../src/db/client";
import worker from "../../src/index";
import type { Env } from "../../src/types";
import {
  attemptDelivery,
  DEAD_LETTER_QUEUE,
  DEFAULT_SCHEDULE,
  DELIVERY_TIMEOUT_MS,
  deliverySchedule,
  handleDeliveryBatch,
  MAX_ATTEMPTS,
  RETRY_DELAYS_S,
} from "../../src/webhooks/delivery";
import type { DeliveryMessage } from "../../src/webhooks/delivery-message";
import { callJson, newAccount, newApp, validFiling } from "../support/api";
import { outboxSettled, type Received, stubReceiver, timeoutError } from "./receiver";

const appEnv = env as unknown as Env;
const db = () => createDb(env.DB);
const RECEIVER = "https://receiver.example";
const DAY_S = 24 * 60 * 60;

type DeliveryRow = {
  id: string;
  event_id: string;
  account_id: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
};

/** The queue, stubbed: what the code hands it is recorded and nothing is consumed in the background. */
let sent: DeliveryMessage[] = [];
beforeEach(() => {
  sent = [];
  const queue = appEnv.DELIVERY_QUEUE as Queue<DeliveryMessage>;
  vi.spyOn(queue, "send").mockImplementation(async (body) => {
    sent.push(body);
    return undefined as never;
  });
  vi.spyOn(queue, "sendBatch").mockImplementation(async (messages) => {
    for (const m of messages) sent.push(m.body);
    return undefined as never;
  });
});

afterEach(async () => {
  // Let the dispatch that the last request started finish against the stub before the real queue is back.
  await outboxSettled();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function deliveryRow(eventId: string): Promise<DeliveryRow | null> {
  return env.DB.prepare("select * from webhook_deliveries where event_id = ?").bind(eventId).first<DeliveryRow>();
}

/**
 * A developer with a webhook at `path` and `filings` filings submitted (one app each): real `filing.submitted`
 * events, read back from `GET /v1/events`.
 */
async function hookedDeveloper(path: string, filings = 1) {
  const dev = await newAccount("developer");
  const put = await callJson("/v1/webhook", { key: dev.key, method: "PUT", body: { url: `${RECEIVER}${path}` } });
  expect(put.status).toBe(201);
  const filingIds: string[] = [];
  for (let i = 0; i < filings; i++) {
    const appId = await newApp(dev.key);
    const submitted = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(submitted.status).toBe(201);
    filingIds.push(submitted.body.id);
  }
  const events = await callJson("/v1/events", { key: dev.key });
  expect(events.body.items).toHaveLength(filings);
  const eventIds: string[] = events.body.items.map((e: { id: string }) => e.id);
  await outboxSettled();
  return { dev, secret: put.body.secret as string, filingIds, eventIds, eventId: eventIds[0] as string };
}

/**
 * The delays the handler asked for, per message id. (`getQueueResult` from the plugin records which messages were
 * retried but not their `delaySeconds`, whatever its types say, so the calls are read from a spy.)
 */
function spyRetries(batch: MessageBatch<DeliveryMessage>): Map<string, unknown[]> {
  const calls = new Map<string, unknown[]>();
  for (const m of batch.messages) {
    const original = m.retry.bind(m);
    vi.spyOn(m, "retry").mockImplementation((options) => {
      calls.set(m.id, [...(calls.get(m.id) ?? []), options?.delaySeconds]);
      original(options);
    });
  }
  return calls;
}

function verify(secret: string, req: Received | undefined) {
  if (!req) throw new Error("no request received");
  return new Webhook(secret).verify(req.body, req.headers);
}

describe("attemptDelivery", () => {
  it("checks the host's addresses before each POST: a name that rebinds to a private address fails the attempt", async () => {
    const { dev, eventId } = await hookedDeveloper("/rebind");
    const receiver = stubReceiver(RECEIVER);
    let answer = ["10.0.0.7"];
    const resolver = { addresses: async () => answer };
    const schedule = deliverySchedule(appEnv);

    expect(await attemptDelivery(appEnv, db(), eventId, new Date(), schedule, true, resolver)).toEqual({
      outcome: "retry",
      delaySeconds: RETRY_DELAYS_S[0],
    });
    expect(receiver.received).toHaveLength(0);
    const refused = await deliveryRow(eventId);
    expect(refused).toMatchObject({ status: "pending", attempts: 1, last_status: null });
    expect(refused?.last_error).toMatch(/^refused_address: .*private/);
    const listed = await callJson("/v1/webhook/deliveries", { key: dev.key });
    expect(listed.body.items[0]).toMatchObject({ eventId, attempts: 1, lastError: refused?.last_error });

    // The resolver could not answer: nothing is sent either, and the attempt says why.
    const down = { addresses: async (): Promise<string[]> => Promise.reject(new Error("DNS over HTTPS answered 503")) };
    await attemptDelivery(appEnv, db(), eventId, new Date(), schedule, true, down);
    expect(receiver.received).toHaveLength(0);
    expect((await deliveryRow(eventId))?.last_error).toBe(
      "dns: the host could not be checked: DNS over HTTPS answered 503",
    );

    answer = ["93.184.216.34"];
    expect(await attemptDelivery(appEnv, db(), eventId, new Date(), schedule, true, resolver)).toEqual({
      outcome: "delivered",
    });
    expect(receiver.received).toHaveLength(1);
  });

  it("a 2xx marks the delivery delivered after one signed POST carrying the event", async () => {
    const { dev, secret, eventId, filingIds } = await hookedDeveloper("/ok");
    // The outbox handed the committed event to the queue.
    expect(sent).toContainEqual({ eventId });
    const receiver = stubReceiver(RECEIVER, () => new Response("thanks", { status: 202 }));

    expect(await attemptDelivery(appEnv, db(), eventId)).toEqual({ outcome: "delivered" });
    expect(receiver.received).toHaveLength(1);
    const req = receiver.received[0];
    expect(req?.url).toBe(`${RECEIVER}/ok`);
    expect(req?.headers["webhook-id"]).toBe(eventId);
    expect(verify(secret, req)).toMatchObject({
      id: eventId,
      type: "filing.submitted",
      data: { filingId: filingIds[0], type: "new", status: "platform_review" },
    });
    expect(await deliveryRow(eventId)).toMatchObject({
      account_id: dev.id,
      status: "delivered",
      attempts: 1,
      last_status: 202,
      last_error: null,
      next_attempt_at: null,
    });
    const listed = await callJson("/v1/webhook/deliveries?status=delivered", { key: dev.key });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ eventId, status: "delivered", attempts: 1, lastStatus: 202 });
    expect(listed.body.items[0]).not.toHaveProperty("accountId");
  });

  it("a 500 is retried after 60 s, then with growing delays; after MAX_ATTEMPTS it is dead, listed and retryable", async () => {
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(8);
    const { dev, secret, eventId } = await hookedDeveloper("/down");
    const receiver = stubReceiver(RECEIVER, () => new Response("down", { status: 500 }));

    const start = Date.now();
    let clock = start;
    const delays: number[] = [];
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await attemptDelivery(appEnv, db(), eventId, new Date(clock));
      expect(result.outcome, `attempt ${attempt}`).toBe("retry");
      const delay = result.delaySeconds as number;
      delays.push(delay);
      const row = await deliveryRow(eventId);
      expect(row).toMatchObject({ status: "pending", attempts: attempt, last_status: 500 });
      expect(row?.next_attempt_at).toBe(new Date(clock + delay * 1000).toISOString());
      if (attempt === 1) {
        expect(delay).toBe(60);
        const pending = await callJson("/v1/webhook/deliveries?status=pending", { key: dev.key });
        expect(pending.body.items).toMatchObject([{ eventId, status: "pending", attempts: 1, lastStatus: 500 }]);
      }
      clock += delay * 1000;
    }
    expect(delays).toEqual(RETRY_DELAYS_S.slice(0, MAX_ATTEMPTS - 1));
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] as number);
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(Math.max(...delays)).toBeLessThanOrEqual(12 * 60 * 60); // the queue's longest delay
    // At least 8 attempts spread over at least 24 h (docs/rules.md#webhooks).
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(DAY_S);

    expect(await attemptDelivery(appEnv, db(), eventId, new Date(clock))).toEqual({ outcome: "dead" });
    expect(await deliveryRow(eventId)).toMatchObject({
      status: "dead",
      attempts: MAX_ATTEMPTS,
      last_status: 500,
      next_attempt_at: null,
    });
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
    // Every attempt: the same webhook-id and body, each signed validly.
    for (const req of receiver.received) {
      expect(req.headers["webhook-id"]).toBe(eventId);
      expect(req.body).toBe(receiver.received[0]?.body);
      expect(verify(secret, req)).toMatchObject({ id: eventId });
    }
    // A dead delivery is not attempted again by a stray copy of its message.
    expect(await attemptDelivery(appEnv, db(), eventId)).toEqual({ outcome: "skipped" });
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);

    const dead = await callJson("/v1/webhook/deliveries?status=dead", { key: dev.key });
    expect(dead.status).toBe(200);
    expect(dead.body.items).toHaveLength(1);
    const item = dead.body.items[0];
    expect(item).toMatchObject({
      eventId,
      status: "dead",
      attempts: MAX_ATTEMPTS,
      lastStatus: 500,
      nextAttemptAt: null,
    });
    expect((await callJson("/v1/webhook/deliveries?status=pending", { key: dev.key })).body.items).toEqual([]);

    // Someone else's delivery is not found.
    const other = await newAccount("developer");
    const foreign = await callJson(`/v1/webhook/deliveries/${item.id}/retry`, { key: other.key, method: "POST" });
    expect(foreign.status).toBe(404);
    expect((await callJson("/v1/webhook/deliveries?status=dead", { key: other.key })).body.items).toEqual([]);

    sent = [];
    const retried = await callJson(`/v1/webhook/deliveries/${item.id}/retry`, { key: dev.key, method: "POST" });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: item.id, eventId, status: "pending", attempts: 0 });
    expect(sent).toEqual([{ eventId }]);
    expect(await deliveryRow(eventId)).toMatchObject({ status: "pending", attempts: 0 });
    expect((await callJson("/v1/webhook/deliveries?status=dead", { key: dev.key })).body.items).toEqual([]);
    // Retrying a delivery that is not dead is a conflict.
    const twice = await callJson(`/v1/webhook/deliveries/${item.id}/retry`, { key: dev.key, method: "POST" });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe("INVALID_TRANSITION");
    const unknown = await callJson("/v1/webhook/deliveries/dlv_nope/retry", { key: dev.key, method: "POST" });
    expect(unknown.status).toBe(404);

    // The receiver is back: the re-queued message delivers, counting attempts afresh.
    receiver.spy.mockImplementation(async () => new Response(null, { status: 200 }));
    expect(await attemptDelivery(appEnv, db(), eventId)).toEqual({ outcome: "delivered" });
    expect(await deliveryRow(eventId)).toMatchObject({ status: "delivered", attempts: 1, last_status: 200 });
  });

  it("a receiver that processed the event but timed out gets it again: same webhook-id, fresh signature", async () => {
    const { secret, eventId } = await hookedDeveloper("/slow");
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const processed: string[] = [];
    const receiver = stubReceiver(RECEIVER, (req, n) => {
      // The receiver verifies and processes the event, but its answer never arrives in time.
      verify(secret, req);
      processed.push(req.headers["webhook-id"] as string);
      if (n === 1) throw timeoutError();
      return new Response("ok", { status: 200 });
    });

    const first = await attemptDelivery(appEnv, db(), eventId);
    expect(first).toEqual({ outcome: "retry", delaySeconds: 60 });
    const row = await deliveryRow(eventId);
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_status: null });
    expect(row?.last_error).toMatch(/^timeout: no answer within \d+ ms$/);

    vi.setSystemTime(t0 + 61_000);
    expect(await attemptDelivery(appEnv, db(), eventId)).toEqual({ outcome: "delivered" });
    expect(processed).toEqual([eventId, eventId]);
    const [a, b] = receiver.received as [Received, Received];
    expect(b.headers["webhook-id"]).toBe(a.headers["webhook-id"]);
    expect(b.body).toBe(a.body);
    expect(Number(b.headers["webhook-timestamp"]) - Number(a.headers["webhook-timestamp"])).toBe(61);
    expect(b.headers["webhook-signature"]).not.toBe(a.headers["webhook-signature"]);
    expect(verify(secret, b)).toMatchObject({ id: eventId });
    // The first attempt's headers are now just a replay with a stale-ish timestamp, still a valid signature.
    expect(verify(secret, a)).toMatchObject({ id: eventId });
    expect(await deliveryRow(eventId)).toMatchObject({
      status: "delivered",
      attempts: 2,
      last_status: 200,
      last_error: null,
    });
  });

  it("an AbortError or a network failure is retried like a timeout", async () => {
    const { eventIds } = await hookedDeveloper("/net", 2);
    const [e1, e2] = eventIds as [string, string];
    stubReceiver(RECEIVER, (req) => {
      if (req.headers["webhook-id"] === e1) throw new DOMException("The operation was aborted", "AbortError");
      throw new TypeError("Network connection lost.");
    });
    expect(await attemptDelivery(appEnv, db(), e1)).toEqual({ outcome: "retry", delaySeconds: 60 });
    expect(await attemptDelivery(appEnv, db(), e2)).toEqual({ outcome: "retry", delaySeconds: 60 });
    expect((await deliveryRow(e1))?.last_error).toBe("timeout: the request was aborted before an answer");
    expect((await deliveryRow(e2))?.last_error).toBe("connect: the connection was refused or closed before an answer");
  });

  it("410 disables the endpoint and nothing more is attempted for its events until it is set again", async () => {
    const { dev, eventId, filingIds } = await hookedDeveloper("/gone");
    const receiver = stubReceiver(RECEIVER, () => new Response("gone", { status: 410 }));
    expect(await attemptDelivery(appEnv, db(), eventId)).toEqual({ outcome: "dead" });
    expect(await deliveryRow(eventId)).toMatchObject({
      status: "dead",
      attempts: 1,
      last_status: 410,
      last_error: "status: the endpoint answered 410 Gone: it is disabled until its URL is set again",
    });
    const shown = await callJson("/v1/webhook", { key: dev.key });
    expect(shown.body).toMatchObject({ url: `${RECEIVER}/gone`, enabled: false });
    expect(Date.parse(shown.body.disabledAt)).toBeGreaterThan(Date.now() - 60_000);

    // A later event for the account: not queued, and a stray message for it is skipped without a POST.
    sent = [];
    const withdrawn = await callJson(`/v1/filings/${filingIds[0]}/withdraw`, { key: dev.key, method: "POST" });
    expect(withdrawn.status).toBe(200);
    const events = await callJson(`/v1/events?after=${eventId}`, { key: dev.key });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(["filing.status_changed"]);
    const later = events.body.items[0].id as string;
    await outboxSettled();
    expect(sent).toEqual([]);
    expect(await attemptDelivery(appEnv, db(), later)).toEqual({ outcome: "skipped" });
    expect(await attemptDelivery(appEnv, db(), eventId)).toEqual({ outcome: "skipped" });
    expect(receiver.received).toHaveLength(1);
    expect(await deliveryRow(later)).toBeNull();

    // Setting the URL again re-enables it.
    const reset = await callJson("/v1/webhook", { key: dev.key, method: "PUT", body: { url: `${RECEIVER}/back` } });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ enabled: true, disabledAt: null });
    receiver.spy.mockImplementation(async () => new Response(null, { status: 200 }));
    expect(await attemptDelivery(appEnv, db(), later)).toEqual({ outcome: "delivered" });
  });

  it("a message for an already delivered event is acked without a second POST (at-least-once dedupe)", async () => {
    const { eventIds } = await hookedDeveloper("/dedupe", 2);
    const [e1, e2] = eventIds as [string, string];
    const receiver = stubReceiver(RECEIVER);
    expect(await attemptDelivery(appEnv, db(), e1)).toEqual({ outcome: "delivered" });
    expect(await attemptDelivery(appEnv, db(), e1)).toEqual({ outcome: "skipped" });
    expect(receiver.received).toHaveLength(1);

    // Through the queue handler: a copy of a delivered message, and two copies of a fresh one in one batch.
    const batch = createMessageBatch<DeliveryMessage>("beian-webhooks", [
      { id: "m-dup-1", timestamp: new Date(), attempts: 2, body: { eventId: e1 } },
      { id: "m-new-1", timestamp: new Date(), attempts: 1, body: { eventId: e2 } },
      { id: "m-new-2", timestamp: new Date(), attempts: 1, body: { eventId: e2 } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, appEnv);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m-dup-1", "m-new-1", "m-new-2"]);
    expect(result.retryMessages).toEqual([]);
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([e1, e2]);
    expect(await deliveryRow(e2)).toMatchObject({ status: "delivered", attempts: 1 });
  });
});

describe("the queue handler", () => {
  it("acks delivered messages, retries failed ones with the delay, acks unknown events", async () => {
    const { eventIds } = await hookedDeveloper("/mixed", 2);
    const [ok, failing] = eventIds as [string, string];
    const receiver = stubReceiver(RECEIVER, (req) =>
      req.headers["webhook-id"] === ok ? new Response("ok") : new Response("busy", { status: 503 }),
    );
    const batch = createMessageBatch<DeliveryMessage>("beian-webhooks", [
      { id: "m-ok", timestamp: new Date(), attempts: 1, body: { eventId: ok } },
      { id: "m-fail", timestamp: new Date(), attempts: 1, body: { eventId: failing } },
      { id: "m-unknown", timestamp: new Date(), attempts: 1, body: { eventId: "evt_does_not_exist" } },
    ]);
    const retries = spyRetries(batch);
    const ctx = createExecutionContext();
    await worker.queue(batch, appEnv);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(false);
    expect(result.retryBatch.retry).toBe(false);
    expect(result.explicitAcks.sort()).toEqual(["m-ok", "m-unknown"]);
    expect(result.retryMessages).toEqual([{ msgId: "m-fail" }]);
    expect(Object.fromEntries(retries)).toEqual({ "m-fail": [60] });
    expect(receiver.received).toHaveLength(2);
    expect(await deliveryRow(ok)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(await deliveryRow(failing)).toMatchObject({ status: "pending", attempts: 1, last_status: 503 });

    // The queue redelivers the failed message; the second failure waits longer.
    const again = createMessageBatch<DeliveryMessage>("beian-webhooks", [
      { id: "m-fail", timestamp: new Date(), attempts: 2, body: { eventId: failing } },
    ]);
    const retries2 = spyRetries(again);
    const ctx2 = createExecutionContext();
    await handleDeliveryBatch(again, appEnv);
    const result2 = await getQueueResult(again, ctx2);
    expect(result2.retryMessages).toEqual([{ msgId: "m-fail" }]);
    expect(result2.explicitAcks).toEqual([]);
    expect(Object.fromEntries(retries2)).toEqual({ "m-fail": [RETRY_DELAYS_S[1]] });
    expect(RETRY_DELAYS_S[1]).toBeGreaterThan(60);
    expect(await deliveryRow(failing)).toMatchObject({ status: "pending", attempts: 2 });
  });

  it("messages from the dead-letter queue mark pending deliveries dead and leave delivered ones alone", async () => {
    const { dev, eventIds } = await hookedDeveloper("/dlq", 2);
    const [delivered, pending] = eventIds as [string, string];
    stubReceiver(RECEIVER, (req) =>
      req.headers["webhook-id"] === delivered ? new Response("ok") : new Response("no", { status: 500 }),
    );
    await attemptDelivery(appEnv, db(), delivered);
    await attemptDelivery(appEnv, db(), pending);
    expect(DEAD_LETTER_QUEUE).toBe("beian-webhooks-dead");

    const batch = createMessageBatch<DeliveryMessage>("beian-webhooks-dead", [
      { id: "d-1", timestamp: new Date(), attempts: 13, body: { eventId: pending } },
      { id: "d-2", timestamp: new Date(), attempts: 13, body: { eventId: delivered } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, appEnv);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    expect(result.retryMessages).toEqual([]);
    expect(await deliveryRow(pending)).toMatchObject({ status: "dead", attempts: 1, next_attempt_at: null });
    expect(await deliveryRow(delivered)).toMatchObject({ status: "delivered" });
    const dead = await callJson("/v1/webhook/deliveries?status=dead", { key: dev.key });
    expect(dead.body.items.map((d: { eventId: string }) => d.eventId)).toEqual([pending]);
  });
});

describe("edge cases", () => {
  it("treats a redirect as a failed attempt, not a delivery", async () => {
    const { eventId } = await hookedDeveloper("/moved");
    const { received } = stubReceiver(
      RECEIVER,
      () => new Response(null, { status: 301, headers: { location: "https://elsewhere.example/" } }),
    );
    const result = await attemptDelivery(appEnv, db(), eventId);
    expect(result).toEqual({ outcome: "retry", delaySeconds: RETRY_DELAYS_S[0] });
    expect(received).toHaveLength(1);
    expect(await deliveryRow(eventId)).toMatchObject({ status: "pending", attempts: 1, last_status: 301 });
  });

  it("refuses to retry a dead delivery while the endpoint is disabled", async () => {
    const { dev, eventId } = await hookedDeveloper("/gone");
    stubReceiver(RECEIVER, () => new Response("gone", { status: 410 }));
    expect((await attemptDelivery(appEnv, db(), eventId)).outcome).toBe("dead");
    const row = await deliveryRow(eventId);
    const retry = await callJson(`/v1/webhook/deliveries/${row?.id}/retry`, { key: dev.key, method: "POST" });
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe("CONFLICT");
    expect((await deliveryRow(eventId))?.status).toBe("dead");
  });

  it("lists as dead an event the queue gave up on before its first attempt was recorded", async () => {
    const { dev, eventId } = await hookedDeveloper("/never");
    expect(await deliveryRow(eventId)).toBeNull();
    const batch = createMessageBatch<DeliveryMessage>(DEAD_LETTER_QUEUE, [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { eventId } },
    ]);
    await worker.queue(batch, env);
    expect(await deliveryRow(eventId)).toMatchObject({ status: "dead", attempts: 0 });
    const dead = await callJson("/v1/webhook/deliveries?status=dead", { key: dev.key });
    expect(dead.body.items.map((d: { eventId: string }) => d.eventId)).toContain(eventId);
  });
});

describe("a configurable schedule (WEBHOOK_RETRY_DELAYS_SECONDS, WEBHOOK_TIMEOUT_MS)", () => {
  it("defaults to 10 attempts over about 40 hours and a 10 s timeout", () => {
    expect(deliverySchedule({})).toEqual({
      delaysSeconds: RETRY_DELAYS_S,
      maxAttempts: MAX_ATTEMPTS,
      timeoutMs: DELIVERY_TIMEOUT_MS,
    });
    expect(deliverySchedule({ WEBHOOK_RETRY_DELAYS_SECONDS: "", WEBHOOK_TIMEOUT_MS: "" })).toEqual(DEFAULT_SCHEDULE);
    expect(DEFAULT_SCHEDULE.maxAttempts).toBe(DEFAULT_SCHEDULE.delaysSeconds.length + 1);
    const hours = DEFAULT_SCHEDULE.delaysSeconds.reduce((a, b) => a + b, 0) / 3600;
    expect(hours).toBeGreaterThan(38);
    expect(hours).toBeLessThan(42);
  });

  it("reads the delays after each failed attempt; the attempts are one more than the delays", () => {
    expect(deliverySchedule({ WEBHOOK_RETRY_DELAYS_SECONDS: "1,2,4,8" })).toEqual({
      delaysSeconds: [1, 2, 4, 8],
      maxAttempts: 5,
      timeoutMs: DELIVERY_TIMEOUT_MS,
    });
    expect(deliverySchedule({ WEBHOOK_RETRY_DELAYS_SECONDS: " 0, 30 ,43200 " }).delaysSeconds).toEqual([0, 30, 43200]);
    expect(deliverySchedule({ WEBHOOK_RETRY_DELAYS_SECONDS: "5" }).maxAttempts).toBe(2);
    expect(deliverySchedule({ WEBHOOK_TIMEOUT_MS: "1500" }).timeoutMs).toBe(1500);
  });

  it.each([["1,,2"], ["1;2"], ["-1"], ["1.5"], ["abc"], ["43201"], [Array.from({ length: 13 }, () => "1").join(",")]])(
    "refuses the delays %j, naming the variable",
    (value) => {
      expect(() => deliverySchedule({ WEBHOOK_RETRY_DELAYS_SECONDS: value })).toThrow(
        /^WEBHOOK_RETRY_DELAYS_SECONDS: /,
      );
    },
  );

  it.each([["0"], ["99"], ["60001"], ["1e3"], ["ten"]])("refuses the timeout %j", (value) => {
    expect(() => deliverySchedule({ WEBHOOK_TIMEOUT_MS: value })).toThrow(/^WEBHOOK_TIMEOUT_MS: /);
  });

  it("attempts follow the configured delays and end dead after the configured number", async () => {
    const { eventId } = await hookedDeveloper("/short");
    const receiver = stubReceiver(RECEIVER, () => new Response("down", { status: 503 }));
    const schedule = deliverySchedule({ WEBHOOK_RETRY_DELAYS_SECONDS: "1,2" });
    expect(await attemptDelivery(appEnv, db(), eventId, new Date(), schedule)).toEqual({
      outcome: "retry",
      delaySeconds: 1,
    });
    expect(await attemptDelivery(appEnv, db(), eventId, new Date(), schedule)).toEqual({
      outcome: "retry",
      delaySeconds: 2,
    });
    expect(await attemptDelivery(appEnv, db(), eventId, new Date(), schedule)).toEqual({ outcome: "dead" });
    expect(await deliveryRow(eventId)).toMatchObject({ status: "dead", attempts: 3, last_status: 503 });
    expect(receiver.received).toHaveLength(3);
  });

  it("the queue handler takes the schedule from the environment", async () => {
    const { eventId } = await hookedDeveloper("/env");
    stubReceiver(RECEIVER, () => new Response("busy", { status: 503 }));
    const configured = { ...appEnv, WEBHOOK_RETRY_DELAYS_SECONDS: "5,7" } as Env;
    const batch = createMessageBatch<DeliveryMessage>("beian-webhooks", [
      { id: "m-env", timestamp: new Date(), attempts: 1, body: { eventId } },
    ]);
    const retries = spyRetries(batch);
    await handleDeliveryBatch(batch, configured);
    expect(Object.fromEntries(retries)).toEqual({ "m-env": [5] });
  });

  it("a malformed schedule fails the whole batch instead of delivering on a guessed one", async () => {
    const { eventId } = await hookedDeveloper("/bad");
    const receiver = stubReceiver(RECEIVER);
    const misconfigured = { ...appEnv, WEBHOOK_RETRY_DELAYS_SECONDS: "soon" } as Env;
    const batch = createMessageBatch<DeliveryMessage>("beian-webhooks", [
      { id: "m-bad", timestamp: new Date(), attempts: 1, body: { eventId } },
    ]);
    await expect(handleDeliveryBatch(batch, misconfigured)).rejects.toThrow(/WEBHOOK_RETRY_DELAYS_SECONDS/);
    expect(receiver.received).toHaveLength(0);
    expect(await deliveryRow(eventId)).toBeNull();
  });

  it("an attempt gives up after the configured timeout and is retried", async () => {
    const { eventId } = await hookedDeveloper("/hang");
    const original = globalThis.fetch;
    let posts = 0;
    // A receiver that never answers: the request ends only when the attempt's signal aborts it.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith(RECEIVER)) return original(input as RequestInfo, init);
      posts++;
      const signal = init?.signal;
      return new Promise<Response>((_, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason));
      });
    });
    const schedule = deliverySchedule({ WEBHOOK_RETRY_DELAYS_SECONDS: "1", WEBHOOK_TIMEOUT_MS: "200" });
    const started = Date.now();
    expect(await attemptDelivery(appEnv, db(), eventId, new Date(), schedule)).toEqual({
      outcome: "retry",
      delaySeconds: 1,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(posts).toBe(1);
    const row = await deliveryRow(eventId);
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_status: null });
    expect(row?.last_error).toBe("timeout: no answer within 200 ms");
  });
});
