import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson, newAccount, newApp, unique, validFiling } from "../support/api";

const PROBLEM_TYPE = /^application\/problem\+json/;

const APP_FIELDS = [
  "appId",
  "name",
  "ownerAccountId",
  "listingStatus",
  "listedAt",
  "delistedAt",
  "delistReason",
  "registrationNumber",
];

/** An active registration for `appId`, written straight into D1 (as an approval would leave it). */
async function insertActiveRegistration(appId: string, status = "active"): Promise<string> {
  const n = unique();
  const organizerId = `org_test${n}`;
  const organizerNumber = `粤ICP备2024${String(n % 1_000_000).padStart(6, "0")}号`;
  const number = `${organizerNumber}-1X`;
  const now = new Date().toISOString();
  await env.DB.batch([
    env.DB.prepare(
      `insert into organizers (id, certificate_blind, nature, name, province, organizer_number, data_sealed, created_at, updated_at)
       values (?, ?, 'enterprise', ?, '44', ?, 'k1.x.y', ?, ?)`,
    ).bind(organizerId, `blind${n}`, `测试公司${n}`, organizerNumber, now, now),
    env.DB.prepare(
      `insert into registrations (number, app_id, organizer_id, filing_id, status, service_name, service_name_key, version, approved_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    ).bind(number, appId, organizerId, `fil_test${n}`, status, `服务${n}`, `服务${n}`, now, now),
  ]);
  return number;
}

describe("creating and reading apps", () => {
  it("creates an app: 201, unlisted, no registration", async () => {
    const dev = await newAccount("developer");
    const appId = `wx${unique()}abcdef`;
    const res = await callJson("/v1/apps", { key: dev.key, body: { appId, name: "示例生活助手" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      appId,
      name: "示例生活助手",
      ownerAccountId: dev.id,
      listingStatus: "unlisted",
      listedAt: null,
      delistedAt: null,
      delistReason: null,
      registrationNumber: null,
    });
    for (const field of APP_FIELDS) expect(res.body).toHaveProperty(field);

    const read = await callJson(`/v1/apps/${appId}`, { key: dev.key });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it("a duplicate appId is 409 APP_EXISTS, also for another developer", async () => {
    const dev = await newAccount("developer");
    const other = await newAccount("developer");
    const appId = await newApp(dev.key);
    const same = await callJson("/v1/apps", { key: dev.key, body: { appId, name: "再来一次" } });
    expect(same.status).toBe(409);
    expect(same.body.code).toBe("APP_EXISTS");
    expect(same.res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
    const theirs = await callJson("/v1/apps", { key: other.key, body: { appId, name: "抢注" } });
    expect(theirs.status).toBe(409);
    expect(theirs.body.code).toBe("APP_EXISTS");
    // The original is unchanged.
    const read = await callJson(`/v1/apps/${appId}`, { key: dev.key });
    expect(read.body.ownerAccountId).toBe(dev.id);
  });

  it.each(["wx 123456", "ab", "wx!@#$%^", "微信小程序id", "x".repeat(65)])(
    "422 INVALID_FORMAT at appId for %j",
    async (appId) => {
      const dev = await newAccount("developer");
      const res = await callJson("/v1/apps", { key: dev.key, body: { appId, name: "示例" } });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe("VALIDATION_FAILED");
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "appId", code: "INVALID_FORMAT" })]);
    },
  );

  it("422 for a bad name, a wrong type, a missing field and an unknown field, each at its path", async () => {
    const dev = await newAccount("developer");
    const res = await callJson("/v1/apps", { key: dev.key, body: { appId: 12345, name: "   ", owner: "me" } });
    expect(res.status).toBe(422);
    const byPath = Object.fromEntries(res.body.errors.map((e: { path: string; code: string }) => [e.path, e.code]));
    expect(byPath).toEqual({ appId: "INVALID_TYPE", name: "TOO_SHORT", owner: "UNKNOWN_FIELD" });

    const missing = await callJson("/v1/apps", { key: dev.key, body: { name: "示例" } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: "appId", code: "REQUIRED" })]);

    const tooLong = await callJson("/v1/apps", {
      key: dev.key,
      body: { appId: `wx${unique()}aa`, name: "名".repeat(31) },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ path: "name", code: "TOO_LONG" })]);
  });

  it("lists own apps in cursor pages, and only own apps", async () => {
    const dev = await newAccount("developer");
    const other = await newAccount("developer");
    const mine = [await newApp(dev.key), await newApp(dev.key), await newApp(dev.key)];
    const theirs = await newApp(other.key);

    const first = await callJson("/v1/apps?limit=2", { key: dev.key });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBe(first.body.items[1].appId);
    const second = await callJson(`/v1/apps?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      key: dev.key,
    });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();

    const ids = [...first.body.items, ...second.body.items].map((a: { appId: string }) => a.appId);
    expect([...ids].sort()).toEqual([...mine].sort());
    expect(ids).not.toContain(theirs);
    for (const app of [...first.body.items, ...second.body.items]) expect(app.ownerAccountId).toBe(dev.id);

    const all = await callJson("/v1/apps", { key: dev.key });
    expect(all.body.items).toHaveLength(3);
    expect(all.body.nextCursor).toBeNull();

    const badLimit = await callJson("/v1/apps?limit=0", { key: dev.key });
    expect(badLimit.status).toBe(422);
    expect(badLimit.body.errors).toEqual([expect.objectContaining({ path: "limit", code: "TOO_SMALL" })]);
  });

  it("an unknown app is 404", async () => {
    const dev = await newAccount("developer");
    const res = await callJson("/v1/apps/wx_no_such_app_0001", { key: dev.key });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("NOT_FOUND");
  });

  it("another developer's app is 404 on read, list, unlist and grants", async () => {
    const owner = await newAccount("developer");
    const stranger = await newAccount("developer");
    const provider = await newAccount("provider");
    const appId = await newApp(owner.key);
    await insertActiveRegistration(appId);
    expect(
      (await callJson(`/v1/apps/${appId}/grants`, { key: owner.key, body: { accountId: provider.id } })).status,
    ).toBe(201);

    const attempts: { method: string; path: string; body?: unknown }[] = [
      { method: "GET", path: `/v1/apps/${appId}` },
      { method: "POST", path: `/v1/apps/${appId}/list` },
      { method: "POST", path: `/v1/apps/${appId}/unlist` },
      { method: "POST", path: `/v1/apps/${appId}/grants`, body: { accountId: provider.id } },
      { method: "GET", path: `/v1/apps/${appId}/grants` },
      { method: "DELETE", path: `/v1/apps/${appId}/grants/${provider.id}` },
    ];
    for (const a of attempts) {
      const res = await callJson(a.path, { key: stranger.key, method: a.method, body: a.body });
      expect(res.status, `${a.method} ${a.path}`).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
    // None of it had an effect.
    const app = await callJson(`/v1/apps/${appId}`, { key: owner.key });
    expect(app.body.listingStatus).toBe("unlisted");
    const grants = await callJson(`/v1/apps/${appId}/grants`, { key: owner.key });
    expect(grants.body.items.map((g: { accountId: string }) => g.accountId)).toEqual([provider.id]);
  });

  it("403 for provider, reviewer, regulator and admin on /v1/apps routes", async () => {
    const owner = await newAccount("developer");
    const appId = await newApp(owner.key);
    const routes: { method: string; path: string; body?: unknown }[] = [
      { method: "POST", path: "/v1/apps", body: { appId: `wx${unique()}zz`, name: "示例" } },
      { method: "GET", path: "/v1/apps" },
      { method: "GET", path: `/v1/apps/${appId}` },
      { method: "POST", path: `/v1/apps/${appId}/list` },
      { method: "POST", path: `/v1/apps/${appId}/unlist` },
      { method: "POST", path: `/v1/apps/${appId}/grants`, body: { accountId: owner.id } },
      { method: "GET", path: `/v1/apps/${appId}/grants` },
      { method: "DELETE", path: `/v1/apps/${appId}/grants/${owner.id}` },
    ];
    const callers = [
      await newAccount("provider"),
      await newAccount("reviewer"),
      await newAccount("regulator"),
      await newAccount("admin"),
    ];
    for (const caller of callers) {
      for (const r of routes) {
        const res = await callJson(r.path, { key: caller.key, method: r.method, body: r.body });
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(res.body.code).toBe("FORBIDDEN");
      }
    }
  });

  it("401 without a key", async () => {
    const res = await callJson("/v1/apps");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("UNAUTHORIZED");
  });
});

describe("listing", () => {
  it("listing without an active registration is 409 FILING_REQUIRED", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const res = await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("FILING_REQUIRED");
    expect(res.res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
    expect((await callJson(`/v1/apps/${appId}`, { key: dev.key })).body.listingStatus).toBe("unlisted");
  });

  it.each(["cancelled", "revoked", "access_removed"])("a %s registration does not allow listing", async (status) => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    await insertActiveRegistration(appId, status);
    const res = await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("FILING_REQUIRED");
    expect((await callJson(`/v1/apps/${appId}`, { key: dev.key })).body.registrationNumber).toBeNull();
  });

  it("with an active registration: list → listed with listedAt; unlist → unlisted", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const number = await insertActiveRegistration(appId);

    const before = await callJson(`/v1/apps/${appId}`, { key: dev.key });
    expect(before.body.registrationNumber).toBe(number);

    const t0 = Date.now();
    const listed = await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      appId,
      listingStatus: "listed",
      registrationNumber: number,
      delistedAt: null,
      delistReason: null,
    });
    expect(Date.parse(listed.body.listedAt)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(Date.parse(listed.body.listedAt)).toBeLessThanOrEqual(Date.now() + 1000);

    // Listing again is a no-op that keeps the first listedAt.
    const again = await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });
    expect(again.status).toBe(200);
    expect(again.body.listedAt).toBe(listed.body.listedAt);

    const unlisted = await callJson(`/v1/apps/${appId}/unlist`, { key: dev.key, method: "POST" });
    expect(unlisted.status).toBe(200);
    expect(unlisted.body).toMatchObject({ appId, listingStatus: "unlisted", delistedAt: null, delistReason: null });

    const read = await callJson(`/v1/apps/${appId}`, { key: dev.key });
    expect(read.body.listingStatus).toBe("unlisted");

    // Unlisting an unlisted app is fine too.
    const twice = await callJson(`/v1/apps/${appId}/unlist`, { key: dev.key, method: "POST" });
    expect(twice.status).toBe(200);
    expect(twice.body.listingStatus).toBe("unlisted");
  });

  it("list and unlist are audited, and the chain verifies", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    await insertActiveRegistration(appId);
    await callJson(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" });
    await callJson(`/v1/apps/${appId}/unlist`, { key: dev.key, method: "POST" });
    const { results } = await env.DB.prepare("select action from audit_log where subject = ? order by seq")
      .bind(`app:${appId}`)
      .all<{ action: string }>();
    expect(results.map((r) => r.action)).toEqual(["app.created", "app.listed", "app.unlisted"]);
    const admin = await newAccount("admin");
    const verify = await callJson("/v1/admin/audit/verify", { key: admin.key });
    expect(verify.body).toMatchObject({ ok: true, broken: [] });
  });
});

describe("grants", () => {
  it("grants an app to a provider, lists, revokes; revoking again is 404", async () => {
    const dev = await newAccount("developer");
    const provider = await newAccount("provider");
    const appId = await newApp(dev.key);

    const granted = await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: provider.id } });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ appId, accountId: provider.id });

    // Granting twice is harmless and still lists one grant.
    const twice = await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: provider.id } });
    expect(twice.status).toBe(201);
    expect(twice.body).toMatchObject({ appId, accountId: provider.id });

    const list = await callJson(`/v1/apps/${appId}/grants`, { key: dev.key });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ appId, accountId: provider.id });
    expect(list.body.nextCursor).toBeNull();

    const del = await callJson(`/v1/apps/${appId}/grants/${provider.id}`, { key: dev.key, method: "DELETE" });
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();

    expect((await callJson(`/v1/apps/${appId}/grants`, { key: dev.key })).body.items).toEqual([]);

    const again = await callJson(`/v1/apps/${appId}/grants/${provider.id}`, { key: dev.key, method: "DELETE" });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe("NOT_FOUND");
  });

  it("several providers may hold grants on one app", async () => {
    const dev = await newAccount("developer");
    const p1 = await newAccount("provider");
    const p2 = await newAccount("provider");
    const appId = await newApp(dev.key);
    for (const p of [p1, p2]) {
      expect((await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: p.id } })).status).toBe(
        201,
      );
    }
    const list = await callJson(`/v1/apps/${appId}/grants`, { key: dev.key });
    expect(list.body.items.map((g: { accountId: string }) => g.accountId).sort()).toEqual([p1.id, p2.id].sort());
  });

  it("granting to an account that is not a provider and to an unknown account answer the same 422 NOT_A_PROVIDER", async () => {
    const dev = await newAccount("developer");
    const otherDev = await newAccount("developer");
    const reviewer = await newAccount("reviewer");
    const appId = await newApp(dev.key);
    const answers = [];
    for (const target of [otherDev.id, dev.id, reviewer.id, "acc_does_not_exist", "acc_bootstrap"]) {
      const res = await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: target } });
      expect(res.status, target).toBe(422);
      expect(res.body.code).toBe("VALIDATION_FAILED");
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "accountId", code: "NOT_A_PROVIDER" })]);
      answers.push(JSON.stringify(res.body.errors));
    }
    // Word for word the same: nothing tells an existing account from an unknown one, or one role from another.
    expect(new Set(answers).size).toBe(1);
    expect((await callJson(`/v1/apps/${appId}/grants`, { key: dev.key })).body.items).toEqual([]);
  });

  it("422 for a grant body without accountId or with extra fields", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const missing = await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: "accountId", code: "REQUIRED" })]);
    const provider = await newAccount("provider");
    const extra = await callJson(`/v1/apps/${appId}/grants`, {
      key: dev.key,
      body: { accountId: provider.id, scope: "all" },
    });
    expect(extra.status).toBe(422);
    expect(extra.body.errors).toEqual([expect.objectContaining({ path: "scope", code: "UNKNOWN_FIELD" })]);
  });

  it("a grant covers only its own app: the provider may file for it and for no other app", async () => {
    const dev = await newAccount("developer");
    const provider = await newAccount("provider");
    const grantedApp = await newApp(dev.key);
    const otherApp = await newApp(dev.key);
    expect(
      (await callJson(`/v1/apps/${grantedApp}/grants`, { key: dev.key, body: { accountId: provider.id } })).status,
    ).toBe(201);

    const ok = await callJson("/v1/filings/validate", { key: provider.key, body: validFiling(grantedApp) });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ valid: true, errors: [] });

    const other = await callJson("/v1/filings/validate", { key: provider.key, body: validFiling(otherApp) });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe("NOT_FOUND");
    const submit = await callJson("/v1/filings", { key: provider.key, body: validFiling(otherApp) });
    expect(submit.status).toBe(404);
    expect(submit.body.code).toBe("NOT_FOUND");

    // Once revoked, the granted app is out of reach too.
    expect(
      (await callJson(`/v1/apps/${grantedApp}/grants/${provider.id}`, { key: dev.key, method: "DELETE" })).status,
    ).toBe(204);
    const revoked = await callJson("/v1/filings/validate", { key: provider.key, body: validFiling(grantedApp) });
    expect(revoked.status).toBe(404);
  });

  it("an app's registration number is its own, not another app's", async () => {
    const dev = await newAccount("developer");
    const registered = await newApp(dev.key);
    const plain = await newApp(dev.key);
    const number = await insertActiveRegistration(registered);
    expect((await callJson(`/v1/apps/${registered}`, { key: dev.key })).body.registrationNumber).toBe(number);
    expect((await callJson(`/v1/apps/${plain}`, { key: dev.key })).body.registrationNumber).toBeNull();
    const list = await callJson("/v1/apps", { key: dev.key });
    const byId = Object.fromEntries(
      list.body.items.map((a: { appId: string; registrationNumber: string | null }) => [a.appId, a.registrationNumber]),
    );
    expect(byId).toEqual({ [registered]: number, [plain]: null });
  });

  it("grants on an unknown app are 404", async () => {
    const dev = await newAccount("developer");
    const provider = await newAccount("provider");
    const post = await callJson("/v1/apps/wx_nope_nope_nope/grants", {
      key: dev.key,
      body: { accountId: provider.id },
    });
    expect(post.status).toBe(404);
    const list = await callJson("/v1/apps/wx_nope_nope_nope/grants", { key: dev.key });
    expect(list.status).toBe(404);
    const del = await callJson(`/v1/apps/wx_nope_nope_nope/grants/${provider.id}`, { key: dev.key, method: "DELETE" });
    expect(del.status).toBe(404);
  });
});
