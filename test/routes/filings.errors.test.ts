/**
 * Every error a client can cause on the filing routes (docs/rules.md#error-codes): status, stable code, and for field
 * problems the path of each entry. Every test makes its own accounts, apps and people.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  adminKey,
  call,
  callJson,
  countFilings,
  developerWithApp,
  newAccount,
  person,
  problemsOf,
  seedRegistration,
  submitFiling,
  validateFiling,
  validFiling,
} from "../support/api";
import { makeResidentId } from "../support/identifiers";

/** Same digits with a different (so wrong) check character. */
function withWrongCheckCharacter(id: string): string {
  const last = id.slice(-1);
  return id.slice(0, -1) + (last === "0" ? "1" : "0");
}

/** A birth date that makes someone `years` old today, Beijing time. */
function birthDateYearsAgo(years: number): string {
  const today = new Date(Date.now() + 8 * 3600_000);
  return `${today.getUTCFullYear() - years}-06-15`;
}

function expectProblem(res: { status: number; body: { code: string } }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.code).toBe(code);
}

describe("401: no or bad key", () => {
  it("refuses a request without a key", async () => {
    const { appId } = await developerWithApp();
    for (const res of [
      await submitFiling("", validFiling(appId)),
      await callJson("/v1/filings/validate", { body: validFiling(appId) }),
      await callJson("/v1/filings"),
      await callJson("/v1/filings/fil_x"),
    ]) {
      expectProblem(res, 401, "UNAUTHORIZED");
      expect(res.res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(res.res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        status: 401,
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
      });
    }
  });

  it("refuses an unknown key and a malformed Authorization header", async () => {
    const { appId } = await developerWithApp();
    expectProblem(await submitFiling("bk_not_a_real_key_0000000000000000", validFiling(appId)), 401, "UNAUTHORIZED");
    expectProblem(await callJson("/v1/filings", { key: "nope" }), 401, "UNAUTHORIZED");
    expectProblem(
      await callJson("/v1/filings", { headers: { authorization: "Basic dXNlcjpwYXNz" } }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("refuses a revoked key at once", async () => {
    const { dev, appId } = await developerWithApp();
    const revoke = await call(`/v1/admin/accounts/${dev.id}/keys/${dev.keyId}`, { key: adminKey(), method: "DELETE" });
    expect(revoke.status).toBeLessThan(300);
    expectProblem(await submitFiling(dev.key, validFiling(appId)), 401, "UNAUTHORIZED");
  });
});

describe("403: roles that do not file", () => {
  for (const role of ["reviewer", "regulator", "admin"] as const) {
    it(`refuses the ${role} role on every /v1/filings route, before looking at ownership`, async () => {
      const { dev, appId } = await developerWithApp();
      const filed = await submitFiling(dev.key, validFiling(appId));
      const { key } = await newAccount(role);
      expectProblem(await submitFiling(key, validFiling(appId)), 403, "FORBIDDEN");
      expectProblem(await validateFiling(key, validFiling(appId)), 403, "FORBIDDEN");
      expectProblem(await callJson("/v1/filings", { key }), 403, "FORBIDDEN");
      expectProblem(await callJson(`/v1/filings/${filed.body.id}`, { key }), 403, "FORBIDDEN");
      expectProblem(await callJson(`/v1/filings/${filed.body.id}/history`, { key }), 403, "FORBIDDEN");
      expectProblem(await callJson(`/v1/filings/${filed.body.id}/withdraw`, { key, method: "POST" }), 403, "FORBIDDEN");
      // Not an app of anyone: still 403, since the role is checked first.
      expectProblem(await submitFiling(key, validFiling("wx_no_such_app")), 403, "FORBIDDEN");
    });
  }

  it("refuses the bootstrap admin key too", async () => {
    const { appId } = await developerWithApp();
    expectProblem(await submitFiling(adminKey(), validFiling(appId)), 403, "FORBIDDEN");
  });

  it("refuses a withdrawal by a granted provider that did not submit the filing", async () => {
    const { dev: owner, appId } = await developerWithApp();
    const provider = await newAccount("provider");
    await callJson(`/v1/apps/${appId}/grants`, { key: owner.key, body: { accountId: provider.id } });
    const filed = await submitFiling(owner.key, validFiling(appId));
    expect((await callJson(`/v1/filings/${filed.body.id}`, { key: provider.key })).status).toBe(200);
    expectProblem(
      await callJson(`/v1/filings/${filed.body.id}/withdraw`, { key: provider.key, method: "POST" }),
      403,
      "FORBIDDEN",
    );
  });
});

describe("404: not found or not yours", () => {
  it("refuses to submit or validate for another developer's app", async () => {
    const other = await developerWithApp();
    const me = await newAccount("developer");
    expectProblem(await submitFiling(me.key, validFiling(other.appId)), 404, "NOT_FOUND");
    expectProblem(await validateFiling(me.key, validFiling(other.appId)), 404, "NOT_FOUND");
    // Even a filing with problems: the app is judged first, nothing is revealed about it.
    const bad = { ...validFiling(other.appId), commitment: undefined };
    expectProblem(await validateFiling(me.key, bad), 404, "NOT_FOUND");
    expect(await countFilings(other.appId)).toBe(0);
  });

  it("refuses an app that does not exist, and an app not granted to a provider", async () => {
    const me = await newAccount("developer");
    expectProblem(await submitFiling(me.key, validFiling("wx00000000deadbeef")), 404, "NOT_FOUND");
    const { appId } = await developerWithApp();
    const provider = await newAccount("provider");
    expectProblem(await submitFiling(provider.key, validFiling(appId)), 404, "NOT_FOUND");
    expectProblem(await validateFiling(provider.key, validFiling(appId)), 404, "NOT_FOUND");
  });

  it("hides another developer's filing on read, history and withdraw", async () => {
    const other = await developerWithApp();
    const filed = await submitFiling(other.dev.key, validFiling(other.appId));
    expect(filed.status).toBe(201);
    const me = await newAccount("developer");
    expectProblem(await callJson(`/v1/filings/${filed.body.id}`, { key: me.key }), 404, "NOT_FOUND");
    expectProblem(await callJson(`/v1/filings/${filed.body.id}/history`, { key: me.key }), 404, "NOT_FOUND");
    expectProblem(
      await callJson(`/v1/filings/${filed.body.id}/withdraw`, { key: me.key, method: "POST" }),
      404,
      "NOT_FOUND",
    );
    // And the attempt changed nothing.
    expect((await callJson(`/v1/filings/${filed.body.id}`, { key: other.dev.key })).body.status).toBe(
      "platform_review",
    );
  });

  it("answers 404 for a filing id that does not exist", async () => {
    const me = await newAccount("developer");
    expectProblem(await callJson("/v1/filings/fil_00000000000000000000000000", { key: me.key }), 404, "NOT_FOUND");
    expectProblem(
      await callJson("/v1/filings/fil_00000000000000000000000000/withdraw", { key: me.key, method: "POST" }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("409: state conflicts", () => {
  it("FILING_IN_PROGRESS: a second submission for an app with an open filing", async () => {
    const { dev, appId } = await developerWithApp();
    expect((await submitFiling(dev.key, validFiling(appId))).status).toBe(201);
    const second = await submitFiling(dev.key, validFiling(appId));
    expectProblem(second, 409, "FILING_IN_PROGRESS");
    expect(await countFilings(appId)).toBe(1);
  });

  it("REGISTRATION_EXISTS: a new filing while the app has an active registration", async () => {
    const { dev, appId } = await developerWithApp();
    await seedRegistration(validFiling(appId));
    expectProblem(await submitFiling(dev.key, validFiling(appId)), 409, "REGISTRATION_EXISTS");
    expect(await countFilings(appId)).toBe(0);
  });

  it("REGISTRATION_REQUIRED: a change or a cancel without an active registration", async () => {
    const { dev, appId } = await developerWithApp();
    expectProblem(await submitFiling(dev.key, { ...validFiling(appId), type: "change" }), 409, "REGISTRATION_REQUIRED");
    const cancel = { type: "cancel", appId, scope: "service", reason: "no_longer_operated" };
    expectProblem(await submitFiling(dev.key, cancel), 409, "REGISTRATION_REQUIRED");
    // A cancelled registration is not an active one.
    const other = await developerWithApp();
    await seedRegistration(validFiling(other.appId), { status: "cancelled" });
    expectProblem(await submitFiling(other.dev.key, { ...cancel, appId: other.appId }), 409, "REGISTRATION_REQUIRED");
    expect(await countFilings(appId)).toBe(0);
  });

  it("the dry run reports a filing in flight as an entry at appId", async () => {
    const { dev, appId } = await developerWithApp();
    expect((await submitFiling(dev.key, validFiling(appId))).status).toBe(201);
    const res = await validateFiling(dev.key, validFiling(appId));
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(problemsOf(res.body)).toEqual([{ path: "appId", code: "FILING_IN_PROGRESS" }]);
    expect(res.body.errors[0].message).toEqual(expect.any(String));
  });

  it("the dry run reports REGISTRATION_EXISTS and REGISTRATION_REQUIRED at appId", async () => {
    const { dev, appId } = await developerWithApp();
    expect(problemsOf((await validateFiling(dev.key, { ...validFiling(appId), type: "change" })).body)).toEqual([
      { path: "appId", code: "REGISTRATION_REQUIRED" },
    ]);
    await seedRegistration(validFiling(appId));
    expect(problemsOf((await validateFiling(dev.key, validFiling(appId))).body)).toEqual([
      { path: "appId", code: "REGISTRATION_EXISTS" },
    ]);
  });
});

describe("transport: 400, 413, 415", () => {
  it("415 for a text/plain body", async () => {
    const { dev, appId } = await developerWithApp();
    for (const path of ["/v1/filings", "/v1/filings/validate"]) {
      const res = await callJson(path, {
        key: dev.key,
        rawBody: JSON.stringify(validFiling(appId)),
        headers: { "content-type": "text/plain" },
      });
      expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    }
  });

  it("415 for a body without a content type", async () => {
    const { dev, appId } = await developerWithApp();
    const bytes = new TextEncoder().encode(JSON.stringify(validFiling(appId)));
    const res = await callJson("/v1/filings", { key: dev.key, rawBody: bytes });
    expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(await countFilings(appId)).toBe(0);
  });

  it("415 for no body at all on the routes that need one", async () => {
    const { dev } = await developerWithApp();
    expectProblem(await callJson("/v1/filings", { key: dev.key, method: "POST" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectProblem(
      await callJson("/v1/filings/validate", { key: dev.key, method: "POST" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("400 MALFORMED_JSON for a body that is not JSON", async () => {
    const { dev, appId } = await developerWithApp();
    for (const raw of ['{"type": "new", "appId": ', "{'type': 'new'}", `{"appId": "${appId}",}`]) {
      for (const path of ["/v1/filings", "/v1/filings/validate"]) {
        const res = await callJson(path, {
          key: dev.key,
          rawBody: raw,
          headers: { "content-type": "application/json" },
        });
        expectProblem(res, 400, "MALFORMED_JSON");
      }
    }
    // Declared as JSON but empty: a malformed JSON body, not a wrong media type.
    const empty = await callJson("/v1/filings", {
      key: dev.key,
      rawBody: "",
      headers: { "content-type": "application/json" },
    });
    expectProblem(empty, 400, "MALFORMED_JSON");
  });

  it("413 for a body over 256 KiB, declared or streamed", async () => {
    const { dev, appId } = await developerWithApp();
    const big = { ...validFiling(appId), padding: "x".repeat(256 * 1024) };
    expectProblem(await submitFiling(dev.key, big), 413, "PAYLOAD_TOO_LARGE");
    expectProblem(await validateFiling(dev.key, big), 413, "PAYLOAD_TOO_LARGE");
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.slice(i, i + 16 * 1024));
        controller.close();
      },
    });
    const streamed = await callJson("/v1/filings", {
      key: dev.key,
      rawBody: stream,
      headers: { "content-type": "application/json" },
    });
    expectProblem(streamed, 413, "PAYLOAD_TOO_LARGE");
    expect(await countFilings(appId)).toBe(0);
  });
});

describe("422 VALIDATION_FAILED", () => {
  it("lists every problem of one filing at once, each at its path", async () => {
    const { dev, appId } = await developerWithApp();
    const filing = validFiling(appId);
    const organizerPrincipal = person();
    organizerPrincipal.certificate.number = withWrongCheckCharacter(organizerPrincipal.certificate.number);
    const servicePrincipal = person();
    servicePrincipal.certificate.number = makeResidentId({ birthDate: birthDateYearsAgo(10) });
    const body = {
      type: filing.type,
      appId,
      organizer: {
        ...filing.organizer,
        principal: organizerPrincipal,
        region: { province: "440000", city: "449999", district: "440305" },
        fax: "0755-12345678",
      },
      service: {
        ...filing.service,
        principal: servicePrincipal,
        description: "太短了",
        serviceContentTypes: [
          "life.bill_payment",
          "life.housekeeping",
          "life.food_delivery",
          "life.catering",
          "life.real_estate",
          "life.repair",
        ],
      },
      // no commitment
    };
    const res = await submitFiling(dev.key, body);
    expectProblem(res, 422, "VALIDATION_FAILED");
    expect(res.res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: expect.any(String), type: expect.any(String) });
    const expected = [
      { path: "organizer.principal.certificate.number", code: "INVALID_CHECK_CHARACTER" },
      { path: "service.principal.certificate.number", code: "UNDERAGE" },
      { path: "organizer.region.city", code: "UNKNOWN_REGION" },
      { path: "service.description", code: "TOO_SHORT" },
      { path: "service.serviceContentTypes", code: "TOO_MANY" },
      { path: "organizer.fax", code: "UNKNOWN_FIELD" },
      { path: "commitment", code: "REQUIRED" },
    ];
    expect(problemsOf(res.body)).toEqual(expect.arrayContaining(expected));
    expect(res.body.errors).toHaveLength(expected.length);
    for (const e of res.body.errors) expect(e.message).toEqual(expect.any(String));
    expect(await countFilings(appId)).toBe(0);

    // The dry run reports the very same problems, as 200.
    const dry = await validateFiling(dev.key, body);
    expect(dry.status).toBe(200);
    expect(dry.body.valid).toBe(false);
    expect(dry.body.errors).toEqual(res.body.errors);
  });

  it("speaks Chinese when Accept-Language prefers zh, English otherwise", async () => {
    const { dev, appId } = await developerWithApp();
    const body = { ...validFiling(appId), commitment: { accepted: false } };
    const zh = await submitFiling(dev.key, body, { "accept-language": "zh-CN,zh;q=0.9,en;q=0.8" });
    expectProblem(zh, 422, "VALIDATION_FAILED");
    expect(zh.body.title).toBe("请求存在问题，详见 errors");
    expect(zh.body.errors).toEqual([
      { path: "commitment.accepted", code: "COMMITMENT_REQUIRED", message: "须同意备案承诺书" },
    ]);
    const en = await submitFiling(dev.key, body, { "accept-language": "en-US,en;q=0.9" });
    expect(en.body.title).toBe("The request has problems; see errors");
    expect(en.body.errors).toEqual([
      { path: "commitment.accepted", code: "COMMITMENT_REQUIRED", message: "The commitment letter must be accepted" },
    ]);
    const none = await submitFiling(dev.key, body);
    expect(none.body.errors[0].message).toBe("The commitment letter must be accepted");
    // Other errors are localized too, and so is the dry run.
    const dry = await validateFiling(dev.key, { ...body, extra: 1 }, { "accept-language": "zh-CN" });
    expect(dry.body.errors).toContainEqual({
      path: "extra",
      code: "UNKNOWN_FIELD",
      message: "未知字段",
      suggest: "请删除该字段；字段名区分大小写",
    });
    const notMine = await submitFiling((await newAccount("developer")).key, body, { "accept-language": "zh-CN" });
    expect(notMine.body).toMatchObject({ status: 404, code: "NOT_FOUND", title: "未找到" });
  });

  for (const [label, raw] of [
    ["an array", "[]"],
    ["a string", '"x"'],
    ["null", "null"],
    ["a number", "42"],
  ] as const) {
    it(`answers a body that is ${label} with one entry at path ""`, async () => {
      const { dev } = await developerWithApp();
      const opts = { key: dev.key, rawBody: raw, headers: { "content-type": "application/json" } };
      const res = await callJson("/v1/filings", opts);
      expectProblem(res, 422, "VALIDATION_FAILED");
      expect(problemsOf(res.body)).toEqual([{ path: "", code: "NOT_AN_OBJECT" }]);
      const dry = await callJson("/v1/filings/validate", opts);
      expect(dry.status).toBe(200);
      expect(dry.body.valid).toBe(false);
      expect(problemsOf(dry.body)).toEqual([{ path: "", code: "NOT_AN_OBJECT" }]);
    });
  }

  it("an unknown type is an INVALID_VALUE entry at type", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await submitFiling(dev.key, { ...validFiling(appId), type: "renew" });
    expectProblem(res, 422, "VALIDATION_FAILED");
    expect(problemsOf(res.body)).toContainEqual({ path: "type", code: "INVALID_VALUE" });
  });

  it("a malformed Idempotency-Key is an entry at the header's path", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await submitFiling(dev.key, validFiling(appId), { "idempotency-key": "k".repeat(256) });
    expectProblem(res, 422, "VALIDATION_FAILED");
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0]).toMatchObject({ path: expect.stringMatching(/idempotency-key$/i), code: "TOO_LONG" });
    expect(await countFilings(appId)).toBe(0);
  });

  it("a bad list query is a 422 with the parameter's path", async () => {
    const { dev } = await developerWithApp();
    const status = await callJson("/v1/filings?status=pending", { key: dev.key });
    expectProblem(status, 422, "VALIDATION_FAILED");
    expect(problemsOf(status.body)).toEqual([{ path: "status", code: "INVALID_VALUE" }]);
    const limit = await callJson("/v1/filings?limit=201", { key: dev.key });
    expectProblem(limit, 422, "VALIDATION_FAILED");
    expect(problemsOf(limit.body)).toEqual([{ path: "limit", code: "TOO_BIG" }]);
    expectProblem(await callJson("/v1/filings?limit=0", { key: dev.key }), 422, "VALIDATION_FAILED");
  });
});

describe("Idempotency-Key", () => {
  it("replays the first 201 for the same key and body, storing one filing", async () => {
    const { dev, appId } = await developerWithApp();
    const body = validFiling(appId);
    const headers = { "idempotency-key": `submit-${appId}` };
    const first = await submitFiling(dev.key, body, headers);
    expect(first.status).toBe(201);
    expect(first.res.headers.get("idempotent-replayed")).toBeNull();

    const again = await submitFiling(dev.key, body, headers);
    expect(again.status).toBe(201);
    expect(again.res.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);

    // Key order does not make a different body.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const third = await submitFiling(dev.key, reordered, headers);
    expect(third.status).toBe(201);
    expect(third.body).toEqual(first.body);
    expect(await countFilings(appId)).toBe(1);
  });

  it("refuses the same key with another body", async () => {
    const { dev, appId } = await developerWithApp();
    const body = validFiling(appId);
    const headers = { "idempotency-key": `reuse-${appId}` };
    expect((await submitFiling(dev.key, body, headers)).status).toBe(201);
    const changed = {
      ...body,
      service: { ...body.service, description: `${body.service.description}另外提供账单分析。` },
    };
    expectProblem(await submitFiling(dev.key, changed, headers), 422, "IDEMPOTENCY_KEY_REUSED");
    expect(await countFilings(appId)).toBe(1);
  });

  it("scopes keys per account: another account may use the same key", async () => {
    const a = await developerWithApp();
    const b = await developerWithApp();
    const headers = { "idempotency-key": "shared-key-0001" };
    const first = await submitFiling(a.dev.key, validFiling(a.appId), headers);
    const second = await submitFiling(b.dev.key, validFiling(b.appId), headers);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.res.headers.get("idempotent-replayed")).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.appId).toBe(b.appId);
  });

  it("does not hold a key when the first attempt failed validation", async () => {
    const { dev, appId } = await developerWithApp();
    const headers = { "idempotency-key": `fix-${appId}` };
    const body = validFiling(appId);
    expect((await submitFiling(dev.key, { ...body, commitment: { accepted: false } }, headers)).status).toBe(422);
    const fixed = await submitFiling(dev.key, body, headers);
    expect(fixed.status).toBe(201);
    expect(fixed.res.headers.get("idempotent-replayed")).toBeNull();
  });

  it("forgets a key after 24 h: an expired record neither replays nor blocks another body", async () => {
    const { dev, appId } = await developerWithApp();
    const key = `old-${appId}`;
    const past = new Date(Date.now() - 25 * 3600_000).toISOString();
    await env.DB.prepare(
      `insert into idempotency_keys (account_id, key, request_hash, filing_id, response_status, response_body, created_at, expires_at)
       values (?, ?, 'stale-hash', 'fil_gone', 201, '{"id":"fil_gone"}', ?, ?)`,
    )
      .bind(dev.id, key, past, new Date(Date.now() - 3600_000).toISOString())
      .run();
    const res = await submitFiling(dev.key, validFiling(appId), { "idempotency-key": key });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.res.headers.get("idempotent-replayed")).toBeNull();
    expect(res.body.id).not.toBe("fil_gone");
    // The key now belongs to the new request.
    const replay = await submitFiling(dev.key, validFiling(appId), { "idempotency-key": key });
    expect(replay.status).toBe(422);
    expect(replay.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("20 concurrent identical submissions with one key create one filing and all get it", async () => {
    const { dev, appId } = await developerWithApp();
    const body = validFiling(appId);
    const headers = { "idempotency-key": `burst-${appId}` };
    const results = await Promise.all(Array.from({ length: 20 }, () => submitFiling(dev.key, body, headers)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    for (const r of results) expect(r.body).toEqual(results[0]?.body);
    expect(await countFilings(appId)).toBe(1);
  });

  it("10 concurrent submissions with different keys for one app: one 201, the rest 409", async () => {
    const { dev, appId } = await developerWithApp();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        submitFiling(dev.key, validFiling(appId), { "idempotency-key": `race-${appId}-${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.code).toBe("FILING_IN_PROGRESS");
    expect(await countFilings(appId)).toBe(1);
  });

  it("10 concurrent submissions without keys for one app: one 201, the rest 409", async () => {
    const { dev, appId } = await developerWithApp();
    const results = await Promise.all(Array.from({ length: 10 }, () => submitFiling(dev.key, validFiling(appId))));
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(await countFilings(appId)).toBe(1);
  });
});
