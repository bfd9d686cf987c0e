/**
 * SMS confirmation per person (docs/rules.md#sms-confirmation): who is listed when a filing enters
 * `sms_verification`, the regulator's per-person steps, the five-wrong-codes rule, `sms-verified` confirming everyone
 * still pending, the 24-hour window, and the `filing.sms_updated` events (never a mobile).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson, mobile, newAccount, newApp, person, problemsOf, validFiling } from "../support/api";
import { makeResidentId } from "../support/identifiers";
import { staff } from "../support/lifecycle";

type Keys = { reviewer: string; regulator: string };
type Body = ReturnType<typeof validFiling>;
type SmsEntry = { role: string; mobile: string; status: string; wrongAttempts: number; updatedAt: string };

const masked = (m: string) => `${m.slice(0, 3)}****${m.slice(-4)}`;

/** Submits `shape(body)` for a fresh app of a fresh developer. */
async function submit(shape: (body: Body) => void = () => {}) {
  const dev = await newAccount("developer");
  const appId = await newApp(dev.key);
  const body = validFiling(appId);
  shape(body);
  const res = await callJson("/v1/filings", { key: dev.key, body });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body.smsVerifications).toEqual([]);
  return { dev, appId, body, id: res.body.id as string };
}

/** Submitted and through platform review: the answer of the review's approval. */
async function inSms(keys: Keys, shape?: (body: Body) => void) {
  const f = await submit(shape);
  const review = await callJson(`/v1/review/filings/${f.id}/approve`, { key: keys.reviewer, method: "POST" });
  expect(review.status, JSON.stringify(review.body)).toBe(200);
  return { ...f, review: review.body as { status: string; smsVerifications: SmsEntry[] } };
}

const twoPrincipals = (b: Body) => {
  b.service.principal = person({ name: "王五" });
};

function step(id: string, key: string, role: string, result: string) {
  return callJson(`/v1/regulator/filings/${id}/sms-verifications`, { key, body: { role, result } });
}

async function smsEvents(accountId: string, filingId: string) {
  const { results } = await env.DB.prepare(
    "select data from events where account_id = ? and type = 'filing.sms_updated' order by seq",
  )
    .bind(accountId)
    .all<{ data: string }>();
  return results.map((r) => JSON.parse(r.data)).filter((d) => d.filingId === filingId);
}

describe("who must confirm", () => {
  it("lists both principals, pending, mobiles masked, when platform review passes", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    expect(f.review.status).toBe("sms_verification");
    expect(f.review.smsVerifications).toEqual([
      {
        role: "organizer_principal",
        mobile: masked(f.body.organizer.principal.mobile),
        status: "pending",
        wrongAttempts: 0,
        updatedAt: expect.any(String),
      },
      {
        role: "service_principal",
        mobile: masked(f.body.service.principal.mobile),
        status: "pending",
        wrongAttempts: 0,
        updatedAt: expect.any(String),
      },
    ]);
    // The owner reads the same list; the stored row holds the mobile sealed, never plain.
    const read = await callJson(`/v1/filings/${f.id}`, { key: f.dev.key });
    expect(read.body.smsVerifications).toEqual(f.review.smsVerifications);
    const { results } = await env.DB.prepare("select * from filing_sms_verifications where filing_id = ?")
      .bind(f.id)
      .all<Record<string, unknown>>();
    expect(results).toHaveLength(2);
    const stored = JSON.stringify(results);
    expect(stored).not.toContain(f.body.organizer.principal.mobile);
    expect(stored).not.toContain(f.body.service.principal.mobile);
  });

  it("lists one person holding both principal roles once, under organizer_principal", async () => {
    const keys = await staff();
    const f = await inSms(keys);
    expect(f.review.smsVerifications.map((v) => v.role)).toEqual(["organizer_principal"]);
    const res = await step(f.id, keys.regulator, "service_principal", "verified");
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual([{ path: "role", code: "INVALID_VALUE" }]);
  });

  it("lists the legal representative with their own mobile, or once when they are a principal", async () => {
    const keys = await staff();
    const legalMobile = mobile();
    const f = await inSms(keys, (b) => {
      twoPrincipals(b);
      (b.organizer as Record<string, unknown>).legalRepresentative = {
        name: "李四",
        certificate: { type: "resident_id", number: makeResidentId(), validFrom: "2020-01-01", validTo: "long_term" },
        mobile: legalMobile,
      };
    });
    expect(f.review.smsVerifications.map((v) => [v.role, v.mobile])).toEqual([
      ["organizer_principal", masked(f.body.organizer.principal.mobile)],
      ["service_principal", masked(f.body.service.principal.mobile)],
      ["legal_representative", masked(legalMobile)],
    ]);

    const same = await inSms(keys, (b) => {
      twoPrincipals(b);
      const { front: _f, back: _b, ...certificate } = b.service.principal.certificate as Record<string, string>;
      (b.organizer as Record<string, unknown>).legalRepresentative = { name: "王五", certificate };
    });
    expect(same.review.smsVerifications.map((v) => v.role)).toEqual(["organizer_principal", "service_principal"]);
  });

  it("requires a mobile of a legal representative who is neither principal", async () => {
    const dev = await newAccount("developer");
    const body = validFiling(await newApp(dev.key));
    (body.organizer as Record<string, unknown>).legalRepresentative = {
      name: "李四",
      certificate: { type: "resident_id", number: makeResidentId(), validFrom: "2020-01-01", validTo: "long_term" },
    };
    const res = await callJson("/v1/filings/validate", { key: dev.key, body });
    expect(problemsOf(res.body)).toContainEqual({ path: "organizer.legalRepresentative.mobile", code: "REQUIRED" });
    const bad = structuredClone(body);
    (bad.organizer as unknown as { legalRepresentative: { mobile: string } }).legalRepresentative.mobile = "12345";
    const res2 = await callJson("/v1/filings/validate", { key: dev.key, body: bad });
    expect(problemsOf(res2.body)).toContainEqual({
      path: "organizer.legalRepresentative.mobile",
      code: "INVALID_FORMAT",
    });
  });

  it("lists the registration's people for a cancellation, which starts in SMS verification", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    await step(f.id, keys.regulator, "organizer_principal", "verified");
    await step(f.id, keys.regulator, "service_principal", "verified");
    const approved = await callJson(`/v1/regulator/filings/${f.id}/approve`, { key: keys.regulator, body: {} });
    expect(approved.status).toBe(200);
    const cancel = await callJson("/v1/filings", {
      key: f.dev.key,
      body: { type: "cancel", appId: f.appId, scope: "service", reason: "no_longer_operated" },
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expect(cancel.body.status).toBe("sms_verification");
    expect(cancel.body.smsVerifications.map((v: SmsEntry) => [v.role, v.mobile, v.status])).toEqual([
      ["organizer_principal", masked(f.body.organizer.principal.mobile), "pending"],
      ["service_principal", masked(f.body.service.principal.mobile), "pending"],
    ]);
  });
});

describe("per-person steps", () => {
  it("moves the filing to bureau review when everyone has verified", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    const first = await step(f.id, keys.regulator, "service_principal", "verified");
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.status).toBe("sms_verification");
    expect(first.body.smsVerifications.map((v: SmsEntry) => v.status)).toEqual(["pending", "verified"]);
    const last = await step(f.id, keys.regulator, "organizer_principal", "verified");
    expect(last.body.status).toBe("bureau_review");
    expect(last.body.smsVerifications.map((v: SmsEntry) => v.status)).toEqual(["verified", "verified"]);
    const history = await callJson(`/v1/filings/${f.id}/history`, { key: f.dev.key });
    expect(history.body.items.at(-1)).toMatchObject({ from: "sms_verification", to: "bureau_review" });
    // The next step is the bureau's: approval works as after `sms-verified`.
    const approved = await callJson(`/v1/regulator/filings/${f.id}/approve`, { key: keys.regulator, body: {} });
    expect(approved.body.status).toBe("approved");
    expect(approved.body.smsVerifications.map((v: SmsEntry) => v.status)).toEqual(["verified", "verified"]);
  });

  it("moves the filing once when the last two people verify at the same time", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    const answers = await Promise.all([
      step(f.id, keys.regulator, "organizer_principal", "verified"),
      step(f.id, keys.regulator, "service_principal", "verified"),
    ]);
    for (const a of answers) expect([200, 409], JSON.stringify(a.body)).toContain(a.status);
    // Whatever the interleaving, both confirmations stand once each answered 200, and the filing moved once.
    const read = await callJson(`/v1/filings/${f.id}`, { key: f.dev.key });
    const verified = read.body.smsVerifications.filter((v: SmsEntry) => v.status === "verified").length;
    expect(verified).toBe(answers.filter((a) => a.status === 200).length);
    expect(read.body.status).toBe(verified === 2 ? "bureau_review" : "sms_verification");
    const history = await callJson(`/v1/filings/${f.id}/history`, { key: f.dev.key });
    expect(history.body.items.filter((h: { to: string }) => h.to === "bureau_review").length).toBe(
      verified === 2 ? 1 : 0,
    );
  });

  it("fails the person on the fifth wrong code and ends the filing bureau_rejected at their mobile", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    for (let i = 1; i <= 4; i++) {
      const res = await step(f.id, keys.regulator, "service_principal", "wrong_code");
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("sms_verification");
      expect(res.body.smsVerifications[1]).toMatchObject({ status: "pending", wrongAttempts: i });
    }
    // A resend keeps the count: the fifth wrong code still fails.
    const resent = await step(f.id, keys.regulator, "service_principal", "resent");
    expect(resent.body.smsVerifications[1]).toMatchObject({ status: "pending", wrongAttempts: 4 });
    const fifth = await step(f.id, keys.regulator, "service_principal", "wrong_code");
    expect(fifth.status, JSON.stringify(fifth.body)).toBe(200);
    expect(fifth.body.status).toBe("bureau_rejected");
    expect(fifth.body.smsVerifications.map((v: SmsEntry) => [v.role, v.status, v.wrongAttempts])).toEqual([
      ["organizer_principal", "pending", 0],
      ["service_principal", "failed", 5],
    ]);
    expect(fifth.body.reasons).toEqual([
      { field: "service.principal.mobile", error: expect.any(String), suggest: expect.any(String) },
    ]);
    const history = await callJson(`/v1/filings/${f.id}/history`, { key: f.dev.key });
    expect(history.body.items.at(-1)).toMatchObject({ from: "sms_verification", to: "bureau_rejected" });
    // The filing is over: nothing more is taken.
    const after = await step(f.id, keys.regulator, "organizer_principal", "verified");
    expect(after.status).toBe(409);
    expect(after.body.code).toBe("INVALID_TRANSITION");
  });

  it("records a resend: the person stays pending, the time moves on", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    const before = f.review.smsVerifications[0] as SmsEntry;
    await new Promise((r) => setTimeout(r, 5));
    const res = await step(f.id, keys.regulator, "organizer_principal", "resent");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("sms_verification");
    const after = res.body.smsVerifications[0] as SmsEntry;
    expect(after).toMatchObject({ role: "organizer_principal", status: "pending", wrongAttempts: 0 });
    expect(after.updatedAt > before.updatedAt).toBe(true);
  });

  it("answers a repeated `verified` unchanged and refuses any other step on a verified person", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    const first = await step(f.id, keys.regulator, "organizer_principal", "verified");
    const again = await step(f.id, keys.regulator, "organizer_principal", "verified");
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const wrong = await step(f.id, keys.regulator, "organizer_principal", "wrong_code");
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe("INVALID_TRANSITION");
    expect((await smsEvents(f.dev.id, f.id)).length).toBe(1);
  });

  it("refuses steps on a filing still in platform review (404, as reading it is), unknown filings (404) and bad bodies (422)", async () => {
    const keys = await staff();
    const f = await submit();
    const early = await step(f.id, keys.regulator, "organizer_principal", "verified");
    expect(early.status).toBe(404);
    expect(early.body.code).toBe("NOT_FOUND");
    expect((await step("fil_nope", keys.regulator, "organizer_principal", "verified")).status).toBe(404);
    const bad = await step(f.id, keys.regulator, "principal", "maybe");
    expect(bad.status).toBe(422);
    expect(
      problemsOf(bad.body)
        .map((p) => p.path)
        .sort(),
    ).toEqual(["result", "role"]);
    const developer = await step(f.id, f.dev.key, "organizer_principal", "verified");
    expect(developer.status).toBe(403);
  });

  it("is 409 SMS_WINDOW_EXPIRED after the window, before and after the cron expired the filing", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    const past = new Date(Date.now() - 60_000).toISOString();
    await env.DB.prepare("update filings set sms_deadline = ? where id = ?").bind(past, f.id).run();
    for (const result of ["verified", "wrong_code", "resent"]) {
      const res = await step(f.id, keys.regulator, "organizer_principal", result);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("SMS_WINDOW_EXPIRED");
    }
    await env.DB.prepare("update filings set status = 'expired' where id = ?").bind(f.id).run();
    const expired = await step(f.id, keys.regulator, "organizer_principal", "verified");
    expect(expired.body.code).toBe("SMS_WINDOW_EXPIRED");
    const read = await callJson(`/v1/filings/${f.id}`, { key: f.dev.key });
    expect(read.body.smsVerifications.map((v: SmsEntry) => v.status)).toEqual(["pending", "pending"]);
  });
});

describe("sms-verified", () => {
  it("still confirms everyone pending at once", async () => {
    const keys = await staff();
    const f = await inSms(keys, twoPrincipals);
    await step(f.id, keys.regulator, "service_principal", "wrong_code");
    await step(f.id, keys.regulator, "organizer_principal", "verified");
    const res = await callJson(`/v1/regulator/filings/${f.id}/sms-verified`, { key: keys.regulator, method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("bureau_review");
    expect(res.body.smsVerifications.map((v: SmsEntry) => [v.role, v.status, v.wrongAttempts])).toEqual([
      ["organizer_principal", "verified", 0],
      ["service_principal", "verified", 1],
    ]);
    const events = await smsEvents(f.dev.id, f.id);
    expect(events.map((e) => [e.role, e.status])).toEqual([
      ["service_principal", "pending"],
      ["organizer_principal", "verified"],
      ["service_principal", "verified"],
    ]);
    const again = await callJson(`/v1/regulator/filings/${f.id}/sms-verified`, { key: keys.regulator, method: "POST" });
    expect(again.status).toBe(409);
  });
});

describe("filing.sms_updated", () => {
  it("tells the submitter and the app's owner each step, with role and status, never a mobile", async () => {
    const keys = await staff();
    const owner = await newAccount("developer");
    const provider = await newAccount("provider");
    const appId = await newApp(owner.key);
    const grant = await callJson(`/v1/apps/${appId}/grants`, { key: owner.key, body: { accountId: provider.id } });
    expect(grant.status).toBe(201);
    const body = validFiling(appId);
    twoPrincipals(body);
    const filed = await callJson("/v1/filings", { key: provider.key, body });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const id = filed.body.id as string;
    await callJson(`/v1/review/filings/${id}/approve`, { key: keys.reviewer, method: "POST" });
    await step(id, keys.regulator, "organizer_principal", "resent");
    await step(id, keys.regulator, "organizer_principal", "wrong_code");
    await step(id, keys.regulator, "service_principal", "verified");
    for (const account of [owner, provider]) {
      const events = await smsEvents(account.id, id);
      expect(events).toEqual([
        { filingId: id, appId, type: "new", role: "organizer_principal", status: "pending", wrongAttempts: 0 },
        { filingId: id, appId, type: "new", role: "organizer_principal", status: "pending", wrongAttempts: 1 },
        { filingId: id, appId, type: "new", role: "service_principal", status: "verified", wrongAttempts: 0 },
      ]);
      const text = JSON.stringify(events);
      for (const m of [body.organizer.principal.mobile, body.service.principal.mobile]) {
        expect(text).not.toContain(m);
        expect(text).not.toContain(masked(m));
      }
    }
    // Through the events API as well.
    const listed = await callJson("/v1/events?limit=200", { key: owner.key });
    expect(listed.body.items.filter((e: { type: string }) => e.type === "filing.sms_updated")).toHaveLength(3);
  });
});
