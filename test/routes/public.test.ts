import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createDb } from "../../src/db/client";
import {
  mainLicencesOfDigits,
  numbersFoundBy,
  type ParsedServiceNumber,
  parseRegistrationNumber,
} from "../../src/domain/registration-number";
import { type SearchQuery, searchPageQuery } from "../../src/repositories/public-records";
import { call, callJson, mobile, newAccount, newApp, person, unique, validFiling } from "../support/api";
import { makeResidentId } from "../support/identifiers";
import { approve, approveAtBureau, staff } from "../support/lifecycle";

// Each test speaks as its own client, so the per-client rate limit of one test never touches another.
const client = () => ({ "cf-connecting-ip": `203.0.113.${unique() % 250}` });
const get = (path: string, headers: Record<string, string> = {}) =>
  callJson(path, { headers: { ...client(), ...headers } });

function parsedNumber(input: string): ParsedServiceNumber {
  const parsed = parseRegistrationNumber(input);
  if (!parsed) throw new Error(`not a number: ${input}`);
  return parsed;
}

type Registered = { number: string; appId: string; body: ReturnType<typeof validFiling> };
let enterprise: Registered;
let individual: Registered;
let inReview: { appId: string; serviceName: string };
let keys: { reviewer: string; regulator: string };
let dev: { key: string };

async function register(body: ReturnType<typeof validFiling>): Promise<Registered> {
  const submitted = await callJson("/v1/filings", { key: dev.key, body });
  if (submitted.status !== 201) throw new Error(JSON.stringify(submitted.body));
  const approved = await approve(submitted.body.id, keys);
  return { number: approved.body.registrationNumber, appId: body.appId, body };
}

beforeAll(async () => {
  keys = await staff();
  dev = await newAccount("developer");
  enterprise = await register(validFiling(await newApp(dev.key)));
  const individualBody = validFiling(await newApp(dev.key));
  const self = person({ name: "赵六六" });
  individualBody.organizer = {
    ...individualBody.organizer,
    nature: "individual",
    name: "赵六六",
    certificate: { type: "resident_id", number: self.certificate.number },
    principal: self,
  };
  individualBody.service.principal = self;
  individual = await register(individualBody);
  const pending = validFiling(await newApp(dev.key));
  await callJson("/v1/filings", { key: dev.key, body: pending });
  inReview = { appId: pending.appId, serviceName: pending.service.name };
});

describe("GET /v1/public/registrations/{number}", () => {
  it("answers the MIIT fields of an approved registration", async () => {
    const res = await get(`/v1/public/registrations/${encodeURIComponent(enterprise.number)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      serviceLicence: enterprise.number,
      mainLicence: enterprise.number.replace(/-\d+X$/, ""),
      unitName: enterprise.body.organizer.name,
      natureName: "企业",
      serviceName: enterprise.body.service.name,
      serviceType: 7,
      contentTypeName: "",
      updateRecordTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      limitAccess: "否",
      status: "active",
      redacted: [],
    });
    expect(res.res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("accepts full-width, spaced and lower-case forms of the number", async () => {
    const fullWidth = enterprise.number
      .replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
      .replace("ICP", "ＩＣＰ")
      .replace(/X$/, "x");
    const res = await get(`/v1/public/registrations/${encodeURIComponent(` ${fullWidth} `)}`);
    expect(res.status).toBe(200);
    expect(res.body.serviceLicence).toBe(enterprise.number);
  });

  it("masks an individual organizer and says so in `redacted`", async () => {
    const res = await get(`/v1/public/registrations/${encodeURIComponent(individual.number)}`);
    expect(res.body).toMatchObject({ unitName: "赵**", natureName: "个人", redacted: ["unitName"] });
  });

  it("is 404 for unknown numbers, organizer numbers and non-numbers", async () => {
    for (const n of ["粤ICP备2099999999号-1X", enterprise.number.replace(/-\d+X$/, ""), "not a number"]) {
      const res = await get(`/v1/public/registrations/${encodeURIComponent(n)}`);
      expect(res.status, n).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
  });

  it("sends Cache-Control within 60 s and an ETag, and 304 for If-None-Match", async () => {
    const path = `/v1/public/registrations/${encodeURIComponent(enterprise.number)}`;
    const first = await call(path, { headers: client() });
    const maxAge = Number(/max-age=(\d+)/.exec(first.headers.get("cache-control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(60);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);
    // The body is the same in every language, so caches need not key on Accept-Language.
    expect(first.headers.get("vary")).toBeNull();
    const again = await call(path, { headers: { ...client(), "if-none-match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const other = await call(path, { headers: { ...client(), "if-none-match": '"something-else"' } });
    expect(other.status).toBe(200);
  });

  it("shows a cancelled registration with limitAccess 是 at once", async () => {
    const body = validFiling(await newApp(dev.key));
    const reg = await register(body);
    const path = `/v1/public/registrations/${encodeURIComponent(reg.number)}`;
    expect((await get(path)).body.status).toBe("active"); // now cached
    const cancel = await callJson("/v1/filings", {
      key: dev.key,
      body: { type: "cancel", appId: reg.appId, scope: "service", reason: "no_longer_operated" },
    });
    await approveAtBureau(cancel.body.id, keys);
    const after = await get(path);
    expect(after.body).toMatchObject({ status: "cancelled", limitAccess: "是" });
  });
});

describe("GET /v1/public/search", () => {
  it("finds a number exactly, and an organizer's registrations by its number", async () => {
    const byNumber = await get(`/v1/public/search?q=${encodeURIComponent(enterprise.number)}`);
    expect(byNumber.body.items.map((r: { serviceLicence: string }) => r.serviceLicence)).toEqual([enterprise.number]);
    const organizer = enterprise.number.replace(/-\d+X$/, "");
    const byOrganizer = await get(`/v1/public/search?q=${encodeURIComponent(organizer)}`);
    expect(byOrganizer.body.total).toBe(1);
    expect(byOrganizer.body.items[0].mainLicence).toBe(organizer);
  });

  it("finds service names by prefix and by contains, exact and prefix matches first", async () => {
    const name = enterprise.body.service.name; // 示例生活助手<n>
    const prefix = await get(`/v1/public/search?q=${encodeURIComponent(name.slice(0, 4))}&pageSize=50`);
    expect(prefix.body.items.some((r: { serviceName: string }) => r.serviceName === name)).toBe(true);
    const exact = await get(`/v1/public/search?q=${encodeURIComponent(name)}`);
    expect(exact.body.items[0].serviceName).toBe(name);
    const contains = await get(`/v1/public/search?q=${encodeURIComponent(name.slice(2))}`);
    expect(contains.body.items.map((r: { serviceName: string }) => r.serviceName)).toContain(name);
  });

  it("finds organizations by name but never individuals", async () => {
    const org = await get(`/v1/public/search?q=${encodeURIComponent(enterprise.body.organizer.name.slice(3))}`);
    expect(org.body.items.map((r: { serviceLicence: string }) => r.serviceLicence)).toContain(enterprise.number);
    const person = await get(`/v1/public/search?q=${encodeURIComponent("赵六六")}`);
    expect(person.body.total).toBe(0);
  });

  it("never shows filings that are not approved", async () => {
    const res = await get(`/v1/public/search?q=${encodeURIComponent(inReview.serviceName)}`);
    expect(res.body).toMatchObject({ items: [], total: 0 });
  });

  it("pages with page and pageSize (at most 50)", async () => {
    const first = await get("/v1/public/search?q=%E7%A4%BA%E4%BE%8B&pageSize=1&page=1");
    const second = await get("/v1/public/search?q=%E7%A4%BA%E4%BE%8B&pageSize=1&page=2");
    expect(first.body).toMatchObject({ page: 1, pageSize: 1 });
    expect(first.body.total).toBeGreaterThanOrEqual(2);
    expect(first.body.items[0].serviceLicence).not.toBe(second.body.items[0].serviceLicence);
    // Every page reports the same total, also one past the last (no row there to carry it).
    expect(second.body.total).toBe(first.body.total);
    const past = await get(`/v1/public/search?q=%E7%A4%BA%E4%BE%8B&pageSize=1&page=${first.body.total + 1}`);
    expect(past.body).toMatchObject({ items: [], total: first.body.total, page: first.body.total + 1 });
    expect((await get("/v1/public/search?q=x&pageSize=51")).status).toBe(422);
  });

  it("refuses an empty or over-long q with 422 at q", async () => {
    for (const q of ["", "  ", "字".repeat(51)]) {
      const res = await get(`/v1/public/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(422);
      expect(res.body.errors[0].path).toBe("q");
    }
    expect((await get("/v1/public/search")).status).toBe(422);
  });
});

describe("abuse", () => {
  it("answers 429 with Retry-After once a client passes its limit, and other clients go on", async () => {
    const me = { "cf-connecting-ip": "198.51.100.77" };
    let limited: Response | undefined;
    // Numbers nobody holds: each lookup reaches storage, so each one counts.
    for (let i = 0; i < 200 && !limited; i++) {
      const res = await call(
        `/v1/public/registrations/${encodeURIComponent(`粤ICP备2098${String(i).padStart(6, "0")}号-1X`)}`,
        {
          headers: me,
        },
      );
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get("retry-after")).toBe(env.PUBLIC_RATE_LIMIT_PERIOD);
    expect(((await limited?.json()) as { code?: string } | undefined)?.code).toBe("RATE_LIMITED");
    const search = await call("/v1/public/search?q=%E7%A4%BA%E4%BE%8B", { headers: me });
    expect(search.status).toBe(429);
    const other = await call(`/v1/public/registrations/${encodeURIComponent(enterprise.number)}`, {
      headers: client(),
    });
    expect(other.status).toBe(200);
  });

  it("refuses a client already refused without asking the limiter or reading storage, until its period ends", async () => {
    const me = { "cf-connecting-ip": "198.51.100.79" };
    const unknown = (i: number) =>
      `/v1/public/registrations/${encodeURIComponent(`粤ICP备2096${String(i).padStart(6, "0")}号-1X`)}`;
    let i = 0;
    for (; i < 200; i++) {
      const res = await call(unknown(i), { headers: me });
      await res.arrayBuffer();
      if (res.status === 429) break;
    }
    expect(i).toBeLessThan(200);
    const limiter = env.PUBLIC_RATE_LIMITER;
    const asked = vi.spyOn(limiter, "limit");
    const sessions = vi.spyOn(env.DB, "withSession");
    const prepared = vi.spyOn(env.DB, "prepare");
    try {
      const lookup = await call(unknown(i + 1), { headers: me });
      expect(lookup.status).toBe(429);
      expect(lookup.headers.get("retry-after")).toBe(env.PUBLIC_RATE_LIMIT_PERIOD);
      expect((await call("/v1/public/search?q=%E7%A4%BA%E4%BE%8B", { headers: me })).status).toBe(429);
      expect(asked).not.toHaveBeenCalled();
      expect(sessions).not.toHaveBeenCalled();
      expect(prepared).not.toHaveBeenCalled();
      // A period later this isolate asks the limiter again.
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + Number(env.PUBLIC_RATE_LIMIT_PERIOD) * 1000 + 1);
      await (await call(unknown(i + 2), { headers: me })).arrayBuffer();
      expect(asked).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });

  it("serves an answer this isolate holds in memory without counting it against the client", async () => {
    const me = { "cf-connecting-ip": "198.51.100.78" };
    const hot = `/v1/public/registrations/${encodeURIComponent(enterprise.number)}`;
    expect((await call(hot, { headers: me })).status).toBe(200);
    // Far more lookups of the held number than the limit allows: none is refused.
    for (let i = 0; i < 150; i++) expect((await call(hot, { headers: me })).status, `lookup ${i}`).toBe(200);
    // A number not held still counts, and the client still has its whole allowance for those.
    const miss = await call(`/v1/public/registrations/${encodeURIComponent("粤ICP备2097000001号-1X")}`, {
      headers: me,
    });
    expect(miss.status).toBe(404);
  });

  it("answers a CORS preflight from any origin", async () => {
    const res = await call("/v1/public/search?q=x", {
      method: "OPTIONS",
      headers: { ...client(), origin: "https://example.org", "access-control-request-method": "GET" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("privacy", () => {
  it("no public answer carries a certificate number, mobile, email, address, principal name or account id", async () => {
    const secrets: string[] = [];
    for (const reg of [enterprise, individual]) {
      const { organizer, service } = reg.body;
      for (const p of [organizer.principal, service.principal]) {
        secrets.push(p.certificate.number, p.mobile, p.emergencyContact, p.email);
        if (p.name !== organizer.name || organizer.nature === "individual") secrets.push(p.name);
      }
      secrets.push(organizer.certificate.number, organizer.address, reg.appId);
    }
    secrets.push("赵六六", (await callJson("/v1/apps", { key: dev.key })).body.items[0].ownerAccountId);
    const paths = [
      `/v1/public/registrations/${encodeURIComponent(enterprise.number)}`,
      `/v1/public/registrations/${encodeURIComponent(individual.number)}`,
      `/v1/public/search?q=${encodeURIComponent("示例")}&pageSize=50`,
      `/v1/public/search?q=${encodeURIComponent(enterprise.number.replace(/-\d+X$/, ""))}`,
      `/v1/public/search?q=${encodeURIComponent(individual.number)}`,
    ];
    for (const path of paths) {
      const text = await (await call(path, { headers: client() })).text();
      for (const secret of secrets) expect(text, `${path} leaks ${secret}`).not.toContain(secret);
    }
  });
});

// Keep factories honest: these helpers make unique values on every call.
it("test data is unique per call", () => {
  expect(makeResidentId()).not.toBe(makeResidentId());
  expect(mobile()).not.toBe(mobile());
});

describe("search plans", () => {
  const plan = async (query: SearchQuery) => {
    const { sql, params } = searchPageQuery(createDb(env.DB), query, { offset: 0, limit: 20 }).toSQL();
    const rows = await env.DB.prepare(`explain query plan ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    return rows.results.map((r) => r.detail);
  };

  it("never scans every record: numbers by key, names by index ranges or the trigram index", async () => {
    for (const query of [
      { kind: "number", numbers: [enterprise.number] },
      { kind: "number", numbers: numbersFoundBy(parsedNumber(enterprise.number.replace(/X$/, ""))) },
      { kind: "organizer", mainLicences: [enterprise.number.replace(/-\d+X$/, "")] },
      { kind: "organizer", mainLicences: mainLicencesOfDigits("20090059") ?? [] },
      { kind: "name", text: "生活助手" },
      { kind: "name", text: "示例" },
      { kind: "name", text: "示" },
    ] satisfies SearchQuery[]) {
      const details = await plan(query);
      expect(details.join("\n"), JSON.stringify(query)).not.toMatch(/\bSCAN public_records\b(?!_fts)/);
      if (query.kind === "name" && [...query.text].length >= 3) {
        expect(details.some((d) => /public_records_fts VIRTUAL TABLE/.test(d))).toBe(true);
      }
    }
  });

  it("matches one or two characters as a name prefix only, and keeps the trigram index in step with changes", async () => {
    const name = enterprise.body.service.name; // 示例生活助手<n>
    const twoInside = await get(`/v1/public/search?q=${encodeURIComponent(name.slice(2, 4))}`);
    expect(twoInside.body.items.map((r: { serviceName: string }) => r.serviceName)).not.toContain(name);
    const twoPrefix = await get(`/v1/public/search?q=${encodeURIComponent(name.slice(0, 2))}&pageSize=50`);
    expect(twoPrefix.body.items.map((r: { serviceName: string }) => r.serviceName)).toContain(name);

    const reg = await register(validFiling(await newApp(dev.key)));
    const renamed = `改名后的服务${unique()}`;
    const change = { ...reg.body, type: "change", service: { ...reg.body.service, name: renamed } };
    const changed = await callJson("/v1/filings", { key: dev.key, body: change });
    expect((await approve(changed.body.id, keys)).status).toBe(200);
    const found = await get(`/v1/public/search?q=${encodeURIComponent(renamed.slice(1))}`);
    expect(found.body.items.map((r: { serviceLicence: string }) => r.serviceLicence)).toEqual([reg.number]);
    const old = await get(`/v1/public/search?q=${encodeURIComponent(reg.body.service.name)}`);
    expect(old.body.items.map((r: { serviceLicence: string }) => r.serviceLicence)).not.toContain(reg.number);
  });
});
