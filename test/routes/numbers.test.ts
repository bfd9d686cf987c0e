import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson, newAccount, newApp, problemsOf, unique, validFiling } from "../support/api";
import { approve } from "../support/lifecycle";

type Keys = { reviewer: string; regulator: string };
type Filing = ReturnType<typeof validFiling>;

const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const NUMBER = new RegExp(`^粤ICP备(${YEAR})(\\d{6})号-([1-9]\\d*)X$`);

async function staffKeys(): Promise<Keys> {
  const [reviewer, regulator] = await Promise.all([newAccount("reviewer"), newAccount("regulator")]);
  return { reviewer: reviewer.key, regulator: regulator.key };
}

/** A `new` filing for a fresh app of `devKey`, naming `organizerOf`'s organizer when given, taken to bureau review. */
async function toBureau(keys: Keys, devKey: string, organizerOf?: Filing) {
  const appId = await newApp(devKey);
  const body = validFiling(appId);
  if (organizerOf) {
    body.organizer = organizerOf.organizer;
    body.service.principal = organizerOf.organizer.principal;
  }
  const sub = await callJson("/v1/filings", { key: devKey, body });
  if (sub.status !== 201) throw new Error(`submit: ${sub.status} ${JSON.stringify(sub.body)}`);
  const id = sub.body.id as string;
  const review = await callJson(`/v1/review/filings/${id}/approve`, { key: keys.reviewer, method: "POST" });
  if (review.status !== 200) throw new Error(`review: ${review.status} ${JSON.stringify(review.body)}`);
  const sms = await callJson(`/v1/regulator/filings/${id}/sms-verified`, { key: keys.regulator, method: "POST" });
  if (sms.status !== 200) throw new Error(`sms: ${sms.status} ${JSON.stringify(sms.body)}`);
  return { id, appId, body };
}

function parse(number: string) {
  const m = NUMBER.exec(number);
  if (!m) throw new Error(`not an allocated number: ${number}`);
  return { organizer: `粤ICP备${m[1]}${m[2]}号`, organizerSeq: Number(m[2]), sequence: Number(m[3]) };
}

describe("concurrent approvals", () => {
  it("give every approval its own number: one organizer's sequences 1..12, other organizers consecutive numbers", async () => {
    const keys = await staffKeys();
    const dev = await newAccount("developer");

    // Twelve mini programs of one organizer (the first one fixes the organizer and principal for the others).
    const first = await toBureau(keys, dev.key);
    const same = [first, ...(await Promise.all(Array.from({ length: 11 }, () => toBureau(keys, dev.key, first.body))))];
    // Six other organizers of the same province.
    const others = await Promise.all(Array.from({ length: 6 }, () => toBureau(keys, dev.key)));

    const all = [...same, ...others];
    const results = await Promise.all(
      all.map((f) => callJson(`/v1/regulator/filings/${f.id}/approve`, { key: keys.regulator, body: {} })),
    );

    // Every approval succeeded: a unique index alone would turn a lost race into a failed approval.
    for (const [i, res] of results.entries()) {
      expect(res.status, `approval ${i}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.status).toBe("approved");
    }
    const numbers = results.map((r) => r.body.registrationNumber as string);
    expect(new Set(numbers).size).toBe(all.length);

    const sameParsed = numbers.slice(0, 12).map(parse);
    expect(new Set(sameParsed.map((p) => p.organizer)).size).toBe(1);
    expect(sameParsed.map((p) => p.sequence).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    const otherParsed = numbers.slice(12).map(parse);
    for (const p of otherParsed) expect(p.sequence).toBe(1);
    const organizerSeqs = [sameParsed[0]?.organizerSeq ?? 0, ...otherParsed.map((p) => p.organizerSeq)].sort(
      (a, b) => a - b,
    );
    expect(new Set(organizerSeqs).size).toBe(7);
    const lowest = organizerSeqs[0] ?? 0;
    expect(organizerSeqs).toEqual(Array.from({ length: 7 }, (_, i) => lowest + i));

    // The stored side agrees: each filing's registration, app and public record carry its number.
    for (const [i, f] of all.entries()) {
      const reg = await env.DB.prepare("select number, status, version from registrations where filing_id = ?")
        .bind(f.id)
        .first<{ number: string; status: string; version: number }>();
      expect(reg).toEqual({ number: numbers[i], status: "active", version: 1 });
      const app = await callJson(`/v1/apps/${f.appId}`, { key: dev.key });
      expect(app.body.registrationNumber).toBe(numbers[i]);
    }
    const records = await env.DB.prepare(
      `select count(*) as n from public_records where service_licence in (${numbers.map(() => "?").join(",")})`,
    )
      .bind(...numbers)
      .first<{ n: number }>();
    expect(records?.n).toBe(all.length);
    const organizer = await env.DB.prepare(
      "select last_sequence as last, organizer_number as number from organizers where organizer_number = ?",
    )
      .bind(sameParsed[0]?.organizer ?? "")
      .first<{ last: number; number: string }>();
    expect(organizer).toEqual({ last: 12, number: sameParsed[0]?.organizer });
  }, 60_000);

  it("approving one filing twice at once issues one number and refuses the other with 409", async () => {
    const keys = await staffKeys();
    const dev = await newAccount("developer");
    const f = await toBureau(keys, dev.key);
    const [a, b] = await Promise.all([
      callJson(`/v1/regulator/filings/${f.id}/approve`, { key: keys.regulator, body: {} }),
      callJson(`/v1/regulator/filings/${f.id}/approve`, { key: keys.regulator, body: {} }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((a.status === 409 ? a : b).body.code).toBe("INVALID_TRANSITION");
    const rows = await env.DB.prepare("select number from registrations where app_id = ?")
      .bind(f.appId)
      .all<{ number: string }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]?.number).toBe((a.status === 200 ? a : b).body.registrationNumber);
    const history = await env.DB.prepare("select count(*) as n from filing_history where filing_id = ?")
      .bind(f.id)
      .first<{ n: number }>();
    expect(history?.n).toBe(4);
  });
});

describe("change approvals", () => {
  it("keep the number and add a version", async () => {
    const keys = await staffKeys();
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const body = validFiling(appId);
    const sub = await callJson("/v1/filings", { key: dev.key, body });
    expect(sub.status).toBe(201);
    const approved = await approve(sub.body.id, keys);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const number = approved.body.registrationNumber as string;
    parse(number);

    const newName = `${body.service.name}Plus`;
    const change = { ...body, type: "change", service: { ...body.service, name: newName } };
    const changed = await callJson("/v1/filings", { key: dev.key, body: change });
    expect(changed.status, JSON.stringify(changed.body)).toBe(201);
    const changeApproved = await approve(changed.body.id, keys);
    expect(changeApproved.status, JSON.stringify(changeApproved.body)).toBe(200);
    expect(changeApproved.body).toMatchObject({ type: "change", status: "approved", registrationNumber: number });

    const reg = await env.DB.prepare(
      "select number, version, status, filing_id as filingId, service_name as serviceName from registrations where app_id = ?",
    )
      .bind(appId)
      .all<{ number: string; version: number; status: string; filingId: string; serviceName: string }>();
    expect(reg.results).toEqual([
      { number, version: 2, status: "active", filingId: changed.body.id, serviceName: newName },
    ]);

    const versions = await env.DB.prepare(
      "select version, filing_id as filingId, service_name as serviceName from registration_versions where number = ? order by version",
    )
      .bind(number)
      .all<{ version: number; filingId: string; serviceName: string }>();
    expect(versions.results).toEqual([
      { version: 1, filingId: sub.body.id, serviceName: body.service.name },
      { version: 2, filingId: changed.body.id, serviceName: newName },
    ]);

    const record = await callJson(`/v1/public/registrations/${encodeURIComponent(number)}`);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({
      serviceLicence: number,
      serviceName: newName,
      status: "active",
      limitAccess: "否",
    });

    // A bureau number on a change must be the registration's own.
    const again = await callJson("/v1/filings", {
      key: dev.key,
      body: { ...change, service: { ...change.service, name: `${newName}2` } },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    await callJson(`/v1/review/filings/${again.body.id}/approve`, { key: keys.reviewer, method: "POST" });
    await callJson(`/v1/regulator/filings/${again.body.id}/sms-verified`, { key: keys.regulator, method: "POST" });
    const other = number.replace(/-(\d+)X$/, (_m, n) => `-${Number(n) + 1}X`);
    const refused = await callJson(`/v1/regulator/filings/${again.body.id}/approve`, {
      key: keys.regulator,
      body: { registrationNumber: other },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("REGISTRATION_NUMBER_INVALID");
    const kept = await callJson(`/v1/regulator/filings/${again.body.id}/approve`, {
      key: keys.regulator,
      body: { registrationNumber: number },
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    const v3 = await env.DB.prepare("select max(version) as v from registration_versions where number = ?")
      .bind(number)
      .first<{ v: number }>();
    expect(v3?.v).toBe(3);
  }, 30_000);
});

describe("allocation next to bureau-assigned numbers", () => {
  it("never allocates an organizer number the bureau already assigned this year", async () => {
    const keys = await staffKeys();
    const dev = await newAccount("developer");
    // The last organizer sequence of 粤 this year: allocated or claimed (the counter) or held (bureau-issued).
    const row = await env.DB.prepare(
      `select max(
         coalesce((select last_sequence from organizer_number_counters where province = '44' and year = ?1), 0),
         coalesce((select max(cast(substr(organizer_digits, 5) as integer)) from organizers
           where province = '44' and length(organizer_digits) = 10 and substr(organizer_digits, 1, 4) = cast(?1 as text)), 0)
       ) as n`,
    )
      .bind(YEAR)
      .first<{ n: number }>();
    const next = `${YEAR}${String((row?.n ?? 0) + 1).padStart(6, "0")}`;
    const byBureau = await toBureau(keys, dev.key);
    const given = await callJson(`/v1/regulator/filings/${byBureau.id}/approve`, {
      key: keys.regulator,
      body: { registrationNumber: `粤ICP备${next}号-1X` },
    });
    expect(given.status, JSON.stringify(given.body)).toBe(200);

    const allocated = await toBureau(keys, dev.key);
    const res = await callJson(`/v1/regulator/filings/${allocated.id}/approve`, { key: keys.regulator, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const number = parse(res.body.registrationNumber);
    expect(number.organizer).not.toBe(`粤ICP备${next}号`);
    expect(number.organizerSeq).toBe((row?.n ?? 0) + 2);
    expect(number.sequence).toBe(1);
  });

  it("two new organizers given one bureau organizer number at once: one approved, the other refused as 422", async () => {
    const keys = await staffKeys();
    const dev = await newAccount("developer");
    // Several pairs, so that some of them really race (both checks pass, one batch collides).
    for (let pair = 0; pair < 4; pair++) {
      const [a, b] = await Promise.all([toBureau(keys, dev.key), toBureau(keys, dev.key)]);
      const digits = `2018${String(unique()).padStart(6, "0").slice(-6)}`;
      const results = await Promise.all([
        callJson(`/v1/regulator/filings/${a.id}/approve`, {
          key: keys.regulator,
          body: { registrationNumber: `粤ICP备${digits}号-1X` },
        }),
        callJson(`/v1/regulator/filings/${b.id}/approve`, {
          key: keys.regulator,
          body: { registrationNumber: `粤ICP备${digits}号-2X` },
        }),
      ]);
      expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([200, 422]);
      const refused = results.find((r) => r.status === 422);
      expect(refused?.body.code).toBe("REGISTRATION_NUMBER_INVALID");
      expect(problemsOf(refused?.body).map((p) => p.path)).toEqual(["registrationNumber"]);
      const loser = results[0]?.status === 422 ? a : b;
      const state = await env.DB.prepare("select status from filings where id = ?")
        .bind(loser.id)
        .first<{ status: string }>();
      expect(state?.status).toBe("bureau_review");
      const owners = await env.DB.prepare("select count(*) as n from organizers where organizer_digits = ?")
        .bind(digits)
        .first<{ n: number }>();
      expect(owners?.n).toBe(1);
    }
  }, 30_000);
});
