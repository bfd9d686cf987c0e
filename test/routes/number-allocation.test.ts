import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  MAX_ORGANIZER_SEQUENCE,
  MAX_SEQUENCE,
  parseMainLicence,
  parseRegistrationNumber,
  splitOrganizerNumber,
} from "../../src/domain/registration-number";
import { callJson, newAccount, type validFiling } from "../support/api";
import { staff, submitNew } from "../support/lifecycle";

// Numbers beian allocates in development mode, read back with the domain parser (docs/rules.md#numbers).
// Counters are moved by hand here to reach wider sequences (only ever past the numbers already issued: a counter
// moved back would allocate a number held, which the unique indexes refuse); 藏 (54) is left to this file.

type Keys = { reviewer: string; regulator: string };
type Filing = ReturnType<typeof validFiling>;
type Region = Filing["organizer"]["region"];

const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const XIZANG: Region = { province: "540000", city: "540100", district: "540102" };

/** A `new` filing taken to bureau review: a fresh organizer, or `sameOrganizerAs`'s. */
async function toBureau(
  keys: Keys,
  dev: { id: string; key: string },
  opts: { region?: Region; sameOrganizerAs?: Filing } = {},
) {
  const { id, appId, body } = await submitNew({ dev, ...opts });
  const review = await callJson(`/v1/review/filings/${id}/approve`, { key: keys.reviewer, method: "POST" });
  if (review.status !== 200) throw new Error(`review: ${review.status} ${JSON.stringify(review.body)}`);
  const sms = await callJson(`/v1/regulator/filings/${id}/sms-verified`, { key: keys.regulator, method: "POST" });
  if (sms.status !== 200) throw new Error(`sms: ${sms.status} ${JSON.stringify(sms.body)}`);
  return { id, appId, body };
}

const approve = (keys: Keys, id: string, body: Record<string, unknown> = {}) =>
  callJson(`/v1/regulator/filings/${id}/approve`, { key: keys.regulator, body });

/** Approves `id` and reads its number back with the domain parser. */
async function issued(keys: Keys, id: string) {
  const res = await approve(keys, id);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const number = res.body.registrationNumber as string;
  const parsed = parseRegistrationNumber(number);
  expect(parsed, number).not.toBeNull();
  if (!parsed) throw new Error(`unparseable: ${number}`);
  // Issued in canonical form, and stored as issued.
  expect(parsed.normalized).toBe(number);
  expect(parsed.kind).toBe("mini_program");
  const stored = await env.DB.prepare(
    `select r.number, r.sequence, o.organizer_number as organizerNumber, o.organizer_digits as digits,
       p.main_licence as mainLicence
     from registrations r join organizers o on o.id = r.organizer_id join public_records p on p.service_licence = r.number
     where r.filing_id = ?`,
  )
    .bind(id)
    .first<{ number: string; sequence: number; organizerNumber: string; digits: string; mainLicence: string }>();
  expect(stored).toEqual({
    number,
    sequence: parsed.sequence,
    organizerNumber: parsed.mainLicence,
    digits: parsed.digits,
    mainLicence: parsed.mainLicence,
  });
  return parsed;
}

async function organizerOf(filingId: string) {
  const row = await env.DB.prepare(
    `select o.id, o.certificate_blind as blind, o.last_sequence as lastSequence from organizers o
     join registrations r on r.organizer_id = o.id where r.filing_id = ?`,
  )
    .bind(filingId)
    .first<{ id: string; blind: string; lastSequence: number }>();
  if (!row) throw new Error("no organizer");
  return row;
}

const setCounter = (province: string, last: number) =>
  env.DB.prepare(
    `insert into organizer_number_counters (province, year, last_sequence) values (?1, ?2, ?3)
     on conflict do update set last_sequence = excluded.last_sequence`,
  )
    .bind(province, YEAR, last)
    .run();

describe("allocated numbers parse back to what was allocated", () => {
  it("in every province tried: the organizer's province, this year's next organizer number, sequence 1", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const regions: Region[] = [
      { province: "110000", city: "110100", district: "110105" },
      { province: "310000", city: "310100", district: "310101" },
      { province: "440000", city: "440300", district: "440305" },
      { province: "510000", city: "510100", district: "510104" },
      { province: "650000", city: "650100", district: "650102" },
      XIZANG,
    ];
    for (const region of regions) {
      const f = await toBureau(keys, dev, { region });
      const parsed = await issued(keys, f.id);
      const province = region.province.slice(0, 2);
      expect(parsed.provinceCode).toBe(province);
      expect(parsed.sequence).toBe(1);
      const split = splitOrganizerNumber(parsed.digits);
      expect(split?.year).toBe(YEAR);
      expect(parseMainLicence(parsed.mainLicence)?.digits).toBe(parsed.digits);
      const counter = await env.DB.prepare(
        "select last_sequence as last from organizer_number_counters where province = ? and year = ?",
      )
        .bind(province, YEAR)
        .first<{ last: number }>();
      expect(counter?.last).toBe(split?.sequence);
    }
  });

  it("an organizer's sequence crossing 9 → 10 → 100 and up to the last, then refused with 409", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const first = await toBureau(keys, dev);
    const one = await issued(keys, first.id);
    expect(one.sequence).toBe(1);
    const organizer = await organizerOf(first.id);
    const next = async () => issued(keys, (await toBureau(keys, dev, { sameOrganizerAs: first.body })).id);

    for (const [last, expected] of [
      [8, [9, 10]],
      [98, [99, 100]],
      [998, [999, 1000]],
      [MAX_SEQUENCE - 1, [MAX_SEQUENCE]],
    ] as const) {
      await env.DB.prepare("update organizers set last_sequence = ? where id = ?").bind(last, organizer.id).run();
      for (const sequence of expected) {
        const parsed = await next();
        expect(parsed.mainLicence).toBe(one.mainLicence);
        expect(parsed.digits).toBe(one.digits);
        expect(parsed.provinceCode).toBe("44");
        expect(parsed.sequence).toBe(sequence);
        expect(parsed.normalized).toBe(`${one.mainLicence}-${sequence}X`);
      }
    }

    // A five-digit sequence does not parse, so it is never issued: the approval is refused and nothing moves.
    const over = await toBureau(keys, dev, { sameOrganizerAs: first.body });
    const refused = await approve(keys, over.id);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe("CONFLICT");
    expect((await organizerOf(first.id)).lastSequence).toBe(MAX_SEQUENCE);
    const filing = await env.DB.prepare("select status from filings where id = ?").bind(over.id).first();
    expect(filing).toEqual({ status: "bureau_review" });
  }, 60_000);

  it("organizer numbers crossing 6-digit widths in a province, up to the last, then refused with 409", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    for (const [last, expected] of [
      [9, 10],
      [99, 100],
      [9_999, 10_000],
      [99_999, 100_000],
      [MAX_ORGANIZER_SEQUENCE - 1, MAX_ORGANIZER_SEQUENCE],
    ] as const) {
      await setCounter("54", last);
      const parsed = await issued(keys, (await toBureau(keys, dev, { region: XIZANG })).id);
      expect(parsed.provinceCode).toBe("54");
      expect(splitOrganizerNumber(parsed.digits)).toEqual({ year: YEAR, sequence: expected });
      expect(parsed.digits).toBe(`${YEAR}${String(expected).padStart(6, "0")}`);
      expect(parsed.sequence).toBe(1);
    }

    const over = await toBureau(keys, dev, { region: XIZANG });
    const refused = await approve(keys, over.id);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe("CONFLICT");
    // No organizer row was left behind by the refused approval.
    const blind = await env.DB.prepare("select organizer_blind as blind from filings where id = ?")
      .bind(over.id)
      .first<{ blind: string }>();
    const rows = await env.DB.prepare("select count(*) as n from organizers where certificate_blind = ?")
      .bind(blind?.blind ?? "")
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  }, 60_000);
});

describe("races", () => {
  it("one filing of a numbered organizer approved twice at once: one number, the other answer 409", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const first = await toBureau(keys, dev);
    const one = await issued(keys, first.id);
    const f = await toBureau(keys, dev, { sameOrganizerAs: first.body });
    const [a, b] = await Promise.all([approve(keys, f.id), approve(keys, f.id)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const won = a.status === 200 ? a : b;
    expect((a.status === 409 ? a : b).body.code).toBe("INVALID_TRANSITION");
    const parsed = parseRegistrationNumber(won.body.registrationNumber as string);
    expect(parsed?.mainLicence).toBe(one.mainLicence);
    const { results } = await env.DB.prepare("select number from registrations where app_id = ?")
      .bind(f.appId)
      .all<{ number: string }>();
    expect(results).toEqual([{ number: won.body.registrationNumber }]);
  });
});

describe("organizer number claims", () => {
  it("a first approval that failed after claiming uses its claim when approved again", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    await setCounter("54", 500);
    const f = await toBureau(keys, dev, { region: XIZANG });
    const { blind } = (await env.DB.prepare("select organizer_blind as blind from filings where id = ?")
      .bind(f.id)
      .first<{ blind: string }>()) ?? { blind: "" };
    // As if an earlier attempt had claimed 480 and lost its batch.
    await env.DB.prepare(
      "insert into organizer_number_claims (certificate_blind, province, year, sequence, created_at) values (?, '54', ?, 480, ?)",
    )
      .bind(blind, YEAR, new Date().toISOString())
      .run();
    const parsed = await issued(keys, f.id);
    expect(splitOrganizerNumber(parsed.digits)).toEqual({ year: YEAR, sequence: 480 });
    const left = await env.DB.prepare("select count(*) as n from organizer_number_claims where certificate_blind = ?")
      .bind(blind)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    // The counter did not move for it.
    const counter = await env.DB.prepare(
      "select last_sequence as last from organizer_number_counters where province = '54' and year = ?",
    )
      .bind(YEAR)
      .first<{ last: number }>();
    expect(counter?.last).toBe(500);
  });

  it("a claim on a number the bureau then issues to another organizer is void: the claimant gets another", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    await setCounter("54", 600);
    const claimant = await toBureau(keys, dev, { region: XIZANG });
    const { blind } = (await env.DB.prepare("select organizer_blind as blind from filings where id = ?")
      .bind(claimant.id)
      .first<{ blind: string }>()) ?? { blind: "" };
    await env.DB.prepare(
      "insert into organizer_number_claims (certificate_blind, province, year, sequence, created_at) values (?, '54', ?, 601, ?)",
    )
      .bind(blind, YEAR, new Date().toISOString())
      .run();
    await setCounter("54", 601);

    const taken = `${YEAR}000601`;
    const other = await toBureau(keys, dev, { region: XIZANG });
    const given = await approve(keys, other.id, { registrationNumber: `藏ICP备${taken}号-1X` });
    expect(given.status, JSON.stringify(given.body)).toBe(200);

    const parsed = await issued(keys, claimant.id);
    expect(parsed.digits).not.toBe(taken);
    expect(splitOrganizerNumber(parsed.digits)).toEqual({ year: YEAR, sequence: 602 });
  });

  it("a bureau number past the counter moves it: allocation continues after it", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    await setCounter("54", 700);
    const given = await toBureau(keys, dev, { region: XIZANG });
    const res = await approve(keys, given.id, { registrationNumber: `藏ICP备${YEAR}000750号-3X` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const parsed = await issued(keys, (await toBureau(keys, dev, { region: XIZANG })).id);
    expect(splitOrganizerNumber(parsed.digits)).toEqual({ year: YEAR, sequence: 751 });
    // And that organizer's own next number continues after the bureau's sequence.
    const again = await issued(keys, (await toBureau(keys, dev, { sameOrganizerAs: given.body })).id);
    expect(again.digits).toBe(`${YEAR}000750`);
    expect(again.sequence).toBe(4);
  });
});
