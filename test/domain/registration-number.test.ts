import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BureauNumberFacts,
  beijingYear,
  EARLIEST_ORGANIZER_YEAR,
  formatOrganizerNumber,
  formatRegistrationNumber,
  judgeBureauNumber,
  MAX_NUMBER_INPUT_LENGTH,
  MAX_ORGANIZER_SEQUENCE,
  MAX_SEQUENCE,
  newOrganizerNumber,
  type ParsedNumber,
  type ParsedServiceNumber,
  PROVINCE_ABBREVIATIONS,
  PROVINCE_VARIANTS,
  parseAnyNumber,
  parseOrganizerNumber,
  parseRegistrationNumber,
  provinceAbbreviation,
  provinceCodeOf,
  type ServiceKind,
  splitOrganizerNumber,
} from "../../src/domain/registration-number";

// A fixed "current year" keeps the year-range rule deterministic; the default (real clock) is tested on its own.
const YEAR = 2025;

const GD_MINI: ParsedNumber = {
  normalized: "粤ICP备2024012345号-1X",
  province: "粤",
  provinceCode: "44",
  organizerNumber: "2024012345",
  organizer: "粤ICP备2024012345号",
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
    return { normalized: organizer, province, provinceCode, organizerNumber, organizer };
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
      { normalized: "京ICP备05012345号-3X", organizerNumber: "05012345", organizer: "京ICP备05012345号" },
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
    ["earliest year", "粤ICP备1999000001号-1X", { organizerNumber: "1999000001" }],
    ["next year", `粤ICP备${YEAR + 1}000001号-1X`, { organizerNumber: `${YEAR + 1}000001` }],
  ])("%s: %s", (_label, input, expected) => {
    const parsed = parseAnyNumber(input, YEAR);
    expect(parsed).toMatchObject(expected);
    // Every accepted spelling normalizes to a canonical form that parses to itself.
    expect(parsed && parseAnyNumber(parsed.normalized, YEAR)).toEqual(parsed);
  });

  it("parseRegistrationNumber takes only service-level numbers, parseOrganizerNumber only organizer-level ones", () => {
    expect(parseRegistrationNumber("粤ICP备2024012345号-1X", YEAR)).toEqual(GD_MINI);
    expect(parseRegistrationNumber("粤ICP备2024012345号", YEAR)).toBeNull();
    expect(parseOrganizerNumber("粤ICP备2024012345号", YEAR)).toMatchObject({ organizer: "粤ICP备2024012345号" });
    expect(parseOrganizerNumber("粤ICP备2024012345号-1X", YEAR)).toBeNull();
    expect(parseOrganizerNumber("粤ICP备2024012345号-1", YEAR)).toBeNull();
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
    ["ICP licence (证), not a filing", "京ICP证030173号"],
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
    expect(parseOrganizerNumber(input, YEAR)).toBeNull();
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
          organizerNumber,
          organizer: formatOrganizerNumber({ provinceCode: code, organizerNumber }),
          sequence: 7,
          kind,
          serviceType,
        });
      }
    }
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
            organizerNumber,
            organizer: `${province.abbr}ICP备${organizerNumber}号`,
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
  const mini = number(`粤ICP备${DIGITS}号-3X`);
  /** An organizer's first approval, in 粤, with nothing in the way. */
  const FIRST: BureauNumberFacts = {
    provinceCode: "44",
    organizer: null,
    numberTaken: false,
    digitsHeldByAnother: false,
    sequenceUsed: false,
  };
  /** A later approval of an organizer already numbered `DIGITS`. */
  const LATER: BureauNumberFacts = { ...FIRST, organizer: { digits: DIGITS, number: `粤ICP备${DIGITS}号` } };

  it("accepts a mini program's number in the organizer's province for its first approval", () => {
    expect(judgeBureauNumber(mini, FIRST)).toBeNull();
  });

  it("accepts the organizer's own organizer number with an unused sequence, one past its last included", () => {
    expect(judgeBureauNumber(mini, LATER)).toBeNull();
    expect(judgeBureauNumber(number(`粤ICP备${DIGITS}号-9999X`), LATER)).toBeNull();
  });

  it("accepts a legacy 8-digit organizer number and a province variant", () => {
    expect(judgeBureauNumber(number("粤ICP备05012345号-1X"), FIRST)).toBeNull();
    expect(judgeBureauNumber(number(`川ICP备${DIGITS}号-1X`), { ...FIRST, provinceCode: "51" })).toBeNull();
  });

  it.each([`粤ICP备${DIGITS}号-3A`, `粤ICP备${DIGITS}号-3`])("refuses %s: not a mini program's", (input) => {
    expect(judgeBureauNumber(number(input), FIRST)).toBe("the number must be a mini program's (suffix X)");
  });

  it("refuses a number of another province", () => {
    expect(judgeBureauNumber(mini, { ...FIRST, provinceCode: "11" })).toBe("the province is not the organizer's");
    expect(judgeBureauNumber(number(`京ICP备${DIGITS}号-3X`), FIRST)).toBe("the province is not the organizer's");
  });

  it("refuses another organizer number for an organizer already numbered, naming its own", () => {
    const own = { digits: "2020000007", number: "粤ICP备2020000007号" };
    expect(judgeBureauNumber(mini, { ...FIRST, organizer: own })).toBe("the organizer's number is 粤ICP备2020000007号");
  });

  it("refuses a number some registration carries", () => {
    expect(judgeBureauNumber(mini, { ...FIRST, numberTaken: true })).toBe("the number is already in use");
    expect(judgeBureauNumber(mini, { ...LATER, numberTaken: true })).toBe("the number is already in use");
  });

  it("refuses, for a first approval, organizer digits another organizer holds", () => {
    expect(judgeBureauNumber(mini, { ...FIRST, digitsHeldByAnother: true })).toBe(
      "the organizer number belongs to another organizer",
    );
  });

  it("refuses a sequence the organizer used before", () => {
    expect(judgeBureauNumber(mini, { ...LATER, sequenceUsed: true })).toBe("the sequence was used before");
  });

  it("names the first reason in the order kind, province, organizer number, taken, holder, sequence", () => {
    const everything: BureauNumberFacts = {
      provinceCode: "11",
      organizer: { digits: "2020000007", number: "粤ICP备2020000007号" },
      numberTaken: true,
      digitsHeldByAnother: true,
      sequenceUsed: true,
    };
    const app = number(`粤ICP备${DIGITS}号-3A`);
    expect(judgeBureauNumber(app, everything)).toBe("the number must be a mini program's (suffix X)");
    expect(judgeBureauNumber(mini, everything)).toBe("the province is not the organizer's");
    expect(judgeBureauNumber(mini, { ...everything, provinceCode: "44" })).toBe(
      "the organizer's number is 粤ICP备2020000007号",
    );
    const own = { ...everything, provinceCode: "44", organizer: LATER.organizer };
    expect(judgeBureauNumber(mini, own)).toBe("the number is already in use");
    expect(judgeBureauNumber(mini, { ...own, numberTaken: false })).toBe(
      "the organizer number belongs to another organizer",
    );
    expect(judgeBureauNumber(mini, { ...own, numberTaken: false, digitsHeldByAnother: false })).toBe(
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
              organizerNumber,
              organizer: formatOrganizerNumber({ provinceCode: code, organizerNumber }),
              sequence,
              kind: "mini_program",
            });
            expect(splitOrganizerNumber(parsed?.organizerNumber ?? "")).toEqual({ year, sequence: organizerSequence });
            expect(parseOrganizerNumber(parsed?.organizer ?? "", YEAR)?.organizerNumber).toBe(organizerNumber);
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
