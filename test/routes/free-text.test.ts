/**
 * The text rule (docs/rules.md#text) on every free-text field the API accepts: control characters (NUL, ESC), lone
 * surrogates, bidirectional controls and default-ignorable characters are refused with INVALID_CHARACTERS at the field's path, and decomposed
 * text is stored and answered in NFC.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminKey,
  call,
  callJson,
  developerWithApp,
  mobile,
  newAccount,
  problemsOf,
  unique,
  validFiling,
  withAttachments,
} from "../support/api";
import { makeResidentId } from "../support/identifiers";
import { approve, staff, submitNew } from "../support/lifecycle";

/** Replaced in the JSON text by the escape `\ud800`, which JSON.parse turns into a lone surrogate. */
const LONE = "@@lone-surrogate@@";
const BAD: [string, string][] = [
  ["NUL", "\u0000"],
  ["ESC (ANSI clear screen)", "\u001b[2J"],
  ["a lone surrogate", LONE],
  ["a bidi override", "\u202e"],
  ["a zero-width space (default-ignorable)", "\u200b"],
  ["a right-to-left mark", "\u200f"],
];
/** "Café" with a combining acute accent, and its NFC form. */
const DECOMPOSED = "Cafe\u0301";
const COMPOSED = "Caf\u00e9";

/** Sends `body` as JSON text written here, so a lone surrogate travels as its `\ud800` escape. */
function rawJson(path: string, key: string, body: unknown, method = "POST") {
  const text = JSON.stringify(body).replaceAll(LONE, "\\ud800");
  return call(path, { key, method, rawBody: text, headers: { "content-type": "application/json" } }).then(
    async (res) => ({ status: res.status, body: await res.json<{ errors?: { path: string; code: string }[] }>() }),
  );
}

async function expectRefused(
  res: { status: number; body: { errors?: { path: string; code: string }[] } },
  path: string,
) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(problemsOf(res.body)).toContainEqual({ path, code: "INVALID_CHARACTERS" });
}

// biome-ignore lint/suspicious/noExplicitAny: filings are edited by path
type Loose = any;

/** Every free-text field of a filing, with a way to set it (the two principals are separate objects here). */
const FILING_FIELDS: [string, (f: Loose, v: string) => void][] = [
  ["organizer.name", (f, v) => (f.organizer.name = `示例${v}科技有限公司${unique()}`)],
  ["organizer.address", (f, v) => (f.organizer.address = `粤海街道${v}科技园路1号`)],
  ["organizer.principal.name", (f, v) => (f.organizer.principal.name = `张${v}三`)],
  ["organizer.legalRepresentative.name", (f, v) => (f.organizer.legalRepresentative.name = `李${v}四`)],
  ["service.name", (f, v) => (f.service.name = `示例${v}助手${unique()}`)],
  ["service.description", (f, v) => (f.service.description = `${f.service.description}${v}`)],
  ["service.principal.name", (f, v) => (f.service.principal.name = `王${v}五`)],
  [
    "service.preApprovals[0].approvalNumber",
    (f, v) => (f.service.preApprovals[0].approvalNumber = `京${v}ICP证000001号`),
  ],
];

function fullFiling(appId: string): Loose {
  const f: Loose = validFiling(appId);
  f.service.principal = structuredClone(f.service.principal);
  f.organizer.legalRepresentative = {
    name: "李四",
    certificate: { type: "resident_id", number: makeResidentId(), validFrom: "2020-01-01", validTo: "long_term" },
    mobile: mobile(),
  };
  f.service.preApprovals = [{ type: "news", approvalNumber: "京ICP证000001号" }];
  return f;
}

const valueAt = (root: Loose, path: string): unknown =>
  path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .reduce((v, k) => v?.[k], root);

describe("filing fields", () => {
  let dev: { key: string };
  let appId: string;
  beforeAll(async () => {
    ({ dev, appId } = await developerWithApp());
  });

  for (const [path, set] of FILING_FIELDS) {
    it.each(BAD)(`${path}: refuses %s`, async (_, bad) => {
      const filing = fullFiling(appId);
      set(filing, bad);
      const res = await rawJson("/v1/filings", dev.key, await withAttachments(dev.key, filing));
      await expectRefused(res, path);
    });
  }

  it("stores and answers every free-text field in NFC", async () => {
    const filing = fullFiling(appId);
    for (const [, set] of FILING_FIELDS) set(filing, DECOMPOSED);
    const res = await callJson("/v1/filings", { key: dev.key, body: filing });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const read = await callJson(`/v1/filings/${res.body.id}`, { key: dev.key });
    for (const [path] of FILING_FIELDS) {
      const value = valueAt(read.body.request, path) as string;
      expect(value, path).toContain(COMPOSED);
      expect(value, path).not.toContain("\u0301");
    }
  });
});

describe("rejection and revocation reasons", () => {
  let keys: { reviewer: string; regulator: string };
  beforeAll(async () => {
    keys = await staff();
  });

  const reasons = (where: "error" | "suggest", value: string) => ({
    reasons: [
      {
        field: "organizer.name",
        error: where === "error" ? `名称${value}不符` : "名称不符",
        suggest: where === "suggest" ? `按证件${value}填写` : "按证件填写",
      },
    ],
  });

  const routes: [string, () => Promise<{ path: string; key: () => string }>][] = [
    [
      "a reviewer's rejection",
      async () => {
        const { id } = await submitNew();
        return { path: `/v1/review/filings/${id}/reject`, key: () => keys.reviewer };
      },
    ],
    [
      "the bureau's rejection",
      async () => {
        const { id } = await submitNew();
        await callJson(`/v1/review/filings/${id}/approve`, { key: keys.reviewer, method: "POST" });
        await callJson(`/v1/regulator/filings/${id}/sms-verified`, { key: keys.regulator, method: "POST" });
        return { path: `/v1/regulator/filings/${id}/reject`, key: () => keys.regulator };
      },
    ],
    [
      "a revocation",
      async () => {
        const { id } = await submitNew();
        const number = (await approve(id, keys)).body.registrationNumber as string;
        return { path: `/v1/regulator/registrations/${encodeURIComponent(number)}/revoke`, key: () => keys.regulator };
      },
    ],
  ];

  for (const [name, target] of routes) {
    for (const where of ["error", "suggest"] as const) {
      it.each(BAD)(`${name}: refuses %s in ${where}`, async (_, bad) => {
        const t = await target();
        await expectRefused(await rawJson(t.path, t.key(), reasons(where, bad)), `reasons[0].${where}`);
      });
    }

    it(`${name}: keeps line feeds and stores NFC`, async () => {
      const t = await target();
      const body = { reasons: [{ field: "organizer.name", error: `${DECOMPOSED}\r\n第二行`, suggest: DECOMPOSED }] };
      const res = await callJson(t.path, { key: t.key(), body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.reasons).toEqual([{ field: "organizer.name", error: `${COMPOSED}\n第二行`, suggest: COMPOSED }]);
    });
  }
});

describe("account, app and policy names", () => {
  const admin = adminKey();

  it.each(BAD)("an account name: refuses %s", async (_, bad) => {
    await expectRefused(await rawJson("/v1/admin/accounts", admin, { name: `账号${bad}`, role: "developer" }), "name");
  });

  it("an account name is stored in NFC", async () => {
    const res = await callJson("/v1/admin/accounts", { key: admin, body: { name: DECOMPOSED, role: "developer" } });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(COMPOSED);
  });

  it.each(BAD)("an app name: refuses %s", async (_, bad) => {
    const dev = await newAccount("developer");
    await expectRefused(
      await rawJson("/v1/apps", dev.key, { appId: `wx${unique()}abcd`, name: `小程序${bad}` }),
      "name",
    );
  });

  it("an app name is stored in NFC", async () => {
    const dev = await newAccount("developer");
    const appId = `wx${unique()}abcd`;
    expect((await callJson("/v1/apps", { key: dev.key, body: { appId, name: DECOMPOSED } })).status).toBe(201);
    expect((await callJson(`/v1/apps/${appId}`, { key: dev.key })).body.name).toBe(COMPOSED);
  });

  const importRow = async (name: string) => ({
    apps: [
      {
        appId: `wx${unique()}imp`,
        name,
        ownerAccountId: (await newAccount("developer")).id,
        listingStatus: "unlisted",
      },
    ],
  });

  it.each(BAD)("an imported app's name: refuses %s", async (_, bad) => {
    await expectRefused(await rawJson("/v1/admin/apps/import", admin, await importRow(`小程序${bad}`)), "apps[0].name");
  });

  it("an imported app's name is stored in NFC", async () => {
    const body = await importRow(DECOMPOSED);
    expect((await callJson("/v1/admin/apps/import", { key: admin, body })).status).toBe(200);
    const owner = await callJson(`/v1/admin/accounts/${body.apps[0]?.ownerAccountId}/keys`, {
      key: admin,
      method: "POST",
    });
    const app = await callJson(`/v1/apps/${body.apps[0]?.appId}`, { key: owner.body.key });
    expect(app.body.name).toBe(COMPOSED);
  });

  const policy = (name: string) => ({
    name,
    listedBefore: "2020-01-01T00:00:00+08:00",
    deadline: "2099-01-01T00:00:00+08:00",
  });

  it.each(BAD)("a policy name: refuses %s on creation and on change", async (_, bad) => {
    await expectRefused(await rawJson("/v1/admin/policies", admin, policy(`政策${bad}`)), "name");
    const created = await callJson("/v1/admin/policies", { key: admin, body: policy("政策") });
    expect(created.status).toBe(201);
    await callJson(`/v1/admin/policies/${created.body.id}`, { key: admin, method: "PATCH", body: { active: false } });
    await expectRefused(
      await rawJson(`/v1/admin/policies/${created.body.id}`, admin, { name: `政策${bad}` }, "PATCH"),
      "name",
    );
  });

  it("a policy name is stored in NFC, on creation and on change", async () => {
    const created = await callJson("/v1/admin/policies", { key: admin, body: policy(DECOMPOSED) });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe(COMPOSED);
    const patched = await callJson(`/v1/admin/policies/${created.body.id}`, {
      key: admin,
      method: "PATCH",
      body: { name: `${DECOMPOSED}2`, active: false },
    });
    expect(patched.body.name).toBe(`${COMPOSED}2`);
  });
});
