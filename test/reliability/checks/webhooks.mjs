// Webhook outage: events are delivered at least once, duplicates only ever under the same `webhook-id`, none lost.
// The service runs with a short retry schedule (WEBHOOK_RETRY_DELAYS_SECONDS) so the outage spans several retries
// in seconds, not hours. Two receivers on 127.0.0.1, each verifying every signature with `standardwebhooks`:
// - one is down (its port closed: connections refused) while events are made and retried, then comes up;
// - one processes each delivery and then answers too late (beyond WEBHOOK_TIMEOUT_MS) the first time, so the
//   delivery is retried and really arrives twice.
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import { prepareState, startService } from "../../../scripts/service.mjs";
import {
  ADMIN_BOOTSTRAP_KEY,
  approve,
  call,
  developerWithApps,
  expectEq,
  expectMin,
  filingBody,
  listAll,
  must,
  sleep,
  triggerCron,
  unique,
  waitForRun,
} from "../lib.mjs";

const PORT = 8936;
const OUTAGE_PORT = 8941;
const SLOW_PORT = 8942;
const TIMEOUT_MS = 1000;
const DELAYS = "2,3,4,5,5,5,5,5,5";

/** A receiver on 127.0.0.1:`port` recording every verified delivery; `answer(id, n)` decides how to reply. */
function receiver(port, answer) {
  const received = [];
  let secret;
  let badSignatures = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      let payload;
      try {
        payload = new Webhook(secret).verify(body, headers);
      } catch {
        badSignatures++;
        res.writeHead(400).end();
        return;
      }
      const id = headers["webhook-id"];
      received.push({ webhookId: id, eventId: payload.id, type: payload.type, at: Date.now() });
      const n = received.filter((r) => r.webhookId === id).length;
      const { status, delayMs = 0 } = answer(id, n);
      if (delayMs) await sleep(delayMs);
      res.on("error", () => {});
      res.writeHead(status).end("ok");
    });
  });
  server.on("error", () => {});
  return {
    received,
    get badSignatures() {
      return badSignatures;
    },
    set secret(s) {
      secret = s;
    },
    up: () => new Promise((resolve) => server.listen(port, "127.0.0.1", resolve)),
    down: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Events of an account through the API, oldest first. */
const eventsOf = (url, key) => listAll(url, "/v1/events", key, { cursorParam: "after", limit: 200 });
const deliveriesOf = (url, key) => listAll(url, "/v1/webhook/deliveries", key, { limit: 200 });

/** Submissions, approvals and (for `catalogue` apps) a sweep's delistings for one developer. */
async function makeEvents(url, dev, approvals) {
  const ids = [];
  for (const appId of dev.appIds) {
    const res = await call(url, "/v1/filings", { key: dev.key, body: filingBody(appId, dev.media) });
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${res.text}`);
    ids.push(res.body.id);
  }
  for (const id of ids.slice(0, approvals)) await approve(url, id);
}

/** How each delivery of one receiver went, against the account's events. */
function tally(events, recv) {
  const eventIds = new Set(events.map((e) => e.id));
  const byPayload = new Map();
  for (const r of recv.received) byPayload.set(r.eventId, new Set([...(byPayload.get(r.eventId) ?? []), r.webhookId]));
  const delivered = events.filter((e) => byPayload.has(e.id)).length;
  return {
    events: events.length,
    delivered,
    lost: events.length - delivered,
    receptions: recv.received.length,
    duplicates: recv.received.length - byPayload.size,
    differingIds: [...byPayload.entries()].filter(([id, hooks]) => hooks.size !== 1 || !hooks.has(id)).length,
    unknown: [...byPayload.keys()].filter((id) => !eventIds.has(id)).length,
  };
}

export async function check({ quick, log }) {
  const notes = [];
  const filingsA = quick ? 4 : 15;
  const filingsB = quick ? 3 : 8;
  const catalogue = quick ? 10 : 60;
  const state = await prepareState();
  const service = await startService({
    state,
    port: PORT,
    vars: { WEBHOOK_RETRY_DELAYS_SECONDS: DELAYS, WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) },
  });
  const url = service.url;
  // The outage receiver starts down; the slow one answers each delivery's first attempt after the timeout.
  const outage = receiver(OUTAGE_PORT, () => ({ status: 200 }));
  const slow = receiver(SLOW_PORT, (_id, n) =>
    n === 1 ? { status: 200, delayMs: TIMEOUT_MS + 1500 } : { status: 200 },
  );
  await slow.up();
  try {
    const a = await developerWithApps(url, filingsA);
    const b = await developerWithApps(url, filingsB);
    outage.secret = (
      await must(url, "/v1/webhook", {
        key: a.key,
        method: "PUT",
        body: { url: `http://127.0.0.1:${OUTAGE_PORT}/hook` },
      })
    ).secret;
    slow.secret = (
      await must(url, "/v1/webhook", { key: b.key, method: "PUT", body: { url: `http://127.0.0.1:${SLOW_PORT}/hook` } })
    ).secret;

    const downAt = Date.now();
    log(`receiver down; events: ${filingsA} + ${filingsB} submissions, approvals, a sweep over ${catalogue} apps…`);
    await makeEvents(url, a, Math.ceil(filingsA / 2));
    await makeEvents(url, b, Math.ceil(filingsB / 2));
    const apps = Array.from({ length: catalogue }, () => ({
      appId: `wxhook${String(unique()).padStart(10, "0")}`,
      name: `存量小程序${unique()}`,
      ownerAccountId: a.id,
      listingStatus: "listed",
      listedAt: "2023-05-01T10:00:00+08:00",
    }));
    await must(url, "/v1/admin/apps/import", { key: ADMIN_BOOTSTRAP_KEY, body: { apps } }, 200);
    const scheduled = Date.parse("2026-01-01T00:00:00Z");
    if ((await triggerCron(url, scheduled)) !== 200) throw new Error("scheduled handler refused");
    await waitForRun(url, scheduled, 120_000);

    // Down until every delivery so far has been refused at least twice and some three times (or 60 s).
    let refused = { min: 0, max: 0 };
    while (Date.now() - downAt < 60_000) {
      const deliveries = await deliveriesOf(url, a.key);
      const attempts = deliveries.map((d) => d.attempts);
      refused = { min: Math.min(...attempts), max: Math.max(...attempts) };
      const all = (await eventsOf(url, a.key)).length;
      if (deliveries.length === all && refused.min >= 2 && refused.max >= 3) break;
      await sleep(500);
    }
    const outageMs = Date.now() - downAt;
    await outage.up();
    log(
      `receiver up after ${(outageMs / 1000).toFixed(1)} s (attempts refused per event: ${refused.min}–${refused.max})`,
    );

    // Until everything arrived (or two minutes): every event of both accounts received at least once.
    const eventsA = await eventsOf(url, a.key);
    const eventsB = await eventsOf(url, b.key);
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      const got = new Set([...outage.received, ...slow.received].map((r) => r.eventId));
      if ([...eventsA, ...eventsB].every((e) => got.has(e.id))) break;
      await sleep(500);
    }
    // A moment more for the slow receiver's retries still in flight.
    await sleep(TIMEOUT_MS + 2000);
    const ta = tally(eventsA, outage);
    const tb = tally(eventsB, slow);
    const dead = [
      ...(await listAll(url, "/v1/webhook/deliveries?status=dead", a.key)),
      ...(await listAll(url, "/v1/webhook/deliveries?status=dead", b.key)),
    ].length;
    const types = [...new Set([...eventsA, ...eventsB].map((e) => e.type))].sort();
    notes.push(`event types: ${types.join(", ")}`);
    notes.push(`retry delays ${DELAYS} s, attempt timeout ${TIMEOUT_MS} ms`);
    return {
      name: "webhooks",
      ok: true,
      figures: {
        "outage: events": ta.events,
        "outage: seconds down": Number((outageMs / 1000).toFixed(1)),
        "outage: refused attempts per event (min)": expectMin(refused.min, 2),
        "outage: delivered": expectEq(ta.delivered, ta.events),
        "outage: lost": expectEq(ta.lost, 0),
        "outage: duplicates": ta.duplicates,
        "outage: duplicates with differing ids": expectEq(ta.differingIds, 0),
        "slow: events": tb.events,
        "slow: delivered": expectEq(tb.delivered, tb.events),
        "slow: lost": expectEq(tb.lost, 0),
        "slow: duplicates (answer too late)": { value: tb.duplicates, expected: "≥ 1", ok: tb.duplicates >= 1 },
        "slow: duplicates with differing ids": expectEq(tb.differingIds, 0),
        "unknown webhook-ids": expectEq(ta.unknown + tb.unknown, 0),
        "bad signatures": expectEq(outage.badSignatures + slow.badSignatures, 0),
        "dead deliveries": expectEq(dead, 0),
      },
      notes,
    };
  } finally {
    await outage.down();
    await slow.down();
    await service.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
