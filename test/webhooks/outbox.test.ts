import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDb } from "../../src/db/client";
import { runEnforcement } from "../../src/jobs/enforcement";
import type { Env } from "../../src/types";
import type { DeliveryMessage } from "../../src/webhooks/delivery-message";
import { dispatchOutbox } from "../../src/webhooks/outbox";
import { callJson, newAccount, newApp, validFiling } from "../support/api";
import { DAY, importScenarioApps, policyScenario } from "../support/enforcement";
import { approve, staff } from "../support/lifecycle";
import { eventually, outboxSettled } from "./receiver";

const appEnv = env as unknown as Env;
const RECEIVER = "https://receiver.example";

/** What the hand-off gives the queue (stubbed: recorded, never consumed). */
let sent: DeliveryMessage[] = [];
beforeEach(() => {
  sent = [];
  vi.spyOn(appEnv.DELIVERY_QUEUE as Queue<DeliveryMessage>, "sendBatch").mockImplementation(async (messages) => {
    for (const m of messages) sent.push(m.body);
    return undefined as never;
  });
});

afterEach(async () => {
  await outboxSettled();
  vi.restoreAllMocks();
});

type EventRow = { id: string; created_at: string; dispatched_at: string | null };

async function submittedEvent(key: string, appId: string): Promise<EventRow> {
  const submitted = await callJson("/v1/filings", { key, body: validFiling(appId) });
  expect(submitted.status).toBe(201);
  const row = await env.DB.prepare("select id, created_at, dispatched_at from events where data ->> 'filingId' = ?")
    .bind(submitted.body.id)
    .first<EventRow>();
  if (!row) throw new Error("the submission wrote no event");
  return row;
}

describe("the outbox hand-off of a submission", () => {
  it("an account without a webhook gets its event born dispatched: never in the outbox, nothing queued", async () => {
    const dev = await newAccount("developer");
    const event = await submittedEvent(dev.key, await newApp(dev.key));
    // Stamped by the insert itself (the submission's time), not by a later hand-off.
    expect(event.dispatched_at).toBe(event.created_at);
    await outboxSettled();
    expect(sent.map((m) => m.eventId)).not.toContain(event.id);
    // Still in the account's feed.
    const feed = await callJson("/v1/events", { key: dev.key });
    expect(feed.body.items.map((e: { id: string }) => e.id)).toEqual([event.id]);
  });

  it("an account with a live webhook gets exactly its event queued once, then marked dispatched", async () => {
    const dev = await newAccount("developer");
    const put = await callJson("/v1/webhook", { key: dev.key, method: "PUT", body: { url: `${RECEIVER}/hook` } });
    expect(put.status).toBe(201);
    const appId = await newApp(dev.key);
    const event = await submittedEvent(dev.key, appId);
    const dispatched = await eventually(async () => {
      const row = await env.DB.prepare("select dispatched_at from events where id = ?")
        .bind(event.id)
        .first<{ dispatched_at: string | null }>();
      return row?.dispatched_at;
    });
    expect(dispatched).toBeTruthy();
    expect(sent.filter((m) => m.eventId === event.id)).toHaveLength(1);
  });

  it("a disabled webhook receives nothing: the event is born dispatched", async () => {
    const dev = await newAccount("developer");
    const put = await callJson("/v1/webhook", { key: dev.key, method: "PUT", body: { url: `${RECEIVER}/hook` } });
    expect(put.status).toBe(201);
    await env.DB.prepare("update webhook_endpoints set disabled_at = ? where account_id = ?")
      .bind(new Date().toISOString(), dev.id)
      .run();
    const event = await submittedEvent(dev.key, await newApp(dev.key));
    expect(event.dispatched_at).toBe(event.created_at);
    await outboxSettled();
    expect(sent.map((m) => m.eventId)).not.toContain(event.id);
  });
});

describe("a webhook set later", () => {
  it("receives what happens from then on, not what the cron wrote before it existed", async () => {
    const now = new Date();
    const s = await policyScenario(new Date(now.getTime() - DAY), new Date(now.getTime() - 100 * DAY), [7]);
    const dev = s.owner;
    const [appId] = await importScenarioApps(s, [{ listed: true, listedDaysBeforeCutoff: 100 }]);

    const run = await runEnforcement(appEnv, now);
    expect(run).toMatchObject({ ran: true, completed: true });
    const delisted = await env.DB.prepare(
      "select id, created_at, dispatched_at from events where type = 'app.delisted' and data ->> 'appId' = ?",
    )
      .bind(appId)
      .first<EventRow>();
    // No webhook when it was written: born dispatched, like a submission's event.
    expect(delisted?.dispatched_at).toBe(delisted?.created_at);

    const put = await callJson("/v1/webhook", { key: dev.key, method: "PUT", body: { url: `${RECEIVER}/hook` } });
    expect(put.status).toBe(201);
    await dispatchOutbox(appEnv, createDb(appEnv.DB));
    await outboxSettled();
    expect(sent.map((m) => m.eventId)).not.toContain(delisted?.id);
  });
});

describe("every writer of events", () => {
  it("writes an account's events born dispatched when it has no webhook: moves, issuance, revocation", async () => {
    const dev = await newAccount("developer");
    const keys = await staff();
    const appId = await newApp(dev.key);
    const submitted = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(submitted.status).toBe(201);
    const approved = await approve(submitted.body.id, keys);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect((await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" })).status).toBe(200);
    const regulator = await newAccount("regulator");
    const revoked = await callJson(
      `/v1/regulator/registrations/${encodeURIComponent(approved.body.registrationNumber)}/revoke`,
      { key: regulator.key, body: { reasons: [{ field: "service.name", error: "违规", suggest: "整改后重新备案" }] } },
    );
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const { results } = await env.DB.prepare(
      "select type, created_at, dispatched_at from events where account_id = ? order by seq",
    )
      .bind(dev.id)
      .all<{ type: string; created_at: string; dispatched_at: string | null }>();
    expect(results.map((e) => e.type)).toEqual(
      expect.arrayContaining(["filing.status_changed", "registration.issued", "registration.revoked", "app.delisted"]),
    );
    // Stamped by each insert itself with its own time, not by a later hand-off.
    for (const e of results) expect(e.dispatched_at, e.type).toBe(e.created_at);
  });
});
