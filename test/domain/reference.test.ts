import { describe, expect, it } from "vitest";
import {
  CERTIFICATE_TYPES,
  certificateEncodesBirthDate,
  certificateTypesFor,
  findServiceContentType,
  isCertificateType,
  isLanguage,
  isNature,
  LANGUAGES,
  NATURES,
  PRE_APPROVAL_TYPES,
  REFERENCE_VERSION,
  SERVICE_CONTENT_TYPES,
  SERVICE_CONTENT_VERSION,
  USCC_PREFIXES,
  usccPrefixFits,
} from "../../src/domain/reference";

const codesOf = (items: readonly { code: string }[]) => items.map((i) => i.code);

const PRE_APPROVAL_CODES: string[] = PRE_APPROVAL_TYPES.map((t) => t.code);

describe("service content taxonomy", () => {
  it("is versioned", () => {
    expect(SERVICE_CONTENT_VERSION).toMatch(/\S/);
    expect(REFERENCE_VERSION).toMatch(/\S/);
  });

  it("has unique, stable ASCII codes", () => {
    const codes = codesOf(SERVICE_CONTENT_TYPES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/);
  });

  it("has two levels: first-level parents are null, every second-level parent exists and is first-level", () => {
    const first = SERVICE_CONTENT_TYPES.filter((t) => t.parent === null);
    const second = SERVICE_CONTENT_TYPES.filter((t) => t.parent !== null);
    expect(first.length).toBeGreaterThanOrEqual(12);
    for (const t of second) {
      const parent = findServiceContentType(t.parent ?? "");
      expect(parent, t.code).toBeDefined();
      expect(parent?.parent, t.code).toBeNull();
      expect(t.code.startsWith(`${t.parent}.`), t.code).toBe(true);
    }
    for (const category of first) {
      const children = second.filter((t) => t.parent === category.code);
      expect(children.length, category.code).toBeGreaterThanOrEqual(3);
      expect(children.length, category.code).toBeLessThanOrEqual(8);
      expect(category.requiresPreApprovals).toEqual([]);
    }
  });

  it("names only known pre-approval types, without repeats", () => {
    for (const t of SERVICE_CONTENT_TYPES) {
      expect(new Set(t.requiresPreApprovals).size, t.code).toBe(t.requiresPreApprovals.length);
      for (const p of t.requiresPreApprovals) expect(PRE_APPROVAL_CODES, `${t.code}: ${p}`).toContain(p);
    }
  });

  it("carries the permits the regulated services need", () => {
    expect(findServiceContentType("education.online")?.requiresPreApprovals).toEqual(["education"]);
    expect(findServiceContentType("education.off_campus_training")?.requiresPreApprovals).toEqual([
      "off_campus_training",
    ]);
    expect(findServiceContentType("medical.online_consultation")?.requiresPreApprovals).toEqual(["medical"]);
    expect(findServiceContentType("medical.drug_sales")?.requiresPreApprovals).toEqual(["drugs_medical_devices"]);
    expect(findServiceContentType("news.news")?.requiresPreApprovals).toEqual(["news"]);
    expect(findServiceContentType("travel.ride_hailing")?.requiresPreApprovals).toEqual(["ride_hailing"]);
    expect(findServiceContentType("finance.internet_finance")?.requiresPreApprovals).toEqual(["internet_finance"]);
    expect(findServiceContentType("entertainment.audio_video")?.requiresPreApprovals).toEqual(["broadcasting"]);
    expect(findServiceContentType("entertainment.online_publishing")?.requiresPreApprovals).toEqual(["publishing"]);
    expect(findServiceContentType("religion.information")?.requiresPreApprovals).toEqual(["religion"]);
    expect(findServiceContentType("social.forum")?.requiresPreApprovals).toEqual(["electronic_bulletin"]);
    expect(findServiceContentType("life.bill_payment")).toMatchObject({ name: "生活缴费", parent: "life" });
    expect(findServiceContentType("life.bill_payment")?.requiresPreApprovals).toEqual([]);
    expect(findServiceContentType("no.such")).toBeUndefined();
  });
});

describe("pre-approval types", () => {
  it("are the twelve of docs/rules.md#requests", () => {
    expect(codesOf(PRE_APPROVAL_TYPES)).toEqual([
      "news",
      "publishing",
      "education",
      "medical",
      "drugs_medical_devices",
      "culture",
      "broadcasting",
      "religion",
      "ride_hailing",
      "internet_finance",
      "off_campus_training",
      "electronic_bulletin",
    ]);
  });
});

describe("natures and certificate types", () => {
  it("lists the seven natures of docs/rules.md#identifiers", () => {
    expect(codesOf(NATURES)).toEqual([
      "enterprise",
      "individual",
      "government",
      "public_institution",
      "social_organization",
      "military",
      "other",
    ]);
    expect(isNature("enterprise")).toBe(true);
    expect(isNature("company")).toBe(false);
    expect(isNature(undefined)).toBe(false);
  });

  it("lets individuals use personal certificates and every other nature the USCC only", () => {
    expect([...certificateTypesFor("individual")].sort()).toEqual([
      "foreign_passport",
      "foreign_permanent_residence",
      "hk_macau_permit",
      "passport",
      "resident_id",
      "taiwan_permit",
    ]);
    for (const nature of NATURES) {
      if (nature.code === "individual") continue;
      expect(certificateTypesFor(nature.code), nature.code).toEqual(["uscc"]);
    }
    for (const nature of NATURES) for (const t of nature.certificateTypes) expect(isCertificateType(t)).toBe(true);
  });

  it("marks which certificates are personal and which carry a birth date", () => {
    const byCode = Object.fromEntries(CERTIFICATE_TYPES.map((t) => [t.code, t]));
    expect(byCode.uscc?.personal).toBe(false);
    expect(byCode.resident_id).toMatchObject({ personal: true, encodesBirthDate: true });
    expect(byCode.passport).toMatchObject({ personal: true, encodesBirthDate: false });
    expect(certificateEncodesBirthDate("resident_id", "11010519491231002X")).toBe(true);
    expect(certificateEncodesBirthDate("foreign_permanent_residence", "932682198001010010")).toBe(true);
    expect(certificateEncodesBirthDate("foreign_permanent_residence", "USA110080010101")).toBe(false);
    expect(certificateEncodesBirthDate("foreign_passport", "X12345678")).toBe(false);
  });
});

describe("USCC prefix fits nature (GB 32100-2015)", () => {
  it("accepts the prefix of the organizer's own nature", () => {
    expect(usccPrefixFits("enterprise", "91440300MA5G35XK4R")).toBe(true);
    expect(usccPrefixFits("enterprise", "92440300MA5G35XK4R")).toBe(true);
    expect(usccPrefixFits("enterprise", "93440300MA5G35XK4R")).toBe(true);
    expect(usccPrefixFits("government", "11100000000013127X")).toBe(true);
    expect(usccPrefixFits("public_institution", "12100000400000000X")).toBe(true);
    for (const p of ["13", "51", "52", "53", "59"])
      expect(usccPrefixFits("social_organization", `${p}1000000`)).toBe(true);
    expect(usccPrefixFits("military", "A1000000")).toBe(true);
    expect(usccPrefixFits("other", "31110000")).toBe(true);
    expect(usccPrefixFits("other", "y1110000")).toBe(true);
  });

  it("refuses a prefix that belongs to another nature", () => {
    expect(usccPrefixFits("government", "91440300MA5G35XK4R")).toBe(false);
    expect(usccPrefixFits("enterprise", "11100000000013127X")).toBe(false);
    expect(usccPrefixFits("other", "91440300MA5G35XK4R")).toBe(false);
    expect(usccPrefixFits("military", "12100000400000000X")).toBe(false);
    expect(usccPrefixFits("individual", "91440300MA5G35XK4R")).toBe(false);
  });

  it("refuses prefixes outside the GB 32100 table", () => {
    for (const nature of NATURES) {
      expect(usccPrefixFits(nature.code, "99440300MA5G35XK4R")).toBe(false);
      expect(usccPrefixFits(nature.code, "")).toBe(false);
    }
  });

  it("gives every prefix of the table exactly one nature", () => {
    const assigned = NATURES.flatMap((n) => n.usccPrefixes);
    expect(new Set(assigned).size).toBe(assigned.length);
    expect([...assigned].sort()).toEqual(USCC_PREFIXES.map((p) => p.prefix).sort());
    for (const p of USCC_PREFIXES) expect(usccPrefixFits(p.nature, `${p.prefix}0000`)).toBe(true);
  });
});

describe("languages", () => {
  it("are BCP 47 tags", () => {
    expect(LANGUAGES.length).toBeGreaterThanOrEqual(15);
    expect(isLanguage("zh-Hans")).toBe(true);
    expect(isLanguage("bo")).toBe(true);
    expect(isLanguage("zh-CN")).toBe(false);
    expect(isLanguage("klingon")).toBe(false);
    for (const l of LANGUAGES) expect(l.code).toMatch(/^[a-z]{2,3}(-[A-Z][a-z]{3})?$/);
  });
});
