// The client against the running service (wrangler dev on private state, the demo accounts seeded): a developer
// files with uploaded materials, the platform reviews, the regulator approves, anyone looks the number up, and the
// developer pages through its events and verifies the webhook deliveries it received.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BeianClient,
  BeianProblem,
  createBeianClient,
  type FilingRequest,
  verifyWebhook,
  type WebhookEvent,
} from "../../src";
import { KEYS, mobile, pdf, png, residentId, startBeian, startReceiver, unique, uscc } from "./support.mjs";

const PORT = 8961;

let beian: Awaited<ReturnType<typeof startBeian>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let developer: BeianClient;
let secret: string;
const appId = `wxc${String(Date.now()).padStart(15, "0")}`;

beforeAll(async () => {
  [beian, receiver] = await Promise.all([startBeian(PORT), startReceiver()]);
  developer = createBeianClient({ baseUrl: beian.url, key: KEYS.developer });
});
afterAll(async () => {
  await Promise.all([beian?.stop(), receiver?.close()]);
});

/** The BeianProblem `call` is refused with (and a failure when it succeeds). */
async function refusal(call: Promise<unknown>): Promise<BeianProblem> {
  const outcome = await call.then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  if (outcome instanceof BeianProblem) return outcome;
  throw outcome;
}

/** A person with a resident ID, as a filing names its principals. */
function person(name: string, photos: { front: string; back: string }) {
  return {
    name,
    certificate: {
      type: "resident_id" as const,
      number: residentId(),
      validFrom: "2020-01-01",
      validTo: "long_term",
      ...photos,
    },
    mobile: mobile(),
    emergencyContact: mobile(),
    email: `client${unique()}@example.com`,
  };
}

describe("filing through the client", () => {
  let filingId: string;
  let registrationNumber: string;

  it("sets a webhook and receives its signed test ping", async () => {
    const endpoint = await developer.PUT("/v1/webhook", { body: { url: receiver.url } });
    expect(endpoint.secret).toMatch(/^whsec_/);
    secret = endpoint.secret ?? "";
    const ping = await developer.POST("/v1/webhook/test");
    expect(ping.delivered).toBe(true);
    await receiver.until((r) => r.length >= 1);
    const [first] = receiver.received;
    const event = verifyWebhook(secret, first?.headers ?? {}, first?.body ?? "");
    expect(event).toMatchObject({ id: ping.webhookId, type: "webhook.test", data: { ping: true } });
  });

  it("registers an app, uploads the materials and files with them", async () => {
    const app = await developer.POST("/v1/apps", { body: { appId, name: `客户端示例${unique()}` } });
    expect(app.appId).toBe(appId);

    const card = png(1280, 720);
    const [licence, front, back, letter] = await Promise.all([
      developer.uploadMaterial({ field: "organizer.certificate.photo", certificateType: "uscc", file: png(1280, 900) }),
      developer.uploadMaterial({
        field: "organizer.principal.certificate.front",
        certificateType: "resident_id",
        file: card,
      }),
      developer.uploadMaterial({
        field: "organizer.principal.certificate.back",
        certificateType: "resident_id",
        file: card,
      }),
      developer.uploadMaterial({ field: "commitment.letter", file: pdf("承诺书"), filename: "commitment.pdf" }),
    ]);
    expect(letter).toMatchObject({ field: "commitment.letter", contentType: "application/pdf" });
    const photos = { front: front?.mediaId ?? "", back: back?.mediaId ?? "" };
    const body: FilingRequest = {
      type: "new",
      appId,
      organizer: {
        nature: "enterprise",
        name: `深圳市客户端科技有限公司${unique()}`,
        certificate: { type: "uscc", number: uscc(), photo: licence?.mediaId },
        region: { province: "440000", city: "440300", district: "440305" },
        certificateAddress: "深圳市南山区粤海街道科技园路1号",
        address: "粤海街道科技园路1号",
        principal: person("张三", photos),
      },
      service: {
        name: `客户端测试服务${unique()}`,
        serviceContentTypes: ["life.bill_payment"],
        preApprovals: [],
        languages: ["zh-Hans"],
        description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。",
        principal: person("李四", photos),
      },
      commitment: { accepted: true, letter: letter?.mediaId },
    };
    // The service's principal passes face verification on the development simulator's page (通过), which reports the
    // result through the identity provider's signed callback; the filing then names it.
    const { name, certificate } = body.service.principal;
    const verification = await developer.POST("/v1/verifications", {
      body: { appId, person: { name, certificate: { type: certificate.type, number: certificate.number } } },
    });
    expect(verification).toMatchObject({ appId, status: "pending" });
    const pressed = await fetch(`${beian.url}${new URL(verification.url).pathname}`, {
      method: "POST",
      body: new URLSearchParams({ result: "passed" }),
      redirect: "manual",
    });
    expect(pressed.status).toBe(303);
    const passed = await developer.GET("/v1/verifications/{id}", { params: { path: { id: verification.id } } });
    expect(passed.status).toBe("passed");
    body.service.principal.verificationId = verification.id;
    expect(await developer.validateFiling(body)).toEqual({ valid: true, errors: [] });

    const idempotencyKey = crypto.randomUUID();
    const filing = await developer.submitFiling(body, { idempotencyKey });
    expect(filing).toMatchObject({ appId, type: "new", status: "platform_review" });
    filingId = filing.id;

    // The same key and body again (a retry after a lost answer): the first filing, not a second one.
    const again = await developer.raw.POST("/v1/filings", { body, headers: { "idempotency-key": idempotencyKey } });
    expect(again.data?.id).toBe(filingId);
    expect(again.response.headers.get("idempotent-replayed")).toBe("true");
    // The same key with another body is refused, with its code.
    const reused = await refusal(
      developer.submitFiling({ ...body, service: { ...body.service, name: "另一个名称" } }, { idempotencyKey }),
    );
    expect(reused.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("answers a refused filing with a BeianProblem naming each field", async () => {
    // Another app: the first one's filing in progress would be answered before any field (docs/rules.md#requests).
    const other = await developer.POST("/v1/apps", { body: { appId: `${appId.slice(0, -1)}x`, name: "客户端另一个" } });
    const problem = await refusal(developer.submitFiling({ type: "new", appId: other.appId } as FilingRequest));
    expect(problem).toMatchObject({ status: 422, code: "VALIDATION_FAILED" });
    expect(problem.errorsAt("organizer")).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "organizer", code: "REQUIRED" })]),
    );
    expect(problem.requestId).toBeTruthy();
  });

  it("is reviewed, approved by the regulator and found publicly by its number", async () => {
    const reviewer = createBeianClient({ baseUrl: beian.url, key: KEYS.reviewer });
    const queued = [];
    for await (const item of reviewer.reviewQueue({ limit: 1 })) queued.push(item.id);
    expect(queued).toContain(filingId);
    const reviewed = await reviewer.POST("/v1/review/filings/{id}/approve", { params: { path: { id: filingId } } });
    expect(reviewed.status).toBe("sms_verification");

    const regulator = createBeianClient({ baseUrl: beian.url, key: KEYS.regulator });
    await regulator.POST("/v1/regulator/filings/{id}/sms-verified", { params: { path: { id: filingId } } });
    const approved = await regulator.POST("/v1/regulator/filings/{id}/approve", {
      params: { path: { id: filingId } },
      body: {},
    });
    expect(approved.status).toBe("approved");
    registrationNumber = approved.registrationNumber ?? "";
    expect(registrationNumber).toMatch(/^粤ICP备\d{10}号-\d+[A-Z]$/);

    const anyone = createBeianClient({ baseUrl: beian.url });
    const record = await anyone.GET("/v1/public/registrations/{number}", {
      params: { path: { number: registrationNumber } },
    });
    expect(record).toMatchObject({ serviceLicence: registrationNumber, status: "active", limitAccess: "否" });
    const missing = await refusal(
      anyone.GET("/v1/public/registrations/{number}", { params: { path: { number: "粤ICP备0000000000号-1A" } } }),
    );
    expect(missing.code).toBe("NOT_FOUND");

    const mine = [];
    for await (const f of developer.filings({ appId })) mine.push(f);
    expect(mine.map((f) => [f.id, f.status, f.registrationNumber])).toEqual([
      [filingId, "approved", registrationNumber],
    ]);
  });

  it("pages through its events and verifies each webhook delivery of them", async () => {
    const events: WebhookEvent["id"][] = [];
    const types: string[] = [];
    // A page of two, so the walk crosses pages.
    for await (const page of developer.pages("/v1/events", { params: { query: { limit: 2 } } })) {
      for (const e of page.items) {
        events.push(e.id);
        types.push(e.type);
      }
    }
    // In the outbox's order: the face verification's result, the submission, the platform's approval; then each
    // person's SMS confirmation before the move to bureau review, and the bureau's approval (its two events in
    // either order).
    expect(types.slice(0, 3)).toEqual(["verification.completed", "filing.submitted", "filing.status_changed"]);
    const rest = types.slice(3);
    const sms = rest.filter((t) => t === "filing.sms_updated");
    expect(sms.length).toBeGreaterThan(0);
    expect(rest.slice(0, sms.length)).toEqual(sms);
    expect(rest.slice(sms.length, sms.length + 1)).toEqual(["filing.status_changed"]);
    expect(rest.slice(sms.length + 1).sort()).toEqual(["filing.status_changed", "registration.issued"]);
    // Resuming after the last one finds nothing new.
    const after = [];
    for await (const e of developer.events({ after: events.at(-1) })) after.push(e);
    expect(after).toEqual([]);

    // Every event reaches the receiver, signed (the ping came first).
    await receiver.until((r) => r.length >= events.length + 1);
    const delivered = receiver.received.slice(1).map((r) => verifyWebhook(secret, r.headers, r.body));
    expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(events));
    const issued = delivered.find((e) => e.type === "registration.issued");
    expect(issued?.data).toMatchObject({ number: registrationNumber, appId, filingId: expect.any(String) });
    for (const r of receiver.received) expect(r.headers["webhook-id"]).toBeTruthy();

    const deliveries = [];
    for await (const d of developer.deliveries({ limit: 2 })) deliveries.push(d);
    expect(deliveries.map((d) => d.status)).toEqual(Array(events.length).fill("delivered"));
  });
});
