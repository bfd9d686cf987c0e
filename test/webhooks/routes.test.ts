import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { vaultFor } from "../../src/lib/crypto";
import { call, callJson, developerWithApp, newAccount, validFiling } from "../support/api";
import { eventually, outboxSettled, stubReceiver } from "./receiver";

const DAY_MS = 24 * 60 * 60 * 1000;
const RECEIVER = "https://receiver.example";

afterEach(() => {
  vi.restoreAllMocks();
});

const put = (key: string, body: unknown) => callJson("/v1/webhook", { key, method: "PUT", body });
const get = (key: string) => callJson("/v1/webhook", { key });
const ping = (key: string) => callJson("/v1/webhook/test", { key, method: "POST" });

describe("PUT / GET / DELETE /v1/webhook", () => {
  it("creates with a whsec_ secret shown once; GET and later PUTs never show it", async () => {
    const dev = await newAccount("developer");
    expect((await get(dev.key)).status).toBe(404);

    const before = Date.now();
    const created = await put(dev.key, { url: `${RECEIVER}/a` });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: `${RECEIVER}/a`,
      enabled: true,
      disabledAt: null,
      previousSecretExpiresAt: null,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Date.parse(created.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    const secret: string = created.body.secret;

    const read = await call("/v1/webhook", { key: dev.key });
    const text = await read.text();
    expect(read.status).toBe(200);
    expect(text).not.toContain("whsec_");
    expect(text).not.toContain(secret.slice(6));
    expect(JSON.parse(text)).toEqual({
      url: `${RECEIVER}/a`,
      enabled: true,
      disabledAt: null,
      previousSecretExpiresAt: null,
      createdAt: created.body.createdAt,
      updatedAt: created.body.updatedAt,
    });

    const again = await put(dev.key, { url: `${RECEIVER}/b` });
    expect(again.status).toBe(200);
    expect(again.body).not.toHaveProperty("secret");
    expect(again.body).toMatchObject({ url: `${RECEIVER}/b`, enabled: true, previousSecretExpiresAt: null });
    expect(again.body.createdAt).toBe(created.body.createdAt);
    expect((await get(dev.key)).body.url).toBe(`${RECEIVER}/b`);

    // The secret did not change: a ping still verifies with the first one, and only with it.
    const receiver = stubReceiver(RECEIVER);
    const pinged = await ping(dev.key);
    expect(pinged.body).toMatchObject({ delivered: true, status: 200 });
    const [req] = receiver.received;
    expect(req?.url).toBe(`${RECEIVER}/b`);
    expect((req?.headers["webhook-signature"] ?? "").split(" ")).toHaveLength(1);
    expect(new Webhook(secret).verify(req?.body ?? "", req?.headers ?? {})).toMatchObject({ type: "webhook.test" });
  });

  it("rotateSecret issues a new secret; both sign for 24 h, pings and real deliveries alike", async () => {
    const { dev, appId } = await developerWithApp();
    const oldSecret: string = (await put(dev.key, { url: `${RECEIVER}/rot` })).body.secret;

    const before = Date.now();
    const rotated = await put(dev.key, { url: `${RECEIVER}/rot`, rotateSecret: true });
    const after = Date.now();
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.body.secret;
    expect(newSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newSecret).not.toBe(oldSecret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
    expect(expires).toBeLessThanOrEqual(after + DAY_MS + 1000);
    const shown = await get(dev.key);
    expect(shown.body.previousSecretExpiresAt).toBe(rotated.body.previousSecretExpiresAt);
    expect(shown.body).not.toHaveProperty("secret");

    const receiver = stubReceiver(RECEIVER);
    // The test ping during the overlap.
    const pinged = await ping(dev.key);
    expect(pinged.body).toMatchObject({ delivered: true, status: 200 });
    // A real event, through the outbox, the queue and its consumer.
    const submitted = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(submitted.status).toBe(201);
    await eventually(() => receiver.received.length >= 2);
    const [pingReq, eventReq] = receiver.received as [(typeof receiver.received)[0], (typeof receiver.received)[0]];
    for (const req of [pingReq, eventReq]) {
      expect(req.method).toBe("POST");
      expect(req.headers["content-type"]).toBe("application/json");
      const sigs = (req.headers["webhook-signature"] ?? "").split(" ");
      expect(sigs).toHaveLength(2);
      expect(new Webhook(newSecret).verify(req.body, req.headers)).toBeTruthy();
      expect(new Webhook(oldSecret).verify(req.body, req.headers)).toBeTruthy();
    }
    const events = await callJson("/v1/events", { key: dev.key });
    expect(events.body.items).toHaveLength(1);
    const event = events.body.items[0];
    expect(eventReq.headers["webhook-id"]).toBe(event.id);
    expect(JSON.parse(eventReq.body)).toMatchObject({
      id: event.id,
      type: "filing.submitted",
      createdAt: event.createdAt,
      data: { filingId: submitted.body.id, appId, type: "new", status: "platform_review" },
    });
    await eventually(async () => {
      const row = await env.DB.prepare("select status from webhook_deliveries where event_id = ?")
        .bind(event.id)
        .first<{ status: string }>();
      return row?.status === "delivered";
    });
    await outboxSettled();

    // Once the overlap has lapsed only the new secret signs.
    await env.DB.prepare("update webhook_endpoints set previous_secret_expires_at = ? where account_id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), dev.id)
      .run();
    await ping(dev.key);
    const last = receiver.received.at(-1);
    expect((last?.headers["webhook-signature"] ?? "").split(" ")).toHaveLength(1);
    expect(new Webhook(newSecret).verify(last?.body ?? "", last?.headers ?? {})).toBeTruthy();
    expect(() => new Webhook(oldSecret).verify(last?.body ?? "", last?.headers ?? {})).toThrow(
      "No matching signature found",
    );
  });

  it("hands out only a secret that was stored: a PUT that loses the creation race updates instead", async () => {
    const dev = await newAccount("developer");
    const vault = vaultFor(env);
    const competitor = "whsec_c29tZW9uZSBlbHNlIHNldCBpdCBmaXJzdCE=";
    // Another PUT for the same account commits between this one's read (no endpoint yet) and its insert.
    const racedDb = beforeFirstInsert(env.DB, "webhook_endpoints", async () => {
      const at = new Date().toISOString();
      await env.DB.prepare(
        "insert into webhook_endpoints (account_id, url, secret_sealed, created_at, updated_at) values (?, ?, ?, ?, ?)",
      )
        .bind(dev.id, "https://receiver.example/first", await vault.seal(competitor), at, at)
        .run();
    });
    const ctx = createExecutionContext();
    const json = JSON.stringify({ url: "https://receiver.example/second" });
    const res = await createApp().fetch(
      new Request("http://beian.test/v1/webhook", {
        method: "PUT",
        headers: {
          authorization: `Bearer ${dev.key}`,
          "content-type": "application/json",
          "content-length": String(new TextEncoder().encode(json).byteLength),
        },
        body: json,
      }),
      { ...env, DB: racedDb },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const body = (await res.json()) as { url: string; secret?: string };
    expect(res.status).toBe(200);
    expect(body.secret).toBeUndefined();
    expect(body.url).toBe("https://receiver.example/second");
    const row = await env.DB.prepare("select secret_sealed from webhook_endpoints where account_id = ?")
      .bind(dev.id)
      .first<{ secret_sealed: string }>();
    expect(await vault.open(row?.secret_sealed ?? "")).toBe(competitor);
  });

  it("in production refuses internal names, names spelling private addresses and names resolving to them", async () => {
    const dev = await newAccount("developer");
    // The DNS-over-HTTPS service, stubbed: `*.private.example` answers 10.0.0.7, `*.public.example` a public address.
    const doh = stubReceiver("https://doh.test", (req) => {
      const url = new URL(req.url);
      const name = url.searchParams.get("name") ?? "";
      const type = url.searchParams.get("type");
      const address = name.endsWith(".private.example") ? "10.0.0.7" : "93.184.216.34";
      return Response.json({ Status: 0, Answer: type === "A" ? [{ name, type: 1, data: address }] : [] });
    });
    const production = {
      ENVIRONMENT: "production",
      PUBLIC_ORIGIN: "https://beian.test",
      WEBHOOK_DOH_URL: "https://doh.test/dns-query",
    };
    async function putIn(vars: Record<string, string>, url: string) {
      const ctx = createExecutionContext();
      const body = JSON.stringify({ url });
      const headers = {
        authorization: `Bearer ${dev.key}`,
        "content-type": "application/json",
        "content-length": String(new TextEncoder().encode(body).length),
      };
      const res = await createApp().fetch(
        new Request("http://beian.test/v1/webhook", { method: "PUT", headers, body }),
        { ...env, ...vars },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return { status: res.status, body: (await res.json()) as { errors?: { path: string; code: string }[] } };
    }
    for (const url of [
      "https://10.0.0.1.nip.io/x",
      "https://169.254.169.254.nip.io/latest",
      "https://a9fea9fe.nip.io/",
      "https://metadata.google.internal/x",
      "https://internal.corp/x",
      "https://hooks.private.example/x",
    ]) {
      const res = await putIn(production, url);
      expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.errors, url).toMatchObject([{ path: "url", code: "WEBHOOK_URL_PRIVATE" }]);
    }
    expect(doh.received.map((r) => new URL(r.url).searchParams.get("name"))).toEqual([
      "hooks.private.example",
      "hooks.private.example",
    ]);
    expect((await putIn(production, "https://hooks.public.example/x")).status).toBe(201);
  });

  it("refuses a private URL with a 422 entry at url, on creation and on update", async () => {
    const dev = await newAccount("developer");
    for (const url of [
      "https://10.0.0.1/h",
      "http://192.168.1.10:8080/h",
      "https://[fe80::1]/h",
      "https://169.254.169.254/",
    ]) {
      const res = await put(dev.key, { url });
      expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.code).toBe("VALIDATION_FAILED");
      expect(res.body.errors.map((e: { path: string; code: string }) => ({ path: e.path, code: e.code }))).toEqual([
        { path: "url", code: "WEBHOOK_URL_PRIVATE" },
      ]);
    }
    expect((await get(dev.key)).status).toBe(404);

    const garbage = await put(dev.key, { url: "not a url" });
    expect(garbage.status).toBe(422);
    expect(garbage.body.errors[0]).toMatchObject({ path: "url", code: "INVALID_FORMAT" });

    // Development mode (the tests' ENVIRONMENT) allows http and loopback.
    const local = await put(dev.key, { url: "http://localhost:8787/hooks" });
    expect(local.status).toBe(201);
    const update = await put(dev.key, { url: "https://172.16.0.5/h" });
    expect(update.status).toBe(422);
    expect(update.body.errors[0]).toMatchObject({ path: "url", code: "WEBHOOK_URL_PRIVATE" });
    expect((await get(dev.key)).body.url).toBe("http://localhost:8787/hooks");
  });

  it("DELETE removes the endpoint: 204, then GET, DELETE and the ping are 404", async () => {
    const dev = await newAccount("developer");
    await put(dev.key, { url: `${RECEIVER}/gone` });
    const removed = await call("/v1/webhook", { key: dev.key, method: "DELETE" });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    const read = await get(dev.key);
    expect(read.status).toBe(404);
    expect(read.body.code).toBe("NOT_FOUND");
    expect((await call("/v1/webhook", { key: dev.key, method: "DELETE" })).status).toBe(404);
    expect((await ping(dev.key)).status).toBe(404);
    // Setting it again is a creation, with a new secret.
    const again = await put(dev.key, { url: `${RECEIVER}/gone` });
    expect(again.status).toBe(201);
    expect(again.body.secret).toMatch(/^whsec_/);
  });

  it("each account has its own endpoint; a key is required", async () => {
    const a = await newAccount("developer");
    const b = await newAccount("provider");
    await put(a.key, { url: `${RECEIVER}/a` });
    expect((await get(b.key)).status).toBe(404);
    expect((await ping(b.key)).status).toBe(404);
    expect((await call("/v1/webhook", { key: b.key, method: "DELETE" })).status).toBe(404);
    expect((await get(a.key)).body.url).toBe(`${RECEIVER}/a`);
    expect((await callJson("/v1/webhook")).status).toBe(401);
    expect((await callJson("/v1/webhook", { method: "PUT", body: { url: `${RECEIVER}/x` } })).status).toBe(401);
  });
});

describe("POST /v1/webhook/test", () => {
  it("sends a signed webhook.test ping and reports delivered and the status", async () => {
    const dev = await newAccount("developer");
    const { secret } = (await put(dev.key, { url: `${RECEIVER}/ping?token=abc` })).body;
    const receiver = stubReceiver(RECEIVER, () => new Response(null, { status: 204 }));
    const res = await ping(dev.key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ delivered: true, status: 204, webhookId: expect.stringMatching(/^msg_/) });
    expect(receiver.received).toHaveLength(1);
    const [req] = receiver.received;
    expect(req?.url).toBe(`${RECEIVER}/ping?token=abc`);
    expect(req?.method).toBe("POST");
    expect(req?.headers["webhook-id"]).toBe(res.body.webhookId);
    expect(Math.abs(Number(req?.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(10);
    const payload = new Webhook(secret).verify(req?.body ?? "", req?.headers ?? {});
    expect(payload).toMatchObject({ id: res.body.webhookId, type: "webhook.test", data: { ping: true } });
    expect(() => new Webhook(secret).verify(`${req?.body} `, req?.headers ?? {})).toThrow();
  });

  it("reports delivered:false with the status for a 500, and status 0 with the error for a timeout", async () => {
    const dev = await newAccount("developer");
    await put(dev.key, { url: `${RECEIVER}/flaky` });
    const receiver = stubReceiver(RECEIVER, () => new Response("boom", { status: 500 }));
    const failed = await ping(dev.key);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ delivered: false, status: 500 });
    expect(receiver.received).toHaveLength(1);

    receiver.spy.mockImplementation(async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    });
    const timedOut = await ping(dev.key);
    expect(timedOut.status).toBe(200);
    expect(timedOut.body).toMatchObject({ delivered: false, status: 0, error: { kind: "timeout" } });

    // 3xx is not success either.
    receiver.spy.mockImplementation(async () => new Response(null, { status: 301, headers: { location: "/x" } }));
    expect((await ping(dev.key)).body).toMatchObject({
      delivered: false,
      status: 301,
      error: { kind: "status", message: expect.stringContaining("redirect") },
    });
  });
});

describe("POST /v1/webhook/test against real receivers: what failed, in words", () => {
  const ports = inject("webhookReceivers");
  const local = (port: number, path = "/hook") => `http://127.0.0.1:${port}${path}`;

  /** Pings through the real entry with the settings `vars` (e.g. a short timeout). */
  async function pingWith(key: string, vars: Record<string, string> = {}) {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request("http://beian.test/v1/webhook/test", { method: "POST", headers: { authorization: `Bearer ${key}` } }),
      { ...env, ...vars },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("a closed port is a connect failure, status 0", async () => {
    const dev = await newAccount("developer");
    await put(dev.key, { url: local(ports.closed) });
    const res = await ping(dev.key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      delivered: false,
      status: 0,
      webhookId: expect.stringMatching(/^msg_/),
      error: { kind: "connect", message: "the connection was refused or closed before an answer" },
    });
  });

  it("a receiver that never answers is a timeout after the configured limit", async () => {
    const dev = await newAccount("developer");
    await put(dev.key, { url: local(ports.stalling) });
    const started = Date.now();
    const res = await pingWith(dev.key, { WEBHOOK_TIMEOUT_MS: "300" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res).toMatchObject({
      status: 200,
      body: { delivered: false, status: 0, error: { kind: "timeout", message: "no answer within 300 ms" } },
    });
  });

  it("https to a port that speaks plain http is a TLS failure; a host that does not resolve is a DNS failure", async () => {
    const dev = await newAccount("developer");
    await put(dev.key, { url: `https://127.0.0.1:${ports.answering}/hook` });
    expect((await ping(dev.key)).body).toMatchObject({ delivered: false, status: 0, error: { kind: "tls" } });
    // .invalid never resolves (RFC 6761), over http and https alike.
    for (const url of ["http://beian-webhook-test.invalid/hook", "https://beian-webhook-test.invalid/hook"]) {
      await put(dev.key, { url });
      expect((await ping(dev.key)).body).toMatchObject({
        delivered: false,
        status: 0,
        error: { kind: "dns", message: "the host name did not resolve" },
      });
    }
  });

  it("a 500 answer is a status failure; a 410 answer disables the endpoint, as it does for an event", async () => {
    const dev = await newAccount("developer");
    await put(dev.key, { url: local(ports.answering, "/500/hook") });
    expect((await ping(dev.key)).body).toMatchObject({
      delivered: false,
      status: 500,
      error: { kind: "status", message: "the endpoint answered 500" },
    });
    expect((await get(dev.key)).body).toMatchObject({ enabled: true, disabledAt: null });

    await put(dev.key, { url: local(ports.answering, "/410/hook") });
    expect((await ping(dev.key)).body).toMatchObject({ delivered: false, status: 410, error: { kind: "status" } });
    expect((await get(dev.key)).body).toMatchObject({ enabled: false, disabledAt: expect.any(String) });

    // Setting the URL again re-enables it; a 2xx is delivered with no error.
    await put(dev.key, { url: local(ports.answering, "/204/hook") });
    expect((await get(dev.key)).body).toMatchObject({ enabled: true });
    expect((await ping(dev.key)).body).toEqual({ delivered: true, status: 204, webhookId: expect.any(String) });
  });

  it("a stored URL the policy now refuses is not fetched: refused_address", async () => {
    const dev = await newAccount("developer");
    await put(dev.key, { url: local(ports.answering) });
    // Loopback is allowed only in development mode: the same endpoint in production is refused before any request.
    const production = await pingWith(dev.key, { ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://beian.test" });
    expect(production.body).toMatchObject({ delivered: false, status: 0, error: { kind: "refused_address" } });
    // A private address stored before the rule (PUT refuses it now): never fetched, in any mode.
    await env.DB.prepare("update webhook_endpoints set url = ? where account_id = ?")
      .bind("http://10.1.2.3/hook", dev.id)
      .run();
    const spy = vi.spyOn(globalThis, "fetch");
    expect((await ping(dev.key)).body).toMatchObject({
      delivered: false,
      status: 0,
      error: {
        kind: "refused_address",
        message: "the URL points at a private, loopback or link-local address, which webhooks may not reach",
      },
    });
    expect(spy).not.toHaveBeenCalled();
  });
});

/**
 * `db` with `competitor` run (and awaited) just before the first statement that inserts into `table` executes: a
 * concurrent writer that commits between a reader's check and its write.
 */
function beforeFirstInsert(db: D1Database, table: string, competitor: () => Promise<void>): D1Database {
  let pending: Promise<void> | null = null;
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        return async (...args: unknown[]) => {
          await pending;
          return value.apply(target, args);
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop !== "prepare") return typeof value === "function" ? value.bind(target) : value;
      return (query: string) => {
        const stmt = target.prepare(query);
        if (pending || !new RegExp(`^insert into "?${table}"?`, "i").test(query)) return stmt;
        pending = competitor();
        return wrap(stmt);
      };
    },
  });
}
