/**
 * The filing paths that succeed (docs/rules.md#lifecycle): submit, read, list, withdraw, providers, change, cancel,
 * and the dry run. Every test makes its own accounts, apps and people.
 */
import { describe, expect, it } from "vitest";
import {
  call,
  callJson,
  countFilings,
  developerWithApp,
  newAccount,
  newApp,
  person,
  seedRegistration,
  submitFiling,
  validateFiling,
  validFiling,
} from "../support/api";
import { makeResidentId, makeUscc } from "../support/identifiers";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The masks of docs/rules.md#privacy: `4405**********0014`, `138****5678`, `z***@example.com`. */
const maskedId = (n: string) => `${n.slice(0, 4)}${"*".repeat(n.length - 8)}${n.slice(-4)}`;
const maskedMobile = (m: string) => `${m.slice(0, 3)}****${m.slice(-4)}`;

describe("submitting a new filing", () => {
  it("answers 201 with the filing in platform_review and personal data masked", async () => {
    const { dev, appId } = await developerWithApp();
    const filing = validFiling(appId);
    const organizerPrincipal = person({
      certificate: {
        type: "resident_id",
        number: makeResidentId({ province: "44" }),
        validFrom: "2020-01-01",
        validTo: "long_term",
      },
      email: "zhang.san@example.com",
    });
    filing.organizer.principal = organizerPrincipal;
    const uscc = filing.organizer.certificate.number;

    const res = await submitFiling(dev.key, filing);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({
      type: "new",
      appId,
      status: "platform_review",
      registrationNumber: null,
      reasons: [],
      submitterAccountId: dev.id,
      smsDeadline: null,
    });
    expect(res.body.id).toMatch(/^fil_/);
    expect(res.body.createdAt).toBe(res.body.updatedAt);
    expect(Date.parse(res.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    const request = res.body.request;
    const orgPrincipal = request.organizer.principal;
    expect(orgPrincipal.certificate.number).toBe(maskedId(organizerPrincipal.certificate.number));
    expect(orgPrincipal.certificate.number).toMatch(/^4401\*{10}\d{3}[\dX]$/);
    expect(orgPrincipal.mobile).toBe(maskedMobile(organizerPrincipal.mobile));
    expect(orgPrincipal.mobile).toMatch(/^13\d\*{4}\d{4}$/);
    expect(orgPrincipal.emergencyContact).toBe(maskedMobile(organizerPrincipal.emergencyContact));
    expect(orgPrincipal.email).toBe("z***@example.com");
    expect(request.organizer.certificate.number).toBe(maskedId(uscc));
    const servicePrincipal = filing.service.principal;
    expect(request.service.principal.certificate.number).toBe(maskedId(servicePrincipal.certificate.number));
    expect(request.service.principal.mobile).toBe(maskedMobile(servicePrincipal.mobile));
    expect(request.service.principal.email).toMatch(/^u\*\*\*@example\.com$/);
    // Everything that is not personal data comes back as submitted.
    expect(request.organizer.name).toBe(filing.organizer.name);
    expect(request.organizer.region).toEqual(filing.organizer.region);
    expect(request.service.name).toBe(filing.service.name);
    expect(request.service.serviceContentTypes).toEqual(["life.bill_payment"]);
    expect(request.commitment).toEqual({ accepted: true, letter: expect.stringMatching(/^med_/) });

    // No clear personal value appears anywhere in the answer.
    const text = JSON.stringify(res.body);
    for (const secret of [
      uscc,
      organizerPrincipal.certificate.number,
      organizerPrincipal.mobile,
      organizerPrincipal.emergencyContact,
      organizerPrincipal.email,
      servicePrincipal.certificate.number,
      servicePrincipal.mobile,
      servicePrincipal.email,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("records the submission as the first history entry, with its actor", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await submitFiling(dev.key, validFiling(appId));
    expect(res.status).toBe(201);
    const history = await callJson(`/v1/filings/${res.body.id}/history`, { key: dev.key });
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([
      {
        seq: 1,
        from: null,
        to: "platform_review",
        actor: { accountId: dev.id, role: "developer" },
        at: res.body.createdAt,
        reasons: [],
      },
    ]);
  });

  it("reads the filing back by id exactly as submitted", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await submitFiling(dev.key, validFiling(appId));
    expect(res.status).toBe(201);
    const read = await callJson(`/v1/filings/${res.body.id}`, { key: dev.key });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });
});

describe("listing filings", () => {
  it("pages with a cursor, newest first, and ends with nextCursor null", async () => {
    const dev = await newAccount("developer");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await submitFiling(dev.key, validFiling(await newApp(dev.key)));
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }

    const first = await callJson("/v1/filings?limit=2", { key: dev.key });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBe(first.body.items[1].id);

    const second = await callJson(`/v1/filings?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      key: dev.key,
    });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();

    const seen = [...first.body.items, ...second.body.items].map((f: { id: string }) => f.id);
    expect(seen).toEqual([...seen].sort().reverse()); // newest first
    expect([...seen].sort()).toEqual([...ids].sort()); // each exactly once

    // A page that holds exactly the rest ends the list.
    const exact = await callJson("/v1/filings?limit=3", { key: dev.key });
    expect(exact.body.items).toHaveLength(3);
    expect(exact.body.nextCursor).toBeNull();

    const all = await callJson("/v1/filings", { key: dev.key });
    expect(all.body.items.map((f: { id: string }) => f.id)).toEqual(seen);
    expect(all.body.nextCursor).toBeNull();
  });

  it("filters by appId and by status, and shows nobody else's filings", async () => {
    const dev = await newAccount("developer");
    const appA = await newApp(dev.key);
    const appB = await newApp(dev.key);
    const a = await submitFiling(dev.key, validFiling(appA));
    const b = await submitFiling(dev.key, validFiling(appB));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await callJson(`/v1/filings/${b.body.id}/withdraw`, { key: dev.key, method: "POST" })).status).toBe(200);
    // Someone else's filing never shows up in this developer's lists.
    const other = await developerWithApp();
    expect((await submitFiling(other.dev.key, validFiling(other.appId))).status).toBe(201);

    const ids = async (query: string) => {
      const res = await callJson(`/v1/filings${query}`, { key: dev.key });
      expect(res.status).toBe(200);
      return res.body.items.map((f: { id: string }) => f.id);
    };
    expect(await ids(`?appId=${appA}`)).toEqual([a.body.id]);
    expect(await ids(`?appId=${appB}`)).toEqual([b.body.id]);
    expect(await ids("?status=withdrawn")).toEqual([b.body.id]);
    expect(await ids("?status=platform_review")).toEqual([a.body.id]);
    expect(await ids(`?appId=${appA}&status=withdrawn`)).toEqual([]);
    expect(await ids(`?appId=${other.appId}`)).toEqual([]);
    expect((await ids("")).sort()).toEqual([a.body.id, b.body.id].sort());
  });
});

describe("withdrawing", () => {
  it("moves a filing in platform review to withdrawn, once", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await submitFiling(dev.key, validFiling(appId));
    expect(res.status).toBe(201);

    const withdrawn = await callJson(`/v1/filings/${res.body.id}/withdraw`, { key: dev.key, method: "POST" });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ id: res.body.id, status: "withdrawn", createdAt: res.body.createdAt });
    expect(withdrawn.body.updatedAt >= res.body.updatedAt).toBe(true);
    expect((await callJson(`/v1/filings/${res.body.id}`, { key: dev.key })).body.status).toBe("withdrawn");

    const history = await callJson(`/v1/filings/${res.body.id}/history`, { key: dev.key });
    expect(history.body.items.map((h: { from: string | null; to: string }) => [h.from, h.to])).toEqual([
      [null, "platform_review"],
      ["platform_review", "withdrawn"],
    ]);
    expect(history.body.items[1].actor).toEqual({ accountId: dev.id, role: "developer" });

    const again = await callJson(`/v1/filings/${res.body.id}/withdraw`, { key: dev.key, method: "POST" });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("INVALID_TRANSITION");
    expect((await callJson(`/v1/filings/${res.body.id}/history`, { key: dev.key })).body.items).toHaveLength(2);
  });

  it("frees the app for a new submission", async () => {
    const { dev, appId } = await developerWithApp();
    const first = await submitFiling(dev.key, validFiling(appId));
    expect((await callJson(`/v1/filings/${first.body.id}/withdraw`, { key: dev.key, method: "POST" })).status).toBe(
      200,
    );
    const second = await submitFiling(dev.key, validFiling(appId));
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(await countFilings(appId)).toBe(2);
  });

  it("accepts a withdrawal sent as a bare POST with no body and no content type", async () => {
    const { dev, appId } = await developerWithApp();
    const res = await submitFiling(dev.key, validFiling(appId));
    const withdrawn = await call(`/v1/filings/${res.body.id}/withdraw`, { key: dev.key, method: "POST" });
    expect(withdrawn.status).toBe(200);
  });
});

describe("a provider filing for a granted app", () => {
  it("submits and reads while granted; afterwards keeps its own filings but can no longer file", async () => {
    const { dev: owner, appId } = await developerWithApp();
    const provider = await newAccount("provider");
    const grant = await callJson(`/v1/apps/${appId}/grants`, { key: owner.key, body: { accountId: provider.id } });
    expect(grant.status).toBe(201);

    const validated = await validateFiling(provider.key, validFiling(appId));
    expect(validated.body).toEqual({ valid: true, errors: [] });
    const res = await submitFiling(provider.key, validFiling(appId));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.submitterAccountId).toBe(provider.id);
    // Both the provider and the app's owner see it.
    expect((await callJson(`/v1/filings/${res.body.id}`, { key: provider.key })).status).toBe(200);
    expect((await callJson(`/v1/filings/${res.body.id}`, { key: owner.key })).status).toBe(200);
    expect((await callJson(`/v1/filings?appId=${appId}`, { key: owner.key })).body.items).toHaveLength(1);
    const history = await callJson(`/v1/filings/${res.body.id}/history`, { key: owner.key });
    expect(history.body.items[0].actor).toEqual({ accountId: provider.id, role: "provider" });
    // The submitting provider withdraws it.
    expect((await callJson(`/v1/filings/${res.body.id}/withdraw`, { key: provider.key, method: "POST" })).status).toBe(
      200,
    );

    const revoked = await call(`/v1/apps/${appId}/grants/${provider.id}`, { key: owner.key, method: "DELETE" });
    expect(revoked.status).toBe(204);

    // It still sees what it submitted…
    const read = await callJson(`/v1/filings/${res.body.id}`, { key: provider.key });
    expect(read.status).toBe(200);
    expect(read.body.status).toBe("withdrawn");
    expect((await callJson(`/v1/filings/${res.body.id}/history`, { key: provider.key })).status).toBe(200);
    const list = await callJson("/v1/filings", { key: provider.key });
    expect(list.body.items.map((f: { id: string }) => f.id)).toEqual([res.body.id]);

    // …but may not file for the app any more, nor see the owner's later filings.
    const again = await submitFiling(provider.key, validFiling(appId));
    expect(again.status).toBe(404);
    expect(again.body.code).toBe("NOT_FOUND");
    expect((await validateFiling(provider.key, validFiling(appId))).status).toBe(404);
    const ownerFiling = await submitFiling(owner.key, validFiling(appId));
    expect(ownerFiling.status).toBe(201);
    expect((await callJson(`/v1/filings/${ownerFiling.body.id}`, { key: provider.key })).status).toBe(404);
    expect((await callJson("/v1/filings", { key: provider.key })).body.items).toHaveLength(1);
  });

  it("lets the app's owner withdraw a filing its provider submitted", async () => {
    const { dev: owner, appId } = await developerWithApp();
    const provider = await newAccount("provider");
    await callJson(`/v1/apps/${appId}/grants`, { key: owner.key, body: { accountId: provider.id } });
    const res = await submitFiling(provider.key, validFiling(appId));
    expect(res.status).toBe(201);
    const withdrawn = await callJson(`/v1/filings/${res.body.id}/withdraw`, { key: owner.key, method: "POST" });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe("withdrawn");
  });
});

describe("change and cancel, on an active registration", () => {
  it("submits a change, which starts in platform review", async () => {
    const { dev, appId } = await developerWithApp();
    const approved = validFiling(appId);
    await seedRegistration(approved);
    const change = {
      ...approved,
      type: "change",
      organizer: { ...approved.organizer, address: "粤海街道科技园路2号" },
      service: { ...approved.service, description: "为用户提供水电燃气缴费、账单查询、缴费提醒与电子发票等生活服务。" },
    };
    expect((await validateFiling(dev.key, change)).body).toEqual({ valid: true, errors: [] });
    const res = await submitFiling(dev.key, change);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ type: "change", appId, status: "platform_review", smsDeadline: null });
    expect(res.body.request.organizer.address).toBe("粤海街道科技园路2号");
  });

  it("submits a cancellation, which skips platform review and gets a 24 h SMS window", async () => {
    const { dev, appId } = await developerWithApp();
    await seedRegistration(validFiling(appId));
    const cancel = { type: "cancel", appId, scope: "service", reason: "no_longer_operated" };
    expect((await validateFiling(dev.key, cancel)).body).toEqual({ valid: true, errors: [] });
    const res = await submitFiling(dev.key, cancel);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ type: "cancel", appId, status: "sms_verification", request: cancel });
    expect(Date.parse(res.body.smsDeadline) - Date.parse(res.body.createdAt)).toBe(DAY_MS);

    const history = await callJson(`/v1/filings/${res.body.id}/history`, { key: dev.key });
    expect(history.body.items).toEqual([
      expect.objectContaining({
        seq: 1,
        from: null,
        to: "sms_verification",
        actor: { accountId: dev.id, role: "developer" },
      }),
    ]);
    // Not in platform review, so the submitter cannot withdraw it.
    const withdraw = await callJson(`/v1/filings/${res.body.id}/withdraw`, { key: dev.key, method: "POST" });
    expect(withdraw.status).toBe(409);
    expect(withdraw.body.code).toBe("INVALID_TRANSITION");
  });

  it("accepts each cancel scope and reason", async () => {
    const dev = await newAccount("developer");
    for (const [scope, reason] of [
      ["service", "subject_changed"],
      ["access", "no_longer_operated"],
      ["organizer", "subject_changed"],
    ]) {
      const appId = await newApp(dev.key);
      const filing = validFiling(appId);
      filing.organizer.certificate.number = makeUscc("91");
      await seedRegistration(filing);
      const res = await submitFiling(dev.key, { type: "cancel", appId, scope, reason });
      expect(res.status, `${scope}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.body.request).toMatchObject({ scope, reason });
    }
  });
});

describe("the dry run", () => {
  it("answers valid with no errors and stores nothing", async () => {
    const { dev, appId } = await developerWithApp();
    const before = await countFilings(appId);
    const res = await validateFiling(dev.key, validFiling(appId));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true, errors: [] });
    expect(await countFilings(appId)).toBe(before);
    expect(before).toBe(0);
    // Nothing is held either: the real submission goes through afterwards.
    expect((await submitFiling(dev.key, validFiling(appId))).status).toBe(201);
    expect(await countFilings(appId)).toBe(1);
  });
});
