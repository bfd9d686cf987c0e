import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { VERIFICATION_DAILY_LIMIT } from "../../src/domain/verification";
import {
  call,
  callJson,
  countFilings,
  developerWithApp,
  newAccount,
  newApp,
  person,
  problemsOf,
  validFiling,
  withMaterials,
} from "../support/api";
import { makeResidentId } from "../support/identifiers";
import { result, sendCallback, startVerification, verifiedPerson } from "../support/verifications";

const someone = () => {
  const p = person();
  return { name: p.name, certificate: { type: p.certificate.type, number: p.certificate.number } };
};

async function eventsOf(accountId: string) {
  const { results } = await env.DB.prepare("select type, data from events where account_id = ? order by seq")
    .bind(accountId)
    .all<{ type: string; data: string }>();
  return results.map((r) => ({ type: r.type, data: JSON.parse(r.data) }));
}

describe("POST /v1/verifications", () => {
  it("starts a pending verification with a url and a 3-day expiry; the person is masked", async () => {
    const { dev, appId } = await developerWithApp();
    const who = someone();
    const before = Date.now();
    const res = await startVerification(dev.key, appId, who);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      appId,
      status: "pending",
      failureReason: null,
      completedAt: null,
      validUntil: null,
    });
    expect(res.body.id).toMatch(/^ver_/);
    expect(res.body.url).toMatch(/^http:\/\/beian\.test\/verify\/[\w-]{20,}$/);
    const ttl = Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt);
    expect(ttl).toBe(3 * 24 * 60 * 60 * 1000);
    expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(res.body.person).toEqual({
      name: "张*",
      certificate: {
        type: "resident_id",
        number: `${who.certificate.number.slice(0, 4)}${"*".repeat(10)}${who.certificate.number.slice(-4)}`,
      },
    });
    const read = await callJson(`/v1/verifications/${res.body.id}`, { key: dev.key });
    expect(read.status).toBe(200);
    expect(read.body.url).toBeUndefined();
    expect(read.body.status).toBe("pending");
  });

  it("stores the person sealed and blind indexed, never in the clear", async () => {
    const { dev, appId } = await developerWithApp();
    const who = someone();
    const res = await startVerification(dev.key, appId, who);
    const row = await env.DB.prepare("select * from verifications where id = ?").bind(res.body.id).first();
    const text = JSON.stringify(row);
    expect(text).not.toContain(who.certificate.number);
    expect(text).not.toContain(who.name);
    expect(row?.certificate_blind).toEqual(expect.any(String));
    expect(row?.name_blind).toEqual(expect.any(String));
  });

  it("lets a provider granted the app start one; others get 404, other roles 403", async () => {
    const { dev, appId } = await developerWithApp();
    const provider = await newAccount("provider");
    const stranger = await newAccount("developer");
    expect((await startVerification(provider.key, appId, someone())).status).toBe(404);
    await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: provider.id } });
    const started = await startVerification(provider.key, appId, someone());
    expect(started.status).toBe(201);
    expect((await startVerification(stranger.key, appId, someone())).status).toBe(404);
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: stranger.key })).status).toBe(404);
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).status).toBe(200);
    const reviewer = await newAccount("reviewer");
    expect((await startVerification(reviewer.key, appId, someone())).status).toBe(403);
    expect((await startVerification(dev.key, "wx_no_such_app", someone())).status).toBe(404);
  });

  it("checks the person: a personal certificate with a valid number", async () => {
    const { dev, appId } = await developerWithApp();
    const bad = await startVerification(dev.key, appId, {
      name: "张三",
      certificate: { type: "resident_id", number: "110101199003078514" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(["person.certificate.number"]);
    const org = await startVerification(dev.key, appId, {
      name: "张三",
      certificate: { type: "uscc", number: "91440300MA5FXXXX0X" },
    });
    expect(org.status).toBe(422);
    expect(org.body.errors[0]).toMatchObject({ path: "person.certificate.type", code: "CERTIFICATE_TYPE_NOT_ALLOWED" });
  });

  it(`allows ${VERIFICATION_DAILY_LIMIT} per app per Beijing day, then 429 with Retry-After until Beijing midnight`, async () => {
    const { dev, appId } = await developerWithApp();
    for (let i = 0; i < VERIFICATION_DAILY_LIMIT; i++) {
      expect((await startVerification(dev.key, appId, someone())).status).toBe(201);
    }
    const limited = await startVerification(dev.key, appId, someone());
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("VERIFICATION_RATE_LIMITED");
    const retryAfter = Number(limited.res.headers.get("retry-after"));
    const beijing = new Date(Date.now() + 8 * 3600 * 1000);
    const toMidnight = 86400 - (beijing.getUTCHours() * 3600 + beijing.getUTCMinutes() * 60 + beijing.getUTCSeconds());
    expect(Math.abs(retryAfter - toMidnight)).toBeLessThanOrEqual(2);
    // Another app has its own count.
    const other = await callJson("/v1/apps", { key: dev.key, body: { appId: `${appId}b`, name: "另一个小程序" } });
    expect(other.status).toBe(201);
    expect((await startVerification(dev.key, `${appId}b`, someone())).status).toBe(201);
    // Yesterday's (Beijing) do not count.
    await env.DB.prepare("update verifications set beijing_day = '2000-01-01' where app_id = ?").bind(appId).run();
    expect((await startVerification(dev.key, appId, someone())).status).toBe(201);
  });
});

describe("POST /v1/identity/callback", () => {
  it("records a pass: status, completedAt, validUntil 72 h on, and verification.completed to owner and requester", async () => {
    const { dev, appId } = await developerWithApp();
    const provider = await newAccount("provider");
    await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: provider.id } });
    const started = await startVerification(provider.key, appId, someone());
    const completedAt = new Date().toISOString();
    const res = await sendCallback({
      type: "verification.result",
      data: { verificationId: started.body.id, result: "passed", completedAt },
    });
    expect(res).toMatchObject({ status: 200, body: { changed: true } });
    const read = await callJson(`/v1/verifications/${started.body.id}`, { key: provider.key });
    expect(read.body).toMatchObject({ status: "passed", completedAt, failureReason: null });
    expect(Date.parse(read.body.validUntil) - Date.parse(completedAt)).toBe(72 * 3600 * 1000);
    const event = {
      type: "verification.completed",
      data: { verificationId: started.body.id, appId, status: "passed", failureReason: null },
    };
    expect(await eventsOf(dev.id)).toContainEqual(event);
    expect(await eventsOf(provider.id)).toContainEqual(event);
  });

  it("records a failure with its reason", async () => {
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    const res = await sendCallback(result(started.body.id, "failed", "活体检测未通过"));
    expect(res.status).toBe(200);
    const read = await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key });
    expect(read.body).toMatchObject({ status: "failed", failureReason: "活体检测未通过", validUntil: null });
    expect(await eventsOf(dev.id)).toContainEqual({
      type: "verification.completed",
      data: { verificationId: started.body.id, appId, status: "failed", failureReason: "活体检测未通过" },
    });
  });

  it("refuses a bad, missing or stale signature with 401 and changes nothing", async () => {
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    const body = result(started.body.id, "passed");
    const otherSecret = `whsec_${btoa("another secret, not the provider's")}`;
    expect((await sendCallback(body, { secret: otherSecret })).status).toBe(401);
    expect((await sendCallback(body, { signature: "v1,AAAA" })).status).toBe(401);
    expect((await sendCallback(body, { signature: "" })).status).toBe(401);
    const stale = new Date(Date.now() - 6 * 60 * 1000);
    expect((await sendCallback(body, { timestamp: stale })).status).toBe(401);
    const future = new Date(Date.now() + 6 * 60 * 1000);
    expect((await sendCallback(body, { timestamp: future })).status).toBe(401);
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body.status).toBe("pending");
    expect(await eventsOf(dev.id)).toEqual([]);
  });

  it("a replayed callback, or a later other result, changes nothing and sends no event again", async () => {
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    const body = result(started.body.id, "passed");
    const first = await sendCallback(body);
    expect(first.body).toEqual({ changed: true });
    const before = (await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body;
    expect(await sendCallback(body, { id: first.id })).toMatchObject({ status: 200, body: { changed: false } });
    expect(await sendCallback(result(started.body.id, "failed", "重放"))).toMatchObject({
      status: 200,
      body: { changed: false },
    });
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body).toEqual(before);
    expect((await eventsOf(dev.id)).filter((e) => e.type === "verification.completed")).toHaveLength(1);
  });

  it("answers 404 for an unknown verification and 422 for a body that is no result", async () => {
    expect((await sendCallback(result("ver_nope", "passed"))).status).toBe(404);
    const bad = await sendCallback({ type: "verification.result", data: { verificationId: "x", result: "maybe" } });
    expect(bad.status).toBe(422);
  });

  it("a result after the task lapsed changes nothing: the verification is expired", async () => {
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    await env.DB.prepare("update verifications set expires_at = ? where id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), started.body.id)
      .run();
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body.status).toBe("expired");
    expect((await sendCallback(result(started.body.id, "passed"))).body).toEqual({ changed: false });
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body.status).toBe("expired");
  });

  it("a passed verification past validUntil reads expired", async () => {
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    await sendCallback(result(started.body.id, "passed"));
    await env.DB.prepare("update verifications set valid_until = ? where id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), started.body.id)
      .run();
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body.status).toBe("expired");
  });
});

/** `POST /v1/filings` (or the dry run) with exactly the verifications the body names. */
function file(key: string, body: unknown, path = "/v1/filings") {
  return callJson(path, { key, body, verification: false });
}

/** A `new` filing of a fresh person whose service principal names `verificationId` (when given). */
function filingNaming(appId: string, verificationId?: string) {
  const body = validFiling(appId);
  const principal = { ...body.service.principal, ...(verificationId ? { verificationId } : {}) };
  return { ...body, service: { ...body.service, principal } };
}

/** The service principal of a filing body, as a verification names a person. */
function principalOf(body: ReturnType<typeof filingNaming>) {
  const { name, certificate } = body.service.principal;
  return { name, certificate: { type: certificate.type, number: certificate.number } };
}

/** What a filing's `errors[]` says at the service principal's verificationId. */
async function codeAt(key: string, body: unknown, path = "service.principal.verificationId") {
  const dry = await file(key, body, "/v1/filings/validate");
  const submitted = await file(key, body);
  const inDry = problemsOf(dry.body).filter((p) => p.path === path);
  const inSubmit = problemsOf(submitted.body).filter((p) => p.path === path);
  expect(inSubmit, "the dry run and the submission agree").toEqual(inDry);
  return { codes: inDry.map((p) => p.code), status: submitted.status };
}

describe("filings name a passed verification of their service principal", () => {
  it("REQUIRED when none is named; a named passed one is accepted and shown in the filing", async () => {
    const { dev, appId } = await developerWithApp();
    expect(await codeAt(dev.key, filingNaming(appId))).toEqual({ codes: ["REQUIRED"], status: 422 });
    const body = filingNaming(appId);
    const id = await verifiedPerson(dev.key, appId, principalOf(body));
    const ok = await file(dev.key, {
      ...body,
      service: { ...body.service, principal: { ...body.service.principal, verificationId: id } },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.request.service.principal.verificationId).toBe(id);
  });

  it("VERIFICATION_NOT_FOUND: no such id, another caller's, another app's", async () => {
    const { dev, appId } = await developerWithApp();
    expect((await codeAt(dev.key, filingNaming(appId, "ver_nope"))).codes).toEqual(["VERIFICATION_NOT_FOUND"]);
    // The same developer's verification of this person, but for another app.
    const otherApp = await newApp(dev.key);
    const body = filingNaming(appId);
    const forOther = await verifiedPerson(dev.key, otherApp, principalOf(body));
    const named = {
      ...body,
      service: { ...body.service, principal: { ...body.service.principal, verificationId: forOther } },
    };
    expect((await codeAt(dev.key, named)).codes).toEqual(["VERIFICATION_NOT_FOUND"]);
    // A provider granted the app, naming the developer's verification: not the caller's.
    const provider = await newAccount("provider");
    await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: provider.id } });
    const devs = await verifiedPerson(dev.key, appId, principalOf(body));
    const byProvider = {
      ...body,
      service: { ...body.service, principal: { ...body.service.principal, verificationId: devs } },
    };
    expect((await codeAt(provider.key, byProvider)).codes).toEqual(["VERIFICATION_NOT_FOUND"]);
  });

  it("VERIFICATION_PENDING, VERIFICATION_FAILED and VERIFICATION_EXPIRED by the verification's state", async () => {
    const { dev, appId } = await developerWithApp();
    const body = filingNaming(appId);
    const naming = (id: string) => ({
      ...body,
      service: { ...body.service, principal: { ...body.service.principal, verificationId: id } },
    });
    const pending = await startVerification(dev.key, appId, principalOf(body));
    expect((await codeAt(dev.key, naming(pending.body.id))).codes).toEqual(["VERIFICATION_PENDING"]);
    await sendCallback(result(pending.body.id, "failed", "非本人"));
    expect((await codeAt(dev.key, naming(pending.body.id))).codes).toEqual(["VERIFICATION_FAILED"]);
    const lapsed = await startVerification(dev.key, appId, principalOf(body));
    await env.DB.prepare("update verifications set expires_at = ? where id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), lapsed.body.id)
      .run();
    expect((await codeAt(dev.key, naming(lapsed.body.id))).codes).toEqual(["VERIFICATION_EXPIRED"]);
    const old = await verifiedPerson(dev.key, appId, principalOf(body));
    await env.DB.prepare("update verifications set valid_until = ? where id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), old)
      .run();
    expect((await codeAt(dev.key, naming(old))).codes).toEqual(["VERIFICATION_EXPIRED"]);
  });

  it("VERIFICATION_PERSON_MISMATCH: same name with another certificate; same certificate with another name", async () => {
    const { dev, appId } = await developerWithApp();
    const body = filingNaming(appId);
    const naming = (id: string) => ({
      ...body,
      service: { ...body.service, principal: { ...body.service.principal, verificationId: id } },
    });
    const who = principalOf(body);
    const otherCertificate = await verifiedPerson(dev.key, appId, {
      name: who.name,
      certificate: { type: "resident_id", number: makeResidentId() },
    });
    expect((await codeAt(dev.key, naming(otherCertificate))).codes).toEqual(["VERIFICATION_PERSON_MISMATCH"]);
    const otherName = await verifiedPerson(dev.key, appId, { name: "李四", certificate: who.certificate });
    expect((await codeAt(dev.key, naming(otherName))).codes).toEqual(["VERIFICATION_PERSON_MISMATCH"]);
    // The name as the text rule reads it: full-width spaces around it are the same name.
    const same = await verifiedPerson(dev.key, appId, { name: `\u3000${who.name} `, certificate: who.certificate });
    expect(await codeAt(dev.key, naming(same))).toEqual({ codes: [], status: 201 });
  });

  it("VERIFICATION_USED: one verification, one filing", async () => {
    const { dev, appId } = await developerWithApp();
    const body = filingNaming(appId);
    const id = await verifiedPerson(dev.key, appId, principalOf(body));
    const named = {
      ...body,
      service: { ...body.service, principal: { ...body.service.principal, verificationId: id } },
    };
    const first = await file(dev.key, named);
    expect(first.status).toBe(201);
    expect((await callJson(`/v1/filings/${first.body.id}/withdraw`, { key: dev.key, method: "POST" })).status).toBe(
      200,
    );
    expect(await codeAt(dev.key, named)).toEqual({ codes: ["VERIFICATION_USED"], status: 422 });
  });

  it("the use is written with the filing: a second filing's batch naming a used one stores nothing", async () => {
    const { dev, appId } = await developerWithApp();
    const body = filingNaming(appId);
    const id = await verifiedPerson(dev.key, appId, principalOf(body));
    await env.DB.prepare(
      "insert into verification_uses (verification_id, filing_id, created_at) values (?, 'fil_other', ?)",
    )
      .bind(id, new Date().toISOString())
      .run();
    const named = {
      ...body,
      service: { ...body.service, principal: { ...body.service.principal, verificationId: id } },
    };
    const res = await file(dev.key, named);
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual([{ path: "service.principal.verificationId", code: "VERIFICATION_USED" }]);
    expect(await countFilings(appId)).toBe(0);
  });
});

/** A JSON request's headers as a client sends them (the body guard reads the declared length). */
function jsonHeaders(key: string, json: string) {
  return {
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    "content-length": String(new TextEncoder().encode(json).length),
  };
}

/** The Worker with other settings, as a deployment with other vars would answer. */
async function withVars(vars: Record<string, string>, key: string, path: string, body: unknown) {
  const app = createApp();
  const ctx = createExecutionContext();
  const json = JSON.stringify(await withMaterials(key, body));
  const res = await app.fetch(
    new Request(`http://beian.test${path}`, {
      method: "POST",
      headers: jsonHeaders(key, json),
      body: json,
    }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: await res.json<{ errors?: { path: string; code: string }[] }>() };
}

describe("FACE_VERIFICATION policy", () => {
  it("off: no verification is required (a named one is still checked)", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await withVars({ FACE_VERIFICATION: "off" }, dev.key, "/v1/filings/validate", filingNaming(appId));
    expect(res.body).toEqual({ valid: true, errors: [] });
    const named = await withVars(
      { FACE_VERIFICATION: "off" },
      dev.key,
      "/v1/filings/validate",
      filingNaming(appId, "ver_nope"),
    );
    expect(problemsOf(named.body)).toEqual([
      { path: "service.principal.verificationId", code: "VERIFICATION_NOT_FOUND" },
    ]);
  });

  it("service_principal (the default): the organizer's principal need not verify", async () => {
    const { dev, appId } = await developerWithApp();
    const body = filingNaming(appId);
    const res = await withVars({ FACE_VERIFICATION: "service_principal" }, dev.key, "/v1/filings/validate", body);
    expect(problemsOf(res.body)).toEqual([{ path: "service.principal.verificationId", code: "REQUIRED" }]);
  });

  it("both: each principal names one; one person in both roles may name the same one", async () => {
    const { dev, appId } = await developerWithApp();
    const body = filingNaming(appId);
    const missing = await withVars({ FACE_VERIFICATION: "both" }, dev.key, "/v1/filings/validate", body);
    expect(problemsOf(missing.body)).toEqual([
      { path: "organizer.principal.verificationId", code: "REQUIRED" },
      { path: "service.principal.verificationId", code: "REQUIRED" },
    ]);
    // validFiling's two principals are one person.
    const id = await verifiedPerson(dev.key, appId, principalOf(body));
    const both = {
      ...body,
      organizer: { ...body.organizer, principal: { ...body.organizer.principal, verificationId: id } },
      service: { ...body.service, principal: { ...body.service.principal, verificationId: id } },
    };
    const res = await withVars({ FACE_VERIFICATION: "both" }, dev.key, "/v1/filings", both);
    expect(res.status).toBe(201);
    const uses = await env.DB.prepare("select count(*) as n from verification_uses where verification_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(uses?.n).toBe(1);
  });

  it("an unknown policy fails every request loudly", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await withVars(
      { FACE_VERIFICATION: "sometimes" },
      dev.key,
      "/v1/filings/validate",
      filingNaming(appId),
    );
    expect(res.status).toBe(500);
  });
});

describe("the simulator page /verify/{token} (development)", () => {
  it("shows whom the check is for, masked, and 通过 passes it through the signed callback path", async () => {
    const { dev, appId } = await developerWithApp();
    const who = someone();
    const started = await startVerification(dev.key, appId, who);
    const path = new URL(started.body.url).pathname;
    const page = await call(path);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain("张*");
    expect(html).toContain(started.body.person.certificate.number);
    expect(html).not.toContain(who.certificate.number);
    expect(html).toContain("通过");
    expect(html).toContain("不通过");
    const press = await call(path, {
      method: "POST",
      rawBody: new URLSearchParams({ result: "passed" }),
    });
    // The answer is a 303 back to the page (followed here): it now shows the result.
    expect(press.status).toBe(200);
    expect(await press.text()).toContain("已通过");
    const read = await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key });
    expect(read.body.status).toBe("passed");
    expect(await eventsOf(dev.id)).toContainEqual(expect.objectContaining({ type: "verification.completed" }));
    // Pressing again changes nothing.
    await call(path, { method: "POST", rawBody: new URLSearchParams({ result: "failed" }) });
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body.status).toBe("passed");
  });

  it("a press whose body is not the form it claims to be is 400, and changes nothing", async () => {
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    const path = new URL(started.body.url).pathname;
    const garbled = await call(path, {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      rawBody: '"\udc2c6*\t"',
    });
    expect(garbled.status).toBe(400);
    expect((await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key })).body.status).toBe("pending");
  });

  it("不通过 fails it with the simulator's reason", async () => {
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    const path = new URL(started.body.url).pathname;
    await call(path, { method: "POST", rawBody: new URLSearchParams({ result: "failed" }) });
    const read = await callJson(`/v1/verifications/${started.body.id}`, { key: dev.key });
    expect(read.body).toMatchObject({ status: "failed", failureReason: "模拟核验：未通过" });
  });

  it("an unknown token is 404; outside development there is no simulator and no verification can start", async () => {
    expect((await call("/verify/not-a-token-of-any-verification")).status).toBe(404);
    const { dev, appId } = await developerWithApp();
    const started = await startVerification(dev.key, appId, someone());
    const production = { ...env, ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://beian.test" };
    const app = createApp();
    const ctx = createExecutionContext();
    const page = await app.fetch(new Request(started.body.url), production, ctx);
    expect(page.status).toBe(404);
    const json = JSON.stringify({ appId, person: someone() });
    const start = await app.fetch(
      new Request("http://beian.test/v1/verifications", {
        method: "POST",
        headers: jsonHeaders(dev.key, json),
        body: json,
      }),
      production,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(start.status).toBe(503);
    expect(await start.json()).toMatchObject({ code: "IDENTITY_PROVIDER_MISSING" });
  });
});
