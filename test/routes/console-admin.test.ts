import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readCsvCell } from "../../src/domain/registry-csv";
import { runEnforcement } from "../../src/jobs/enforcement";
import { adminKey, callJson, newAccount, unique, validFiling } from "../support/api";
import { ConsoleBrowser } from "../support/console";
import { DAY, importScenarioApps, policyScenario } from "../support/enforcement";
import { approve, staff } from "../support/lifecycle";

const COUNTS = ["covered", "filed", "unfiled", "reminded", "delisted", "relisted"] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

async function adminBrowser(key = adminKey()): Promise<ConsoleBrowser> {
  const b = new ConsoleBrowser();
  const res = await b.signIn(key);
  expect(res.status).toBe(303);
  return b;
}

/** The "now" counts of one scope's table on the dashboard (its section carries `data-scope`). */
function countsOnPage(html: string, scope: string): Counts {
  const section = new RegExp(`data-scope="${scope.replace(/[*]/g, "\\*")}"[\\s\\S]*?</section>`).exec(html)?.[0];
  expect(section, `section of ${scope}`).toBeDefined();
  return Object.fromEntries(
    COUNTS.map((k) => [k, Number(new RegExp(`data-count="${k}">(\\d+)<`).exec(section ?? "")?.[1])]),
  ) as Counts;
}

/** A CSV answer's rows as arrays of cells (the exports quote no cell these tests look at). */
async function csvRows(res: Response): Promise<string[][]> {
  const text = (await res.text()).replace(/^\uFEFF/, "");
  return text
    .split("\r\n")
    .filter(Boolean)
    .map((line) => line.split(",").map(readCsvCell));
}

const PAGES = [
  "/console/admin",
  "/console/admin/accounts",
  "/console/admin/accounts/acc_any",
  "/console/admin/audit",
  "/console/admin/export/coverage.csv",
  "/console/admin/export/runs.csv",
  "/console/admin/export/deliveries.csv",
  "/console/admin/export/accounts.csv",
  "/console/admin/export/audit.csv",
  "/console/admin/accounts/acc_any/keys.csv",
];
const FORMS = [
  "/console/admin/accounts",
  "/console/admin/accounts/acc_any/keys",
  "/console/admin/accounts/acc_any/keys/key_any/revoke",
];

describe("operator dashboard: who may open it", () => {
  it("opens for an admin account and for the bootstrap admin key", async () => {
    const admin = await newAccount("admin");
    for (const key of [admin.key, adminKey()]) {
      const b = await adminBrowser(key);
      const page = await b.get("/console/admin");
      expect(page.status).toBe(200);
      expect(page.html).toContain('role="img"');
      expect(page.html).toMatch(/<title id="chart-0-title">/);
      expect(page.html).toMatch(/<desc id="chart-0-desc">/);
      expect(page.html).toContain("/console/admin/export/coverage.csv");
      expect(page.html).not.toContain(key);
      expect((await b.get("/console/admin/accounts")).status).toBe(200);
    }
  });

  it("refuses the four other roles (403) on every page and form, and sends anonymous callers to sign in", async () => {
    for (const role of ["developer", "provider", "reviewer", "regulator"] as const) {
      const account = await newAccount(role);
      const b = new ConsoleBrowser();
      expect((await b.signIn(account.key)).status).toBe(303);
      for (const path of PAGES) expect((await b.fetch(path)).status, `${role} GET ${path}`).toBe(403);
      for (const path of FORMS)
        expect((await b.post(path, { name: "x", role: "admin" })).status, `${role} POST ${path}`).toBe(403);
      // Nothing was created by the refused form.
      const accounts = await env.DB.prepare("select count(*) as n from accounts where name = 'x'").first<{
        n: number;
      }>();
      expect(accounts?.n).toBe(0);
    }
    const anonymous = new ConsoleBrowser();
    for (const path of PAGES) {
      const res = await anonymous.fetch(path);
      expect(res.status, `anonymous GET ${path}`).toBe(303);
      expect(res.headers.get("location")).toMatch(/^\/console\/login/);
    }
    for (const path of FORMS) expect((await anonymous.post(path, { name: "x" })).status).toBe(401);
  });

  it("refuses a form without the session's CSRF token (403) and changes nothing", async () => {
    const b = await adminBrowser();
    await b.get("/console/admin/accounts");
    const name = `无令牌账号${unique()}`;
    expect((await b.post("/console/admin/accounts", { name, role: "developer" }, { csrf: null })).status).toBe(403);
    expect((await b.post("/console/admin/accounts", { name, role: "developer" }, { csrf: "forged" })).status).toBe(403);
    const dev = await newAccount("developer");
    expect((await b.post(`/console/admin/accounts/${dev.id}/keys`, {}, { csrf: null })).status).toBe(403);
    expect(
      (await b.post(`/console/admin/accounts/${dev.id}/keys/${dev.keyId}/revoke`, {}, { csrf: null })).status,
    ).toBe(403);
    const rows = await env.DB.prepare("select count(*) as n from accounts where name = ?")
      .bind(name)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
    const keys = await env.DB.prepare(
      "select count(*) as n, max(revoked_at) as revoked from api_keys where account_id = ?",
    )
      .bind(dev.id)
      .first<{ n: number; revoked: string | null }>();
    expect(keys).toEqual({ n: 1, revoked: null });
  });
});

describe("operator dashboard: deadline policies", () => {
  it("counts a policy's apps filed, unfiled, reminded, delisted and relisted, as the API and D1 hold them, day by day", async () => {
    const keys = await staff();
    const s = await policyScenario(new Date("2037-03-31T15:59:59Z"));
    // filedEarly: filed before any reminder; left: never files; late: delisted, then filed (relisted);
    // unlisted and listedAfter: not covered.
    const [filedEarly, left, late] = await importScenarioApps(s, [
      { listed: true },
      { listed: true },
      { listed: true },
      { listed: false },
      { listed: true, listedDaysBeforeCutoff: -3 },
    ]);
    const file = async (appId: string) => {
      const filing = await callJson("/v1/filings", { key: s.owner.key, body: validFiling(appId) });
      expect(filing.status, JSON.stringify(filing.body)).toBe(201);
      expect((await approve(filing.body.id, keys)).status).toBe(200);
    };
    await file(filedEarly as string);
    // Eight days before: the 30-day reminder to `left` and `late`; the day's counts are kept.
    await runEnforcement(env, new Date(s.deadline.getTime() - 8 * DAY));
    // After the deadline: both are delisted (another day, kept too); then `late` files and is listed again.
    await runEnforcement(env, new Date(s.deadline.getTime() + 60_000));
    await file(late as string);

    const expected: Counts = { covered: 3, filed: 2, unfiled: 1, reminded: 2, delisted: 1, relisted: 1 };
    const api = await callJson("/v1/admin/coverage?days=366", { key: adminKey() });
    expect(api.status).toBe(200);
    const policy = api.body.policies.find((p: { id: string }) => p.id === s.policyId);
    expect(policy.counts).toEqual(expected);
    const states = await env.DB.prepare(
      "select app_id, listing_status as s from apps where app_id in (?, ?, ?) order by app_id",
    )
      .bind(filedEarly, left, late)
      .all<{ app_id: string; s: string }>();
    expect(Object.fromEntries(states.results.map((r) => [r.app_id, r.s]))).toEqual({
      [filedEarly as string]: "listed",
      [left as string]: "delisted",
      [late as string]: "listed",
    });
    // The catalogue counts every app (the unlisted one and the one listed after the cutoff too), as D1 holds them.
    const catalogue = await env.DB.prepare(
      `select count(*) as covered,
        sum(exists (select 1 from registrations r where r.app_id = a.app_id and r.status = 'active')) as filed,
        sum(a.listing_status = 'delisted' and a.delist_reason = 'deadline') as delisted
       from apps a`,
    ).first<{ covered: number; filed: number; delisted: number }>();
    expect(api.body.catalogue).toMatchObject(catalogue ?? {});
    expect(api.body.catalogue.filed + api.body.catalogue.unfiled).toBe(api.body.catalogue.covered);

    // The cron kept one row per day for the policy: before the deadline (two reminded, none delisted), and after it.
    const days = api.body.history.filter((h: { scope: string }) => h.scope === s.policyId);
    expect(days).toEqual([
      {
        scope: s.policyId,
        day: "2037-03-23",
        covered: 3,
        filed: 1,
        unfiled: 2,
        reminded: 2,
        delisted: 0,
        relisted: 0,
      },
      {
        scope: s.policyId,
        day: "2037-03-31",
        covered: 3,
        filed: 1,
        unfiled: 2,
        reminded: 2,
        delisted: 2,
        relisted: 0,
      },
    ]);
    // A second run the same day keeps the first count.
    await runEnforcement(env, new Date(s.deadline.getTime() + 20 * 60_000));
    const again = await callJson("/v1/admin/coverage?days=366", { key: adminKey() });
    expect(again.body.history.filter((h: { scope: string }) => h.scope === s.policyId)).toEqual(days);

    // The dashboard shows the same numbers in the policy's table, and the chart has a point per day and now.
    const b = await adminBrowser();
    const page = await b.get("/console/admin");
    expect(page.status).toBe(200);
    expect(countsOnPage(page.html, s.policyId)).toEqual(expected);
    expect(countsOnPage(page.html, "*")).toEqual(Object.fromEntries(COUNTS.map((k) => [k, again.body.catalogue[k]])));
    const section = new RegExp(`data-scope="${s.policyId}"[\\s\\S]*?</section>`).exec(page.html)?.[0] ?? "";
    expect(section).toContain("2037-03-23");
    expect(section).toContain("2037-03-31");
    expect(section.match(/<polyline/g)?.length).toBe(5);
    expect(section.match(/<circle/g)?.length).toBe(5 * 3);
    expect(page.html).toContain("<svg");

    // English too.
    const en = await b.get("/console/admin?lang=en");
    expect(en.html).toContain("Deadline policies");
    expect(en.html).toContain("Relisted");

    // The CSV export answers the same rows: one per kept day and one for now.
    const csv = await b.fetch("/console/admin/export/coverage.csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="coverage-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = await csvRows(csv);
    expect(rows[0]).toEqual(["scope", "name", "day", ...COUNTS]);
    const mine = rows.filter((r) => r[0] === s.policyId);
    expect(mine.map((r) => r[2])).toEqual(["2037-03-23", "2037-03-31", expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
    expect(mine[0]?.slice(3).map(Number)).toEqual([3, 1, 2, 2, 0, 0]);
    expect(mine[2]?.slice(3).map(Number)).toEqual(COUNTS.map((k) => expected[k]));
    // Two approvals and four cron runs: more than the default 5 s on a loaded machine.
  }, 30_000);
});

describe("operator dashboard: runs, dead deliveries, audit", () => {
  it("lists the last enforcement runs and exports them", async () => {
    const when = new Date(`2038-0${(unique() % 9) + 1}-11T02:10:00Z`);
    const outcome = await runEnforcement(env, when);
    expect(outcome.ran).toBe(true);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ completed: true });
    const b = await adminBrowser();
    const page = await b.get("/console/admin");
    expect(page.html).toContain(`${when.toISOString().slice(0, 10)} 02:10 UTC`);
    const csv = await csvRows(await b.fetch("/console/admin/export/runs.csv"));
    expect(csv[0]).toEqual(["id", "scheduledTime", "startedAt", "finishedAt", "completed", "counts", "error"]);
    const run = csv.find((r) => r[1] === when.toISOString());
    expect(run?.[0]).toBe(outcome.ran ? outcome.runId : "");
    expect(run?.[4]).toBe("true");
  });

  it("lists dead webhook deliveries of every account with the account and event, in the API and the CSV", async () => {
    const [one, two] = [await newAccount("developer"), await newAccount("provider")];
    const at = new Date().toISOString();
    const ids: string[] = [];
    for (const [n, account] of [one, two].entries()) {
      const eventId = `evt_dead_${unique()}`;
      const id = `dlv_dead_${unique()}_${n}`;
      ids.push(id);
      await env.DB.batch([
        env.DB.prepare(
          "insert into events (id, account_id, type, data, created_at, dispatched_at) values (?, ?, 'app.deadline_reminder', '{}', ?, ?)",
        ).bind(eventId, account.id, at, at),
        env.DB.prepare(
          `insert into webhook_deliveries (id, event_id, account_id, status, attempts, last_status, last_error, created_at, updated_at)
           values (?, ?, ?, 'dead', 8, 500, 'status: the receiver answered 500', ?, ?)`,
        ).bind(id, eventId, account.id, at, at),
      ]);
    }
    const api = await callJson("/v1/admin/webhook-deliveries?limit=200", { key: adminKey() });
    expect(api.status).toBe(200);
    const listed = api.body.items.filter((d: { id: string }) => ids.includes(d.id));
    expect(listed.map((d: { accountId: string }) => d.accountId).sort()).toEqual([one.id, two.id].sort());
    expect(listed[0]).toMatchObject({
      status: "dead",
      attempts: 8,
      lastStatus: 500,
      eventType: "app.deadline_reminder",
    });
    // Only admins: an account reads its own deliveries at /v1/webhook/deliveries.
    expect((await callJson("/v1/admin/webhook-deliveries", { key: one.key })).status).toBe(403);

    const b = await adminBrowser();
    const page = await b.get("/console/admin");
    for (const account of [one, two]) expect(page.html).toContain(account.id);
    const rows = await csvRows(await b.fetch("/console/admin/export/deliveries.csv"));
    expect(rows[0]?.[0]).toBe("id");
    expect(rows.filter((r) => ids.includes(r[0] ?? "")).length).toBe(2);
  });

  it("verifies the audit chain on its page and exports what it found", async () => {
    const b = await adminBrowser();
    const page = await b.get("/console/admin/audit");
    expect(page.status).toBe(200);
    expect(page.html).toContain("审计链完整");
    const rows = await csvRows(await b.fetch("/console/admin/export/audit.csv"));
    expect(rows).toEqual([["subject", "seq", "reason"]]);
  });
});

describe("operator dashboard: accounts and keys", () => {
  it("creates an account and a key through the console, shows the key once, and revoking it ends its session", async () => {
    const b = await adminBrowser();
    await b.get("/console/admin/accounts");
    const name = `控制台账号${unique()}`;
    const created = await b.post("/console/admin/accounts", { name, role: "developer" });
    expect(created.status).toBe(303);
    const location = created.headers.get("location") ?? "";
    const id = /^\/console\/admin\/accounts\/([^?]+)\?created=1$/.exec(location)?.[1] ?? "";
    expect(id).toMatch(/^acc_/);
    const account = await b.get(location);
    expect(account.status).toBe(200);

    const made = await b.post(`/console/admin/accounts/${id}/keys`);
    expect(made.status).toBe(200);
    const html = await made.text();
    const key = /<code class="new-key">(bk_[\w-]+)<\/code>/.exec(html)?.[1] ?? "";
    expect(key).toMatch(/^bk_/);
    expect(made.headers.get("cache-control")).toBe("no-store");
    // Once: the account's page never shows it again, nor does the export.
    const later = await b.get(`/console/admin/accounts/${id}`);
    expect(later.html).not.toContain(key);
    expect(later.html).toContain(key.slice(0, 10));
    const keysCsv = await b.fetch(`/console/admin/accounts/${id}/keys.csv`);
    expect(keysCsv.status).toBe(200);
    const keyRows = await csvRows(keysCsv);
    expect(keyRows.length).toBe(2);
    expect(keyRows[1]?.[1]).toBe(key.slice(0, 10));
    expect(keyRows.flat().join(",")).not.toContain(key);

    // The account is listed, and in the accounts export.
    expect((await b.get("/console/admin/accounts")).html).toContain(name);
    const accounts = await csvRows(await b.fetch("/console/admin/export/accounts.csv"));
    expect(accounts).toContainEqual([id, name, "developer", expect.any(String)]);

    // The key opens the developer console in another browser …
    const holder = new ConsoleBrowser();
    expect((await holder.signIn(key)).headers.get("location")).toBe("/console");
    expect((await holder.get("/console")).status).toBe(200);
    // … until the operator revokes it: that session ends at once.
    const keyId = (
      await env.DB.prepare("select id from api_keys where account_id = ?").bind(id).first<{ id: string }>()
    )?.id;
    await b.get(`/console/admin/accounts/${id}`);
    const revoked = await b.post(`/console/admin/accounts/${id}/keys/${keyId}/revoke`);
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get("location")).toBe(`/console/admin/accounts/${id}?revoked=${keyId}`);
    const after = await holder.fetch("/console");
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toMatch(/^\/console\/login/);
    expect((await callJson("/v1/apps", { key })).status).toBe(401);
    const shown = await b.get(`/console/admin/accounts/${id}?revoked=${keyId}`);
    expect(shown.html).not.toContain(`/keys/${keyId}/revoke`);
  });

  it("shows the API's problems beside the fields, keeping what was typed (422)", async () => {
    const b = await adminBrowser();
    await b.get("/console/admin/accounts");
    const res = await b.post("/console/admin/accounts", { name: "  ", role: "emperor" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="account-name"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/aria-describedby="account-role-error"/);
    expect(html).toContain('id="account-name-error"');
  });

  it("answers 404 for an account that does not exist", async () => {
    const b = await adminBrowser();
    expect((await b.get("/console/admin/accounts/acc_nobody")).status).toBe(404);
    await b.get("/console/admin/accounts");
    expect((await b.post("/console/admin/accounts/acc_nobody/keys")).status).toBe(404);
  });
});
