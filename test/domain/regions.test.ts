import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { checkRegion, type RegionLookup, type RegionRow, regionLookupFrom } from "../../src/domain/regions";

// The rule runs over the rows the migration loaded into D1, so these tests also prove that the generated
// migration applies and holds what docs/rules.md#identifiers relies on.
let rows: RegionRow[];
let lookup: RegionLookup;

beforeAll(async () => {
  const result = await env.DB.prepare(
    "select code, name, level, parent_code as parentCode from regions",
  ).all<RegionRow>();
  rows = result.results;
  lookup = regionLookupFrom(rows);
});

const check = (region: { province?: unknown; city?: unknown; district?: unknown }) => checkRegion(region, lookup);
const codes = (region: { province?: unknown; city?: unknown; district?: unknown }) =>
  check(region).map((p) => [p.path, p.code]);

describe("region data", () => {
  it("holds 31 provinces, the cities and the districts, all six digits", () => {
    const count = (level: RegionRow["level"]) => rows.filter((r) => r.level === level).length;
    expect(count("province")).toBe(31);
    expect(count("city")).toBeGreaterThan(330);
    expect(count("district")).toBeGreaterThan(2800);
    for (const r of rows) expect(r.code).toMatch(/^\d{6}$/);
  });

  it("leaves out Hong Kong, Macao and Taiwan", () => {
    for (const code of ["710000", "810000", "820000"]) expect(lookup.get(code)).toBeUndefined();
  });

  it("names municipality cities after the municipality", () => {
    expect(lookup.get("110100")).toMatchObject({ name: "北京市", level: "city", parentCode: "110000" });
    expect(lookup.get("500200")).toMatchObject({ level: "city", parentCode: "500000" });
  });
});

describe("checkRegion", () => {
  it("accepts a province, city and district that nest (广东 / 深圳 / 南山)", () => {
    expect(check({ province: "440000", city: "440300", district: "440305" })).toEqual([]);
  });

  it("accepts municipalities by their …0100 city (北京 / 朝阳)", () => {
    expect(check({ province: "110000", city: "110100", district: "110105" })).toEqual([]);
    expect(check({ province: "500000", city: "500200", district: "500229" })).toEqual([]);
  });

  it("requires a district when the city has districts", () => {
    expect(codes({ province: "110000", city: "110100" })).toEqual([["organizer.region.district", "DISTRICT_REQUIRED"]]);
    expect(codes({ province: "440000", city: "440300", district: "" })).toEqual([
      ["organizer.region.district", "DISTRICT_REQUIRED"],
    ]);
  });

  describe.each([
    ["东莞", "440000", "441900"],
    ["中山", "440000", "442000"],
    ["儋州", "460000", "460400"],
    ["嘉峪关", "620000", "620200"],
  ])("a city without counties (%s)", (_name, province, city) => {
    it("is valid without a district", () => {
      expect(check({ province, city })).toEqual([]);
    });
    it("refuses a district", () => {
      expect(codes({ province, city, district: "440305" })).toEqual([
        ["organizer.region.district", "DISTRICT_NOT_ALLOWED"],
      ]);
      expect(codes({ province, city, district: `${city.slice(0, 4)}01` })).toEqual([
        ["organizer.region.district", "DISTRICT_NOT_ALLOWED"],
      ]);
    });
  });

  describe.each([
    ["仙桃", "420000", "429004"],
    ["济源", "410000", "419001"],
    ["石河子", "650000", "659001"],
    ["五指山", "460000", "469001"],
  ])("a province-administered county-level unit (%s)", (_name, province, city) => {
    it("is given as the city, with no district", () => {
      expect(check({ province, city })).toEqual([]);
      expect(codes({ province, city, district: "440305" })).toEqual([
        ["organizer.region.district", "DISTRICT_NOT_ALLOWED"],
      ]);
    });
  });

  it("refuses a city of another province", () => {
    expect(codes({ province: "440000", city: "110100", district: "110105" })).toEqual([
      ["organizer.region.city", "REGION_MISMATCH"],
    ]);
    expect(codes({ province: "410000", city: "429004" })).toEqual([["organizer.region.city", "REGION_MISMATCH"]]);
  });

  it("refuses a district of another city", () => {
    expect(codes({ province: "440000", city: "440300", district: "440106" })).toEqual([
      ["organizer.region.district", "REGION_MISMATCH"],
    ]);
  });

  it("refuses unknown codes and codes of the wrong level", () => {
    expect(codes({ province: "999999", city: "440300", district: "440305" })).toEqual([
      ["organizer.region.province", "UNKNOWN_REGION"],
    ]);
    expect(codes({ province: "440000", city: "440305", district: "440305" })).toEqual([
      ["organizer.region.city", "UNKNOWN_REGION"],
    ]);
    expect(codes({ province: "440300", city: "440300", district: "440399" })).toEqual([
      ["organizer.region.province", "UNKNOWN_REGION"],
      ["organizer.region.district", "UNKNOWN_REGION"],
    ]);
    // A statistics-only development zone is not a GB/T 2260 division.
    expect(codes({ province: "130000", city: "130100", district: "130171" })).toEqual([
      ["organizer.region.district", "UNKNOWN_REGION"],
    ]);
  });

  it("refuses codes that are not six digits", () => {
    expect(codes({ province: "440000", city: "4403", district: "440305" })).toEqual([
      ["organizer.region.city", "INVALID_FORMAT"],
    ]);
    expect(codes({ province: 440000, city: "440300", district: "44030５" })).toEqual([
      ["organizer.region.province", "INVALID_FORMAT"],
      ["organizer.region.district", "INVALID_FORMAT"],
    ]);
  });

  it("reports missing fields and every problem at once, at its own path", () => {
    expect(codes({})).toEqual([
      ["organizer.region.province", "REQUIRED"],
      ["organizer.region.city", "REQUIRED"],
    ]);
    expect(codes({ province: "4400", city: "999999", district: "abc" })).toEqual([
      ["organizer.region.province", "INVALID_FORMAT"],
      ["organizer.region.city", "UNKNOWN_REGION"],
      ["organizer.region.district", "INVALID_FORMAT"],
    ]);
  });

  it("writes paths under the given base", () => {
    expect(checkRegion({ province: "440000" }, lookup, "filing.organizer.region")).toEqual([
      { path: "filing.organizer.region.city", code: "REQUIRED" },
    ]);
  });
});
