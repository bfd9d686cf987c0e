import { describe, expect, it } from "vitest";
import { callJson, newAccount, newApp, validFiling } from "../support/api";
import { DAY, importScenarioApps, policyScenario } from "../support/enforcement";
import { approve, staff, submitNew } from "../support/lifecycle";

const statusOf = (appId: string, key: string) => callJson(`/v1/apps/${appId}/filing-status`, { key });

describe("GET /v1/apps/{appId}/filing-status", () => {
  it("an app never filed: unlisted, no registration, no filing, new allowed and why change and cancel are not", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const res = await statusOf(appId, dev.key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      appId,
      listingStatus: "unlisted",
      delistReason: null,
      registration: null,
      openFiling: null,
      allowed: ["new"],
      deadlines: [],
    });
    expect(res.body.blockers).toEqual([
      { type: "change", code: "REGISTRATION_REQUIRED", message: "This app has no active registration" },
      { type: "cancel", code: "REGISTRATION_REQUIRED", message: "This app has no active registration" },
    ]);
    const zh = await callJson(`/v1/apps/${appId}/filing-status`, {
      key: dev.key,
      headers: { "accept-language": "zh" },
    });
    expect(zh.body.blockers[0].message).toBe("该小程序没有有效的备案记录");
  });

  it("follows a filing from review to a registration, and agrees with what a submission answers", async () => {
    const keys = await staff();
    const { dev, appId, id } = await submitNew();
    const inReview = await statusOf(appId, dev.key);
    expect(inReview.body.openFiling).toEqual({
      id,
      type: "new",
      status: "platform_review",
      smsDeadline: null,
      reasons: [],
    });
    expect(inReview.body.allowed).toEqual([]);
    expect(inReview.body.blockers.filter((b: { type: string }) => b.type === "new")).toMatchObject([
      { code: "FILING_IN_PROGRESS" },
    ]);
    // The blocker is the code the submission itself answers.
    const again = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("FILING_IN_PROGRESS");

    await callJson(`/v1/review/filings/${id}/approve`, { key: keys.reviewer, method: "POST" });
    const sms = await statusOf(appId, dev.key);
    expect(sms.body.openFiling.status).toBe("sms_verification");
    expect(Date.parse(sms.body.openFiling.smsDeadline)).toBeGreaterThan(Date.now());

    const sent = await callJson(`/v1/regulator/filings/${id}/sms-verified`, { key: keys.regulator, method: "POST" });
    expect(sent.status).toBe(200);
    const approved = await callJson(`/v1/regulator/filings/${id}/approve`, { key: keys.regulator, body: {} });
    expect(approved.status).toBe(200);
    const filed = await statusOf(appId, dev.key);
    expect(filed.body).toMatchObject({
      openFiling: null,
      registration: { number: approved.body.registrationNumber, status: "active", source: "beian" },
      allowed: ["change", "cancel"],
      blockers: [{ type: "new", code: "REGISTRATION_EXISTS" }],
    });
    const refiled = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(refiled.body.code).toBe("REGISTRATION_EXISTS");
  });

  it("a revoked registration is shown as the app's latest, with the delisting, and new is allowed again", async () => {
    const keys = await staff();
    const { dev, appId, id } = await submitNew();
    const number = (await approve(id, keys)).body.registrationNumber;
    await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });
    const revoked = await callJson(`/v1/regulator/registrations/${encodeURIComponent(number)}/revoke`, {
      key: keys.regulator,
      body: { reasons: [{ field: "", error: "主体已注销", suggest: "请重新备案" }] },
    });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const res = await statusOf(appId, dev.key);
    expect(res.body).toMatchObject({
      listingStatus: "delisted",
      delistReason: "registration_revoked",
      registration: { number, status: "revoked" },
      allowed: ["new"],
    });
  });

  it("lists the deadlines that cover a listed app until it is filed, with the days left", async () => {
    const deadline = new Date(Date.now() + 10 * DAY + 60_000);
    const s = await policyScenario(deadline);
    const [appId] = await importScenarioApps(s, [{ listed: true }]);
    const res = await statusOf(appId as string, s.owner.key);
    expect(res.body.deadlines).toEqual([
      { policyId: s.policyId, name: expect.any(String), deadline: deadline.toISOString(), daysLeft: 11 },
    ]);
    const [after] = await importScenarioApps(s, [{ listed: true, listedDaysBeforeCutoff: -1 }]);
    expect((await statusOf(after as string, s.owner.key)).body.deadlines).toEqual([]);
  });

  it("the owner and granted providers may read it; another developer or provider gets 404, staff 403", async () => {
    const { dev, appId } = await submitNew();
    const [granted, other, stranger, reviewer] = await Promise.all([
      newAccount("provider"),
      newAccount("provider"),
      newAccount("developer"),
      newAccount("reviewer"),
    ]);
    await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: granted.id } });
    expect((await statusOf(appId, granted.key)).status).toBe(200);
    expect((await statusOf(appId, other.key)).status).toBe(404);
    expect((await statusOf(appId, stranger.key)).status).toBe(404);
    expect((await statusOf(appId, reviewer.key)).status).toBe(403);
    expect((await statusOf("wxnosuchapp000001", dev.key)).status).toBe(404);
    // Providers still manage no apps: the other app routes stay the developers'.
    expect((await callJson(`/v1/apps/${appId}`, { key: granted.key })).status).toBe(403);
  });
});
