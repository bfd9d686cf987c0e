import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { SESSION_TTL_S } from "../../src/lib/session";
import { adminKey, call, newAccount } from "../support/api";
import { ConsoleBrowser, csrfOf } from "../support/console";

/** A sign-in against the app as a production deployment runs it (https, PUBLIC_ORIGIN set). */
async function signInAsProduction(key: string, vars: Record<string, string> = {}) {
  const bindings = { ...env, ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://beian.test", ...vars };
  const app = createApp();
  const form = await app.fetch(new Request("https://beian.test/console/login"), bindings, createExecutionContext());
  const nonce = /beian_login=([^;]+)/.exec(form.headers.getSetCookie().join("\n"))?.[1] ?? "";
  const body = new URLSearchParams({ _csrf: csrfOf(await form.text()) ?? "", key });
  return app.fetch(
    new Request("https://beian.test/console/login", {
      method: "POST",
      body,
      headers: { cookie: `beian_login=${nonce}` },
    }),
    bindings,
    createExecutionContext(),
  );
}

describe("console sign-in", () => {
  it("shows a sign-in form with a CSRF token and no key anywhere", async () => {
    const b = new ConsoleBrowser();
    const page = await b.get("/console/login");
    expect(page.status).toBe(200);
    expect(page.html).toContain('name="key"');
    expect(page.html).toContain('type="password"');
    expect(b.csrf).toBeTruthy();
    expect(page.res.headers.get("cache-control")).toBe("no-store");
    expect(page.res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("turns a valid key into an HttpOnly, SameSite=Strict session cookie and opens the role's console", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    await b.get("/console/login");
    const res = await b.post("/console/login", { key: dev.key });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("beian_session="));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(new RegExp(`Max-Age=${SESSION_TTL_S}`));
    expect(cookie).toMatch(/Path=\/console/);
    // Development serves http://localhost: Secure is production's (see the production test below).
    expect(cookie).not.toContain(dev.key);
    const home = await b.get("/console");
    expect(home.status).toBe(200);
    expect(home.html).not.toContain(dev.key);
  });

  it("marks the session cookie Secure in production", async () => {
    const dev = await newAccount("developer");
    const res = await signInAsProduction(dev.key);
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("beian_session="));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/HttpOnly/);
  });

  it("limits failed sign-ins per client, as the API does: 429 with Retry-After", async () => {
    const b = new ConsoleBrowser();
    await b.get("/console/login");
    const from = { "cf-connecting-ip": "203.0.113.171" };
    let res: Response | undefined;
    let n = 0;
    for (; n < 60; n++) {
      const form = new URLSearchParams({ _csrf: b.csrf ?? "", key: `bk_wrong_${n}` });
      res = await b.fetch("/console/login", { method: "POST", body: form, headers: from });
      const html = await res.text();
      b.csrf = csrfOf(html) ?? b.csrf;
      if (res.status !== 401) break;
    }
    expect(n).toBeGreaterThanOrEqual(20);
    expect(res?.status).toBe(429);
    expect(res?.headers.get("retry-after")).toBe("60");
    // The API's bearer sign-ins from that client are refused too: one limit for both doors.
    const api = await call("/v1/apps", { key: "bk_wrong_api", headers: from });
    expect(api.status).toBe(429);
  });

  it("ends the bootstrap admin's sessions when ADMIN_BOOTSTRAP_KEY changes", async () => {
    const res = await signInAsProduction(env.ADMIN_BOOTSTRAP_KEY);
    expect(res.status).toBe(303);
    const session = /beian_session=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))?.[1] ?? "";
    const open = async (bootstrapKey: string) =>
      createApp().fetch(
        new Request("https://beian.test/console/admin", { headers: { cookie: `beian_session=${session}` } }),
        { ...env, ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://beian.test", ADMIN_BOOTSTRAP_KEY: bootstrapKey },
        createExecutionContext(),
      );
    expect((await open(env.ADMIN_BOOTSTRAP_KEY)).status).toBe(200);
    expect((await open("bk_rotated_bootstrap_key")).status).toBe(303);
  });

  it("sends each role to its own console", async () => {
    for (const [role, home] of [
      ["reviewer", "/console/review"],
      ["regulator", "/console/regulator"],
      ["admin", "/console/admin"],
      ["provider", "/console"],
    ] as const) {
      const account = await newAccount(role);
      const b = new ConsoleBrowser();
      const res = await b.signIn(account.key);
      expect(res.headers.get("location"), role).toBe(home);
    }
    const b = new ConsoleBrowser();
    expect((await b.signIn(adminKey())).headers.get("location")).toBe("/console/admin");
  });

  it("refuses an unknown key with 401 and sets no session", async () => {
    const b = new ConsoleBrowser();
    await b.get("/console/login");
    const res = await b.post("/console/login", { key: "bk_not_a_key" });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("密钥无效或已吊销");
    expect(b.cookies.has("beian_session")).toBe(false);
  });

  it("refuses a sign-in without the form's CSRF token", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    await b.get("/console/login");
    const res = await b.post("/console/login", { key: dev.key }, { csrf: null });
    expect(res.status).toBe(403);
    expect(b.cookies.has("beian_session")).toBe(false);
    const forged = await b.post("/console/login", { key: dev.key }, { csrf: "forged" });
    expect(forged.status).toBe(403);
  });

  it("goes back to the page asked for after signing in, never to another site", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    const first = await b.fetch("/console/events");
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/console/login?next=%2Fconsole%2Fevents");
    await b.get("/console/login?next=%2Fconsole%2Fevents");
    const res = await b.post("/console/login", { key: dev.key, next: "/console/events" });
    expect(res.headers.get("location")).toBe("/console/events");
    const c = new ConsoleBrowser();
    await c.get("/console/login");
    const away = await c.post("/console/login", { key: dev.key, next: "//evil.example/console" });
    expect(away.headers.get("location")).toBe("/console");
  });
});

describe("console sessions", () => {
  it("sends a reader without a session to the sign-in, and refuses a post", async () => {
    const b = new ConsoleBrowser();
    const res = await b.fetch("/console");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console/login");
    const post = await b.post("/console/logout", {}, { csrf: "x" });
    expect(post.status).toBe(401);
  });

  it("refuses a forged or altered cookie", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    await b.signIn(dev.key);
    const cookie = b.cookies.get("beian_session") ?? "";
    const [body = "", sig = ""] = cookie.split(".");
    const claims = JSON.parse(atob(body.replaceAll("-", "+").replaceAll("_", "/")));
    claims.role = "admin";
    const forgedBody = btoa(JSON.stringify(claims)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    b.cookies.set("beian_session", `${forgedBody}.${sig}`);
    expect((await b.fetch("/console")).status).toBe(303);
  });

  it("ends a session at once when its key is revoked", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    await b.signIn(dev.key);
    expect((await b.get("/console")).status).toBe(200);
    const revoked = await call(`/v1/admin/accounts/${dev.id}/keys/${dev.keyId}`, { method: "DELETE", key: adminKey() });
    expect(revoked.status).toBe(204);
    const after = await b.fetch("/console");
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/console/login");
  });

  it("requires the session's CSRF token on every state-changing request", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    await b.signIn(dev.key);
    expect((await b.post("/console/logout", {}, { csrf: null })).status).toBe(403);
    expect((await b.post("/console/logout", {}, { csrf: "not-the-token" })).status).toBe(403);
    // Another session's token is not this one's.
    const other = new ConsoleBrowser();
    await other.signIn(dev.key);
    expect((await b.post("/console/logout", {}, { csrf: other.csrf ?? "" })).status).toBe(403);
    expect((await b.get("/console")).status).toBe(200);
    const cookie = b.cookies.get("beian_session") ?? "";
    const out = await b.post("/console/logout");
    expect(out.status).toBe(303);
    expect(b.cookies.has("beian_session")).toBe(false);
    expect((await b.fetch("/console")).status).toBe(303);
    // A copy of the cookie kept from before signing out is refused too: the session itself has ended.
    b.cookies.set("beian_session", cookie);
    expect((await b.fetch("/console")).status).toBe(303);
    // The other session of the same key goes on.
    expect((await other.get("/console")).status).toBe(200);
  });

  it("opens staff consoles to their roles only", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    await b.signIn(dev.key);
    for (const path of ["/console/review", "/console/regulator", "/console/admin"]) {
      const page = await b.get(path);
      expect(page.status, path).toBe(403);
      expect(page.html).toContain('href="/console"');
    }
  });

  it("speaks Chinese by default and English once chosen", async () => {
    const dev = await newAccount("developer");
    const b = new ConsoleBrowser();
    await b.signIn(dev.key);
    expect((await b.get("/console")).html).toContain('lang="zh-CN"');
    expect((await b.get("/console?lang=en")).html).toContain('lang="en"');
    expect((await b.get("/console")).html).toContain('lang="en"');
  });
});
