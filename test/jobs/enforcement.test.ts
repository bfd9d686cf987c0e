import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { runEnforcement } from "../../src/jobs/enforcement";
import { adminKey, callJson, newAccount, unique, validFiling } from "../support/api";
import { DAY, importScenarioApps as importApps, policyScenario as scenario } from "../support/enforcement";
import { approve, staff } from "../support/lifecycle";

async function appState(appId: string) {
  return env.DB.prepare("select listing_status, delist_reason from apps where app_id = ?").bind(appId).first<{
    listing_status: string;
    delist_reason: string | null;
  }>();
}

async function countRows(sql: string, ...params: unknown[]): Promise<number> {
  return (
    (
      await env.DB.prepare(sql)
        .bind(...params)
        .first<{ n: number }>()
    )?.n ?? 0
  );
}

const eventsOf = (type: string, appId: string) =>
  countRows("select count(*) as n from events where type = ? and json_extract(data, '$.appId') = ?", type, appId);

describe("reminders", () => {
  it("sends each offset once per app, only the nearest due one, never at or after the deadline", async () => {
    const s = await scenario(new Date("2031-03-31T15:59:59Z"));
    const [covered, unlisted, late] = await importApps(s, [
      { listed: true },
      { listed: false },
      { listed: true, listedDaysBeforeCutoff: -5 },
    ]);
    const at = (msBeforeDeadline: number) => new Date(s.deadline.getTime() - msBeforeDeadline);

    // 8 days before: the 30-day reminder is due (7 is not yet).
    await runEnforcement(env, at(8 * DAY));
    await runEnforcement(env, at(8 * DAY - 600_000));
    expect(await eventsOf("app.deadline_reminder", covered as string)).toBe(1);
    // 6 days before: the 7-day one; twice over, still once.
    await runEnforcement(env, at(6 * DAY));
    await runEnforcement(env, at(5 * DAY));
    expect(await eventsOf("app.deadline_reminder", covered as string)).toBe(2);
    // 12 hours before: the 1-day one; then nothing at or after the deadline.
    await runEnforcement(env, at(12 * 3600_000));
    await runEnforcement(env, at(0));
    expect(await eventsOf("app.deadline_reminder", covered as string)).toBe(3);
    const offsets = await env.DB.prepare(
      "select offset_days from enforcement_actions where action = 'reminder' and app_id = ? order by offset_days desc",
    )
      .bind(covered)
      .all<{ offset_days: number }>();
    expect(offsets.results.map((r) => r.offset_days)).toEqual([30, 7, 1]);
    expect(await eventsOf("app.deadline_reminder", unlisted as string)).toBe(0);
    expect(await eventsOf("app.deadline_reminder", late as string)).toBe(0);
  });

  it("after an outage sends the nearest offset only, not the stale ones", async () => {
    const s = await scenario(new Date("2032-03-31T15:59:59Z"));
    const [app] = await importApps(s, [{ listed: true }]);
    await runEnforcement(env, new Date(s.deadline.getTime() - 3 * DAY));
    const rows = await env.DB.prepare(
      "select offset_days from enforcement_actions where action = 'reminder' and app_id = ?",
    )
      .bind(app)
      .all<{ offset_days: number }>();
    expect(rows.results.map((r) => r.offset_days)).toEqual([7]);
  });
});

describe("delisting after the deadline", () => {
  it("delists exactly the covered, listed apps without an active registration", async () => {
    const keys = await staff();
    const s = await scenario(new Date("2033-03-31T15:59:59Z"));
    const [unfiled, filed, unlisted, late] = await importApps(s, [
      { listed: true },
      { listed: true },
      { listed: false },
      { listed: true, listedDaysBeforeCutoff: -1 },
    ]);
    const filing = await callJson("/v1/filings", { key: s.owner.key, body: validFiling(filed as string) });
    expect((await approve(filing.body.id, keys)).status).toBe(200);

    const before = await runEnforcement(env, new Date(s.deadline.getTime() - 1000));
    expect(before).toMatchObject({ ran: true, completed: true });
    expect((await appState(unfiled as string))?.listing_status).toBe("listed");

    const run = await runEnforcement(env, new Date(s.deadline.getTime() + 60_000));
    expect(run).toMatchObject({ ran: true, completed: true });
    expect(await appState(unfiled as string)).toEqual({ listing_status: "delisted", delist_reason: "deadline" });
    expect(await appState(filed as string)).toEqual({ listing_status: "listed", delist_reason: null });
    expect(await appState(unlisted as string)).toEqual({ listing_status: "unlisted", delist_reason: null });
    expect(await appState(late as string)).toEqual({ listing_status: "listed", delist_reason: null });
    expect(await eventsOf("app.delisted", unfiled as string)).toBe(1);

    // Running again changes nothing.
    await runEnforcement(env, new Date(s.deadline.getTime() + 120_000));
    expect(await eventsOf("app.delisted", unfiled as string)).toBe(1);
    expect(
      await countRows(
        "select count(*) as n from enforcement_actions where app_id = ? and action = 'delist_deadline'",
        unfiled,
      ),
    ).toBe(1);
  });

  it("relists an app delisted for the deadline as soon as it is approved, and an import does not relist it", async () => {
    const keys = await staff();
    const s = await scenario(new Date("2034-03-31T15:59:59Z"));
    const [app] = await importApps(s, [{ listed: true }]);
    await runEnforcement(env, new Date(s.deadline.getTime() + 60_000));
    expect((await appState(app as string))?.listing_status).toBe("delisted");

    // Re-importing the catalogue (which still says "listed") leaves it delisted.
    const again = await callJson("/v1/admin/apps/import", {
      key: adminKey(),
      body: {
        apps: [
          {
            appId: app,
            name: "存量小程序",
            ownerAccountId: s.owner.id,
            listingStatus: "listed",
            listedAt: "2030-01-01T00:00:00+08:00",
          },
        ],
      },
    });
    expect(again.body).toEqual({ imported: 0, updated: 1 });
    expect((await appState(app as string))?.listing_status).toBe("delisted");

    const filing = await callJson("/v1/filings", { key: s.owner.key, body: validFiling(app as string) });
    expect((await approve(filing.body.id, keys)).status).toBe(200);
    expect(await appState(app as string)).toEqual({ listing_status: "listed", delist_reason: null });
    expect(await eventsOf("app.relisted", app as string)).toBe(1);
  });
});

describe("runs", () => {
  it("an interrupted run, rerun, ends where one clean run does: no duplicate actions or events", async () => {
    const s = await scenario(new Date("2035-03-31T15:59:59Z"));
    const apps = await importApps(
      s,
      Array.from({ length: 23 }, () => ({ listed: true })),
    );
    const t = new Date(s.deadline.getTime() + 60_000);

    const broken = await runEnforcement(env, t, { chunkSize: 5, failAfterChunks: 2 });
    expect(broken).toMatchObject({ ran: true, completed: false });
    const delistedAfterFailure = await countRows(
      `select count(*) as n from apps where app_id in (select value from json_each(?)) and listing_status = 'delisted'`,
      JSON.stringify(apps),
    );
    // Two whole chunks and nothing of the third: the failed batch rolled back entirely.
    expect(delistedAfterFailure).toBe(10);
    expect(
      await countRows(
        `select count(*) as n from events where type = 'app.delisted' and json_extract(data, '$.appId') in (select value from json_each(?))`,
        JSON.stringify(apps),
      ),
    ).toBe(10);

    // The same scheduled time again (the cron redelivers): the stopped run is taken over and finishes.
    const resumed = await runEnforcement(env, t, { chunkSize: 5 });
    expect(resumed).toMatchObject({ ran: true, completed: true });
    for (const app of apps) {
      expect(await appState(app)).toEqual({ listing_status: "delisted", delist_reason: "deadline" });
      expect(await eventsOf("app.delisted", app)).toBe(1);
      expect(await countRows("select count(*) as n from enforcement_actions where app_id = ?", app)).toBe(1);
    }
    const verify = await callJson("/v1/admin/audit/verify", { key: adminKey() });
    expect(verify.body.ok).toBe(true);
  });

  it("two deliveries of one scheduled time do the work once", async () => {
    const s = await scenario(new Date("2036-03-31T15:59:59Z"));
    const apps = await importApps(
      s,
      Array.from({ length: 7 }, () => ({ listed: true })),
    );
    const t = new Date(s.deadline.getTime() + 60_000);
    const results = await Promise.all([
      runEnforcement(env, t, { chunkSize: 3 }),
      runEnforcement(env, t, { chunkSize: 3 }),
    ]);
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(results.find((r) => !r.ran)).toMatchObject({ ran: false });
    for (const app of apps) expect(await eventsOf("app.delisted", app)).toBe(1);
    // A third delivery after it finished does nothing either.
    expect(await runEnforcement(env, t)).toEqual({ ran: false, reason: "finished" });
  });

  it("stops at its query budget and the next run continues", async () => {
    const s = await scenario(new Date("2037-03-31T15:59:59Z"));
    const apps = await importApps(
      s,
      Array.from({ length: 12 }, () => ({ listed: true })),
    );
    const first = await runEnforcement(env, new Date(s.deadline.getTime() + 60_000), {
      chunkSize: 2,
      limits: { maxQueries: 40, maxMillis: 60_000 },
    });
    expect(first).toMatchObject({ ran: true, completed: false });
    if (!first.ran) throw new Error("unreachable");
    expect(first.counts.queries).toBeLessThanOrEqual(40);
    const second = await runEnforcement(env, new Date(s.deadline.getTime() + 660_000), { chunkSize: 2 });
    expect(second).toMatchObject({ ran: true, completed: true });
    for (const app of apps) expect((await appState(app))?.listing_status).toBe("delisted");
  });

  it("records every run at GET /v1/admin/enforcement/runs", async () => {
    await scenario(new Date("2038-03-31T15:59:59Z"));
    const t = new Date("2038-01-01T00:00:00Z");
    await runEnforcement(env, t);
    const runs = await callJson("/v1/admin/enforcement/runs", { key: adminKey() });
    expect(runs.status).toBe(200);
    expect(runs.body.items.find((r: { scheduledTime: string }) => r.scheduledTime === t.toISOString())).toMatchObject({
      completed: true,
      finishedAt: expect.any(String),
      counts: expect.objectContaining({ queries: expect.any(Number) }),
    });
    const forbidden = await callJson("/v1/admin/enforcement/runs", { key: (await newAccount("developer")).key });
    expect(forbidden.status).toBe(403);
  });
});

describe("SMS verification expiry", () => {
  it("expires filings 24 h after entering sms_verification, with history and an event", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const appRes = await callJson("/v1/apps", { key: dev.key, body: { appId: `wxsms${unique()}`, name: "短信核验" } });
    const filing = await callJson("/v1/filings", { key: dev.key, body: validFiling(appRes.body.appId) });
    await callJson(`/v1/review/filings/${filing.body.id}/approve`, { key: keys.reviewer, method: "POST" });
    const { smsDeadline } = (await callJson(`/v1/filings/${filing.body.id}`, { key: dev.key })).body;

    await runEnforcement(env, new Date(Date.parse(smsDeadline) - 60_000));
    expect((await callJson(`/v1/filings/${filing.body.id}`, { key: dev.key })).body.status).toBe("sms_verification");
    // The deadline itself is inside the window (smsWindowClosed): the job leaves the filing to the next run.
    await runEnforcement(env, new Date(smsDeadline));
    expect((await callJson(`/v1/filings/${filing.body.id}`, { key: dev.key })).body.status).toBe("sms_verification");
    await runEnforcement(env, new Date(Date.parse(smsDeadline) + 60_000));
    expect((await callJson(`/v1/filings/${filing.body.id}`, { key: dev.key })).body.status).toBe("expired");
    const history = await callJson(`/v1/filings/${filing.body.id}/history`, { key: dev.key });
    expect(history.body.items.at(-1)).toMatchObject({
      from: "sms_verification",
      to: "expired",
      actor: { role: "system" },
    });
    expect(history.body.items).toHaveLength(3);
    const events = await callJson("/v1/events", { key: dev.key });
    const expiry = events.body.items.filter(
      (e: { type: string; data: { filingId?: string; to?: string } }) =>
        e.type === "filing.status_changed" && e.data.filingId === filing.body.id && e.data.to === "expired",
    );
    expect(expiry).toHaveLength(1);
    // No webhook when it was written: born dispatched, never in the outbox (docs/rules.md#webhooks).
    const row = await env.DB.prepare("select created_at, dispatched_at from events where id = ?")
      .bind(expiry[0].id)
      .first<{ created_at: string; dispatched_at: string | null }>();
    expect(row?.dispatched_at).toBe(row?.created_at);
    expect(expiry[0].data).toEqual({
      filingId: filing.body.id,
      appId: appRes.body.appId,
      type: "new",
      from: "sms_verification",
      to: "expired",
    });
  });
});

describe("the scheduled handler", () => {
  it("runs enforcement for the controller's scheduled time", async () => {
    const s = await scenario(new Date("2039-03-31T15:59:59Z"));
    const [app] = await importApps(s, [{ listed: true }]);
    const controller = createScheduledController({
      scheduledTime: s.deadline.getTime() + 60_000,
      cron: "*/10 * * * *",
    });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await appState(app as string)).toEqual({ listing_status: "delisted", delist_reason: "deadline" });
  });
});
