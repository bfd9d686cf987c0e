import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson, newAccount, problemsOf, unique } from "../support/api";
import { approve, approveAtBureau, submitNew } from "../support/lifecycle";

type Keys = { reviewer: string; regulator: string };

const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

const REASONS = [{ field: "service.principal.mobile", error: "短信核验未通过", suggest: "确认手机号由负责人本人使用" }];

async function staffAccounts() {
  const [reviewer, regulator] = await Promise.all([newAccount("reviewer"), newAccount("regulator")]);
  return { reviewer, regulator, keys: { reviewer: reviewer.key, regulator: regulator.key } as Keys };
}

/** A submitted filing taken through platform review (now in sms_verification). */
async function inSms(keys: Keys, opts: Parameters<typeof submitNew>[0] = {}) {
  const f = await submitNew(opts);
  const res = await callJson(`/v1/review/filings/${f.id}/approve`, { key: keys.reviewer, method: "POST" });
  if (res.status !== 200) throw new Error(`review approve: ${res.status} ${JSON.stringify(res.body)}`);
  return f;
}

/** A submitted filing taken to bureau review. */
async function inBureau(keys: Keys, opts: Parameters<typeof submitNew>[0] = {}) {
  const f = await inSms(keys, opts);
  const res = await smsVerified(f.id, keys.regulator);
  if (res.status !== 200) throw new Error(`sms-verified: ${res.status} ${JSON.stringify(res.body)}`);
  return f;
}

/** A filing approved with a beian-allocated number and its app listed. */
async function registered(keys: Keys, opts: Parameters<typeof submitNew>[0] = {}) {
  const f = await submitNew(opts);
  const res = await approve(f.id, keys);
  if (res.status !== 200) throw new Error(`approve: ${res.status} ${JSON.stringify(res.body)}`);
  const listed = await callJson(`/v1/apps/${f.appId}/list`, { key: f.dev.key, method: "POST" });
  if (listed.status !== 200) throw new Error(`list: ${listed.status} ${JSON.stringify(listed.body)}`);
  return { ...f, number: res.body.registrationNumber as string };
}

const smsVerified = (id: string, key: string) =>
  callJson(`/v1/regulator/filings/${id}/sms-verified`, { key, method: "POST" });
const bureauApprove = (id: string, key: string, body: Record<string, unknown> = {}) =>
  callJson(`/v1/regulator/filings/${id}/approve`, { key, body });
const bureauReject = (id: string, key: string, body: unknown) =>
  callJson(`/v1/regulator/filings/${id}/reject`, { key, body });
const revoke = (number: string, key: string, body: unknown = { reasons: REASONS }) =>
  callJson(`/v1/regulator/registrations/${encodeURIComponent(number)}/revoke`, { key, body });
const publicRecord = (number: string) => callJson(`/v1/public/registrations/${encodeURIComponent(number)}`);

async function registrationStatus(number: string) {
  const row = await env.DB.prepare("select status from registrations where number = ?")
    .bind(number)
    .first<{ status: string }>();
  return row?.status;
}

async function cancel(devKey: string, appId: string, scope: "service" | "organizer" | "access") {
  return callJson("/v1/filings", { key: devKey, body: { type: "cancel", appId, scope, reason: "no_longer_operated" } });
}

/** A fresh 10-digit organizer number of an earlier year, so it cannot collide with numbers beian allocates now. */
function bureauOrganizerDigits(): string {
  return `2019${String(unique()).padStart(6, "0").slice(-6)}`;
}

function expectNumberRefused(res: {
  status: number;
  body: { code: string; errors?: { path: string; code: string }[] };
}) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.code).toBe("REGISTRATION_NUMBER_INVALID");
  expect(problemsOf(res.body).map((p) => p.path)).toContain("registrationNumber");
}

describe("regulator queue and detail", () => {
  it("lists the bureau stages oldest first, filtered by ?status=", async () => {
    const { keys } = await staffAccounts();
    const review = await submitNew();
    const sms = await inSms(keys);
    const bureau = await inBureau(keys);
    const sms2 = await inSms(keys);

    const ids = async (q: string) => {
      const res = await callJson(`/v1/regulator/queue${q}`, { key: keys.regulator });
      expect(res.status).toBe(200);
      return res.body.items as { id: string; status: string; smsDeadline: string | null }[];
    };
    const all = await ids("?limit=200");
    expect(all.every((i) => i.status === "sms_verification" || i.status === "bureau_review")).toBe(true);
    expect([...all.map((i) => i.id)].sort()).toEqual(all.map((i) => i.id));
    expect(all.map((i) => i.id).filter((id) => [review.id, sms.id, bureau.id, sms2.id].includes(id))).toEqual([
      sms.id,
      bureau.id,
      sms2.id,
    ]);

    const smsOnly = await ids("?status=sms_verification&limit=200");
    expect(smsOnly.every((i) => i.status === "sms_verification")).toBe(true);
    expect(smsOnly.map((i) => i.id)).toEqual(expect.arrayContaining([sms.id, sms2.id]));
    expect(smsOnly.map((i) => i.id)).not.toContain(bureau.id);
    expect(smsOnly.find((i) => i.id === sms.id)?.smsDeadline).toEqual(expect.any(String));

    const bureauOnly = await ids("?status=bureau_review&limit=200");
    expect(bureauOnly.every((i) => i.status === "bureau_review")).toBe(true);
    expect(bureauOnly.map((i) => i.id)).toContain(bureau.id);
    expect(bureauOnly.map((i) => i.id)).not.toContain(sms.id);

    // Paged: one item a page still walks the same queue.
    const first = await callJson("/v1/regulator/queue?limit=1&status=sms_verification", { key: keys.regulator });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toBe(first.body.items[0].id);
    const second = await callJson(
      `/v1/regulator/queue?limit=1&status=sms_verification&cursor=${first.body.nextCursor}`,
      {
        key: keys.regulator,
      },
    );
    expect(second.body.items[0].id > first.body.items[0].id).toBe(true);

    for (const bad of ["platform_review", "approved", "nonsense"]) {
      const res = await callJson(`/v1/regulator/queue?status=${bad}`, { key: keys.regulator });
      expect(res.status, bad).toBe(422);
      expect(problemsOf(res.body).map((p) => p.path)).toEqual(["status"]);
    }
  });

  it("shows a filing unmasked and audits the read; filings in platform review are 404", async () => {
    const { regulator, keys } = await staffAccounts();
    const f = await inSms(keys);
    const res = await callJson(`/v1/regulator/filings/${f.id}`, { key: keys.regulator });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.id, status: "sms_verification" });
    expect(res.body.request.organizer.certificate.number).toBe(f.body.organizer.certificate.number);
    expect(res.body.request.organizer.principal.certificate.number).toBe(f.body.organizer.principal.certificate.number);
    expect(res.body.request.service.principal.mobile).toBe(f.body.service.principal.mobile);
    expect(res.body.request.service.principal.email).toBe(f.body.service.principal.email);

    const { results } = await env.DB.prepare(
      "select actor_account_id as actor, data from audit_log where subject = ? and action = 'filing.viewed_unmasked'",
    )
      .bind(`filing:${f.id}`)
      .all<{ actor: string; data: string }>();
    expect(results).toHaveLength(1);
    expect(results[0]?.actor).toBe(regulator.id);
    expect(JSON.parse(results[0]?.data ?? "{}")).toMatchObject({ role: "regulator" });

    const inReview = await submitNew();
    const hidden = await callJson(`/v1/regulator/filings/${inReview.id}`, { key: keys.regulator });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe("NOT_FOUND");
    const unknown = await callJson("/v1/regulator/filings/fil_01ZZZZZZZZZZZZZZZZZZZZZZZZ", { key: keys.regulator });
    expect(unknown.status).toBe(404);
  });
});

describe("SMS verification", () => {
  it("moves a filing to bureau_review", async () => {
    const { regulator, keys } = await staffAccounts();
    const f = await inSms(keys);
    const res = await smsVerified(f.id, keys.regulator);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.id, status: "bureau_review", registrationNumber: null });
    const history = await callJson(`/v1/filings/${f.id}/history`, { key: f.dev.key });
    expect(history.body.items.at(-1)).toMatchObject({
      from: "sms_verification",
      to: "bureau_review",
      actor: { accountId: regulator.id, role: "regulator" },
    });
  });

  it("after the 24 h window is 409 SMS_WINDOW_EXPIRED even before the cron expired the filing", async () => {
    const { keys } = await staffAccounts();
    const f = await inSms(keys);
    const past = new Date(Date.now() - 60_000).toISOString();
    await env.DB.prepare("update filings set sms_deadline = ? where id = ?").bind(past, f.id).run();
    const res = await smsVerified(f.id, keys.regulator);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("SMS_WINDOW_EXPIRED");
    const owner = await callJson(`/v1/filings/${f.id}`, { key: f.dev.key });
    expect(owner.body.status).toBe("sms_verification");
  });

  it("is 404 for a filing in platform review, as reading it is; 409 INVALID_TRANSITION when repeated", async () => {
    const { keys } = await staffAccounts();
    const f = await submitNew();
    const read = await callJson(`/v1/regulator/filings/${f.id}`, { key: keys.regulator });
    expect(read.status).toBe(404);
    for (const early of [
      await smsVerified(f.id, keys.regulator),
      await bureauApprove(f.id, keys.regulator),
      await bureauReject(f.id, keys.regulator, { reasons: REASONS }),
    ]) {
      expect(early.status).toBe(404);
      expect(early.body.code).toBe(read.body.code);
    }

    const g = await inBureau(keys);
    const twice = await smsVerified(g.id, keys.regulator);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe("INVALID_TRANSITION");
  });
});

describe("bureau approval numbers", () => {
  it("in development mode allocates <province>ICP备<year><6 digits>号-<n>X for the organizer's province", async () => {
    const { keys } = await staffAccounts();
    const gd = await inBureau(keys);
    const res = await bureauApprove(gd.id, keys.regulator);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe("approved");
    expect(res.body.registrationNumber).toMatch(new RegExp(`^粤ICP备${YEAR}\\d{6}号-1X$`));

    const bj = await inBureau(keys, { region: { province: "110000", city: "110100", district: "110105" } });
    const bjRes = await bureauApprove(bj.id, keys.regulator);
    expect(bjRes.status, JSON.stringify(bjRes.body)).toBe(200);
    expect(bjRes.body.registrationNumber).toMatch(new RegExp(`^京ICP备${YEAR}\\d{6}号-1X$`));

    const record = await publicRecord(res.body.registrationNumber);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({
      serviceLicence: res.body.registrationNumber,
      mainLicence: res.body.registrationNumber.replace(/-1X$/, ""),
      serviceName: gd.body.service.name,
      serviceType: 7,
      status: "active",
      limitAccess: "否",
    });

    // The owner's events: the moves, the one person's SMS confirmation, and the issued registration.
    const { results } = await env.DB.prepare("select type, data from events where account_id = ? order by seq")
      .bind(gd.dev.id)
      .all<{ type: string; data: string }>();
    const mine = results.filter((e) => JSON.parse(e.data).filingId === gd.id).map((e) => e.type);
    expect(mine).toEqual([
      "filing.submitted",
      "filing.status_changed",
      "filing.sms_updated",
      "filing.status_changed",
      "registration.issued",
      "filing.status_changed",
    ]);
  });

  it("keeps a consistent bureau number, normalized from its full-width form", async () => {
    const { keys } = await staffAccounts();
    const f = await inBureau(keys);
    const digits = bureauOrganizerDigits();
    const fullWidth = ` 粤ＩＣＰ备${[...digits].map((d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).join("")}号－１Ｘ `;
    const res = await bureauApprove(f.id, keys.regulator, { registrationNumber: fullWidth });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.registrationNumber).toBe(`粤ICP备${digits}号-1X`);
    const app = await callJson(`/v1/apps/${f.appId}`, { key: f.dev.key });
    expect(app.body.registrationNumber).toBe(`粤ICP备${digits}号-1X`);
    expect((await publicRecord(`粤ICP备${digits}号-1X`)).body.mainLicence).toBe(`粤ICP备${digits}号`);

    // The same organizer's next service must use that organizer number with an unused sequence.
    const next = await inBureau(keys, { dev: f.dev, sameOrganizerAs: f.body });
    const otherDigits = bureauOrganizerDigits();
    expectNumberRefused(
      await bureauApprove(next.id, keys.regulator, { registrationNumber: `粤ICP备${otherDigits}号-2X` }),
    );
    expectNumberRefused(await bureauApprove(next.id, keys.regulator, { registrationNumber: `粤ICP备${digits}号-1X` }));
    const ok = await bureauApprove(next.id, keys.regulator, { registrationNumber: `粤ICP备${digits}号-2X` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.registrationNumber).toBe(`粤ICP备${digits}号-2X`);

    // And a number beian allocates afterwards continues that organizer's sequence.
    const third = await inBureau(keys, { dev: f.dev, sameOrganizerAs: f.body });
    const allocated = await bureauApprove(third.id, keys.regulator);
    expect(allocated.status, JSON.stringify(allocated.body)).toBe(200);
    expect(allocated.body.registrationNumber).toBe(`粤ICP备${digits}号-3X`);
  });

  it("accepts a province variant (川 for 蜀) and stores the canonical form", async () => {
    const { keys } = await staffAccounts();
    const f = await inBureau(keys, { region: { province: "510000", city: "510100", district: "510104" } });
    const digits = bureauOrganizerDigits();
    expectNumberRefused(await bureauApprove(f.id, keys.regulator, { registrationNumber: `粤ICP备${digits}号-1X` }));
    const res = await bureauApprove(f.id, keys.regulator, { registrationNumber: `川ICP备${digits}号-1X` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.registrationNumber).toBe(`蜀ICP备${digits}号-1X`);
  });

  it("for an organizer beian already numbered, a bureau number must use its organizer number", async () => {
    const { keys } = await staffAccounts();
    const first = await registered(keys);
    const organizer = first.number.replace(/-1X$/, "");
    const next = await inBureau(keys, { dev: first.dev, sameOrganizerAs: first.body });
    expectNumberRefused(
      await bureauApprove(next.id, keys.regulator, { registrationNumber: `粤ICP备${bureauOrganizerDigits()}号-2X` }),
    );
    const ok = await bureauApprove(next.id, keys.regulator, { registrationNumber: `${organizer}-2X` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.registrationNumber).toBe(`${organizer}-2X`);
  });

  it("refuses inconsistent bureau numbers with 422 REGISTRATION_NUMBER_INVALID at registrationNumber", async () => {
    const { keys } = await staffAccounts();
    const other = await registered(keys);
    const otherOrganizer = other.number.replace(/-1X$/, "");
    const f = await inBureau(keys);
    const digits = bureauOrganizerDigits();
    const refused: [string, string][] = [
      ["wrong province", `京ICP备${digits}号-1X`],
      ["an app's number (suffix A)", `粤ICP备${digits}号-1A`],
      ["a website's number (no suffix)", `粤ICP备${digits}号-1`],
      ["another organizer's organizer number", `${otherOrganizer}-2X`],
      ["another organizer's registration", other.number],
      ["not a number", "not a number"],
      ["an organizer-level number", `粤ICP备${digits}号`],
      ["an ICP licence", "粤ICP证030173号"],
    ];
    for (const [name, registrationNumber] of refused) {
      const res = await bureauApprove(f.id, keys.regulator, { registrationNumber });
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.code, name).toBe("REGISTRATION_NUMBER_INVALID");
      expect(
        problemsOf(res.body).map((p) => p.path),
        name,
      ).toEqual(["registrationNumber"]);
    }
    // None of them moved the filing or created anything.
    const owner = await callJson(`/v1/filings/${f.id}`, { key: f.dev.key });
    expect(owner.body).toMatchObject({ status: "bureau_review", registrationNumber: null });
    const count = await env.DB.prepare("select count(*) as n from registrations where app_id = ?")
      .bind(f.appId)
      .first<{ n: number }>();
    expect(count?.n).toBe(0);

    // A number given as something other than a string is a validation problem.
    const typed = await bureauApprove(f.id, keys.regulator, { registrationNumber: 12345 });
    expect(typed.status).toBe(422);
    expect(problemsOf(typed.body).map((p) => p.path)).toEqual(["registrationNumber"]);
    const unknownField = await bureauApprove(f.id, keys.regulator, { number: "x" });
    expect(unknownField.status).toBe(422);
    expect(problemsOf(unknownField.body)).toEqual([{ path: "number", code: "UNKNOWN_FIELD" }]);

    // The right number still goes through.
    const ok = await bureauApprove(f.id, keys.regulator, { registrationNumber: `粤ICP备${digits}号-1X` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it("refuses a sequence the same organizer already used", async () => {
    const { keys } = await staffAccounts();
    const digits = bureauOrganizerDigits();
    const first = await inBureau(keys);
    expect(
      (await bureauApprove(first.id, keys.regulator, { registrationNumber: `粤ICP备${digits}号-5X` })).status,
    ).toBe(200);
    const next = await inBureau(keys, { dev: first.dev, sameOrganizerAs: first.body });
    expectNumberRefused(await bureauApprove(next.id, keys.regulator, { registrationNumber: `粤ICP备${digits}号-5X` }));
    const ok = await bureauApprove(next.id, keys.regulator, { registrationNumber: `粤ICP备${digits}号-6X` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});

describe("bureau rejection and illegal moves", () => {
  it("reject → bureau_rejected with reasons the submitter sees", async () => {
    const { regulator, keys } = await staffAccounts();
    const f = await inBureau(keys);
    const res = await bureauReject(f.id, keys.regulator, { reasons: REASONS });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.id, status: "bureau_rejected", reasons: REASONS, registrationNumber: null });
    const owner = await callJson(`/v1/filings/${f.id}`, { key: f.dev.key });
    expect(owner.body).toMatchObject({ status: "bureau_rejected", reasons: REASONS });
    const history = await callJson(`/v1/filings/${f.id}/history`, { key: f.dev.key });
    expect(history.body.items.at(-1)).toMatchObject({
      from: "bureau_review",
      to: "bureau_rejected",
      reasons: REASONS,
      actor: { accountId: regulator.id, role: "regulator" },
    });
  });

  it("reject without reasons is 422 with paths", async () => {
    const { keys } = await staffAccounts();
    const f = await inBureau(keys);
    const none = await bureauReject(f.id, keys.regulator, { reasons: [] });
    expect(none.status).toBe(422);
    expect(problemsOf(none.body)).toEqual([{ path: "reasons", code: "TOO_FEW" }]);
    const partial = await bureauReject(f.id, keys.regulator, { reasons: [{ field: "a", suggest: "b" }] });
    expect(partial.status).toBe(422);
    expect(problemsOf(partial.body)).toEqual([{ path: "reasons[0].error", code: "REQUIRED" }]);
    const nowhere = await bureauReject(f.id, keys.regulator, { reasons: [REASONS[0], { ...REASONS[0], field: "a" }] });
    expect(nowhere.status).toBe(422);
    expect(problemsOf(nowhere.body)).toEqual([{ path: "reasons[1].field", code: "UNKNOWN_REQUEST_FIELD" }]);
    expect((await callJson(`/v1/regulator/filings/${f.id}`, { key: keys.regulator })).body.status).toBe(
      "bureau_review",
    );
  });

  it("reasons for a cancellation point into a cancellation's request", async () => {
    const { keys } = await staffAccounts();
    const f = await registered(keys);
    const c = await cancel(f.dev.key, f.appId, "service");
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect((await smsVerified(c.body.id, keys.regulator)).status).toBe(200);
    const reason = (field: string) => ({ field, error: "注销原因不符", suggest: "核实后重新申请" });
    const wrong = await bureauReject(c.body.id, keys.regulator, { reasons: [reason("organizer.name")] });
    expect(problemsOf(wrong.body)).toEqual([{ path: "reasons[0].field", code: "UNKNOWN_REQUEST_FIELD" }]);
    const res = await bureauReject(c.body.id, keys.regulator, { reasons: [reason("reason"), reason("scope")] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it("approving a filing in sms_verification is 409", async () => {
    const { keys } = await staffAccounts();
    const f = await inSms(keys);
    const res = await bureauApprove(f.id, keys.regulator);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("INVALID_TRANSITION");
    const count = await env.DB.prepare("select count(*) as n from registrations where app_id = ?")
      .bind(f.appId)
      .first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("rejecting or re-approving an approved filing is 409", async () => {
    const { keys } = await staffAccounts();
    const f = await registered(keys);
    const reject = await bureauReject(f.id, keys.regulator, { reasons: REASONS });
    expect(reject.status).toBe(409);
    expect(reject.body.code).toBe("INVALID_TRANSITION");
    const again = await bureauApprove(f.id, keys.regulator);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("INVALID_TRANSITION");
    const owner = await callJson(`/v1/filings/${f.id}`, { key: f.dev.key });
    expect(owner.body).toMatchObject({ status: "approved", registrationNumber: f.number, reasons: [] });
  });

  it("unknown filings are 404 on every move", async () => {
    const { keys } = await staffAccounts();
    const id = "fil_01ZZZZZZZZZZZZZZZZZZZZZZZZ";
    for (const res of [
      await smsVerified(id, keys.regulator),
      await bureauApprove(id, keys.regulator),
      await bureauReject(id, keys.regulator, { reasons: REASONS }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
  });
});

describe("cancellations", () => {
  it("scope service: registration cancelled, app delisted, public record cancelled", async () => {
    const { keys } = await staffAccounts();
    const f = await registered(keys);
    const c = await cancel(f.dev.key, f.appId, "service");
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect(c.body.status).toBe("sms_verification");
    const done = await approveAtBureau(c.body.id, keys);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: "approved", type: "cancel", registrationNumber: f.number });

    expect(await registrationStatus(f.number)).toBe("cancelled");
    const app = await callJson(`/v1/apps/${f.appId}`, { key: f.dev.key });
    expect(app.body).toMatchObject({
      listingStatus: "delisted",
      delistReason: "registration_cancelled",
      registrationNumber: null,
    });
    const record = await publicRecord(f.number);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ serviceLicence: f.number, status: "cancelled", limitAccess: "是" });

    const { results } = await env.DB.prepare("select type, data from events where account_id = ? order by seq")
      .bind(f.dev.id)
      .all<{ type: string; data: string }>();
    const types = results.map((e) => e.type);
    expect(types).toContain("registration.cancelled");
    const delisted = results.find((e) => e.type === "app.delisted");
    expect(JSON.parse(delisted?.data ?? "{}")).toMatchObject({ appId: f.appId, reason: "registration_cancelled" });

    // Listing again needs a registration.
    const relist = await callJson(`/v1/apps/${f.appId}/list`, { key: f.dev.key, method: "POST" });
    expect(relist.status).toBe(409);
    expect(relist.body.code).toBe("FILING_REQUIRED");
  });

  it("scope access: registration access_removed, app delisted with reason access_removed", async () => {
    const { keys } = await staffAccounts();
    const f = await registered(keys);
    const c = await cancel(f.dev.key, f.appId, "access");
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const done = await approveAtBureau(c.body.id, keys);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(await registrationStatus(f.number)).toBe("access_removed");
    const app = await callJson(`/v1/apps/${f.appId}`, { key: f.dev.key });
    expect(app.body).toMatchObject({ listingStatus: "delisted", delistReason: "access_removed" });
    const record = await publicRecord(f.number);
    expect(record.body).toMatchObject({ status: "access_removed", limitAccess: "是" });
  });

  it("scope organizer: every registration of the organizer cancelled, every app delisted", async () => {
    const { keys } = await staffAccounts();
    const first = await registered(keys);
    const second = await registered(keys, { dev: first.dev, sameOrganizerAs: first.body });
    expect(second.number).toBe(first.number.replace(/-1X$/, "-2X"));
    // Another organizer of the same developer is untouched.
    const unrelated = await registered(keys, { dev: first.dev });

    const c = await cancel(first.dev.key, first.appId, "organizer");
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const done = await approveAtBureau(c.body.id, keys);
    expect(done.status, JSON.stringify(done.body)).toBe(200);

    for (const f of [first, second]) {
      expect(await registrationStatus(f.number)).toBe("cancelled");
      const app = await callJson(`/v1/apps/${f.appId}`, { key: f.dev.key });
      expect(app.body).toMatchObject({ listingStatus: "delisted", delistReason: "registration_cancelled" });
      expect((await publicRecord(f.number)).body).toMatchObject({ status: "cancelled", limitAccess: "是" });
    }
    expect(await registrationStatus(unrelated.number)).toBe("active");
    const app = await callJson(`/v1/apps/${unrelated.appId}`, { key: unrelated.dev.key });
    expect(app.body.listingStatus).toBe("listed");
  });

  it("scope organizer ends an organizer's registrations past D1's 100 bound parameters (a raised quota)", async () => {
    const { keys } = await staffAccounts();
    const first = await registered(keys);
    const organizer = first.number.replace(/-1X$/, "");
    const { organizerId } = (await env.DB.prepare(
      "select organizer_id as organizerId from registrations where number = ?",
    )
      .bind(first.number)
      .first<{ organizerId: string }>()) ?? { organizerId: "" };
    // 120 more listed mini programs of the same organizer, as a platform with a raised quota would hold.
    const at = new Date().toISOString();
    const extra = Array.from({ length: 120 }, (_, i) => ({
      appId: `wx${unique()}many${i}`,
      number: `${organizer}-${i + 2}X`,
    }));
    await env.DB.batch(
      extra.flatMap(({ appId, number }, i) => [
        env.DB.prepare(
          "insert into apps (app_id, name, owner_account_id, listing_status, listed_at, created_at, updated_at) values (?, ?, ?, 'listed', ?, ?, ?)",
        ).bind(appId, `批量小程序${i}`, first.dev.id, at, at, at),
        env.DB.prepare(
          "insert into registrations (number, app_id, organizer_id, filing_id, status, service_name, service_name_key, sequence, version, approved_at, updated_at) values (?, ?, ?, 'fil_bulk', 'active', ?, ?, ?, 1, ?, ?)",
        ).bind(number, appId, organizerId, `批量小程序${i}`, `批量小程序${i}`, i + 2, at, at),
        env.DB.prepare(
          "insert into public_records (service_licence, main_licence, unit_name, nature_name, service_name, service_name_key, service_type, content_type_name, update_record_time, status) values (?, ?, '示例公司', '企业', ?, ?, 7, '', ?, 'active')",
        ).bind(number, organizer, `批量小程序${i}`, `批量小程序${i}`, at),
      ]),
    );
    await env.DB.prepare("update organizers set last_sequence = 121 where id = ?").bind(organizerId).run();

    const c = await cancel(first.dev.key, first.appId, "organizer");
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const done = await approveAtBureau(c.body.id, keys);
    expect(done.status, JSON.stringify(done.body)).toBe(200);

    const counts = await env.DB.prepare(
      `select
         (select count(*) from registrations where organizer_id = ?1 and status = 'cancelled') as cancelled,
         (select count(*) from registrations where organizer_id = ?1 and status <> 'cancelled') as other,
         (select count(*) from apps a join registrations r on r.app_id = a.app_id
            where r.organizer_id = ?1 and a.listing_status = 'delisted' and a.delist_reason = 'registration_cancelled') as delisted,
         (select count(*) from public_records p join registrations r on r.number = p.service_licence
            where r.organizer_id = ?1 and p.status = 'cancelled') as records`,
    )
      .bind(organizerId)
      .first<{ cancelled: number; other: number; delisted: number; records: number }>();
    expect(counts).toEqual({ cancelled: 121, other: 0, delisted: 121, records: 121 });
    // Their events too, written in chunks that each stay under the limit.
    const { results } = await env.DB.prepare(
      "select type, count(*) as n from events where account_id = ? and type in ('registration.cancelled', 'app.delisted') group by type order by type",
    )
      .bind(first.dev.id)
      .all<{ type: string; n: number }>();
    expect(results).toEqual([
      { type: "app.delisted", n: 121 },
      { type: "registration.cancelled", n: 121 },
    ]);
  });

  it("scope organizer is 422 ORGANIZER_APPS_NOT_HELD at scope when another developer holds one of its apps", async () => {
    const { keys } = await staffAccounts();
    const first = await registered(keys);
    const other = await newAccount("developer");
    const foreign = await registered(keys, { dev: other, sameOrganizerAs: first.body });
    expect(foreign.number).toBe(first.number.replace(/-1X$/, "-2X"));

    const c = await cancel(first.dev.key, first.appId, "organizer");
    expect(c.status, JSON.stringify(c.body)).toBe(422);
    expect(c.body.code).toBe("VALIDATION_FAILED");
    expect(problemsOf(c.body)).toEqual([{ path: "scope", code: "ORGANIZER_APPS_NOT_HELD" }]);
    expect(await registrationStatus(first.number)).toBe("active");
    expect(await registrationStatus(foreign.number)).toBe("active");

    // Its own service alone may still be cancelled.
    const own = await cancel(first.dev.key, first.appId, "service");
    expect(own.status, JSON.stringify(own.body)).toBe(201);
  });

  it("never issues a cancelled number again: the organizer's next approval gets -2X", async () => {
    const { keys } = await staffAccounts();
    const first = await registered(keys);
    expect(first.number).toMatch(/-1X$/);
    const c = await cancel(first.dev.key, first.appId, "service");
    expect((await approveAtBureau(c.body.id, keys)).status).toBe(200);
    expect(await registrationStatus(first.number)).toBe("cancelled");

    const next = await inBureau(keys, { dev: first.dev, sameOrganizerAs: first.body });
    // The bureau cannot hand the cancelled number out again either.
    expectNumberRefused(await bureauApprove(next.id, keys.regulator, { registrationNumber: first.number }));
    const res = await bureauApprove(next.id, keys.regulator);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.registrationNumber).toBe(first.number.replace(/-1X$/, "-2X"));
    expect(await registrationStatus(first.number)).toBe("cancelled");
  });
});

describe("revocation", () => {
  it("revokes an active registration: app delisted, public record revoked; again is 409", async () => {
    const { keys } = await staffAccounts();
    const f = await registered(keys);

    const missing = await revoke(f.number, keys.regulator, {});
    expect(missing.status).toBe(422);
    expect(problemsOf(missing.body)).toEqual([{ path: "reasons", code: "REQUIRED" }]);
    const empty = await revoke(f.number, keys.regulator, { reasons: [] });
    expect(empty.status).toBe(422);
    expect(problemsOf(empty.body)).toEqual([{ path: "reasons", code: "TOO_FEW" }]);
    const nowhere = await revoke(f.number, keys.regulator, { reasons: [{ ...REASONS[0], field: "scope" }] });
    expect(nowhere.status).toBe(422);
    expect(problemsOf(nowhere.body)).toEqual([{ path: "reasons[0].field", code: "UNKNOWN_REQUEST_FIELD" }]);
    expect(await registrationStatus(f.number)).toBe("active");

    const res = await revoke(f.number, keys.regulator);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ number: f.number, appId: f.appId, status: "revoked", reasons: REASONS });
    expect(await registrationStatus(f.number)).toBe("revoked");

    const app = await callJson(`/v1/apps/${f.appId}`, { key: f.dev.key });
    expect(app.body).toMatchObject({
      listingStatus: "delisted",
      delistReason: "registration_revoked",
      registrationNumber: null,
    });
    const record = await publicRecord(f.number);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ status: "revoked", limitAccess: "是" });

    const { results } = await env.DB.prepare("select type, data from events where account_id = ? order by seq")
      .bind(f.dev.id)
      .all<{ type: string; data: string }>();
    expect(results.map((e) => e.type)).toEqual(expect.arrayContaining(["registration.revoked", "app.delisted"]));
    const audit = await env.DB.prepare("select action from audit_log where subject = ?")
      .bind(`registration:${f.number}`)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toContain("registration.revoked");

    const again = await revoke(f.number, keys.regulator);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("INVALID_TRANSITION");
  });

  it("revokes once when revocations race: one 200, the rest 409, events and the public record written once", async () => {
    const { keys } = await staffAccounts();
    const f = await registered(keys);
    const answers = await Promise.all([1, 2, 3, 4].map(() => revoke(f.number, keys.regulator)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    const { results } = await env.DB.prepare(
      "select type, count(*) as n from events where account_id = ? and type in ('registration.revoked', 'app.delisted') group by type",
    )
      .bind(f.dev.id)
      .all<{ type: string; n: number }>();
    expect(Object.fromEntries(results.map((r) => [r.type, r.n]))).toEqual({
      "registration.revoked": 1,
      "app.delisted": 1,
    });
    const version = await env.DB.prepare("select version from public_records where service_licence = ?")
      .bind(f.number)
      .first<{ version: number }>();
    expect(version?.version).toBe(2);
    const audit = await env.DB.prepare("select count(*) as n from audit_log where subject = ? and action = ?")
      .bind(`registration:${f.number}`, "registration.revoked")
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });

  it("accepts a full-width spelling of the number", async () => {
    const { keys } = await staffAccounts();
    const f = await registered(keys);
    const fullWidth = f.number
      .replace(/[0-9X-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0))
      .replace("ICP", "ＩＣＰ");
    const res = await revoke(fullWidth, keys.regulator);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.number).toBe(f.number);
  });

  it("is 404 for an unknown number and for a cancelled one is 409", async () => {
    const { keys } = await staffAccounts();
    const unknown = await revoke(`粤ICP备${bureauOrganizerDigits()}号-1X`, keys.regulator);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");
    for (const garbage of ["nope", "100%", "%E4%B8"]) {
      const res = await revoke(garbage, keys.regulator);
      expect(res.status, garbage).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }

    const f = await registered(keys);
    const c = await cancel(f.dev.key, f.appId, "service");
    await approveAtBureau(c.body.id, keys);
    const res = await revoke(f.number, keys.regulator);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("INVALID_TRANSITION");
    expect(await registrationStatus(f.number)).toBe("cancelled");
  });
});

describe("regulator roles", () => {
  it.each(["developer", "provider", "reviewer", "admin"] as const)(
    "%s gets 403 on every regulator route",
    async (role) => {
      const { keys } = await staffAccounts();
      const f = await registered(keys);
      const g = await inSms(keys);
      const { key } = await newAccount(role);
      const calls = await Promise.all([
        callJson("/v1/regulator/queue", { key }),
        callJson(`/v1/regulator/filings/${g.id}`, { key }),
        smsVerified(g.id, key),
        bureauApprove(g.id, key),
        bureauReject(g.id, key, { reasons: REASONS }),
        revoke(f.number, key),
      ]);
      for (const res of calls) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe("FORBIDDEN");
      }
      expect(await registrationStatus(f.number)).toBe("active");
      expect((await callJson(`/v1/filings/${g.id}`, { key: g.dev.key })).body.status).toBe("sms_verification");
    },
  );
});
