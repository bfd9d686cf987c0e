import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminKey, call, callJson, newAccount, newApp, validFiling } from "../support/api";

const PROBLEM_TYPE = /^application\/problem\+json/;
const PROBLEM_KEYS = ["type", "title", "status", "code", "detail"];

/** Asserts the RFC 9457 shape every error shares and returns the body. */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
async function expectProblem(res: Response, status: number, code: string): Promise<any> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
  const body = await res.json<Record<string, unknown>>();
  for (const key of PROBLEM_KEYS) expect(body).toHaveProperty(key);
  expect(body.status).toBe(status);
  expect(body.code).toBe(code);
  expect(typeof body.type).toBe("string");
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  return body;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("transport errors", () => {
  it("an unknown route is 404 problem+json", async () => {
    const body = await expectProblem(await call("/no/such/route"), 404, "NOT_FOUND");
    expect(body.type).toMatch(/not-found/);
    const dev = await newAccount("developer");
    await expectProblem(await call("/v1/no-such-thing", { key: dev.key }), 404, "NOT_FOUND");
    await expectProblem(await call("/v1/apps/x/y/z", { key: dev.key }), 404, "NOT_FOUND");
  });

  it("malformed JSON is 400 MALFORMED_JSON", async () => {
    const dev = await newAccount("developer");
    for (const raw of ['{"appId": "wx1234",', "{appId: 1}", "nul", '{"a":1}}', "\u00ff"]) {
      const res = await call("/v1/apps", {
        key: dev.key,
        method: "POST",
        rawBody: bytes(raw),
        headers: { "content-type": "application/json" },
      });
      await expectProblem(res, 400, "MALFORMED_JSON");
    }
  });

  it("a body that is not UTF-8 is 400 MALFORMED_JSON", async () => {
    const dev = await newAccount("developer");
    const res = await call("/v1/apps", {
      key: dev.key,
      method: "POST",
      rawBody: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      headers: { "content-type": "application/json" },
    });
    await expectProblem(res, 400, "MALFORMED_JSON");
  });

  it("a text/plain body is 415", async () => {
    const dev = await newAccount("developer");
    const res = await call("/v1/apps", {
      key: dev.key,
      method: "POST",
      rawBody: JSON.stringify({ appId: "wx12345678", name: "示例" }),
      headers: { "content-type": "text/plain" },
    });
    await expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    const form = await call("/v1/filings", {
      key: dev.key,
      method: "POST",
      rawBody: "a=1&b=2",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    await expectProblem(form, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("a body without a content type is 415", async () => {
    const dev = await newAccount("developer");
    const res = await call("/v1/apps", {
      key: dev.key,
      method: "POST",
      rawBody: bytes('{"appId":"wx12345678","name":"示例"}'),
    });
    await expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    // Also on a route that takes no body: a body that is not declared as JSON is refused, not ignored.
    const withdraw = await call("/v1/filings/fil_whatever/withdraw", {
      key: dev.key,
      method: "POST",
      rawBody: bytes("hello"),
    });
    await expectProblem(withdraw, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("a route that needs a body answers 415 when there is none", async () => {
    const dev = await newAccount("developer");
    await expectProblem(await call("/v1/apps", { key: dev.key, method: "POST" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    await expectProblem(
      await call("/v1/filings/validate", { key: dev.key, method: "POST" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("a body over 256 KiB is 413 PAYLOAD_TOO_LARGE", async () => {
    const dev = await newAccount("developer");
    const big = JSON.stringify({ appId: "wx12345678", name: "x".repeat(300 * 1024) });
    await expectProblem(await call("/v1/apps", { key: dev.key, body: JSON.parse(big) }), 413, "PAYLOAD_TOO_LARGE");
    await expectProblem(await call("/v1/filings", { key: dev.key, body: JSON.parse(big) }), 413, "PAYLOAD_TOO_LARGE");

    // Streamed in chunks (no Content-Length to trust): still capped.
    const chunk = bytes(`"${"y".repeat(64 * 1024)}",`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(bytes("["));
        if (sent < 6) {
          controller.enqueue(chunk);
          sent++;
        } else {
          controller.enqueue(bytes("0]"));
          controller.close();
        }
      },
    });
    const streamed = await call("/v1/filings/validate", {
      key: dev.key,
      method: "POST",
      rawBody: stream,
      headers: { "content-type": "application/json" },
    });
    await expectProblem(streamed, 413, "PAYLOAD_TOO_LARGE");
  });

  it("a body just under 256 KiB is read (the route answers, not 413)", async () => {
    const dev = await newAccount("developer");
    const body = { appId: "wx12345678", name: "x".repeat(250 * 1024) };
    const res = await callJson("/v1/apps", { key: dev.key, body });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "name", code: "TOO_LONG" })]);
  });
});

describe("languages", () => {
  it("Accept-Language zh-CN gives Chinese titles and messages; en gives English", async () => {
    const dev = await newAccount("developer");
    const body = { appId: "bad id", name: "示例", extra: 1 };

    const zh = await callJson("/v1/apps", { key: dev.key, body, headers: { "accept-language": "zh-CN,zh;q=0.9" } });
    expect(zh.status).toBe(422);
    expect(zh.body.title).toBe("请求存在问题，详见 errors");
    const zhByPath = Object.fromEntries(
      zh.body.errors.map((e: { path: string; message: string }) => [e.path, e.message]),
    );
    expect(zhByPath.extra).toBe("未知字段");
    expect(zhByPath.appId).toBe("格式不正确");

    const en = await callJson("/v1/apps", { key: dev.key, body, headers: { "accept-language": "en" } });
    expect(en.status).toBe(422);
    expect(en.body.title).toBe("The request has problems; see errors");
    const enByPath = Object.fromEntries(
      en.body.errors.map((e: { path: string; message: string }) => [e.path, e.message]),
    );
    expect(enByPath.extra).toBe("Unknown field");
    expect(enByPath.appId).toBe("The format is not valid");
    // The codes do not change with the language.
    expect(zh.body.errors.map((e: { code: string }) => e.code).sort()).toEqual(
      en.body.errors.map((e: { code: string }) => e.code).sort(),
    );
  });

  it("titles of other errors follow the language too; no header means English", async () => {
    const zh = await callJson("/nope", { headers: { "accept-language": "zh-CN,zh;q=0.9" } });
    expect(zh.body.title).toBe("未找到");
    const en = await callJson("/nope", { headers: { "accept-language": "en-US,en;q=0.9" } });
    expect(en.body.title).toBe("Not found");
    const none = await callJson("/nope");
    expect(none.body.title).toBe("Not found");
    const enPreferred = await callJson("/nope", { headers: { "accept-language": "en;q=1, zh;q=0.5" } });
    expect(enPreferred.body.title).toBe("Not found");
    const unauthorized = await callJson("/v1/apps", { headers: { "accept-language": "zh" } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body.title).toBe("需要有效的 API 密钥");
  });

  it("filing validation messages are Chinese for zh", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const filing = validFiling(appId);
    filing.organizer.principal.mobile = "12345";
    const res = await callJson("/v1/filings/validate", {
      key: dev.key,
      body: filing,
      headers: { "accept-language": "zh-CN,zh;q=0.9" },
    });
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    const entry = res.body.errors.find((e: { path: string }) => e.path === "organizer.principal.mobile");
    expect(entry).toBeDefined();
    expect(entry.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("every error is problem+json", () => {
  it("401, 403, 404, 409, 413, 415, 422 and 400 all carry application/problem+json", async () => {
    const dev = await newAccount("developer");
    const reviewer = await newAccount("reviewer");
    const appId = await newApp(dev.key);
    const cases: [Promise<Response>, number, string][] = [
      [call("/v1/apps"), 401, "UNAUTHORIZED"],
      [call("/v1/apps", { key: reviewer.key }), 403, "FORBIDDEN"],
      [call("/v1/apps/wx_nope_1234", { key: dev.key }), 404, "NOT_FOUND"],
      [call(`/v1/apps/${appId}/list`, { key: dev.key, method: "POST" }), 409, "FILING_REQUIRED"],
      [call("/v1/apps", { key: dev.key, body: { appId, name: "重复" } }), 409, "APP_EXISTS"],
      [call("/v1/apps", { key: dev.key, body: { s: "x".repeat(270_000) } }), 413, "PAYLOAD_TOO_LARGE"],
      [call("/v1/apps", { key: dev.key, method: "POST", rawBody: "x" }), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [call("/v1/apps", { key: dev.key, body: {} }), 422, "VALIDATION_FAILED"],
      [
        call("/v1/apps", {
          key: dev.key,
          method: "POST",
          rawBody: "{",
          headers: { "content-type": "application/json" },
        }),
        400,
        "MALFORMED_JSON",
      ],
    ];
    for (const [pending, status, code] of cases) {
      const body = await expectProblem(await pending, status, code);
      expect(body.code).toMatch(/^[A-Z_]+$/);
    }
  });
});

describe("routes that take no body", () => {
  it("POST /v1/admin/accounts/{id}/keys works with no body and no content type", async () => {
    const account = await callJson("/v1/admin/accounts", {
      key: adminKey(),
      body: { name: "nobody", role: "developer" },
    });
    const res = await barePost(`/v1/admin/accounts/${account.body.id}/keys`, { authorization: `Bearer ${adminKey()}` });
    expect(res.status).toBe(201);
    const key = await res.json<{ id: string; key: string }>();
    expect(key.key).toEqual(expect.any(String));
    // An empty JSON object is fine too.
    const withBody = await call(`/v1/admin/accounts/${account.body.id}/keys`, { key: adminKey(), body: {} });
    expect(withBody.status).toBe(201);
  });

  it("POST /v1/filings/{id}/withdraw works with no body and no content type", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const submitted = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const res = await barePost(`/v1/filings/${submitted.body.id}/withdraw`, { authorization: `Bearer ${dev.key}` });
    expect(res.status).toBe(200);
    const filing = await res.json<{ id: string; status: string }>();
    expect(filing).toMatchObject({ id: submitted.body.id, status: "withdrawn" });
  });

  it("POST /v1/apps/{appId}/unlist works with no body", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const res = await barePost(`/v1/apps/${appId}/unlist`, { authorization: `Bearer ${dev.key}` });
    expect(res.status).toBe(200);
    expect((await res.json<{ listingStatus: string }>()).listingStatus).toBe("unlisted");
  });
});

/** A bare POST: no body, no content type, no content length. */
async function barePost(path: string, headers: Record<string, string>): Promise<Response> {
  const res = await call(path, { method: "POST", headers });
  expect(res.headers.get("content-type") ?? "").not.toMatch(PROBLEM_TYPE);
  return res;
}

describe("health, OpenAPI and docs", () => {
  it("GET /health → {ok:true}", async () => {
    const res = await callJson("/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it("/openapi.json is OpenAPI 3.1 documenting the filing and app routes with a bearer scheme", async () => {
    const res = await callJson("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toEqual(expect.any(String));
    for (const path of ["/v1/filings", "/v1/filings/validate", "/v1/apps"]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths["/v1/filings"]).toHaveProperty("post");
    expect(doc.paths["/v1/filings"]).toHaveProperty("get");
    expect(doc.paths["/v1/filings/validate"]).toHaveProperty("post");
    expect(doc.paths["/v1/apps"]).toHaveProperty("post");
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/v1/filings"].post.security).toEqual([{ bearer: [] }]);
    // Path templates use OpenAPI's {param}, not Hono's :param.
    expect(Object.keys(doc.paths).some((p) => p.includes("/:"))).toBe(false);
    expect(doc.paths).toHaveProperty(["/v1/apps/{appId}"]);
  });

  it("/openapi.json is the document built ahead of time, served from the static assets", async () => {
    // That it is the routes' own document is checked in Node, where the generator is (test/build/openapi.test.ts).
    const served = await callJson("/openapi.json");
    const asset = await env.ASSETS.fetch("http://beian.test/openapi.json");
    expect(served.body).toEqual(await asset.json());
  });

  it("/docs is HTML loading Swagger UI from this origin only", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1] as string);
    expect(scripts).toContain("/vendor/swagger-ui/swagger-ui-bundle.js");
    for (const src of scripts) expect(src).not.toMatch(/^(https?:)?\/\//i);
    const links = [...html.matchAll(/<link[^>]*\bhref\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1] as string);
    for (const href of links) expect(href).not.toMatch(/^(https?:)?\/\//i);
    // The bundle it loads is one of this Worker's static assets.
    const asset = await env.ASSETS.fetch("http://beian.test/vendor/swagger-ui/swagger-ui-bundle.js");
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
  });
});

describe("reference data", () => {
  const ROUTES = [
    "/v1/reference/natures",
    "/v1/reference/certificate-types",
    "/v1/reference/regions",
    "/v1/reference/regions?parent=440000",
    "/v1/reference/service-content-types",
    "/v1/reference/pre-approval-types",
    "/v1/reference/languages",
  ];

  it.each(ROUTES)("%s answers 200 {version, items} without a key and ignores a bogus one", async (path) => {
    const anonymous = await callJson(path);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.version).toEqual(expect.any(String));
    expect(Array.isArray(anonymous.body.items)).toBe(true);
    expect(anonymous.body.items.length).toBeGreaterThan(0);

    const bogus = await callJson(path, { key: "bk_definitely_not_a_key" });
    expect(bogus.status).toBe(200);
    expect(bogus.body).toEqual(anonymous.body);
    const garbage = await callJson(path, { headers: { authorization: "Nonsense" } });
    expect(garbage.status).toBe(200);
  });

  it("regions?parent=440000 lists Guangdong's cities only", async () => {
    const res = await callJson("/v1/reference/regions?parent=440000");
    const codes = res.body.items.map((r: { code: string }) => r.code);
    expect(codes).toContain("440300");
    expect(codes).toContain("441900");
    expect(res.body.items.every((r: { parentCode: string }) => r.parentCode === "440000")).toBe(true);
    const bad = await callJson("/v1/reference/regions?parent=44");
    expect(bad.status).toBe(422);
    expect(bad.res.headers.get("content-type")).toMatch(PROBLEM_TYPE);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: "parent" })]);
  });

  it("service content types carry code, parent and requiresPreApprovals", async () => {
    const res = await callJson("/v1/reference/service-content-types");
    const billPayment = res.body.items.find((i: { code: string }) => i.code === "life.bill_payment");
    expect(billPayment).toMatchObject({ parent: expect.any(String), requiresPreApprovals: expect.any(Array) });
    expect(res.body.items.some((i: { parent: string | null }) => i.parent === null)).toBe(true);
  });
});
