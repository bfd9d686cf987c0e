import { describe, expect, it } from "vitest";
import {
  checkImportNumber,
  importedPublicFields,
  judgeImportBatch,
  judgeRegistrationImport,
  organizerKeyOfLicence,
  type RegistrationImportFacts,
  type RegistrationImportRow,
  type StoredOrganizer,
} from "../../src/domain/registration-import";
import { type ParsedServiceNumber, parseRegistrationNumber } from "../../src/domain/registration-number";

const parse = (n: string) => parseRegistrationNumber(n, 2026) as ParsedServiceNumber;

function row(overrides: Partial<RegistrationImportRow> = {}): RegistrationImportRow {
  return {
    number: "粤B2-20090059-1626X",
    organizer: { nature: "enterprise", name: "深圳市示例科技有限公司" },
    service: { name: "示例小程序" },
    approvedAt: "2023-05-01T02:00:00.000Z",
    status: "active",
    ...overrides,
  };
}

const holder = (over: Partial<StoredOrganizer> = {}): StoredOrganizer => ({
  id: "org_1",
  key: "blind-a",
  name: "深圳市示例科技有限公司",
  province: "44",
  organizerNumber: null,
  ...over,
});

const judge = (r: RegistrationImportRow, key: string, facts: RegistrationImportFacts = {}) =>
  judgeRegistrationImport(r, parse(r.number), key, facts, "registrations[0]");

describe("checkImportNumber", () => {
  it("takes a mini program's number of any family, and nothing else", () => {
    for (const n of ["粤ICP备2023012345号-1X", "京ICP证030173号-2X", "粤B2-20090059-1626X"]) {
      expect(checkImportNumber(n, "r")).toHaveProperty("parsed");
    }
    expect(checkImportNumber("粤B2-20090059-1626A", "r")).toEqual({
      problems: [expect.objectContaining({ path: "r.number", code: "REGISTRATION_NUMBER_INVALID" })],
    });
    expect(checkImportNumber("粤B2-20090059", "r")).toEqual({
      problems: [expect.objectContaining({ path: "r.number", code: "INVALID_FORMAT" })],
    });
  });
});

describe("judgeRegistrationImport", () => {
  it("imports a number nobody holds under a new organizer", () => {
    expect(judge(row(), "blind-a")).toEqual({ outcome: "imported", organizer: null, key: "blind-a" });
  });

  it("refuses a main licence another organizer holds, by certificate", () => {
    expect(judge(row(), "blind-b", { holder: holder() })).toEqual({
      problems: [expect.objectContaining({ path: "registrations[0].number", code: "MAIN_LICENCE_TAKEN" })],
    });
  });

  it("without a certificate, compares names: the holder of that name is the organizer", () => {
    const key = organizerKeyOfLicence("粤B2-20090059");
    expect(judge(row(), key, { holder: holder() })).toEqual({
      outcome: "imported",
      organizer: { id: "org_1" },
      key: "blind-a",
    });
    const other = row({ organizer: { nature: "enterprise", name: "另一家公司" } });
    expect(judge(other, key, { holder: holder() })).toHaveProperty("problems");
  });

  it("an organizer known by name gains its certificate when the names agree", () => {
    const byName = holder({ key: organizerKeyOfLicence("粤B2-20090059") });
    expect(judge(row(), "blind-a", { holder: byName })).toEqual({
      outcome: "imported",
      organizer: { id: "org_1" },
      key: "blind-a",
    });
  });

  it("refuses a number beian issued, another province, another filing number", () => {
    const existing = {
      source: "beian" as const,
      filingId: "fil_1",
      appId: null,
      organizerId: "org_1",
      status: "active" as const,
      serviceName: "示例小程序",
      contentTypeName: "",
      approvedAt: "2023-05-01T02:00:00.000Z",
      organizerNature: "enterprise",
      organizerName: "深圳市示例科技有限公司",
    };
    expect(judge(row(), "blind-a", { existing, holder: holder(), organizer: holder() })).toHaveProperty("problems");
    expect(judge(row(), "blind-a", { organizer: holder({ province: "11" }) })).toHaveProperty("problems");
    const filing = row({ number: "粤ICP备2023012345号-1X" });
    expect(judge(filing, "blind-a", { organizer: holder({ organizerNumber: "粤ICP备2023099999号" }) })).toHaveProperty(
      "problems",
    );
  });

  it("tells a replay from an update of an imported registration", () => {
    const existing = {
      source: "imported" as const,
      filingId: null,
      appId: null,
      organizerId: "org_1",
      status: "active" as const,
      serviceName: "示例小程序",
      contentTypeName: "",
      approvedAt: "2023-05-01T02:00:00.000Z",
      organizerNature: "enterprise",
      organizerName: "深圳市示例科技有限公司",
    };
    const facts = { existing, holder: holder(), organizer: holder() };
    expect(judge(row(), "blind-a", facts)).toEqual({ outcome: "unchanged" });
    expect(judge(row({ status: "cancelled" }), "blind-a", facts)).toMatchObject({ outcome: "updated" });
    // Once a filing changed it, only filings change it.
    expect(
      judge(row({ status: "cancelled" }), "blind-a", { ...facts, existing: { ...existing, filingId: "f" } }),
    ).toHaveProperty("problems");
  });

  it("links to an app that exists and holds no other active registration", () => {
    const r = row({ appId: "wx0001" });
    expect(judge(r, "k", { app: { exists: false, activeNumber: null } })).toEqual({
      problems: [expect.objectContaining({ path: "registrations[0].appId", code: "UNKNOWN_APP" })],
    });
    expect(judge(r, "k", { app: { exists: true, activeNumber: "粤ICP备2023000001号-1X" } })).toEqual({
      problems: [expect.objectContaining({ path: "registrations[0].appId", code: "REGISTRATION_EXISTS" })],
    });
    expect(judge(r, "k", { app: { exists: true, activeNumber: null } })).toMatchObject({ outcome: "imported" });
  });
});

describe("judgeImportBatch", () => {
  it("a number once, an app once, one organizer per main licence, one province per organizer", () => {
    const rows = [
      row(),
      row(),
      row({ number: "粤B2-20090059-1627X", appId: "wx1" }),
      row({ number: "京ICP证030173号-1X", appId: "wx1" }),
    ];
    const parsed = rows.map((r) => parse(r.number));
    const problems = judgeImportBatch(rows, parsed, ["a", "a", "b", "a"]);
    expect(problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      "registrations[1].number DUPLICATE",
      "registrations[2].number MAIN_LICENCE_TAKEN",
      "registrations[3].appId DUPLICATE",
      "registrations[3].number REGISTRATION_NUMBER_INVALID",
    ]);
  });
});

describe("importedPublicFields", () => {
  it("masks an individual's name and keeps it out of search", () => {
    const fields = importedPublicFields(row({ organizer: { nature: "individual", name: "张三丰" } }));
    expect(fields).toMatchObject({ unitName: "张**", unitNameKey: null, natureName: "个人", redacted: '["unitName"]' });
    expect(fields.updateRecordTime).toBe("2023-05-01 10:00:00");
  });
});
