import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminKey, call, callJson, newAccount, type Role, unique } from "../support/api";

const ROLES: Role[] = ["developer", "provider", "reviewer", "regulator", "admin"];
const PROBLEM_TYPE = /^application\/problem\+json/;

async function createAccount(role: Role, name = `${role} ${unique()}`) {
  const res = await callJson("/v1/admin/accounts", { key: adminKey(), body: { name, role } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; role: Role; createdAt: string };
}

async function createKey(accountId: string) {
  const res = await callJson(`/v1/admin/accounts/${accountId}/keys`, { key: adminKey(), method: "POST" });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; key: string };
}

/** Every value of every field, nested, as strings. */
function allStrings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value !== "object") return [String(value)];
  return Object.values(value as Record<string, unknown>).flatMap(allStrings);
}

describe("accounts", () => {
  it.each(ROLES)("creates a %s account: 201 {id, name, role, createdAt}", async (role) => {
    const name = `账号 ${role} ${unique()}`;
    const res = await callJson("/v1/admin/accounts", { key: adminKey(), body: { name, role } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^acc_/), name, role, createdAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);
  });

  it("trims the name", async () => {
    const res = await callJson("/v1/admin/accounts", {
      key: adminKey(),
      body: { name: "  Acme  ", role: "developer" },
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe("Acme");
  });

  it("lists accounts in cursor pages, newest first, without gaps or repeats", async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createAccount("developer"));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await callJson(`/v1/admin/accounts${query}`, { key: adminKey() });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) {
        expect(Object.keys(item).sort()).toEqual(["createdAt", "id", "name", "role"]);
      }
      seen.push(...page.body.items.map((a: { id: string }) => a.id));
      if (page.body.nextCursor !== null) {
        expect(page.body.items).toHaveLength(2);
        expect(page.body.nextCursor).toBe(page.body.items[1].id);
      }
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);

    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort().reverse());
    for (const account of created) expect(seen).toContain(account.id);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("filters the list by role", async () => {
    const reviewer = await createAccount("reviewer");
    const regulator = await createAccount("regulator");
    const res = await callJson("/v1/admin/accounts?role=reviewer&limit=200", { key: adminKey() });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((a: { role: string }) => a.role === "reviewer")).toBe(true);
    const ids = res.body.items.map((a: { id: string }) => a.id);
    expect(ids).toContain(reviewer.id);
    expect(ids).not.toContain(regulator.id);
  });

  it("rejects a bad list query with 422", async () => {
    const badRole = await callJson("/v1/admin/accounts?role=superuser", { key: adminKey() });
    expect(badRole.status).toBe(422);
    expect(badRole.body.code).toBe("VALIDATION_FAILED");
    expect(badRole.body.errors).toEqual([expect.objectContaining({ path: "role", code: "INVALID_VALUE" })]);

    const badLimit = await callJson("/v1/admin/accounts?limit=201", { key: adminKey() });
    expect(badLimit.status).toBe(422);
    expect(badLimit.body.errors).toEqual([expect.objectContaining({ path: "limit", code: "TOO_BIG" })]);
  });

  it("422 for a bad role, at role", async () => {
    const res = await callJson("/v1/admin/accounts", { key: adminKey(), body: { name: "x", role: "root" } });
    expect(res.status).toBe(422);
    expect(res.res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "role", code: "INVALID_VALUE" })]);
  });

  it("422 for an empty (or blank) name, at name", async () => {
    for (const name of ["", "   "]) {
      const res = await callJson("/v1/admin/accounts", { key: adminKey(), body: { name, role: "developer" } });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe("VALIDATION_FAILED");
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "name", code: "TOO_SHORT" })]);
    }
  });

  it("422 for missing fields, each at its path", async () => {
    const res = await callJson("/v1/admin/accounts", { key: adminKey(), body: {} });
    expect(res.status).toBe(422);
    const byPath = Object.fromEntries(res.body.errors.map((e: { path: string; code: string }) => [e.path, e.code]));
    expect(byPath).toEqual({ name: "REQUIRED", role: "REQUIRED" });
  });

  it("422 UNKNOWN_FIELD at the unknown field's path", async () => {
    const res = await callJson("/v1/admin/accounts", {
      key: adminKey(),
      body: { name: "Acme", role: "developer", Role: "admin", permissions: ["all"] },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    const unknown = res.body.errors
      .filter((e: { code: string }) => e.code === "UNKNOWN_FIELD")
      .map((e: { path: string }) => e.path);
    expect(unknown.sort()).toEqual(["Role", "permissions"]);
  });

  it("422 for a body that is JSON but not an object", async () => {
    const res = await callJson("/v1/admin/accounts", { key: adminKey(), body: ["developer"] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "" })]);
  });
});

describe("keys", () => {
  it("creates a key shown once that authenticates as the account", async () => {
    const account = await createAccount("developer");
    const res = await callJson(`/v1/admin/accounts/${account.id}/keys`, { key: adminKey(), method: "POST" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^key_/), key: expect.any(String) });
    expect(res.body.key.length).toBeGreaterThanOrEqual(32);

    // The key works: a developer may list its (empty) apps.
    const apps = await callJson("/v1/apps", { key: res.body.key });
    expect(apps.status).toBe(200);
    expect(apps.body).toEqual({ items: [], nextCursor: null });

    // Two keys are different.
    const second = await createKey(account.id);
    expect(second.key).not.toBe(res.body.key);
    expect(second.id).not.toBe(res.body.id);
  });

  it("lists keys without ever showing the key", async () => {
    const account = await createAccount("provider");
    const k1 = await createKey(account.id);
    const k2 = await createKey(account.id);
    // Use one so lastUsedAt has a chance to be set.
    expect((await call("/v1/filings", { key: k1.key })).status).toBe(200);

    const res = await callJson(`/v1/admin/accounts/${account.id}/keys`, { key: adminKey() });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((k: { id: string }) => k.id).sort()).toEqual([k1.id, k2.id].sort());
    for (const item of res.body.items) {
      expect(item).toMatchObject({ id: expect.any(String), createdAt: expect.any(String), revokedAt: null });
      expect(item).toHaveProperty("lastUsedAt");
      expect(item).not.toHaveProperty("key");
      expect(item).not.toHaveProperty("keyHash");
    }
    for (const value of allStrings(res.body)) {
      expect(value).not.toContain(k1.key);
      expect(value).not.toContain(k2.key);
    }
    const raw = JSON.stringify(res.body);
    expect(raw).not.toContain(k1.key);
    expect(raw).not.toContain(k2.key);
  });

  it("404 for keys of an unknown account", async () => {
    const create = await callJson("/v1/admin/accounts/acc_nope/keys", { key: adminKey(), method: "POST" });
    expect(create.status).toBe(404);
    expect(create.body.code).toBe("NOT_FOUND");
    const list = await callJson("/v1/admin/accounts/acc_nope/keys", { key: adminKey() });
    expect(list.status).toBe(404);
    expect(list.body.code).toBe("NOT_FOUND");
  });

  it("revoking a key → 204, and the very next request with it is 401", async () => {
    const account = await createAccount("developer");
    const keep = await createKey(account.id);
    const revoke = await createKey(account.id);
    expect((await call("/v1/apps", { key: revoke.key })).status).toBe(200);

    const del = await call(`/v1/admin/accounts/${account.id}/keys/${revoke.id}`, { key: adminKey(), method: "DELETE" });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");

    const after = await callJson("/v1/apps", { key: revoke.key });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("UNAUTHORIZED");
    expect(after.res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
    expect(after.res.headers.get("www-authenticate")).toMatch(/^Bearer/);

    // The account's other key keeps working.
    expect((await call("/v1/apps", { key: keep.key })).status).toBe(200);

    const list = await callJson(`/v1/admin/accounts/${account.id}/keys`, { key: adminKey() });
    const revoked = list.body.items.find((k: { id: string }) => k.id === revoke.id);
    const kept = list.body.items.find((k: { id: string }) => k.id === keep.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    expect(kept.revokedAt).toBeNull();

    // Revoking again is still 204 (the key exists) and it stays revoked.
    const again = await call(`/v1/admin/accounts/${account.id}/keys/${revoke.id}`, {
      key: adminKey(),
      method: "DELETE",
    });
    expect(again.status).toBe(204);
    expect((await call("/v1/apps", { key: revoke.key })).status).toBe(401);
  });

  it("revoking an unknown key → 404; another account's key → 404", async () => {
    const a = await createAccount("developer");
    const b = await createAccount("developer");
    const bKey = await createKey(b.id);

    const unknown = await callJson(`/v1/admin/accounts/${a.id}/keys/key_doesnotexist`, {
      key: adminKey(),
      method: "DELETE",
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");

    const foreign = await callJson(`/v1/admin/accounts/${a.id}/keys/${bKey.id}`, { key: adminKey(), method: "DELETE" });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("NOT_FOUND");
    // b's key was not touched.
    expect((await call("/v1/apps", { key: bKey.key })).status).toBe(200);
  });

  it("stores keys only as hashes", async () => {
    const account = await createAccount("developer");
    const keys = [await createKey(account.id), await createKey(account.id)];
    const { results } = await env.DB.prepare("select * from api_keys").all<Record<string, unknown>>();
    const mine = results.filter((r) => r.account_id === account.id);
    expect(mine).toHaveLength(2);
    for (const row of results) {
      for (const value of Object.values(row)) {
        for (const { key } of keys) expect(String(value)).not.toContain(key);
      }
    }
    // What is stored is a 256-bit digest.
    for (const row of mine) expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("authentication and roles", () => {
  it("401 without a key, with an unknown key, or with a malformed header", async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: "Bearer bk_not_a_real_key" },
      { authorization: "Basic abc" },
      { authorization: "Bearer" },
    ];
    for (const headers of variants) {
      const res = await callJson("/v1/admin/accounts", { headers });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("UNAUTHORIZED");
      expect(res.res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
    }
  });

  it("ADMIN_BOOTSTRAP_KEY is an admin key", async () => {
    expect(env.ADMIN_BOOTSTRAP_KEY).toBeTruthy();
    const list = await callJson("/v1/admin/accounts", { key: env.ADMIN_BOOTSTRAP_KEY });
    expect(list.status).toBe(200);
    const create = await callJson("/v1/admin/accounts", {
      key: env.ADMIN_BOOTSTRAP_KEY,
      body: { name: "ops", role: "admin" },
    });
    expect(create.status).toBe(201);
    // …and an admin account it creates can act as admin with its own key.
    const key = await createKey(create.body.id);
    const viaNewAdmin = await callJson("/v1/admin/accounts", {
      key: key.key,
      body: { name: "second", role: "reviewer" },
    });
    expect(viaNewAdmin.status).toBe(201);
    // Admins have no implicit access to developers' routes.
    expect((await callJson("/v1/apps", { key: env.ADMIN_BOOTSTRAP_KEY })).status).toBe(403);
  });

  it("403 FORBIDDEN for every non-admin role on every /v1/admin route", async () => {
    const target = await createAccount("developer");
    const targetKey = await createKey(target.id);
    const routes: { method: string; path: string; body?: unknown }[] = [
      { method: "POST", path: "/v1/admin/accounts", body: { name: "x", role: "admin" } },
      { method: "GET", path: "/v1/admin/accounts" },
      { method: "GET", path: "/v1/admin/accounts?role=admin" },
      { method: "POST", path: `/v1/admin/accounts/${target.id}/keys` },
      { method: "GET", path: `/v1/admin/accounts/${target.id}/keys` },
      { method: "DELETE", path: `/v1/admin/accounts/${target.id}/keys/${targetKey.id}` },
      { method: "GET", path: "/v1/admin/audit/verify" },
      { method: "POST", path: "/v1/admin/apps/import", body: { apps: [] } },
      { method: "POST", path: "/v1/admin/registrations/import", body: { registrations: [] } },
      { method: "GET", path: "/v1/admin/policies" },
      { method: "GET", path: "/v1/admin/enforcement/runs" },
      { method: "GET", path: "/v1/admin/coverage" },
      { method: "GET", path: "/v1/admin/webhook-deliveries" },
    ];
    for (const role of ["developer", "provider", "reviewer", "regulator"] as const) {
      const caller = await newAccount(role);
      for (const route of routes) {
        const res = await callJson(route.path, { key: caller.key, method: route.method, body: route.body });
        expect(res.status, `${role} ${route.method} ${route.path}`).toBe(403);
        expect(res.body.code).toBe("FORBIDDEN");
        expect(res.res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
      }
    }
    // Nothing happened: the target's key still works and it got no new key.
    expect((await call("/v1/apps", { key: targetKey.key })).status).toBe(200);
    const keys = await callJson(`/v1/admin/accounts/${target.id}/keys`, { key: adminKey() });
    expect(keys.body.items).toHaveLength(1);
  });
});

describe("audit", () => {
  it("verify is ok after changes, reports a tampered row's subject, and is ok again once restored", async () => {
    const account = await createAccount("developer");
    const k = await createKey(account.id);
    expect(
      (await call(`/v1/admin/accounts/${account.id}/keys/${k.id}`, { key: adminKey(), method: "DELETE" })).status,
    ).toBe(204);
    const subject = `account:${account.id}`;

    const { results } = await env.DB.prepare(
      "select subject, seq, action, data from audit_log where subject = ? order by seq",
    )
      .bind(subject)
      .all<{ subject: string; seq: number; action: string; data: string }>();
    expect(results.map((r) => r.action)).toEqual(["account.created", "key.created", "key.revoked"]);

    const ok = await callJson("/v1/admin/audit/verify", { key: adminKey() });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, broken: [] });
    expect(ok.body.rows).toBeGreaterThanOrEqual(3);
    expect(ok.body.subjects).toBeGreaterThanOrEqual(1);

    // Tamper with the middle row: rename the role in the account.created data.
    const original = results[0]?.data as string;
    const forged = original.replace("developer", "admin");
    expect(forged).not.toBe(original);
    await env.DB.prepare("update audit_log set data = ? where subject = ? and seq = 1").bind(forged, subject).run();

    const broken = await callJson("/v1/admin/audit/verify", { key: adminKey() });
    expect(broken.status).toBe(200);
    expect(broken.body.ok).toBe(false);
    expect(broken.body.broken).toEqual([{ subject, seq: 1, reason: "hash" }]);

    // Deleting a row breaks the chain at the row after the gap.
    await env.DB.prepare("update audit_log set data = ? where subject = ? and seq = 1").bind(original, subject).run();
    expect((await callJson("/v1/admin/audit/verify", { key: adminKey() })).body.ok).toBe(true);
    const row2 = await env.DB.prepare("select * from audit_log where subject = ? and seq = 2")
      .bind(subject)
      .first<Record<string, unknown>>();
    await env.DB.prepare("delete from audit_log where subject = ? and seq = 2").bind(subject).run();
    const gap = await callJson("/v1/admin/audit/verify", { key: adminKey() });
    expect(gap.body.ok).toBe(false);
    expect(gap.body.broken).toEqual([{ subject, seq: 3, reason: "hash" }]);

    // Restore, so later tests in this file see an intact log.
    const r = row2 as Record<string, unknown>;
    await env.DB.prepare(
      "insert into audit_log (subject, seq, action, actor_account_id, at, data, prev_hash, hash, key_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(r.subject, r.seq, r.action, r.actor_account_id, r.at, r.data, r.prev_hash, r.hash, r.key_id)
      .run();
    expect((await callJson("/v1/admin/audit/verify", { key: adminKey() })).body).toMatchObject({
      ok: true,
      broken: [],
    });
  });
});
