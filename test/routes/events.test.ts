import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callJson, developerWithApp, newAccount, newApp, submitFiling, validFiling } from "../support/api";

type Ev = { id: string; type: string; createdAt: string; data: Record<string, unknown> };

const poll = (key: string, after?: string, limit?: number) => {
  const q = new URLSearchParams();
  if (after !== undefined) q.set("after", after);
  if (limit !== undefined) q.set("limit", String(limit));
  const qs = q.toString();
  return callJson(`/v1/events${qs ? `?${qs}` : ""}`, { key });
};

/** The account's events straight from D1, in outbox order. */
async function storedEvents(accountId: string): Promise<{ id: string; type: string; data: string }[]> {
  const rows = await env.DB.prepare("select id, type, data from events where account_id = ? order by seq")
    .bind(accountId)
    .all<{ id: string; type: string; data: string }>();
  return rows.results;
}

describe("GET /v1/events", () => {
  it("returns only the caller's events, oldest first, with the event's fields", async () => {
    const a = await developerWithApp();
    const b = await developerWithApp();
    const empty = await poll(a.dev.key);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null });

    const subA = await submitFiling(a.dev.key, validFiling(a.appId));
    const subB = await submitFiling(b.dev.key, validFiling(b.appId));
    expect([subA.status, subB.status]).toEqual([201, 201]);
    const withdrawn = await callJson(`/v1/filings/${subA.body.id}/withdraw`, { key: a.dev.key, method: "POST" });
    expect(withdrawn.status).toBe(200);

    const listA = await poll(a.dev.key);
    expect(listA.status).toBe(200);
    const items: Ev[] = listA.body.items;
    expect(items.map((e) => e.type)).toEqual(["filing.submitted", "filing.status_changed"]);
    expect(items[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: "filing.submitted",
      createdAt: subA.body.createdAt,
      data: { filingId: subA.body.id, appId: a.appId, type: "new", status: "platform_review" },
    });
    expect(items[1]?.data).toMatchObject({ filingId: subA.body.id, appId: a.appId });
    expect(Date.parse(items[1]?.createdAt ?? "")).toBeGreaterThanOrEqual(Date.parse(items[0]?.createdAt ?? ""));
    expect(listA.body.nextCursor).toBe(items[1]?.id);
    expect(items.map((e) => e.id)).toEqual((await storedEvents(a.dev.id)).map((r) => r.id));

    const listB = await poll(b.dev.key);
    expect(listB.body.items).toHaveLength(1);
    expect(listB.body.items[0]).toMatchObject({ type: "filing.submitted", data: { filingId: subB.body.id } });
    const idsA = new Set(items.map((e) => e.id));
    expect(listB.body.items.some((e: Ev) => idsA.has(e.id))).toBe(false);
  });

  it("nextCursor is the last id returned, or the `after` given when nothing is new", async () => {
    const { dev, appId } = await developerWithApp();
    const sub = await submitFiling(dev.key, validFiling(appId));
    const [first] = (await poll(dev.key)).body.items as Ev[];
    if (!first) throw new Error("no event");
    const nothing = await poll(dev.key, first.id);
    expect(nothing.status).toBe(200);
    expect(nothing.body).toEqual({ items: [], nextCursor: first.id });

    await callJson(`/v1/filings/${sub.body.id}/withdraw`, { key: dev.key, method: "POST" });
    const next = await poll(dev.key, first.id);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].type).toBe("filing.status_changed");
    expect(next.body.nextCursor).toBe(next.body.items[0].id);
    expect(await poll(dev.key, next.body.nextCursor)).toMatchObject({
      body: { items: [], nextCursor: next.body.nextCursor },
    });
  });

  it("an unknown `after`, or another account's event id, is 404; a bad limit is 422", async () => {
    const a = await developerWithApp();
    const b = await developerWithApp();
    await submitFiling(b.dev.key, validFiling(b.appId));
    const [bEvent] = (await poll(b.dev.key)).body.items as Ev[];
    const unknown = await poll(a.dev.key, "evt_01NOTANEVENTID0000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");
    expect(unknown.res.headers.get("content-type")).toContain("application/problem+json");
    expect((await poll(a.dev.key, bEvent?.id)).status).toBe(404);
    expect((await poll(a.dev.key, "")).status).toBe(200);
    for (const limit of [0, 201, -1]) expect((await poll(a.dev.key, undefined, limit)).status, String(limit)).toBe(422);
    expect((await callJson("/v1/events?limit=abc", { key: a.dev.key })).status).toBe(422);
    expect((await callJson("/v1/events")).status).toBe(401);
  });

  it("paging with after + limit walks every event once, also while new ones are committed between polls", async () => {
    type Cmd =
      | { kind: "submit" }
      | { kind: "withdraw"; pick: number }
      | { kind: "other" }
      | { kind: "poll"; limit: number };
    const cmd: fc.Arbitrary<Cmd> = fc.oneof(
      { weight: 3, arbitrary: fc.constant({ kind: "submit" as const }) },
      { weight: 2, arbitrary: fc.nat(20).map((pick) => ({ kind: "withdraw" as const, pick })) },
      { weight: 1, arbitrary: fc.constant({ kind: "other" as const }) },
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }).map((limit) => ({ kind: "poll" as const, limit })) },
    );
    const other = await developerWithApp();
    let otherSubmitted = false;

    await fc.assert(
      fc.asyncProperty(
        fc.array(cmd, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        async (cmds, drainLimit) => {
          const dev = await newAccount("developer");
          const inFlight: string[] = [];
          const seen: string[] = [];
          let cursor: string | undefined;
          const pollOnce = async (limit: number) => {
            const res = await poll(dev.key, cursor, limit);
            expect(res.status).toBe(200);
            const ids = (res.body.items as Ev[]).map((e) => e.id);
            expect(ids.length).toBeLessThanOrEqual(limit);
            expect(res.body.nextCursor).toBe(ids.at(-1) ?? cursor ?? null);
            seen.push(...ids);
            cursor = res.body.nextCursor ?? undefined;
            return ids.length;
          };
          for (const c of cmds) {
            if (c.kind === "submit") {
              const appId = await newApp(dev.key);
              const res = await submitFiling(dev.key, validFiling(appId));
              expect(res.status).toBe(201);
              inFlight.push(res.body.id);
            } else if (c.kind === "withdraw" && inFlight.length > 0) {
              const [id] = inFlight.splice(c.pick % inFlight.length, 1);
              const res = await callJson(`/v1/filings/${id}/withdraw`, { key: dev.key, method: "POST" });
              expect(res.status).toBe(200);
            } else if (c.kind === "other") {
              // Another account's events interleave in the outbox sequence.
              if (!otherSubmitted) {
                expect((await submitFiling(other.dev.key, validFiling(other.appId))).status).toBe(201);
                otherSubmitted = true;
              } else {
                const appId = await newApp(other.dev.key);
                expect((await submitFiling(other.dev.key, validFiling(appId))).status).toBe(201);
              }
            } else if (c.kind === "poll") {
              await pollOnce(c.limit);
            }
          }
          while ((await pollOnce(drainLimit)) > 0) {}
          const stored = (await storedEvents(dev.id)).map((r) => r.id);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen).toEqual(stored);
        },
      ),
      { numRuns: 12 },
    );
    // Twelve generated histories of real submissions and withdrawals: more than the default 5 s on a busy machine.
  }, 30_000);

  it("the app owner and the submitting provider both get filing.submitted, and both the withdrawal", async () => {
    const { dev: owner, appId } = await developerWithApp();
    const provider = await newAccount("provider");
    const grant = await callJson(`/v1/apps/${appId}/grants`, { key: owner.key, body: { accountId: provider.id } });
    expect(grant.status).toBe(201);
    const sub = await submitFiling(provider.key, validFiling(appId));
    expect(sub.status).toBe(201);
    const expected = { filingId: sub.body.id, appId, type: "new", status: "platform_review" };

    const ownerEvents: Ev[] = (await poll(owner.key)).body.items;
    const providerEvents: Ev[] = (await poll(provider.key)).body.items;
    expect(ownerEvents).toHaveLength(1);
    expect(providerEvents).toHaveLength(1);
    expect(ownerEvents[0]).toMatchObject({ type: "filing.submitted", data: expected });
    expect(providerEvents[0]).toMatchObject({ type: "filing.submitted", data: expected });
    // One event per recipient: each has its own id (the webhook-id each receiver dedupes on).
    expect(ownerEvents[0]?.id).not.toBe(providerEvents[0]?.id);
    expect(ownerEvents[0]?.createdAt).toBe(providerEvents[0]?.createdAt);

    const withdrawn = await callJson(`/v1/filings/${sub.body.id}/withdraw`, { key: provider.key, method: "POST" });
    expect(withdrawn.status).toBe(200);
    for (const [key, first] of [
      [owner.key, ownerEvents[0]],
      [provider.key, providerEvents[0]],
    ] as const) {
      const next = await poll(key, first?.id);
      expect(next.body.items).toHaveLength(1);
      expect(next.body.items[0]).toMatchObject({
        type: "filing.status_changed",
        data: { filingId: sub.body.id, appId },
      });
    }
  });

  it("events are written with their change: a refused submission leaves none", async () => {
    const { dev, appId } = await developerWithApp();
    const body = validFiling(appId);
    const first = await submitFiling(dev.key, body, { "Idempotency-Key": "evt-test-1" });
    expect(first.status).toBe(201);
    expect(await storedEvents(dev.id)).toHaveLength(1);

    // A second filing while the first is in flight: 409, no filing, no event.
    const conflict = await submitFiling(dev.key, validFiling(appId));
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe("FILING_IN_PROGRESS");
    // A validation failure (for another app of the caller's, nothing in flight there): 422, no event.
    const invalid = validFiling(await newApp(dev.key));
    invalid.commitment = { accepted: false } as never;
    const refused = await submitFiling(dev.key, invalid);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("VALIDATION_FAILED");
    // An idempotent replay answers the first 201 again without a second event.
    const replay = await submitFiling(dev.key, body, { "Idempotency-Key": "evt-test-1" });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    // The dry run stores nothing.
    expect((await callJson("/v1/filings/validate", { key: dev.key, body: validFiling(appId) })).status).toBe(200);
    // A refused transition (withdraw twice) writes no second event.
    expect((await callJson(`/v1/filings/${first.body.id}/withdraw`, { key: dev.key, method: "POST" })).status).toBe(
      200,
    );
    const again = await callJson(`/v1/filings/${first.body.id}/withdraw`, { key: dev.key, method: "POST" });
    expect(again.status).toBe(409);

    const stored = await storedEvents(dev.id);
    expect(stored.map((e) => e.type)).toEqual(["filing.submitted", "filing.status_changed"]);
    expect(stored.map((e) => JSON.parse(e.data).filingId)).toEqual([first.body.id, first.body.id]);
    expect(((await poll(dev.key)).body.items as Ev[]).map((e) => e.id)).toEqual(stored.map((e) => e.id));
    const filings = await env.DB.prepare("select count(*) as n from filings where app_id = ?")
      .bind(appId)
      .first<{ n: number }>();
    expect(filings?.n).toBe(1);
  });
});
