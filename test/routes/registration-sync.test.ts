import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminKey, callJson, newAccount, validFiling } from "../support/api";
import { approve, staff, submitNew } from "../support/lifecycle";

const AT = "2026-11-30T10:00:00+08:00";
const sync = (key: string, changes: unknown[]) =>
  callJson("/v1/regulator/registrations/sync", { key, body: { changes } });

/** A listed app with an active registration: its owner, app and number. */
async function listedRegistration(keys: { reviewer: string; regulator: string }) {
  const { dev, appId, id } = await submitNew();
  const approved = await approve(id, keys);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const listed = await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });
  expect(listed.status).toBe(200);
  return { dev, appId, number: approved.body.registrationNumber as string };
}

async function eventsAbout(number: string, appId: string) {
  const { results } = await env.DB.prepare(
    `select type, data from events where data ->> 'number' = ? or (type like 'app.%' and data ->> 'appId' = ?)
     order by seq`,
  )
    .bind(number, appId)
    .all<{ type: string; data: string }>();
  return results.map((r) => r.type);
}

describe("POST /v1/regulator/registrations/sync", () => {
  it("revokes, cancels and removes access: apps delisted with the right reasons, one event each; replayed, nothing moves", async () => {
    const keys = await staff();
    const [a, b, c] = await Promise.all([listedRegistration(keys), listedRegistration(keys), listedRegistration(keys)]);
    const changes = [
      { number: a.number, status: "revoked", reason: "主体已注销", at: AT },
      { number: b.number, status: "cancelled", at: AT },
      // Another spelling of the same number is the same registration.
      { number: c.number.replace("ICP", "ｉｃｐ").replace("X", "x"), status: "access_removed", at: AT },
    ];
    const first = await sync(keys.regulator, changes);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.results).toEqual(changes.map((ch) => ({ number: ch.number, outcome: "applied" })));

    const expected = [
      [a, "revoked", "registration_revoked", "registration.revoked"],
      [b, "cancelled", "registration_cancelled", "registration.cancelled"],
      [c, "access_removed", "access_removed", "registration.cancelled"],
    ] as const;
    for (const [r, status, reason, event] of expected) {
      const app = await callJson(`/v1/apps/${r.appId}`, { key: r.dev.key });
      expect(app.body).toMatchObject({ listingStatus: "delisted", delistReason: reason, registrationNumber: null });
      const record = await callJson(`/v1/public/registrations/${encodeURIComponent(r.number)}`);
      expect(record.body.status).toBe(status);
      expect((await eventsAbout(r.number, r.appId)).filter((t) => t === event || t === "app.delisted")).toEqual([
        event,
        "app.delisted",
      ]);
    }

    const again = await sync(keys.regulator, changes);
    expect(again.body.results).toEqual(changes.map((ch) => ({ number: ch.number, outcome: "unchanged" })));
    for (const [r, , , event] of expected) {
      expect((await eventsAbout(r.number, r.appId)).filter((t) => t === event || t === "app.delisted")).toHaveLength(2);
    }
    const audit = await callJson("/v1/admin/audit/verify", { key: adminKey() });
    expect(audit.body.broken).toEqual([]);
    const chain = await env.DB.prepare("select action, data from audit_log where subject = ? order by seq")
      .bind(`registration:${a.number}`)
      .all<{ action: string; data: string }>();
    expect(chain.results.map((r) => r.action)).toContain("registration.revoked");
    expect(JSON.parse(chain.results.at(-1)?.data ?? "{}")).toMatchObject({
      source: "bureau_sync",
      from: "active",
      to: "revoked",
      reason: "主体已注销",
      bureauAt: "2026-11-30T02:00:00.000Z",
    });
  });

  it("answers each change on its own: unknown and malformed numbers and refused moves block no other", async () => {
    const keys = await staff();
    const [a, b] = await Promise.all([listedRegistration(keys), listedRegistration(keys)]);
    await sync(keys.regulator, [{ number: b.number, status: "revoked", at: AT }]);
    const res = await sync(keys.regulator, [
      { number: "京ICP备2024999999号-1X", status: "revoked", at: AT },
      { number: "not a number", status: "revoked", at: AT },
      { number: b.number, status: "cancelled", at: AT },
      { number: a.number, status: "revoked", at: AT },
    ]);
    expect(res.body.results).toEqual([
      { number: "京ICP备2024999999号-1X", outcome: "unknown_number" },
      { number: "not a number", outcome: "refused", code: "REGISTRATION_NUMBER_INVALID" },
      { number: b.number, outcome: "refused", code: "INVALID_TRANSITION" },
      { number: a.number, outcome: "applied" },
    ]);
  });

  it("brings a registration back to active, and refuses to while its app holds another", async () => {
    const keys = await staff();
    const r = await listedRegistration(keys);
    await sync(keys.regulator, [{ number: r.number, status: "revoked", at: AT }]);
    const back = await sync(keys.regulator, [{ number: r.number, status: "active", at: AT }]);
    expect(back.body.results).toEqual([{ number: r.number, outcome: "applied" }]);
    expect((await callJson(`/v1/public/registrations/${encodeURIComponent(r.number)}`)).body.status).toBe("active");
    expect(await eventsAbout(r.number, r.appId)).toContain("registration.reinstated");
    // The app stays delisted until its owner lists it; the listing gate passes again.
    expect((await callJson(`/v1/apps/${r.appId}`, { key: r.dev.key })).body.listingStatus).toBe("delisted");
    expect((await callJson(`/v1/apps/${r.appId}/list`, { key: r.dev.key, method: "POST" })).status).toBe(200);

    // Revoked again, then filed anew: the app holds a new active registration, so the old one cannot come back.
    await sync(keys.regulator, [{ number: r.number, status: "revoked", at: AT }]);
    const refiled = await callJson("/v1/filings", { key: r.dev.key, body: validFiling(r.appId) });
    expect(refiled.status, JSON.stringify(refiled.body)).toBe(201);
    expect((await approve(refiled.body.id, keys)).status).toBe(200);
    const refused = await sync(keys.regulator, [{ number: r.number, status: "active", at: AT }]);
    expect(refused.body.results).toEqual([{ number: r.number, outcome: "refused", code: "REGISTRATION_EXISTS" }]);
  });

  it("takes 1,000 changes in one call", async () => {
    const keys = await staff();
    const r = await listedRegistration(keys);
    const unknown = Array.from({ length: 999 }, (_, i) => ({
      number: `沪ICP备2024${String(i).padStart(6, "0")}号-1X`,
      status: "cancelled",
      at: AT,
    }));
    const res = await sync(keys.regulator, [...unknown, { number: r.number, status: "cancelled", at: AT }]);
    expect(res.status).toBe(200);
    expect(res.body.results.filter((x: { outcome: string }) => x.outcome === "unknown_number")).toHaveLength(999);
    expect(res.body.results.at(-1)).toEqual({ number: r.number, outcome: "applied" });
    const over = await sync(keys.regulator, [...unknown, ...unknown.slice(0, 2)]);
    expect(over.status).toBe(422);
  });

  it("refuses a number named twice, a malformed change and callers who are not the regulator", async () => {
    const keys = await staff();
    const r = await listedRegistration(keys);
    const twice = await sync(keys.regulator, [
      { number: r.number, status: "revoked", at: AT },
      { number: r.number.replace("X", "x"), status: "cancelled", at: AT },
    ]);
    expect(twice.status).toBe(422);
    expect(twice.body.errors).toEqual([expect.objectContaining({ path: "changes[1].number", code: "DUPLICATE" })]);
    const bad = await sync(keys.regulator, [{ number: r.number, status: "gone", at: "2026-11-30 10:00" }]);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["changes[0].at", "changes[0].status"]);
    const dev = await newAccount("developer");
    expect((await sync(dev.key, [{ number: r.number, status: "revoked", at: AT }])).status).toBe(403);
    // Nothing of these moved the registration.
    expect((await callJson(`/v1/public/registrations/${encodeURIComponent(r.number)}`)).body.status).toBe("active");
  });
});
