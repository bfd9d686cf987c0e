import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BureauNumberFacts,
  beijingYear,
  EARLIEST_ORGANIZER_YEAR,
  formatMainLicence,
  formatOrganizerNumber,
  formatRegistrationNumber,
  formatServiceNumber,
  judgeBureauNumber,
  judgeNumberOfExisting,
  MAX_NUMBER_INPUT_LENGTH,
  MAX_ORGANIZER_SEQUENCE,
  MAX_SEQUENCE,
  type MainLicenceParts,
  mainLicencesOfDigits,
  newOrganizerNumber,
  numbersFoundBy,
  numbersWithSequence,
  type ParsedNumber,
  type ParsedServiceNumber,
  PROVINCE_ABBREVIATIONS,
  PROVINCE_VARIANTS,
  parseAnyNumber,
  parseMainLicence,
  parseRegistrationNumber,
  provinceAbbreviation,
  provinceCodeOf,
  type ServiceKind,
  splitOrganizerNumber,
  TELECOM_LICENCE_CLASSES,
} from "../../src/domain/registration-number";

// A fixed "current year" keeps the year-range rule deterministic; the default (real clock) is tested on its own.
const YEAR = 2025;

const GD_MINI: ParsedNumber = {
  family: "icp_filing",
  normalized: "粤ICP备2024012345号-1X",
  province: "粤",
  provinceCode: "44",
  digits: "2024012345",
  mainLicence: "粤ICP备2024012345号",
  sequence: 1,
  kind: "mini_program",
  serviceType: 7,
};

describe("province abbreviations", () => {
  it("lists the 31 mainland provinces with distinct characters and codes", () => {
    expect(PROVINCE_ABBREVIATIONS).toHaveLength(31);
    expect(new Set(PROVINCE_ABBREVIATIONS.map((p) => p.abbr)).size).toBe(31);
    expect(new Set(PROVINCE_ABBREVIATIONS.map((p) => p.code)).size).toBe(31);
    expect(PROVINCE_ABBREVIATIONS.map((p) => p.abbr).join("")).toBe(
      "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝蜀黔滇藏陕陇青宁新",
    );
  });

  it.each(PROVINCE_ABBREVIATIONS.map((p) => [p.abbr, p.code, p.name]))("%s ⇄ %s (%s)", (abbr, code) => {
    expect(provinceCodeOf(abbr)).toBe(code);
    expect(provinceAbbreviation(code)).toBe(abbr);
    expect(provinceAbbreviation(`${code}0000`)).toBe(abbr);
  });

  it.each([
    ["川", "51"],
    ["贵", "52"],
    ["云", "53"],
    ["甘", "62"],
    ["粵", "44"],
    ["貴", "52"],
  ])("maps the variant %s to %s", (abbr, code) => {
    expect(provinceCodeOf(abbr)).toBe(code);
  });

  it("maps every variant to a canonical abbreviation", () => {
    for (const canonical of Object.values(PROVINCE_VARIANTS)) expect(provinceCodeOf(canonical)).toBeDefined();
  });

  it.each(["港", "澳", "台", "X", "", "粤粤", "toString", "__proto__"])("has no code for %j", (abbr) => {
    expect(provinceCodeOf(abbr)).toBeUndefined();
  });

  it.each(["81", "99", "00", "4", "440", "440100", "440000 ", "４４", ""])("has no abbreviation for %j", (code) => {
    expect(provinceAbbreviation(code)).toBeUndefined();
  });
});

describe("parsing: accepted forms", () => {
  const organizerLevel = (province: string, provinceCode: string, organizerNumber: string) => {
    const organizer = `${province}ICP备${organizerNumber}号`;
    return {
      family: "icp_filing" as const,
      normalized: organizer,
      province,
      provinceCode,
      digits: organizerNumber,
      mainLicence: organizer,
    };
  };

  it.each<[string, string, Partial<ParsedNumber>]>([
    ["canonical", "粤ICP备2024012345号-1X", GD_MINI],
    [
      "canonical, 4-digit sequence",
      "京ICP备2019000001号-9999X",
      { normalized: "京ICP备2019000001号-9999X", sequence: 9999 },
    ],
    [
      "8-digit legacy",
      "京ICP备05012345号-3X",
      { normalized: "京ICP备05012345号-3X", digits: "05012345", mainLicence: "京ICP备05012345号" },
    ],
    [
      "variant 川",
      "川ICP备2023000123号-2X",
      { normalized: "蜀ICP备2023000123号-2X", province: "蜀", provinceCode: "51" },
    ],
    [
      "variant 贵",
      "贵ICP备2023000123号-2X",
      { normalized: "黔ICP备2023000123号-2X", province: "黔", provinceCode: "52" },
    ],
    [
      "variant 云",
      "云ICP备2023000123号-2X",
      { normalized: "滇ICP备2023000123号-2X", province: "滇", provinceCode: "53" },
    ],
    [
      "variant 甘",
      "甘ICP备2023000123号-2X",
      { normalized: "陇ICP备2023000123号-2X", province: "陇", provinceCode: "62" },
    ],
    ["full-width ICP, digits, hyphen and X", "粤ＩＣＰ备２０２４０１２３４５号－１Ｘ", GD_MINI],
    ["full-width a", "粤ICP备2024012345号-3ａ", { normalized: "粤ICP备2024012345号-3A", kind: "app" }],
    ["hyphen U+2010", "粤ICP备2024012345号\u20101X", GD_MINI],
    ["non-breaking hyphen U+2011", "粤ICP备2024012345号\u20111X", GD_MINI],
    ["en dash", "粤ICP备2024012345号–1X", GD_MINI],
    ["em dash", "粤ICP备2024012345号—1X", GD_MINI],
    ["minus sign", "粤ICP备2024012345号−1X", GD_MINI],
    ["surrounding spaces, tabs and newlines", " \t粤ICP备2024012345号-1X\n ", GD_MINI],
    ["ideographic spaces", "\u3000粤ICP备2024012345号-1X\u3000", GD_MINI],
    ["NBSP", "\u00A0粤ICP备2024012345号-1X\u00A0", GD_MINI],
    ["inner spaces", "粤 ICP 备 2024 012345 号 - 1 X", GD_MINI],
    ["zero-width space", "粤ICP备\u200B2024012345号-1X\uFEFF", GD_MINI],
    ["lowercase icp and x", "粤icp备2024012345号-1x", GD_MINI],
    ["mixed case", "粤Icp备2024012345号-1x", GD_MINI],
    ["traditional 備 and 號", "粤ICP備2024012345號-1X", GD_MINI],
    ["fully traditional", "粵ICP備2024012345號-1X", GD_MINI],
    ["traditional variant 貴", "貴ICP备2023000123号-2X", { normalized: "黔ICP备2023000123号-2X", provinceCode: "52" }],
    [
      "app -3A",
      "浙ICP备2021000777号-3A",
      { normalized: "浙ICP备2021000777号-3A", sequence: 3, kind: "app", serviceType: 6 },
    ],
    [
      "website -1",
      "沪ICP备2020000001号-1",
      { normalized: "沪ICP备2020000001号-1", sequence: 1, kind: "website", serviceType: null },
    ],
    [
      "organizer-level",
      "粤ICP备2024012345号",
      { ...organizerLevel("粤", "44", "2024012345"), sequence: null, kind: null, serviceType: null },
    ],
    [
      "organizer-level, legacy and noisy",
      " 京ｉｃｐ備０５０１２３４５號 ",
      { ...organizerLevel("京", "11", "05012345"), sequence: null, kind: null, serviceType: null },
    ],
    ["earliest year", "粤ICP备1999000001号-1X", { digits: "1999000001" }],
    ["next year", `粤ICP备${YEAR + 1}000001号-1X`, { digits: `${YEAR + 1}000001` }],
  ])("%s: %s", (_label, input, expected) => {
    const parsed = parseAnyNumber(input, YEAR);
    expect(parsed).toMatchObject(expected);
    // Every accepted spelling normalizes to a canonical form that parses to itself.
    expect(parsed && parseAnyNumber(parsed.normalized, YEAR)).toEqual(parsed);
  });

  it.each<[string, string, Partial<ParsedNumber> & { licenceClass?: string }]>([
    [
      "B2 mini program, the issue's example",
      "粤B2-20090059-1626X",
      {
        family: "telecom_licence",
        normalized: "粤B2-20090059-1626X",
        province: "粤",
        provinceCode: "44",
        digits: "20090059",
        mainLicence: "粤B2-20090059",
        licenceClass: "B2",
        sequence: 1626,
        kind: "mini_program",
        serviceType: 7,
      },
    ],
    [
      "B1 app",
      "京B1-20180001-2A",
      { family: "telecom_licence", mainLicence: "京B1-20180001", licenceClass: "B1", kind: "app", serviceType: 6 },
    ],
    ["B2 website", "沪B2-20070001-3", { normalized: "沪B2-20070001-3", kind: "website", serviceType: null }],
    [
      "B2 main licence",
      "粤B2-20090059",
      { family: "telecom_licence", normalized: "粤B2-20090059", sequence: null, kind: null, serviceType: null },
    ],
    [
      "B2 full-width, lowercase, spaced, en dash",
      " 粤ｂ２ – ２００９００５９ － １６２６ｘ ",
      { normalized: "粤B2-20090059-1626X" },
    ],
    ["B2 province variant 川", "川B2-20100001-1X", { normalized: "蜀B2-20100001-1X", provinceCode: "51" }],
    ["B2 traditional province", "粵B2-20090059-1X", { normalized: "粤B2-20090059-1X" }],
    [
      "ICP licence mini program",
      "京ICP证030173号-1X",
      {
        family: "icp_licence",
        normalized: "京ICP证030173号-1X",
        province: "京",
        provinceCode: "11",
        digits: "030173",
        mainLicence: "京ICP证030173号",
        sequence: 1,
        kind: "mini_program",
        serviceType: 7,
      },
    ],
    [
      "ICP licence main licence",
      "京ICP证030173号",
      { family: "icp_licence", normalized: "京ICP证030173号", sequence: null, kind: null },
    ],
    ["ICP licence traditional 證 and 號", "京ICP證030173號-1X", { normalized: "京ICP证030173号-1X" }],
    ["ICP licence full-width and spaced", "京 ｉｃｐ 证 ０３０１７３ 号－１ｘ", { normalized: "京ICP证030173号-1X" }],
    ["ICP licence variant 贵", "贵ICP证110001号-1X", { normalized: "黔ICP证110001号-1X", provinceCode: "52" }],
  ])("licences, %s: %s", (_label, input, expected) => {
    const parsed = parseAnyNumber(input, YEAR);
    expect(parsed).toMatchObject(expected);
    expect(parsed && parseAnyNumber(parsed.normalized, YEAR)).toEqual(parsed);
  });

  it("a licence's digits are not dated: any 8 digits make a B1/B2 licence, any 6 an ICP licence", () => {
    expect(parseAnyNumber("粤B2-99990001-1X", YEAR)?.digits).toBe("99990001");
    expect(parseAnyNumber("粤B2-00000000-1X", YEAR)?.digits).toBe("00000000");
    expect(parseAnyNumber("京ICP证000000号-1X", YEAR)?.digits).toBe("000000");
  });

  it("parseRegistrationNumber takes only service-level numbers, parseMainLicence only organizer-level ones", () => {
    expect(parseRegistrationNumber("粤ICP备2024012345号-1X", YEAR)).toEqual(GD_MINI);
    expect(parseRegistrationNumber("粤ICP备2024012345号", YEAR)).toBeNull();
    expect(parseMainLicence("粤ICP备2024012345号", YEAR)).toMatchObject({ mainLicence: "粤ICP备2024012345号" });
    expect(parseMainLicence("粤ICP备2024012345号-1X", YEAR)).toBeNull();
    expect(parseMainLicence("粤ICP备2024012345号-1", YEAR)).toBeNull();
  });

  it("bounds the year by the real current year (Beijing time) by default", () => {
    const thisYear = new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear();
    expect(parseRegistrationNumber(`粤ICP备${thisYear}000001号-1X`)).not.toBeNull();
    expect(parseRegistrationNumber(`粤ICP备${thisYear + 1}000001号-1X`)).not.toBeNull();
    expect(parseRegistrationNumber(`粤ICP备${thisYear + 2}000001号-1X`)).toBeNull();
  });

  it(`accepts up to ${MAX_NUMBER_INPUT_LENGTH} characters, spaces included`, () => {
    const canonical = GD_MINI.normalized;
    const padded = canonical.padEnd(MAX_NUMBER_INPUT_LENGTH, " ");
    expect(padded).toHaveLength(MAX_NUMBER_INPUT_LENGTH);
    expect(parseRegistrationNumber(padded, YEAR)).toEqual(GD_MINI);
    expect(parseRegistrationNumber(`${padded} `, YEAR)).toBeNull();
  });
});

describe("parsing: rejected forms", () => {
  it.each([
    ["empty", ""],
    ["only spaces", " \u3000 "],
    ["unknown province character (Hong Kong)", "港ICP备2024012345号-1X"],
    ["unknown province character (Latin)", "YICP备2024012345号-1X"],
    ["two province characters", "粤粤ICP备2024012345号-1X"],
    ["no province", "ICP备2024012345号-1X"],
    ["missing ICP", "粤备2024012345号-1X"],
    ["missing 备", "粤ICP2024012345号-1X"],
    ["missing 号", "粤ICP备2024012345-1X"],
    ["ICP licence of 5 digits", "京ICP证03017号"],
    ["ICP licence of 7 digits", "京ICP证0301730号"],
    ["ICP licence without 号", "京ICP证030173-1X"],
    ["ICP licence with 备 and 证", "京ICP备证030173号"],
    ["B2 licence without its province", "B2-20090059-1626X"],
    ["B2 licence of 7 digits", "粤B2-2009005-1X"],
    ["B2 licence of 9 digits", "粤B2-200900590-1X"],
    ["B2 licence without its dash", "粤B220090059-1X"],
    ["B2 licence with 号", "粤B2-20090059号-1X"],
    ["licence class B3", "粤B3-20090059-1X"],
    ["licence class A2", "粤A2-20090059-1X"],
    ["licence class B", "粤B-20090059-1X"],
    ["licence classes joined", "粤B1.B2-20090059-1X"],
    ["B2 sequence 0", "粤B2-20090059-0X"],
    ["B2 sequence above 9999", "粤B2-20090059-10000X"],
    ["B2 suffix without sequence", "粤B2-20090059X"],
    ["B2 other suffix", "粤B2-20090059-1B"],
    ["7 digits", "粤ICP备2024012号-1X"],
    ["9 digits", "粤ICP备202401234号-1X"],
    ["11 digits", "粤ICP备20240123456号-1X"],
    ["non-digit in organizer number", "粤ICP备20240I2345号-1X"],
    ["year before 1999", "粤ICP备1998012345号-1X"],
    ["year after next year", `粤ICP备${YEAR + 2}012345号-1X`],
    ["sequence 0", "粤ICP备2024012345号-0X"],
    ["sequence with leading zero", "粤ICP备2024012345号-01X"],
    ["sequence above 9999", "粤ICP备2024012345号-10000X"],
    ["negative sequence", "粤ICP备2024012345号--1X"],
    ["hyphen with nothing after it", "粤ICP备2024012345号-"],
    ["hyphen with only a suffix", "粤ICP备2024012345号-X"],
    ["sequence without hyphen", "粤ICP备2024012345号1X"],
    ["suffix on an organizer-level number", "粤ICP备2024012345号X"],
    ["suffix other than X/A", "粤ICP备2024012345号-1B"],
    ["two suffixes", "粤ICP备2024012345号-1XA"],
    ["suffix before sequence", "粤ICP备2024012345号-X1"],
    ["trailing digit", "粤ICP备2024012345号-1X1"],
    ["trailing punctuation", "粤ICP备2024012345号-1X。"],
    ["leading text", "备案号：粤ICP备2024012345号-1X"],
    ["circled digit", "粤ICP备2024012345号-①X"],
    ["dotless i upper-cases to I", "粤ıCP备2024012345号-1X"],
    ["over the length limit", `${" ".repeat(MAX_NUMBER_INPUT_LENGTH)}粤ICP备2024012345号-1X`],
  ])("%s: %j", (_label, input) => {
    expect(parseAnyNumber(input, YEAR)).toBeNull();
    expect(parseRegistrationNumber(input, YEAR)).toBeNull();
    expect(parseMainLicence(input, YEAR)).toBeNull();
  });

  it("returns null for a non-string from an untyped caller", () => {
    expect(parseAnyNumber(undefined as unknown as string, YEAR)).toBeNull();
    expect(parseAnyNumber(12345 as unknown as string, YEAR)).toBeNull();
  });
});

describe("formatting", () => {
  it("formats organizer and service numbers", () => {
    expect(formatOrganizerNumber({ provinceCode: "44", organizerNumber: "2024012345" })).toBe("粤ICP备2024012345号");
    expect(formatOrganizerNumber({ provinceCode: "110000", organizerNumber: "05012345" })).toBe("京ICP备05012345号");
    expect(formatRegistrationNumber({ provinceCode: "44", organizerNumber: "2024012345", sequence: 1 })).toBe(
      "粤ICP备2024012345号-1X",
    );
    expect(
      formatRegistrationNumber({ provinceCode: "33", organizerNumber: "2021000777", sequence: 3, kind: "app" }),
    ).toBe("浙ICP备2021000777号-3A");
    expect(
      formatRegistrationNumber({ provinceCode: "31", organizerNumber: "2020000001", sequence: 12, kind: "website" }),
    ).toBe("沪ICP备2020000001号-12");
  });

  it.each<[string, Parameters<typeof formatRegistrationNumber>[0]]>([
    ["unknown province", { provinceCode: "99", organizerNumber: "2024012345", sequence: 1 }],
    ["city code", { provinceCode: "440100", organizerNumber: "2024012345", sequence: 1 }],
    ["9-digit organizer number", { provinceCode: "44", organizerNumber: "202401234", sequence: 1 }],
    ["sequence 0", { provinceCode: "44", organizerNumber: "2024012345", sequence: 0 }],
    ["sequence 10000", { provinceCode: "44", organizerNumber: "2024012345", sequence: 10000 }],
    ["fractional sequence", { provinceCode: "44", organizerNumber: "2024012345", sequence: 1.5 }],
  ])("refuses %s with a RangeError", (_label, p) => {
    expect(() => formatRegistrationNumber(p)).toThrow(RangeError);
  });

  it("round-trips format → parse for every province and kind", () => {
    const kinds: [ServiceKind, 6 | 7 | null][] = [
      ["mini_program", 7],
      ["app", 6],
      ["website", null],
    ];
    for (const { abbr, code } of PROVINCE_ABBREVIATIONS) {
      for (const [kind, serviceType] of kinds) {
        const organizerNumber = newOrganizerNumber(2024, 42);
        const number = formatRegistrationNumber({ provinceCode: code, organizerNumber, sequence: 7, kind });
        expect(parseRegistrationNumber(number, YEAR)).toEqual({
          normalized: number,
          province: abbr,
          provinceCode: code,
          family: "icp_filing",
          digits: organizerNumber,
          mainLicence: formatOrganizerNumber({ provinceCode: code, organizerNumber }),
          sequence: 7,
          kind,
          serviceType,
        });
      }
    }
  });
});

describe("formatting every family", () => {
  it("formats main licences and service numbers", () => {
    expect(formatMainLicence({ family: "icp_filing", provinceCode: "44", digits: "2024012345" })).toBe(
      "粤ICP备2024012345号",
    );
    expect(formatMainLicence({ family: "icp_licence", provinceCode: "110000", digits: "030173" })).toBe(
      "京ICP证030173号",
    );
    expect(
      formatMainLicence({ family: "telecom_licence", provinceCode: "44", digits: "20090059", licenceClass: "B2" }),
    ).toBe("粤B2-20090059");
    expect(
      formatServiceNumber({
        family: "telecom_licence",
        provinceCode: "44",
        digits: "20090059",
        licenceClass: "B2",
        sequence: 1626,
      }),
    ).toBe("粤B2-20090059-1626X");
    expect(
      formatServiceNumber({ family: "icp_licence", provinceCode: "11", digits: "030173", sequence: 2, kind: "app" }),
    ).toBe("京ICP证030173号-2A");
  });

  it.each<[string, Parameters<typeof formatServiceNumber>[0]]>([
    ["ICP licence of 8 digits", { family: "icp_licence", provinceCode: "11", digits: "20090059", sequence: 1 }],
    ["ICP filing of 6 digits", { family: "icp_filing", provinceCode: "11", digits: "030173", sequence: 1 }],
    [
      "B2 of 10 digits",
      { family: "telecom_licence", provinceCode: "44", digits: "2009005900", licenceClass: "B2", sequence: 1 },
    ],
    [
      "unknown province",
      { family: "telecom_licence", provinceCode: "99", digits: "20090059", licenceClass: "B2", sequence: 1 },
    ],
    [
      "sequence 0",
      { family: "telecom_licence", provinceCode: "44", digits: "20090059", licenceClass: "B2", sequence: 0 },
    ],
  ])("refuses %s with a RangeError", (_label, p) => {
    expect(() => formatServiceNumber(p)).toThrow(RangeError);
  });
});

describe("mainLicencesOfDigits", () => {
  it("reads 10 digits as a filing number in every province", () => {
    const licences = mainLicencesOfDigits("2024012345", YEAR);
    expect(licences).toHaveLength(31);
    expect(licences).toContain("粤ICP备2024012345号");
    expect(licences).toContain("蜀ICP备2024012345号");
  });

  it("reads 8 digits as a legacy filing number or a B1/B2 licence, 6 as an ICP licence", () => {
    const eight = mainLicencesOfDigits("20090059", YEAR) ?? [];
    expect(eight).toHaveLength(93);
    expect(eight).toEqual(expect.arrayContaining(["粤B2-20090059", "京B1-20090059", "粤ICP备20090059号"]));
    const six = mainLicencesOfDigits("030173", YEAR) ?? [];
    expect(six).toHaveLength(31);
    expect(six).toContain("京ICP证030173号");
  });

  it("takes full-width digits and spaces, and every licence it names parses as a main licence", () => {
    const licences = mainLicencesOfDigits(" ２０２４ ０１２３４５ ", YEAR) ?? [];
    expect(licences).toContain("粤ICP备2024012345号");
    for (const licence of [...licences, ...(mainLicencesOfDigits("20090059", YEAR) ?? [])]) {
      expect(parseMainLicence(licence, YEAR)?.normalized).toBe(licence);
    }
  });

  it.each([
    "",
    "12345",
    "1234567",
    "123456789",
    "20240123456",
    "1998012345",
    `${YEAR + 2}012345`,
    "2024O12345",
    "粤2024012345",
  ])("is null for %j", (input) => {
    expect(mainLicencesOfDigits(input, YEAR)).toBeNull();
  });
});

describe("numbersFoundBy", () => {
  const service = (input: string): ParsedServiceNumber => {
    const parsed = parseRegistrationNumber(input, YEAR);
    if (!parsed) throw new Error(input);
    return parsed;
  };

  it("finds a number typed without its suffix under every suffix, the exact one first", () => {
    expect(numbersFoundBy(service("粤ICP备2024012345号-1"))).toEqual([
      "粤ICP备2024012345号-1",
      "粤ICP备2024012345号-1X",
      "粤ICP备2024012345号-1A",
    ]);
    expect(numbersFoundBy(service("粤B2-20090059-1626"))).toEqual([
      "粤B2-20090059-1626",
      "粤B2-20090059-1626X",
      "粤B2-20090059-1626A",
    ]);
  });

  it("finds a number with its suffix as itself", () => {
    expect(numbersFoundBy(service("粤b2-20090059-1626x"))).toEqual(["粤B2-20090059-1626X"]);
    expect(numbersFoundBy(service("京ICP证030173号-2A"))).toEqual(["京ICP证030173号-2A"]);
  });

  it("numbersWithSequence names the website, mini program and app numbers", () => {
    expect(numbersWithSequence("京ICP证030173号", 7)).toEqual([
      "京ICP证030173号-7",
      "京ICP证030173号-7X",
      "京ICP证030173号-7A",
    ]);
  });
});

describe("property: every family, formatted, respelled and parsed back", () => {
  const FULL_WIDTH_OFFSET = 0xfee0;
  const SPACES = [" ", "\u3000", "\u00A0", "\t"];
  const DASHES = ["-", "－", "‐", "–", "—", "−"];
  const TRADITIONAL: Record<string, string> = { 备: "備", 证: "證", 号: "號" };
  const variantsOf = (abbr: string) =>
    Object.entries(PROVINCE_VARIANTS)
      .filter(([, canonical]) => canonical === abbr)
      .map(([variant]) => variant);

  const digitsOf = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
  const licenceArb: fc.Arbitrary<MainLicenceParts> = fc.oneof(
    fc.record({
      family: fc.constant("icp_filing" as const),
      provinceCode: fc.constantFrom(...PROVINCE_ABBREVIATIONS.map((p) => p.code)),
      digits: fc.oneof(
        digitsOf(8),
        fc
          .tuple(fc.integer({ min: EARLIEST_ORGANIZER_YEAR, max: YEAR + 1 }), fc.integer({ min: 1, max: 999_999 }))
          .map(([y, n]) => newOrganizerNumber(y, n)),
      ),
    }),
    fc.record({
      family: fc.constant("icp_licence" as const),
      provinceCode: fc.constantFrom(...PROVINCE_ABBREVIATIONS.map((p) => p.code)),
      digits: digitsOf(6),
    }),
    fc.record({
      family: fc.constant("telecom_licence" as const),
      provinceCode: fc.constantFrom(...PROVINCE_ABBREVIATIONS.map((p) => p.code)),
      digits: digitsOf(8),
      licenceClass: fc.constantFrom(...TELECOM_LICENCE_CLASSES),
    }),
  );

  const respell = (c: string, pick: number): string => {
    const options = /[0-9]/.test(c)
      ? [c, String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET)]
      : /[A-Z]/.test(c)
        ? [c, c.toLowerCase(), String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET)]
        : c === "-"
          ? DASHES
          : TRADITIONAL[c] !== undefined
            ? [c, TRADITIONAL[c]]
            : [c, ...variantsOf(c)];
    return options[pick % options.length] ?? c;
  };

  it("format → noise → parse gives the parts back, for main licences and service numbers alike", () => {
    fc.assert(
      fc.property(
        licenceArb,
        fc.option(
          fc.record({
            sequence: fc.integer({ min: 1, max: MAX_SEQUENCE }),
            kind: fc.constantFrom<ServiceKind>("mini_program", "app", "website"),
          }),
        ),
        fc.array(fc.record({ pick: fc.nat(), space: fc.option(fc.constantFrom(...SPACES)) }), {
          minLength: 30,
          maxLength: 30,
        }),
        (licence, service, noise) => {
          const mainLicence = formatMainLicence(licence);
          const canonical = service ? formatServiceNumber({ ...licence, ...service }) : mainLicence;
          const noisy = [...canonical]
            .map((c, i) => {
              const n = noise[i] ?? { pick: 0, space: null };
              return respell(c, n.pick) + (n.space ?? "");
            })
            .join("");
          const parsed = parseAnyNumber(noisy, YEAR);
          expect(parsed).toMatchObject({
            family: licence.family,
            normalized: canonical,
            provinceCode: licence.provinceCode,
            digits: licence.digits,
            mainLicence,
            sequence: service?.sequence ?? null,
            kind: service?.kind ?? null,
          });
          if (licence.family === "telecom_licence")
            expect(parsed).toMatchObject({ licenceClass: licence.licenceClass });
          expect(service ? parseRegistrationNumber(noisy, YEAR) : parseMainLicence(noisy, YEAR)).toEqual(parsed);
          expect(parseMainLicence(mainLicence, YEAR)?.mainLicence).toBe(mainLicence);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("a main licence is among those its bare digits name, and a number without its suffix finds its mini program", () => {
    fc.assert(
      fc.property(licenceArb, fc.integer({ min: 1, max: MAX_SEQUENCE }), (licence, sequence) => {
        const mainLicence = formatMainLicence(licence);
        expect(mainLicencesOfDigits(licence.digits, YEAR)).toContain(mainLicence);
        const bare = parseRegistrationNumber(formatServiceNumber({ ...licence, sequence, kind: "website" }), YEAR);
        expect(bare && numbersFoundBy(bare)).toEqual([
          `${mainLicence}-${sequence}`,
          formatServiceNumber({ ...licence, sequence }),
          formatServiceNumber({ ...licence, sequence, kind: "app" }),
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it("a digit dropped from or added to a main licence's digits is refused", () => {
    fc.assert(
      fc.property(licenceArb, fc.boolean(), (licence, drop) => {
        const digits = drop ? licence.digits.slice(1) : `${licence.digits}0`;
        const province = provinceAbbreviation(licence.provinceCode) ?? "";
        const text =
          licence.family === "telecom_licence"
            ? `${province}${licence.licenceClass}-${digits}-1X`
            : `${province}ICP${licence.family === "icp_filing" ? "备" : "证"}${digits}号-1X`;
        const parsed = parseAnyNumber(text, YEAR);
        // No family's digit count is one away from another's in the same form (8/10, 6, 8).
        expect(parsed).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe("newOrganizerNumber", () => {
  it("joins the 4-digit year and the zero-padded 6-digit sequence", () => {
    expect(newOrganizerNumber(2024, 1)).toBe("2024000001");
    expect(newOrganizerNumber(2024, 12345)).toBe("2024012345");
    expect(newOrganizerNumber(2024, 999_999)).toBe("2024999999");
  });

  it.each([
    [2024, 0],
    [2024, 1_000_000],
    [2024, -1],
    [2024, 1.5],
    [2024, Number.NaN],
    [EARLIEST_ORGANIZER_YEAR - 1, 1],
    [10000, 1],
    [2024.5, 1],
  ])("refuses year %s, sequence %s with a RangeError", (year, sequence) => {
    expect(() => newOrganizerNumber(year, sequence)).toThrow(RangeError);
  });
});

describe("property: noisy spellings parse back to the canonical number", () => {
  const FULL_WIDTH_OFFSET = 0xfee0;
  const toFullWidth = (c: string) => String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET);
  const SPACES = [" ", "\u3000", "\u00A0", "\t"];
  const DASHES = ["-", "－", "‐", "‑", "–", "—", "−"];
  // Inverse of the variant table: canonical abbreviation → the other spellings that mean it.
  const spellingsOf = (abbr: string) => [
    abbr,
    ...Object.entries(PROVINCE_VARIANTS)
      .filter(([, canonical]) => canonical === abbr)
      .map(([variant]) => variant),
  ];

  const numberArb = fc.record({
    province: fc.constantFrom(...PROVINCE_ABBREVIATIONS),
    year: fc.integer({ min: EARLIEST_ORGANIZER_YEAR, max: YEAR + 1 }),
    organizerSequence: fc.integer({ min: 1, max: 999_999 }),
    sequence: fc.integer({ min: 1, max: 9999 }),
    kind: fc.constantFrom<ServiceKind>("mini_program", "app", "website"),
  });

  /** One choice per character of the canonical string: how to respell it and whether a space follows. */
  const noiseArb = fc.array(fc.record({ pick: fc.nat(), space: fc.option(fc.constantFrom(...SPACES)) }), {
    minLength: 40,
    maxLength: 40,
  });

  const respell = (c: string, pick: number): string => {
    const options = /[0-9]/.test(c)
      ? [c, toFullWidth(c)]
      : /[A-Z]/.test(c)
        ? [c, c.toLowerCase(), toFullWidth(c), toFullWidth(c.toLowerCase())]
        : c === "-"
          ? DASHES
          : c === "备"
            ? ["备", "備"]
            : c === "号"
              ? ["号", "號"]
              : (() => {
                  const spellings = spellingsOf(c);
                  return spellings.length > 1 ? spellings : [c];
                })();
    return options[pick % options.length] ?? c;
  };

  it("format, then noise, then parse gives the same normalized number", () => {
    fc.assert(
      fc.property(
        numberArb,
        noiseArb,
        fc.option(fc.constantFrom(...SPACES)),
        ({ province, year, organizerSequence, sequence, kind }, noise, lead) => {
          const organizerNumber = newOrganizerNumber(year, organizerSequence);
          const canonical = formatRegistrationNumber({ provinceCode: province.code, organizerNumber, sequence, kind });
          const noisy =
            (lead ?? "") +
            [...canonical]
              .map((c, i) => {
                const n = noise[i] ?? { pick: 0, space: null };
                return respell(c, n.pick) + (n.space ?? "");
              })
              .join("");
          expect(noisy.length).toBeLessThanOrEqual(MAX_NUMBER_INPUT_LENGTH);
          const parsed = parseRegistrationNumber(noisy, YEAR);
          expect(parsed).toEqual({
            normalized: canonical,
            province: province.abbr,
            provinceCode: province.code,
            family: "icp_filing",
            digits: organizerNumber,
            mainLicence: `${province.abbr}ICP备${organizerNumber}号`,
            sequence,
            kind,
            serviceType: kind === "mini_program" ? 7 : kind === "app" ? 6 : null,
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("sequence bounds", () => {
  it("MAX_SEQUENCE is the last sequence the grammar takes; MAX_ORGANIZER_SEQUENCE the last organizer sequence", () => {
    const organizerNumber = newOrganizerNumber(2024, MAX_ORGANIZER_SEQUENCE);
    expect(organizerNumber).toBe("2024999999");
    const last = formatRegistrationNumber({ provinceCode: "44", organizerNumber, sequence: MAX_SEQUENCE });
    expect(parseRegistrationNumber(last, YEAR)?.sequence).toBe(MAX_SEQUENCE);
    expect(parseRegistrationNumber(`粤ICP备${organizerNumber}号-${MAX_SEQUENCE + 1}X`, YEAR)).toBeNull();
    expect(() => formatRegistrationNumber({ provinceCode: "44", organizerNumber, sequence: MAX_SEQUENCE + 1 })).toThrow(
      RangeError,
    );
    expect(() => newOrganizerNumber(2024, MAX_ORGANIZER_SEQUENCE + 1)).toThrow(RangeError);
  });
});

describe("beijingYear", () => {
  it("is the year in Beijing time (UTC+8), where numbers are issued", () => {
    expect(beijingYear(new Date("2024-12-31T15:59:59.999Z"))).toBe(2024);
    expect(beijingYear(new Date("2024-12-31T16:00:00.000Z"))).toBe(2025);
    expect(beijingYear(new Date("2025-06-01T00:00:00.000Z"))).toBe(2025);
  });
});

describe("splitOrganizerNumber", () => {
  it("splits a 10-digit organizer number into its year and organizer sequence", () => {
    expect(splitOrganizerNumber("2024012345")).toEqual({ year: 2024, sequence: 12345 });
    expect(splitOrganizerNumber("2024000001")).toEqual({ year: 2024, sequence: 1 });
    expect(splitOrganizerNumber("2019999999")).toEqual({ year: 2019, sequence: 999_999 });
  });

  it.each(["05012345", "202401234", "20240123456", "2024O12345", ""])("is null for %j", (digits) => {
    expect(splitOrganizerNumber(digits)).toBeNull();
  });

  it("undoes newOrganizerNumber", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: EARLIEST_ORGANIZER_YEAR, max: 9999 }),
        fc.integer({ min: 1, max: MAX_ORGANIZER_SEQUENCE }),
        (year, sequence) => {
          expect(splitOrganizerNumber(newOrganizerNumber(year, sequence))).toEqual({ year, sequence });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("judgeBureauNumber", () => {
  const DIGITS = "2019000042";
  const number = (input: string): ParsedServiceNumber => {
    const parsed = parseRegistrationNumber(input, YEAR);
    if (!parsed) throw new Error(`test number does not parse: ${input}`);
    return parsed;
  };
  const reasonOf = (parsed: ParsedServiceNumber, facts: BureauNumberFacts) => judgeBureauNumber(parsed, facts)?.reason;
  const mini = number(`粤ICP备${DIGITS}号-3X`);
  const b2 = number("粤B2-20090059-1626X");
  const icpLicence = number("粤ICP证030173号-2X");
  /** An organizer's first approval, in 粤, with nothing in the way. */
  const FIRST: BureauNumberFacts = {
    provinceCode: "44",
    mainLicences: [],
    numberTaken: false,
    mainLicenceHeldByAnother: false,
    sequenceUsed: false,
  };
  /** A later approval of an organizer already numbered `DIGITS`. */
  const LATER: BureauNumberFacts = { ...FIRST, mainLicences: [`粤ICP备${DIGITS}号`] };
  /** An organizer holding a filing number and two operating licences. */
  const LICENSED: BureauNumberFacts = {
    ...FIRST,
    mainLicences: [`粤ICP备${DIGITS}号`, "粤B2-20090059", "粤ICP证030173号"],
  };

  it("accepts a mini program's number in the organizer's province for its first approval, in every family", () => {
    expect(judgeBureauNumber(mini, FIRST)).toBeNull();
    expect(judgeBureauNumber(b2, FIRST)).toBeNull();
    expect(judgeBureauNumber(icpLicence, FIRST)).toBeNull();
    expect(judgeBureauNumber(number("粤B1-20190001-1X"), FIRST)).toBeNull();
  });

  it("accepts the organizer's own organizer number with an unused sequence, one past its last included", () => {
    expect(judgeBureauNumber(mini, LATER)).toBeNull();
    expect(judgeBureauNumber(number(`粤ICP备${DIGITS}号-9999X`), LATER)).toBeNull();
  });

  it("accepts a number under any of the organizer's main licences", () => {
    for (const parsed of [mini, b2, icpLicence]) expect(judgeBureauNumber(parsed, LICENSED)).toBeNull();
  });

  it("accepts a legacy 8-digit organizer number and a province variant", () => {
    expect(judgeBureauNumber(number("粤ICP备05012345号-1X"), FIRST)).toBeNull();
    expect(judgeBureauNumber(number(`川ICP备${DIGITS}号-1X`), { ...FIRST, provinceCode: "51" })).toBeNull();
    expect(judgeBureauNumber(number("川B2-20090059-1X"), { ...FIRST, provinceCode: "51" })).toBeNull();
  });

  it.each([`粤ICP备${DIGITS}号-3A`, `粤ICP备${DIGITS}号-3`, "粤B2-20090059-3A", "粤ICP证030173号-3"])(
    "refuses %s: not a mini program's",
    (input) => {
      expect(judgeBureauNumber(number(input), FIRST)).toEqual({
        code: "REGISTRATION_NUMBER_INVALID",
        reason: "the number must be a mini program's (suffix X)",
      });
    },
  );

  it("refuses a number of another province", () => {
    expect(reasonOf(mini, { ...FIRST, provinceCode: "11" })).toBe("the province is not the organizer's");
    expect(reasonOf(number(`京ICP备${DIGITS}号-3X`), FIRST)).toBe("the province is not the organizer's");
    expect(reasonOf(number("京B2-20090059-3X"), FIRST)).toBe("the province is not the organizer's");
  });

  it("refuses a main licence the organizer does not hold when it holds some, naming its own", () => {
    const own = { ...FIRST, mainLicences: ["粤ICP备2020000007号"] };
    expect(reasonOf(mini, own)).toBe("the number must be under the organizer's 粤ICP备2020000007号");
    expect(reasonOf(b2, own)).toBe("the number must be under the organizer's 粤ICP备2020000007号");
    expect(reasonOf(number("粤B1-20090059-1X"), LICENSED)).toBe(
      `the number must be under the organizer's 粤ICP备${DIGITS}号 or 粤B2-20090059 or 粤ICP证030173号`,
    );
  });

  it("refuses a number some registration carries", () => {
    expect(reasonOf(mini, { ...FIRST, numberTaken: true })).toBe("the number is already in use");
    expect(reasonOf(b2, { ...LICENSED, numberTaken: true })).toBe("the number is already in use");
  });

  it("refuses, with MAIN_LICENCE_TAKEN, a main licence another organizer holds", () => {
    expect(judgeBureauNumber(mini, { ...FIRST, mainLicenceHeldByAnother: true })).toEqual({
      code: "MAIN_LICENCE_TAKEN",
      reason: `粤ICP备${DIGITS}号 belongs to another organizer`,
      mainLicence: `粤ICP备${DIGITS}号`,
    });
    expect(judgeBureauNumber(b2, { ...FIRST, mainLicenceHeldByAnother: true })).toEqual({
      code: "MAIN_LICENCE_TAKEN",
      reason: "粤B2-20090059 belongs to another organizer",
      mainLicence: "粤B2-20090059",
    });
  });

  it("refuses a sequence used before under the main licence", () => {
    expect(reasonOf(mini, { ...LATER, sequenceUsed: true })).toBe("the sequence was used before");
    expect(reasonOf(icpLicence, { ...LICENSED, sequenceUsed: true })).toBe("the sequence was used before");
  });

  it("names the first reason in the order kind, province, main licence, taken, holder, sequence", () => {
    const everything: BureauNumberFacts = {
      provinceCode: "11",
      mainLicences: ["粤ICP备2020000007号"],
      numberTaken: true,
      mainLicenceHeldByAnother: true,
      sequenceUsed: true,
    };
    const app = number(`粤ICP备${DIGITS}号-3A`);
    expect(reasonOf(app, everything)).toBe("the number must be a mini program's (suffix X)");
    expect(reasonOf(mini, everything)).toBe("the province is not the organizer's");
    expect(reasonOf(mini, { ...everything, provinceCode: "44" })).toBe(
      "the number must be under the organizer's 粤ICP备2020000007号",
    );
    const own = { ...everything, provinceCode: "44", mainLicences: LATER.mainLicences };
    expect(reasonOf(mini, own)).toBe("the number is already in use");
    expect(judgeBureauNumber(mini, { ...own, numberTaken: false })?.code).toBe("MAIN_LICENCE_TAKEN");
    expect(reasonOf(mini, { ...own, numberTaken: false, mainLicenceHeldByAnother: false })).toBe(
      "the sequence was used before",
    );
  });
});

describe("property: every number the allocator can issue parses back to what was allocated", () => {
  // The allocator issues formatRegistrationNumber over newOrganizerNumber(year, organizer sequence) and the
  // organizer's service sequence; widths are drawn evenly so short and long sequences are equally tried.
  const ofWidth = (width: number) => fc.integer({ min: width === 1 ? 1 : 10 ** (width - 1), max: 10 ** width - 1 });
  const organizerSequenceArb = fc.integer({ min: 1, max: 6 }).chain(ofWidth);

  for (const { abbr, code } of PROVINCE_ABBREVIATIONS) {
    it(`${abbr} (${code}): service sequences of 1 to 4 digits, organizer sequences of 1 to 6`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: EARLIEST_ORGANIZER_YEAR, max: YEAR + 1 }),
          organizerSequenceArb,
          fc.integer({ min: 1, max: 4 }).chain(ofWidth),
          (year, organizerSequence, sequence) => {
            const organizerNumber = newOrganizerNumber(year, organizerSequence);
            const number = formatRegistrationNumber({ provinceCode: code, organizerNumber, sequence });
            const parsed = parseRegistrationNumber(number, YEAR);
            expect(parsed).toMatchObject({
              normalized: number,
              province: abbr,
              provinceCode: code,
              family: "icp_filing",
              digits: organizerNumber,
              mainLicence: formatOrganizerNumber({ provinceCode: code, organizerNumber }),
              sequence,
              kind: "mini_program",
            });
            expect(splitOrganizerNumber(parsed?.digits ?? "")).toEqual({ year, sequence: organizerSequence });
            expect(parseMainLicence(parsed?.mainLicence ?? "", YEAR)?.digits).toBe(organizerNumber);
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it("a sequence of 5 digits or more is never formatted: it would not parse", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROVINCE_ABBREVIATIONS),
        fc.integer({ min: MAX_SEQUENCE + 1, max: 10_000_000 }),
        ({ abbr, code }, sequence) => {
          const organizerNumber = newOrganizerNumber(2024, 1);
          expect(() => formatRegistrationNumber({ provinceCode: code, organizerNumber, sequence })).toThrow(RangeError);
          expect(parseRegistrationNumber(`${abbr}ICP备${organizerNumber}号-${sequence}X`, YEAR)).toBeNull();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("judgeNumberOfExisting: the number a change or cancel approval may name", () => {
  const number = "粤ICP备2024012345号-1X";
  const parse = (s: string) => {
    const parsed = parseRegistrationNumber(s, 2026);
    if (!parsed) throw new Error(`does not parse: ${s}`);
    return parsed;
  };
  it("the registration's own number, in any spelling, passes", () => {
    expect(judgeNumberOfExisting(parse(number), number)).toBeNull();
    expect(judgeNumberOfExisting(parse("粤ｉｃｐ备2024012345号－1x"), number)).toBeNull();
  });
  it("any other number is refused, naming the one the filing concerns", () => {
    expect(judgeNumberOfExisting(parse("粤ICP备2024012345号-2X"), number)).toEqual({
      code: "REGISTRATION_NUMBER_INVALID",
      reason: `this filing concerns ${number}`,
    });
  });
});
