import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, callJson, newAccount, problemsOf, unique } from "../support/api";
import { staff, submitNew } from "../support/lifecycle";

// Numbers under operating licences (ICP证, B1/B2) given by the bureau, end to end (docs/rules.md#numbers,
// docs/rules.md#bureau-numbers): approval, the organizer's main licences, lookup, search, record page, badge and
// revocation. Licence digits come from `unique()`, so no two tests share a licence.

type Keys = Awaited<ReturnType<typeof staff>>;

const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const client = () => ({ "cf-connecting-ip": `198.51.100.${unique() % 250}` });
const get = (path: string) => callJson(path, { headers: client() });

const b2Digits = () => `2009${String(unique()).padStart(4, "0").slice(-4)}`;
const icpLicenceDigits = () => String(unique()).padStart(6, "0").slice(-6);

/** A `new` filing taken to bureau review (a fresh organizer, or `sameOrganizerAs`'s). */
async function inBureau(keys: Keys, opts: Parameters<typeof submitNew>[0] = {}) {
  const f = await submitNew(opts);
  const review = await callJson(`/v1/review/filings/${f.id}/approve`, { key: keys.reviewer, method: "POST" });
  if (review.status !== 200) throw new Error(`review: ${review.status} ${JSON.stringify(review.body)}`);
  const sms = await callJson(`/v1/regulator/filings/${f.id}/sms-verified`, { key: keys.regulator, method: "POST" });
  if (sms.status !== 200) throw new Error(`sms: ${sms.status} ${JSON.stringify(sms.body)}`);
  return f;
}

const bureauApprove = (keys: Keys, id: string, body: Record<string, unknown> = {}) =>
  callJson(`/v1/regulator/filings/${id}/approve`, { key: keys.regulator, body });

async function approvedWith(keys: Keys, id: string, registrationNumber?: string) {
  const res = await bureauApprove(keys, id, registrationNumber === undefined ? {} : { registrationNumber });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.registrationNumber as string;
}

function expectRefused(
  res: { status: number; body: { code: string; errors?: { path: string; code: string }[] } },
  code: string,
) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.code).toBe("REGISTRATION_NUMBER_INVALID");
  expect(problemsOf(res.body)).toEqual([{ path: "registrationNumber", code }]);
}

async function searchNumbers(q: string): Promise<string[]> {
  const res = await get(`/v1/public/search?q=${encodeURIComponent(q)}&pageSize=50`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((r: { serviceLicence: string }) => r.serviceLicence);
}

async function licencesOf(filingId: string) {
  const { results } = await env.DB.prepare(
    `select l.main_licence as mainLicence from organizer_licences l
     join registrations r on r.organizer_id = l.organizer_id where r.filing_id = ? order by l.main_licence`,
  )
    .bind(filingId)
    .all<{ mainLicence: string }>();
  return results.map((r) => r.mainLicence);
}

describe("a B2 licence number from the bureau", () => {
  it("is approved in any spelling, held by the organizer, looked up, searched, shown and badged", async () => {
    const keys = await staff();
    const f = await inBureau(keys);
    const digits = b2Digits();
    const licence = `粤B2-${digits}`;
    const number = `${licence}-1626X`;
    const fullWidth = ` 粤ｂ２－${[...digits].map((d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).join("")}–1626x `;
    expect(await approvedWith(keys, f.id, fullWidth)).toBe(number);

    // The organizer holds the licence and has no filing number; the registration has no filing-number sequence.
    expect(await licencesOf(f.id)).toEqual([licence]);
    const stored = await env.DB.prepare(
      `select r.sequence, o.organizer_number as organizerNumber, o.last_sequence as lastSequence
       from registrations r join organizers o on o.id = r.organizer_id where r.number = ?`,
    )
      .bind(number)
      .first();
    expect(stored).toEqual({ sequence: null, organizerNumber: null, lastSequence: 0 });

    // The public lookup, by the number in any spelling.
    for (const spelling of [number, `粤b2-${digits}-1626x`, fullWidth.trim()]) {
      const record = await get(`/v1/public/registrations/${encodeURIComponent(spelling)}`);
      expect(record.status, spelling).toBe(200);
      expect(record.body).toMatchObject({
        serviceLicence: number,
        mainLicence: licence,
        serviceType: 7,
        status: "active",
      });
    }

    // Search: the full number, the main licence, the number without its suffix, the licence's bare digits.
    expect(await searchNumbers(number)).toEqual([number]);
    expect(await searchNumbers(licence)).toEqual([number]);
    expect(await searchNumbers(`粤B2-${digits}-1626`)).toEqual([number]);
    expect(await searchNumbers(digits)).toContain(number);
    expect(await searchNumbers(`粤B2-${digits}-1627`)).toEqual([]);

    // The record page names the licence as such; other spellings redirect to the canonical address.
    const page = await call(`/r/${encodeURIComponent(number)}`, { headers: client() });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(number);
    expect(html).toContain("经营许可证编号");
    expect(html).toContain(`/?q=${encodeURIComponent(licence)}`);
    const redirect = await exports.default.fetch(
      new Request(`http://beian.test/r/${encodeURIComponent(`粤b2-${digits}-1626x`)}`, { redirect: "manual" }),
    );
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe(`/r/${encodeURIComponent(number)}`);

    const badge = await call(`/badge/${encodeURIComponent(number)}.svg`, { headers: client() });
    expect(badge.status).toBe(200);
    expect(badge.headers.get("content-type")).toContain("image/svg+xml");
    expect(await badge.text()).toContain(`${number} 正常`);
  });

  it("numbers the organizer's later services under the licence or its filing number, never another's", async () => {
    const keys = await staff();
    const first = await inBureau(keys);
    const licence = `粤B2-${b2Digits()}`;
    expect(await approvedWith(keys, first.id, `${licence}-7X`)).toBe(`${licence}-7X`);
    const next = () => inBureau(keys, { dev: first.dev, sameOrganizerAs: first.body });

    // Under the licence it holds: a new sequence, never one used, with any suffix.
    const second = await next();
    expectRefused(
      await bureauApprove(keys, second.id, { registrationNumber: `${licence}-7X` }),
      "REGISTRATION_NUMBER_INVALID",
    );
    expectRefused(
      await bureauApprove(keys, second.id, { registrationNumber: `粤B2-${b2Digits()}-1X` }),
      "REGISTRATION_NUMBER_INVALID",
    );
    expect(await approvedWith(keys, second.id, `${licence}-9X`)).toBe(`${licence}-9X`);

    // beian's own allocation issues a filing number, whatever licences the organizer holds.
    const third = await next();
    const allocated = await approvedWith(keys, third.id);
    expect(allocated).toMatch(new RegExp(`^粤ICP备${YEAR}\\d{6}号-1X$`));
    const filingNumber = allocated.replace(/-1X$/, "");

    // Now it holds both: a bureau number under either is accepted, under neither refused.
    const fourth = await next();
    expect(await approvedWith(keys, fourth.id, `${filingNumber}-2X`)).toBe(`${filingNumber}-2X`);
    const fifth = await next();
    expectRefused(
      await bureauApprove(keys, fifth.id, { registrationNumber: `粤ICP证${icpLicenceDigits()}号-1X` }),
      "REGISTRATION_NUMBER_INVALID",
    );
    expect(await approvedWith(keys, fifth.id, `${licence}-10X`)).toBe(`${licence}-10X`);

    expect(await licencesOf(first.id)).toEqual([licence]);
    expect((await searchNumbers(licence)).sort()).toEqual([`${licence}-10X`, `${licence}-7X`, `${licence}-9X`].sort());
    // The filing number's sequences are its own: the licence's 7, 9 and 10 did not move them.
    const organizer = await env.DB.prepare("select last_sequence as last from organizers where organizer_number = ?")
      .bind(filingNumber)
      .first<{ last: number }>();
    expect(organizer?.last).toBe(2);
  });

  it("is revoked by its number in any spelling", async () => {
    const keys = await staff();
    const f = await inBureau(keys);
    const digits = b2Digits();
    const number = await approvedWith(keys, f.id, `粤B2-${digits}-3X`);
    const res = await callJson(`/v1/regulator/registrations/${encodeURIComponent(`粤b2－${digits}－3x`)}/revoke`, {
      key: keys.regulator,
      body: { reasons: [{ field: "", error: "许可证已吊销", suggest: "重新办理许可" }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ number, status: "revoked" });
    const record = await get(`/v1/public/registrations/${encodeURIComponent(number)}`);
    expect(record.body).toMatchObject({ status: "revoked", limitAccess: "是" });
  });
});

describe("an ICP licence (ICP证) number from the bureau", () => {
  it("is approved, held by the organizer, looked up and searched", async () => {
    const keys = await staff();
    const f = await inBureau(keys, { region: { province: "110000", city: "110100", district: "110105" } });
    const digits = icpLicenceDigits();
    const licence = `京ICP证${digits}号`;
    const number = `${licence}-2X`;
    expectRefused(
      await bureauApprove(keys, f.id, { registrationNumber: `粤ICP证${digits}号-2X` }),
      "REGISTRATION_NUMBER_INVALID",
    );
    expect(await approvedWith(keys, f.id, `京ＩＣＰ證${digits}號-2x`)).toBe(number);
    expect(await licencesOf(f.id)).toEqual([licence]);

    const record = await get(`/v1/public/registrations/${encodeURIComponent(number)}`);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ serviceLicence: number, mainLicence: licence });
    expect(await searchNumbers(number)).toEqual([number]);
    expect(await searchNumbers(licence)).toEqual([number]);
    expect(await searchNumbers(`${licence}-2`)).toEqual([number]);
    expect(await searchNumbers(digits)).toContain(number);
    const page = await call(`/r/${encodeURIComponent(number)}`, { headers: client() });
    expect(await page.text()).toContain("经营许可证编号");
  });
});

describe("a main licence belongs to one organizer", () => {
  it("refuses another organizer's licence with MAIN_LICENCE_TAKEN at registrationNumber", async () => {
    const keys = await staff();
    const holder = await inBureau(keys);
    const licence = `粤B2-${b2Digits()}`;
    await approvedWith(keys, holder.id, `${licence}-1X`);
    const other = await inBureau(keys);
    const res = await bureauApprove(keys, other.id, { registrationNumber: `${licence}-2X` });
    expectRefused(res, "MAIN_LICENCE_TAKEN");
    expect(res.body.errors[0].message).toBe(`${licence} is another organizer's main licence`);
    expect(await licencesOf(holder.id)).toEqual([licence]);
    const owner = await callJson(`/v1/filings/${other.id}`, { key: other.dev.key });
    expect(owner.body).toMatchObject({ status: "bureau_review", registrationNumber: null });
  });

  it("refuses another organizer's filing number the same way", async () => {
    const keys = await staff();
    const holder = await inBureau(keys);
    const filingNumber = (await approvedWith(keys, holder.id)).replace(/-1X$/, "");
    const other = await inBureau(keys);
    expectRefused(
      await bureauApprove(keys, other.id, { registrationNumber: `${filingNumber}-2X` }),
      "MAIN_LICENCE_TAKEN",
    );
  });

  it("two new organizers given one new licence at once: one approved, the other refused with MAIN_LICENCE_TAKEN", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    for (let pair = 0; pair < 3; pair++) {
      const [a, b] = await Promise.all([inBureau(keys, { dev }), inBureau(keys, { dev })]);
      const licence = `粤B2-${b2Digits()}`;
      const results = await Promise.all([
        bureauApprove(keys, a.id, { registrationNumber: `${licence}-1X` }),
        bureauApprove(keys, b.id, { registrationNumber: `${licence}-2X` }),
      ]);
      expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([200, 422]);
      const refused = results.find((r) => r.status === 422);
      expect(problemsOf(refused?.body)).toEqual([{ path: "registrationNumber", code: "MAIN_LICENCE_TAKEN" }]);
      const holders = await env.DB.prepare("select count(*) as n from organizer_licences where main_licence = ?")
        .bind(licence)
        .first<{ n: number }>();
      expect(holders?.n).toBe(1);
    }
  }, 30_000);
});

describe("search by filing numbers", () => {
  it("finds a number typed without its suffix, and an organizer's registrations by its bare digits", async () => {
    const keys = await staff();
    const f = await inBureau(keys);
    const number = await approvedWith(keys, f.id);
    const filingNumber = number.replace(/-1X$/, "");
    const digits = filingNumber.replace(/^粤ICP备(\d+)号$/, "$1");
    expect(await searchNumbers(number.replace(/X$/, ""))).toEqual([number]);
    expect(await searchNumbers(digits)).toEqual([number]);
    expect(
      await searchNumbers(` ${[...digits].map((d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).join("")} `),
    ).toEqual([number]);
    expect(await searchNumbers(filingNumber)).toEqual([number]);
  });
});
