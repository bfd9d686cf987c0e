import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runEnforcement } from "../../src/jobs/enforcement";
import {
  adminKey,
  callJson,
  developerWithApp,
  newAccount,
  newApp,
  problemsOf,
  unique,
  validFiling,
} from "../support/api";
import { DAY, importScenarioApps, policyScenario } from "../support/enforcement";
import { makeResidentId, makeUscc } from "../support/identifiers";
import { approve, approveAtBureau, staff } from "../support/lifecycle";

// POST /v1/admin/registrations/import (docs/rules.md#registration-import): the bureau's numbers of the platform's
// catalogue taken in, linked to their apps, looked up and searched, and seen by enforcement as filed.

const importRegistrations = (registrations: unknown[]) =>
  callJson("/v1/admin/registrations/import", { key: adminKey(), body: { registrations } });

const client = () => ({ "cf-connecting-ip": `198.51.100.${unique() % 250}` });
const get = (path: string) => callJson(path, { headers: client() });

async function searchNumbers(q: string): Promise<string[]> {
  const res = await get(`/v1/public/search?q=${encodeURIComponent(q)}&pageSize=50`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((r: { serviceLicence: string }) => r.serviceLicence);
}

/** Digits no other test uses: `width` digits from a fresh counter value. */
const digitsOf = (n: number, width: number) => String(n).padStart(width, "0").slice(-width);

type Family = "icp_filing" | "icp_licence" | "telecom_licence";
const FAMILIES: Family[] = ["icp_filing", "icp_licence", "telecom_licence"];

/** A fresh main licence of `family` (each with its own organizer), and a service number under it. */
function numberOf(family: Family, sequence = 1) {
  const n = unique();
  const mainLicence =
    family === "icp_filing"
      ? `粤ICP备2022${digitsOf(n, 6)}号`
      : family === "icp_licence"
        ? `京ICP证${digitsOf(n, 6)}号`
        : `沪B2-${digitsOf(n, 8)}`;
  return { mainLicence, number: `${mainLicence}-${sequence}X` };
}

/** One import row: an organization with a USCC, or an individual with a resident ID, or either without one. */
function rowOf(family: Family, opts: { appId?: string; individual?: boolean; certificate?: boolean } = {}) {
  const { mainLicence, number } = numberOf(family);
  const individual = opts.individual ?? false;
  const withCertificate = opts.certificate ?? true;
  return {
    mainLicence,
    row: {
      number,
      ...(opts.appId ? { appId: opts.appId } : {}),
      organizer: {
        nature: individual ? "individual" : "enterprise",
        name: individual ? `张${unique()}` : `存量主体${unique()}有限公司`,
        ...(withCertificate
          ? {
              certificate: individual
                ? { type: "resident_id", number: makeResidentId({ province: "44" }) }
                : { type: "uscc", number: makeUscc() },
            }
          : {}),
      },
      service: { name: `存量服务${unique()}` },
      approvedAt: "2023-05-01T10:00:00+08:00",
    },
  };
}

describe("POST /v1/admin/registrations/import", () => {
  it("10,000 registrations of every family for 10,000 listed apps: none is delisted after the deadline", async () => {
    const s = await policyScenario(new Date("2024-03-31T15:59:59Z"));
    const appIds: string[] = [];
    for (let call = 0; call < 10; call++) {
      appIds.push(
        ...(await importScenarioApps(
          s,
          Array.from({ length: 1000 }, () => ({ listed: true })),
        )),
      );
    }
    // One listed app left without a registration: enforcement does delist it.
    const [control] = await importScenarioApps(s, [{ listed: true }]);
    const rows = appIds.map((appId, i) =>
      rowOf(FAMILIES[i % 3] as Family, { appId, individual: i % 3 === 0 && i % 2 === 0, certificate: i % 5 !== 0 }),
    );
    for (let start = 0; start < rows.length; start += 1000) {
      const res = await importRegistrations(rows.slice(start, start + 1000).map((r) => r.row));
      expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
      expect(res.body).toEqual({ imported: 1000, updated: 0, unchanged: 0 });
    }

    let run = await runEnforcement(env, new Date(s.deadline.getTime() + 60_000));
    for (let i = 1; run.ran && !run.completed; i++) {
      run = await runEnforcement(env, new Date(s.deadline.getTime() + 60_000 + i * 600_000));
    }
    const delisted = await env.DB.prepare(
      `select count(*) as n from apps where app_id in (select value from json_each(?)) and listing_status <> 'listed'`,
    )
      .bind(JSON.stringify(appIds))
      .first<{ n: number }>();
    expect(delisted?.n).toBe(0);
    const controlState = await env.DB.prepare("select listing_status, delist_reason from apps where app_id = ?")
      .bind(control)
      .first();
    expect(controlState).toEqual({ listing_status: "delisted", delist_reason: "deadline" });
    const stored = await env.DB.prepare(
      `select count(*) as n from registrations where source = 'imported' and status = 'active'
       and app_id in (select value from json_each(?))`,
    )
      .bind(JSON.stringify(appIds))
      .first<{ n: number }>();
    expect(stored?.n).toBe(10_000);

    // Each family is found by lookup, by its main licence and by its number without the suffix.
    for (const family of FAMILIES) {
      const { row, mainLicence } = rows[FAMILIES.indexOf(family) + 3] as (typeof rows)[number];
      const record = await get(`/v1/public/registrations/${encodeURIComponent(row.number)}`);
      expect(record.status, JSON.stringify(record.body)).toBe(200);
      expect(record.body).toMatchObject({ serviceLicence: row.number, mainLicence, status: "active" });
      expect(await searchNumbers(mainLicence)).toEqual([row.number]);
      expect(await searchNumbers(row.number.replace(/X$/, ""))).toEqual([row.number]);
    }
    // An individual's name is masked.
    const individual = rows[0]?.row as (typeof rows)[number]["row"];
    const record = await get(`/v1/public/registrations/${encodeURIComponent(individual.number)}`);
    expect(record.body.unitName).toMatch(/^张\*+$/);
  }, 600_000);

  it("is idempotent by number: a replay changes nothing, a changed row updates", async () => {
    const rows = FAMILIES.map((f) => rowOf(f).row);
    expect((await importRegistrations(rows)).body).toEqual({ imported: 3, updated: 0, unchanged: 0 });
    expect((await importRegistrations(rows)).body).toEqual({ imported: 0, updated: 0, unchanged: 3 });
    const changed = rows.map((r, i) => (i === 0 ? { ...r, service: { name: "改名后的服务" } } : r));
    expect((await importRegistrations(changed)).body).toEqual({ imported: 0, updated: 1, unchanged: 2 });
    const record = await get(`/v1/public/registrations/${encodeURIComponent(rows[0]?.number as string)}`);
    expect(record.body.serviceName).toBe("改名后的服务");
    const verify = await callJson("/v1/admin/audit/verify", { key: adminKey() });
    expect(verify.body.ok).toBe(true);
  });

  it("refuses the whole call, every problem at its row: a main licence another organizer holds, unknown apps", async () => {
    const first = rowOf("telecom_licence");
    expect((await importRegistrations([first.row])).status).toBe(200);
    // Another organizer (another certificate) under the same licence.
    const other = { ...rowOf("telecom_licence").row, number: `${first.mainLicence}-2X` };
    const good = rowOf("icp_filing").row;
    const unknownApp = { ...rowOf("icp_licence").row, appId: "wxnosuchapp0001" };
    const res = await importRegistrations([good, other, unknownApp, { ...good }]);
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: "registrations[1].number", code: "MAIN_LICENCE_TAKEN" },
        { path: "registrations[2].appId", code: "UNKNOWN_APP" },
        { path: "registrations[3].number", code: "DUPLICATE" },
      ]),
    );
    // Nothing of it was written.
    expect((await get(`/v1/public/registrations/${encodeURIComponent(good.number)}`)).status).toBe(404);
  });

  it("reserves the main licence: the same organizer's next number joins it and moves its sequence on", async () => {
    const first = rowOf("icp_filing");
    expect((await importRegistrations([first.row])).status).toBe(200);
    const second = { ...first.row, number: `${first.mainLicence}-2X`, service: { name: `第二个服务${unique()}` } };
    expect((await importRegistrations([second])).body).toEqual({ imported: 1, updated: 0, unchanged: 0 });
    const organizers = await env.DB.prepare(
      `select count(distinct organizer_id) as n, max(o.last_sequence) as last from registrations r
       join organizers o on o.id = r.organizer_id where r.number in (?, ?)`,
    )
      .bind(first.row.number, second.number)
      .first<{ n: number; last: number }>();
    expect(organizers).toEqual({ n: 1, last: 2 });
    // The organizer renamed on one row is renamed on every public record of it.
    const renamed = { ...second, organizer: { ...second.organizer, name: `改名后的主体${unique()}有限公司` } };
    expect((await importRegistrations([renamed])).body).toEqual({ imported: 0, updated: 1, unchanged: 0 });
    const record = await get(`/v1/public/registrations/${encodeURIComponent(first.row.number)}`);
    expect(record.body.unitName).toBe(renamed.organizer.name);
  });

  it("relists an app delisted for its deadline, with app.relisted, and its filing status says imported", async () => {
    const s = await policyScenario(new Date("2024-06-30T15:59:59Z"));
    const [appId] = await importScenarioApps(s, [{ listed: true }]);
    await runEnforcement(env, new Date(s.deadline.getTime() + DAY));
    const before = await env.DB.prepare("select listing_status, delist_reason from apps where app_id = ?")
      .bind(appId)
      .first();
    expect(before).toEqual({ listing_status: "delisted", delist_reason: "deadline" });
    const { row } = rowOf("icp_filing", { appId });
    expect((await importRegistrations([row])).status).toBe(200);
    const after = await env.DB.prepare("select listing_status from apps where app_id = ?").bind(appId).first();
    expect(after).toEqual({ listing_status: "listed" });
    const events = await env.DB.prepare(
      "select count(*) as n from events where type = 'app.relisted' and json_extract(data, '$.appId') = ?",
    )
      .bind(appId)
      .first<{ n: number }>();
    expect(events?.n).toBe(1);
    const status = await callJson(`/v1/apps/${appId}/filing-status`, { key: s.owner.key });
    expect(status.status, JSON.stringify(status.body)).toBe(200);
    expect(JSON.stringify(status.body)).toContain('"imported"');
  });

  it("takes a 1,000-row body over 256 KiB", async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const { row } = rowOf(FAMILIES[i % 3] as Family);
      return { ...row, service: { ...row.service, contentTypeName: "网络新闻,网络出版,网络文化" } };
    });
    expect(new TextEncoder().encode(JSON.stringify({ registrations: rows })).byteLength).toBeGreaterThan(256 * 1024);
    const res = await importRegistrations(rows);
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
  });

  it("a change, then a cancellation, filed on an imported registration", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const filing = validFiling(appId);
    const { row } = rowOf("icp_filing", { appId });
    const imported = {
      ...row,
      organizer: {
        nature: "enterprise",
        name: filing.organizer.name,
        certificate: { type: "uscc", number: filing.organizer.certificate.number },
      },
    };
    expect((await importRegistrations([imported])).status).toBe(200);

    const change = await callJson("/v1/filings", { key: dev.key, body: { ...filing, type: "change" } });
    expect(change.status, JSON.stringify(change.body)).toBe(201);
    const changed = await approve(change.body.id, keys);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.registrationNumber).toBe(row.number);
    const record = await get(`/v1/public/registrations/${encodeURIComponent(row.number)}`);
    expect(record.body).toMatchObject({ serviceName: filing.service.name, status: "active" });
    // The filing changed it: the catalogue's older data no longer replaces it.
    const again = await importRegistrations([imported]);
    expect(problemsOf(again.body)).toEqual([{ path: "registrations[0].number", code: "REGISTRATION_NUMBER_INVALID" }]);

    const cancel = await callJson("/v1/filings", {
      key: dev.key,
      body: { type: "cancel", appId, scope: "service", reason: "no_longer_operated" },
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    const cancelled = await approveAtBureau(cancel.body.id, keys);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const ended = await get(`/v1/public/registrations/${encodeURIComponent(row.number)}`);
    expect(ended.body.status).toBe("cancelled");
  });

  it("an organizer imported without its certificate is known by it after a change filing", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const filing = validFiling(appId);
    const { row } = rowOf("icp_filing", { appId, certificate: false });
    expect((await importRegistrations([row])).status).toBe(200);
    const change = await callJson("/v1/filings", { key: dev.key, body: { ...filing, type: "change" } });
    expect(change.status, JSON.stringify(change.body)).toBe(201);
    expect((await approve(change.body.id, keys)).status).toBe(200);
    const organizer = await env.DB.prepare(
      `select o.certificate_blind as k from organizers o join registrations r on r.organizer_id = o.id
       where r.number = ?`,
    )
      .bind(row.number)
      .first<{ k: string }>();
    expect(organizer?.k).not.toMatch(/^licence:/);
  });

  it("an organizer known by name gains its certificate, and rows of that certificate join it", async () => {
    const byName = rowOf("telecom_licence", { certificate: false });
    expect((await importRegistrations([byName.row])).status).toBe(200);
    const certificate = { type: "uscc", number: makeUscc() };
    const organizer = { ...byName.row.organizer, certificate };
    const elsewhere = { ...rowOf("telecom_licence").row, organizer };
    const same = { ...byName.row, number: `${byName.mainLicence}-2X`, organizer };
    const res = await importRegistrations([elsewhere, same]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ids = await env.DB.prepare(
      "select count(distinct organizer_id) as n from registrations where number in (?, ?, ?)",
    )
      .bind(byName.row.number, elsewhere.number, same.number)
      .first<{ n: number }>();
    expect(ids?.n).toBe(1);
  });

  it("holds its free text to the text rule", async () => {
    const { row } = rowOf("icp_filing");
    const bad = {
      ...row,
      organizer: { ...row.organizer, name: "示例\u001b[2J公司" },
      service: { name: "服务\u202e", contentTypeName: "新闻\u0000" },
    };
    // Invisible characters too: an imported name is shown on the public record as it is.
    const invisible = await importRegistrations([
      { ...row, organizer: { ...row.organizer, name: "示例\u200b公司" }, service: { name: "示例\u2060服务" } },
    ]);
    expect(invisible.status).toBe(422);
    expect(problemsOf(invisible.body)).toEqual(
      expect.arrayContaining([
        { path: "registrations[0].organizer.name", code: "INVALID_CHARACTERS" },
        { path: "registrations[0].service.name", code: "INVALID_CHARACTERS" },
      ]),
    );
    const res = await importRegistrations([bad]);
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: "registrations[0].organizer.name", code: "INVALID_CHARACTERS" },
        { path: "registrations[0].service.name", code: "INVALID_CHARACTERS" },
        { path: "registrations[0].service.contentTypeName", code: "INVALID_CHARACTERS" },
      ]),
    );
  });

  it("is for admins only", async () => {
    const dev = await newAccount("developer");
    const res = await callJson("/v1/admin/registrations/import", { key: dev.key, body: { registrations: [] } });
    expect(res.status).toBe(403);
  });
});

describe("an imported registration read back", () => {
  it("shows what the import brought, its certificate number masked", async () => {
    const { dev, appId } = await developerWithApp();
    const { row } = rowOf("icp_filing", { appId });
    const imported = await importRegistrations([row]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const read = await callJson(`/v1/apps/${appId}/registration`, { key: dev.key });
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body).toMatchObject({ number: row.number, status: "active", source: "imported" });
    const certificate = row.organizer.certificate as { type: string; number: string };
    expect(read.body.request).toEqual({
      type: "change",
      appId,
      organizer: {
        nature: row.organizer.nature,
        name: row.organizer.name,
        certificate: { type: certificate.type, number: expect.stringMatching(/^.{4}\*+.{4}$/) },
      },
      service: { name: row.service.name },
    });
    expect(JSON.stringify(read.body)).not.toContain(certificate.number);
  });
});
