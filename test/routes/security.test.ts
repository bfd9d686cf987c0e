/**
 * Security properties every answer keeps: headers (no sniffing, a referrer policy, a CSP that forbids framing on
 * every HTML page), keys stored and looked up by hash and revoked at once, no stack or SQL in an error, every
 * string a request may carry bounded, and a tampered audit chain detected.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { sha256Hex } from "../../src/lib/crypto";
import { adminKey, call, callJson, newAccount, newApp, submitFiling, validFiling } from "../support/api";

const cspOf = (res: Response) => res.headers.get("content-security-policy") ?? "";
const directives = (csp: string) =>
  Object.fromEntries(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  ) as Record<string, string[]>;

describe("security headers", () => {
  it("every HTML page forbids framing and sniffing and sends a referrer policy", async () => {
    for (const path of ["/", "/?q=%E7%A4%BA%E4%BE%8B", "/r/%E7%B2%A4ICP%E5%A4%872099999999%E5%8F%B7-1X", "/docs"]) {
      const res = await call(path);
      await res.text();
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      const csp = directives(cspOf(res));
      expect(csp["frame-ancestors"], path).toEqual(["'none'"]);
      expect(csp["default-src"], path).toEqual(["'none'"]);
      expect(csp["base-uri"], path).toEqual(["'none'"]);
      expect(csp["script-src"]?.join(" ") ?? "", path).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
    }
  });

  it("HTML turns off unused browser features and opens no window to other sites", async () => {
    for (const path of ["/", "/?q=%E7%A4%BA%E4%BE%8B", "/r/%E7%B2%A4ICP%E5%A4%872099999999%E5%8F%B7-1X", "/docs"]) {
      const res = await call(path);
      await res.text();
      expect(res.headers.get("cross-origin-opener-policy"), path).toBe("same-origin");
      const policy = res.headers.get("permissions-policy") ?? "";
      for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"]) {
        expect(policy, path).toContain(`${feature}=()`);
      }
      // The record page's copy button writes to the clipboard: that stays allowed.
      expect(policy, path).not.toContain("clipboard-write");
    }
  });

  it("Strict-Transport-Security in production only, on every answer", async () => {
    const fetchAs = async (environment: "production" | "development", path: string) => {
      const res = await createApp().fetch(
        new Request(`https://beian.test${path}`),
        { ...env, ENVIRONMENT: environment, PUBLIC_ORIGIN: "https://beian.test" },
        createExecutionContext(),
      );
      await res.text();
      return res;
    };
    for (const path of ["/", "/health", "/v1/apps"]) {
      expect((await fetchAs("production", path)).headers.get("strict-transport-security"), path).toBe(
        "max-age=31536000",
      );
      expect((await fetchAs("development", path)).headers.get("strict-transport-security"), path).toBeNull();
    }
  });

  it("the API reference may load only this Worker's own scripts and styles, and call only this origin", async () => {
    const res = await call("/docs");
    const html = await res.text();
    const csp = directives(cspOf(res));
    expect(csp["script-src"]).toEqual(["'self'"]);
    expect(csp["connect-src"]).toEqual(["'self'"]);
    // Every script and stylesheet the page names is same-origin, so the policy lets it load.
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src).toMatch(/^\/[^/]/);
  });

  it("nosniff and a referrer policy on JSON, problem+json, SVG and script answers too", async () => {
    const answers = [
      await call("/health"),
      await call("/v1/reference/natures"),
      await call("/v1/apps"), // 401
      await call("/v1/nothing-here"), // 404
      await call("/badge/%E7%B2%A4ICP%E5%A4%872099999999%E5%8F%B7-1X.svg"),
      await call("/docs/init.js"),
    ];
    for (const res of answers) {
      await res.text();
      expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), res.url).toBe("strict-origin-when-cross-origin");
    }
  });

  it("the badge keeps its own policy, which lets it be embedded as an image", async () => {
    const res = await call("/badge/%E7%B2%A4ICP%E5%A4%872099999999%E5%8F%B7-1X.svg");
    await res.text();
    expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(directives(cspOf(res))["frame-ancestors"]).toBeUndefined();
    expect(res.headers.get("x-frame-options")).toBeNull();
  });
});

describe("API keys", () => {
  it("are stored as their SHA-256 only: no column holds the key", async () => {
    const account = await newAccount("developer");
    const rows = await env.DB.prepare("select * from api_keys where account_id = ?")
      .bind(account.id)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    const row = rows.results[0] as Record<string, unknown>;
    expect(row.key_hash).toBe(await sha256Hex(account.key));
    for (const value of Object.values(row)) expect(String(value)).not.toContain(account.key);
  });

  it("failed sign-ins are limited per client: 429 with Retry-After, then refused before any key lookup", async () => {
    const from = { "cf-connecting-ip": "203.0.113.71" };
    let n = 0;
    let res: Response | undefined;
    for (; n < 60; n++) {
      res = await call("/v1/apps", { key: `bk_wrong_${n}`, headers: from });
      await res.arrayBuffer();
      if (res.status !== 401) break;
    }
    // The binding allows 20 a minute (wrangler.toml); what follows is 429, not 401.
    expect(n).toBeGreaterThanOrEqual(20);
    expect(n).toBeLessThan(60);
    expect(res?.status).toBe(429);
    expect(res?.headers.get("retry-after")).toBe("60");
    // A flood now costs no D1 read and does not ask the limiter either.
    const prepared = vi.spyOn(env.DB, "prepare");
    const asked = vi.spyOn(env.AUTH_FAILURE_LIMITER as RateLimit, "limit");
    try {
      for (let i = 0; i < 5; i++) {
        const again = await callJson("/v1/filings", { key: `bk_wrong_again_${i}`, headers: from });
        expect(again.status).toBe(429);
        expect(again.body.code).toBe("RATE_LIMITED");
      }
      expect(prepared).not.toHaveBeenCalled();
      expect(asked).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
    // Another client is not affected.
    const other = await call("/v1/apps", {
      key: "bk_wrong_elsewhere",
      headers: { "cf-connecting-ip": "203.0.113.72" },
    });
    expect(other.status).toBe(401);
  });

  it("a valid key is never counted as a failed sign-in, however often it is used", async () => {
    const account = await newAccount("developer");
    const from = { "cf-connecting-ip": "203.0.113.73" };
    for (let i = 0; i < 40; i++) {
      const res = await call("/v1/apps", { key: account.key, headers: from });
      await res.arrayBuffer();
      expect(res.status, `request ${i}`).toBe(200);
    }
    // Its allowance for failures is still whole.
    const bad = await call("/v1/apps", { key: "bk_wrong_once", headers: from });
    expect(bad.status).toBe(401);
  });

  it("a key one character off is refused", async () => {
    const account = await newAccount("developer");
    const last = account.key.at(-1) === "a" ? "b" : "a";
    const res = await call("/v1/apps", { key: `${account.key.slice(0, -1)}${last}` });
    expect(res.status).toBe(401);
  });

  it("a revoked key stops working with the very next request", async () => {
    const account = await newAccount("developer");
    expect((await call("/v1/apps", { key: account.key })).status).toBe(200);
    const revoked = await call(`/v1/admin/accounts/${account.id}/keys/${account.keyId}`, {
      key: adminKey(),
      method: "DELETE",
    });
    expect(revoked.status).toBe(204);
    const after = await callJson("/v1/apps", { key: account.key });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe("UNAUTHORIZED");
  });
});

describe("errors", () => {
  it("an unexpected failure is a bare 500 problem: no message, stack or SQL", async () => {
    const failing = {
      prepare() {
        throw new Error("D1_ERROR: no such table: api_keys: SQLITE_ERROR (SELECT key_hash FROM api_keys)");
      },
      batch() {
        throw new Error("D1_ERROR: SQLITE_BUSY");
      },
      exec() {
        throw new Error("D1_ERROR: SQLITE_BUSY");
      },
    };
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request("http://beian.test/v1/apps", { headers: { authorization: "Bearer bk_anything_at_all" } }),
      { ...env, DB: failing as unknown as D1Database },
      ctx,
    );
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(text).code).toBe("INTERNAL");
    for (const leak of [/D1_ERROR/, /SQLITE/, /SELECT/i, /api_keys/, /\.ts:\d+/, /\bat /])
      expect(text).not.toMatch(leak);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("request limits", () => {
  /**
   * Every string schema a request may carry (path, query, body) that has neither a length limit nor a closed form,
   * read from the published document (the routes' own: test/build/openapi.test.ts).
   */
  async function unboundedStrings(): Promise<string[]> {
    const doc = (await callJson("/openapi.json")).body;
    const components = (doc.components?.schemas ?? {}) as Record<string, unknown>;
    type Schema = Record<string, unknown>;
    const out: string[] = [];
    const walk = (schema: unknown, at: string, seen: Set<string>) => {
      if (!schema || typeof schema !== "object") return;
      const s = schema as Schema;
      if (typeof s.$ref === "string") {
        const name = s.$ref.split("/").pop() as string;
        if (seen.has(name)) return;
        return walk(components[name], at, new Set([...seen, name]));
      }
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (types.includes("string") && s.maxLength === undefined && !s.enum && s.const === undefined && !s.pattern) {
        if (s.format !== "binary") out.push(at);
      }
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) walk(v, `${at}.${k}`, seen);
      if (s.items) walk(s.items, `${at}[]`, seen);
      if (s.additionalProperties && typeof s.additionalProperties === "object")
        walk(s.additionalProperties, `${at}.*`, seen);
      for (const k of ["anyOf", "oneOf", "allOf"]) for (const v of (s[k] ?? []) as unknown[]) walk(v, at, seen);
    };
    for (const [path, ops] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(ops as Record<string, Schema>)) {
        for (const p of (op.parameters ?? []) as Schema[])
          walk(p.schema, `${method} ${path} ${p.in}:${p.name}`, new Set());
        const content = (op.requestBody as Schema | undefined)?.content as Record<string, Schema> | undefined;
        for (const [type, media] of Object.entries(content ?? {}))
          walk(media.schema, `${method} ${path} ${type}`, new Set());
      }
    }
    return out;
  }

  it("every string a request may carry has a maximum length (or a fixed form)", async () => {
    expect(await unboundedStrings()).toEqual([]);
  });

  it("filing fields beyond their limits are TOO_LONG entries, not stored", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const filing = validFiling(appId);
    const long = "名".repeat(5_000);
    filing.organizer.name = long;
    filing.organizer.address = long;
    filing.service.description = long;
    filing.organizer.principal = { ...filing.organizer.principal, name: long };
    const res = await submitFiling(dev.key, filing);
    expect(res.status).toBe(422);
    const paths = (res.body.errors as { path: string; code: string }[])
      .filter((e) => e.code === "TOO_LONG")
      .map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "organizer.name",
        "organizer.address",
        "service.description",
        "organizer.principal.name",
      ]),
    );
  });
});

describe("audit chain", () => {
  it("a filing's chain: a changed row, and a forged row appended with a made-up hash, are both reported", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const submitted = await submitFiling(dev.key, validFiling(appId));
    expect(submitted.status).toBe(201);
    const subject = `filing:${submitted.body.id}`;
    const verify = () => callJson("/v1/admin/audit/verify", { key: adminKey() });
    expect((await verify()).body.broken).not.toContainEqual(expect.objectContaining({ subject }));

    const first = await env.DB.prepare("select * from audit_log where subject = ? order by seq limit 1")
      .bind(subject)
      .first<Record<string, unknown>>();
    expect(first).not.toBeNull();
    const row = first as Record<string, unknown>;

    // Another actor written into the row.
    await env.DB.prepare("update audit_log set actor_account_id = ? where subject = ? and seq = ?")
      .bind("acc_someone_else", subject, row.seq)
      .run();
    const changed = await verify();
    expect(changed.body.ok).toBe(false);
    expect(changed.body.broken).toContainEqual({ subject, seq: row.seq, reason: "hash" });
    await env.DB.prepare("update audit_log set actor_account_id = ? where subject = ? and seq = ?")
      .bind(row.actor_account_id, subject, row.seq)
      .run();
    expect((await verify()).body.broken).not.toContainEqual(expect.objectContaining({ subject }));

    // A row appended without the chain's hashes.
    const seq = (row.seq as number) + 100;
    await env.DB.prepare(
      "insert into audit_log (subject, seq, action, actor_account_id, at, data, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(
        subject,
        seq,
        "filing.approved",
        "acc_forger",
        new Date().toISOString(),
        "{}",
        "0".repeat(64),
        "f".repeat(64),
      )
      .run();
    const forged = await verify();
    expect(forged.body.ok).toBe(false);
    expect(forged.body.broken).toContainEqual({ subject, seq, reason: "hash" });
    await env.DB.prepare("delete from audit_log where subject = ? and seq = ?").bind(subject, seq).run();
  });
});
