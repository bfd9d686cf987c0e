import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ageOn,
  beijingToday,
  checkCertificate,
  checkEmail,
  checkForeignPassport,
  checkForeignPermanentResidence,
  checkHkMacauPermit,
  checkMobile,
  checkPassport,
  checkResidentId,
  checkTaiwanPermit,
  checkUscc,
  foldWidth,
  isRealDate,
  isUsccRegion,
  RESIDENT_ID_PROVINCE_CODES,
  residentIdCheckCharacter,
  usccCheckCharacter,
} from "../../src/domain/identifiers";
import { CERTIFICATE_TYPES, type CertificateType } from "../../src/domain/reference/certificate-types";
import {
  foreignPermanentResidenceArb,
  makeForeignPermanentResidence,
  makeResidentId,
  makeUscc,
  residentIdArb,
  USCC_ALPHABET,
  usccArb,
  usccRegionArb,
} from "../support/identifiers";

const TODAY = "2025-06-01";

/** Replaces the character at `pos` (one UTF-16 unit) with `replacement`. */
/** Completes 17 digits with their MOD 11-2 check character. */
const withCheck = (first17: string) => first17 + residentIdCheckCharacter(first17);

/** Full-width ASCII as its ASCII form, written out here rather than taken from the code under test. */
const fold = (s: string) =>
  s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, " ");

const substitute = (s: string, pos: number, replacement: string) => s.slice(0, pos) + replacement + s.slice(pos + 1);

/** A replacement character: mostly from the identifier's own classes, sometimes anything at all. */
const replacementArb = fc.oneof(
  fc.constantFrom(..."0123456789"),
  fc.constantFrom(..."Xx"),
  fc.constantFrom(...USCC_ALPHABET),
  fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzIOSVZ"),
  fc.constantFrom(" ", "\t", "-", ".", "０", "Ｘ", "é"),
  fc.string({ minLength: 1, maxLength: 1, unit: "binary" }),
);

describe("resident ID (GB 11643-1999)", () => {
  it.each([
    ["11010519491231002X", "1949-12-31"],
    ["440524188001010014", "1880-01-01"],
    ["34052419800101001X", "1980-01-01"],
  ])("accepts the reference vector %s", (id, birthDate) => {
    expect(checkResidentId(id, TODAY)).toEqual({ ok: true, value: id, birthDate });
  });

  it.each([
    ["110105194912310021", "INVALID_CHECK_CHARACTER"],
    ["110105194902300020", "INVALID_BIRTH_DATE"], // 30 February, check character right
    ["110105194902290029", "INVALID_BIRTH_DATE"], // 1949 is no leap year, check character right
    ["440524188001010013", "INVALID_CHECK_CHARACTER"],
  ])("refuses the reference vector %s with %s", (id, code) => {
    expect(checkResidentId(id, TODAY)).toEqual({ ok: false, code });
  });

  it("normalizes a lowercase x and trims surrounding whitespace", () => {
    expect(checkResidentId("11010519491231002x", TODAY)).toEqual({
      ok: true,
      value: "11010519491231002X",
      birthDate: "1949-12-31",
    });
    expect(checkResidentId(" \t11010519491231002X\n", TODAY)).toMatchObject({ ok: true, value: "11010519491231002X" });
    expect(checkResidentId("\u300034052419800101001x\u3000", TODAY)).toMatchObject({
      ok: true,
      value: "34052419800101001X",
    });
  });

  it.each([
    ["", "empty"],
    ["11010519491231002", "17 characters"],
    ["11010519491231002X0", "19 characters"],
    ["1101051949123100X2", "X before the last position"],
    ["11010519491231002Y", "a letter other than X"],
    ["1101051949 1231002X", "inner space"],
    ["11010519491231OO2X", "letters O for zeros"],
    ["110105194912310O2x", "letter inside plus lowercase x"],
    ["１１０１０５１９４９１２３１００２Ｙ", "full-width digits, then a letter other than X"],
    ["110105-19491231-002X", "dashes"],
  ])("refuses %s (%s) as INVALID_FORMAT", (id) => {
    expect(checkResidentId(id, TODAY)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });

  it.each([
    ["000105194912310024", "00"],
    ["710105194912310013", "71 (Taiwan's GB/T 2260 code is not used on IDs)"],
    [withCheck("16010519491231002"), "16"],
    [withCheck("90010519491231002"), "90"],
    [withCheck("84010519491231002"), "84"],
  ])("refuses %s: province %s is INVALID_REGION_CODE", (id) => {
    expect(checkResidentId(id, TODAY)).toEqual({ ok: false, code: "INVALID_REGION_CODE" });
  });

  it("accepts every listed province and the HK/Macau/Taiwan residence-permit codes 81, 82, 83", () => {
    expect(RESIDENT_ID_PROVINCE_CODES).toHaveLength(5 + 3 + 7 + 6 + 5 + 5 + 3);
    for (const p of [...RESIDENT_ID_PROVINCE_CODES, "81", "82", "83"]) {
      expect(checkResidentId(makeResidentId({ province: p, birthDate: "1990-01-01", seq: 1 }), TODAY).ok).toBe(true);
    }
    expect(checkResidentId("810000199001010019", TODAY)).toEqual({
      ok: true,
      value: "810000199001010019",
      birthDate: "1990-01-01",
    });
  });

  it("does not check the four county digits (IDs keep codes of abolished counties)", () => {
    expect(checkResidentId(makeResidentId({ region: "119999", birthDate: "1980-05-05", seq: 7 }), TODAY).ok).toBe(true);
    expect(checkResidentId(makeResidentId({ region: "650000", birthDate: "1980-05-05", seq: 7 }), TODAY).ok).toBe(true);
  });

  it("bounds the birth date by today and by 1800-01-01", () => {
    expect(checkResidentId(makeResidentId({ birthDate: TODAY, seq: 1 }), TODAY)).toMatchObject({
      ok: true,
      birthDate: TODAY,
    });
    expect(checkResidentId(makeResidentId({ birthDate: "2025-06-02", seq: 1 }), TODAY)).toEqual({
      ok: false,
      code: "INVALID_BIRTH_DATE",
    });
    expect(checkResidentId("110105209901010012", TODAY)).toEqual({ ok: false, code: "INVALID_BIRTH_DATE" });
    expect(checkResidentId("110105180001010010", TODAY)).toEqual({
      ok: true,
      value: "110105180001010010",
      birthDate: "1800-01-01",
    });
    expect(checkResidentId("110105179912310016", TODAY)).toEqual({ ok: false, code: "INVALID_BIRTH_DATE" });
    for (const bad of ["1990-13-01", "1990-00-10", "1990-04-31", "1900-02-29", "1990-01-00"]) {
      expect(checkResidentId(withCheck(`110105${bad.replaceAll("-", "")}001`), TODAY)).toEqual({
        ok: false,
        code: "INVALID_BIRTH_DATE",
      });
    }
    expect(checkResidentId(withCheck("11010520000229001"), TODAY)).toMatchObject({
      ok: true,
      birthDate: "2000-02-29",
    });
  });

  it("defaults today to the Beijing date", () => {
    expect(checkResidentId(makeResidentId({ birthDate: beijingToday(), seq: 1 })).ok).toBe(true);
    expect(checkResidentId(makeResidentId({ birthDate: "2999-01-01", seq: 1 }))).toEqual({
      ok: false,
      code: "INVALID_BIRTH_DATE",
    });
  });

  it("checks format, then region, then birth date, then the check character", () => {
    // bad region + bad date + bad check character → region
    expect(checkResidentId("000105194902300021", TODAY)).toEqual({ ok: false, code: "INVALID_REGION_CODE" });
    // bad date + bad check character → date
    expect(checkResidentId("110105194902300021", TODAY)).toEqual({ ok: false, code: "INVALID_BIRTH_DATE" });
    // bad format wins over everything
    expect(checkResidentId("00010519490230002Y", TODAY)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });

  it("does not decide adulthood: a child's ID is valid and carries its birth date", () => {
    const id = makeResidentId({ birthDate: "2015-03-03", seq: 5 });
    const r = checkResidentId(id, TODAY);
    expect(r).toEqual({ ok: true, value: id, birthDate: "2015-03-03" });
    expect(ageOn("2015-03-03", TODAY)).toBe(10);
  });

  it("throws on a malformed `today` (a programming error, not user input)", () => {
    expect(() => checkResidentId("11010519491231002X", "2025-02-30")).toThrow(RangeError);
    expect(() => checkResidentId("11010519491231002X", "20250601")).toThrow(RangeError);
  });

  it("computes the MOD 11-2 check character", () => {
    expect(residentIdCheckCharacter("11010519491231002")).toBe("X");
    expect(residentIdCheckCharacter("44052418800101001")).toBe("4");
    expect(residentIdCheckCharacter("34052419800101001")).toBe("X");
    expect(() => residentIdCheckCharacter("1101051949123100")).toThrow(RangeError);
    expect(() => residentIdCheckCharacter("1101051949123100A")).toThrow(RangeError);
  });

  it.each([
    "320582199007100010",
    "320582199007100061",
    "320582199007100002",
    "320582199007100053",
    "320582199007100184",
    "320582199007100045",
    "320582199007100096",
    "320582199007100037",
    "320582199007100088",
    "320582199007100029",
    "32058219900710007X",
  ])("accepts %s (one vector per check character)", (id) => {
    expect(checkResidentId(id, TODAY)).toEqual({ ok: true, value: id, birthDate: "1990-07-10" });
  });

  it("property: the check character is ISO 7064 MOD 11-2, i.e. (12 − Σ aᵢ·2^(18−i) mod 11) mod 11", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (first17) => {
        let sum = 0;
        for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
        const v = (12 - (sum % 11)) % 11;
        expect(residentIdCheckCharacter(first17)).toBe(v === 10 ? "X" : String(v));
      }),
      { numRuns: 1000 },
    );
  });

  it("property: generated valid IDs pass and return their birth date", () => {
    fc.assert(
      fc.property(residentIdArb, (id) => {
        const r = checkResidentId(id, TODAY);
        expect(r).toEqual({
          ok: true,
          value: id,
          birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
        });
        expect(checkResidentId(id.toLowerCase(), TODAY)).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });

  it("property: exactly one of the eleven check characters completes an ID", () => {
    fc.assert(
      fc.property(residentIdArb, (id) => {
        const passing = [..."0123456789X"].filter((c) => checkResidentId(id.slice(0, 17) + c, TODAY).ok);
        expect(passing).toEqual([id.charAt(17)]);
      }),
    );
  });

  it("property: any single-character substitution fails with the code of the part it breaks", () => {
    fc.assert(
      fc.property(residentIdArb, fc.integer({ min: 0, max: 17 }), replacementArb, (id, pos, r) => {
        fc.pre(r !== id.charAt(pos));
        const mutated = substitute(id, pos, r);
        const result = checkResidentId(mutated, TODAY);
        const normalized = fold(mutated).trim().replace(/x$/, "X");
        if (normalized === id) {
          // x for X in the check position, or a full-width form of the character replaced
          expect(result).toMatchObject({ ok: true, value: id });
          return;
        }
        let expected: string;
        if (!/^\d{17}[\dX]$/.test(normalized)) expected = "INVALID_FORMAT";
        else if (pos < 2 && !RESIDENT_ID_PROVINCE_CODES.includes(normalized.slice(0, 2)))
          expected = "INVALID_REGION_CODE";
        else if (pos >= 6 && pos < 14) {
          const d = `${normalized.slice(6, 10)}-${normalized.slice(10, 12)}-${normalized.slice(12, 14)}`;
          expected =
            isRealDate(d) && d >= "1800-01-01" && d <= TODAY ? "INVALID_CHECK_CHARACTER" : "INVALID_BIRTH_DATE";
        } else expected = "INVALID_CHECK_CHARACTER";
        expect(result).toEqual({ ok: false, code: expected });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("Unified Social Credit Code (GB 32100-2015)", () => {
  it.each(["91350100M000100Y43", "9144030071526726XG", "91440300MA5G35XK4R"])(
    "accepts the reference vector %s",
    (code) => {
      expect(checkUscc(code)).toEqual({ ok: true, value: code });
    },
  );

  it("refuses the reference vectors", () => {
    expect(checkUscc("91350100M000100Y4Z")).toEqual({ ok: false, code: "INVALID_FORMAT" });
    expect(checkUscc("91310115MA1G4L1WXK")).toEqual({ ok: false, code: "INVALID_CHECK_CHARACTER" });
  });

  it("uppercases and trims input", () => {
    expect(checkUscc("91440300ma5g35xk4r")).toEqual({ ok: true, value: "91440300MA5G35XK4R" });
    expect(checkUscc("  9144030071526726xg ")).toEqual({ ok: true, value: "9144030071526726XG" });
  });

  it.each([
    ["", "empty"],
    ["91350100M000100Y4", "17 characters"],
    ["91350100M000100Y433", "19 characters"],
    ["91350100I000100Y43", "I"],
    ["91350100O000100Y43", "O"],
    ["91350100S000100Y43", "S"],
    ["91350100V000100Y43", "V"],
    ["91350100M000100Y4z", "lowercase z"],
    ["91350100-M000100Y4", "dash"],
    ["9135 0100M000100Y43", "inner space"],
  ])("refuses %s (%s) as INVALID_FORMAT", (code) => {
    expect(checkUscc(code)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });

  it("computes the check character, mapping 31 to 0", () => {
    expect(usccCheckCharacter("91350100M000100Y4")).toBe("3");
    expect(usccCheckCharacter("9144030071526726X")).toBe("G");
    expect(usccCheckCharacter("91440300ma5g35xk4")).toBe("R");
    // Σ ≡ 0 (mod 31) gives 31 − 0 = 31, written as 0: an all-zero body is the simplest such case.
    expect(usccCheckCharacter("00000000000000000")).toBe("0");
    // (as a code it is refused: 000000 is no registration authority's region)
    expect(checkUscc("000000000000000000")).toEqual({ ok: false, code: "INVALID_REGION_CODE" });
    expect(() => usccCheckCharacter("91350100M000100Y")).toThrow(RangeError);
    expect(() => usccCheckCharacter("91350100I000100Y4")).toThrow(RangeError);
  });

  it("property: the check character follows GB 32100-2015 for any 17 code characters", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 17, maxLength: 17 }), (values) => {
        const sum = values.reduce((acc, v, i) => acc + v * (3 ** i % 31), 0);
        const expected = (31 - (sum % 31)) % 31;
        const first17 = values.map((v) => USCC_ALPHABET.charAt(v)).join("");
        expect(usccCheckCharacter(first17)).toBe(USCC_ALPHABET.charAt(expected));
      }),
      { numRuns: 1000 },
    );
  });

  it("property: generated valid codes pass, in either case", () => {
    fc.assert(
      fc.property(usccArb, (code) => {
        expect(checkUscc(code)).toEqual({ ok: true, value: code });
        expect(checkUscc(code.toLowerCase())).toEqual({ ok: true, value: code });
      }),
      { numRuns: 500 },
    );
  });

  it("property: exactly one of the 31 characters completes a code", () => {
    fc.assert(
      fc.property(usccArb, (code) => {
        const passing = [...USCC_ALPHABET].filter((c) => checkUscc(code.slice(0, 17) + c).ok);
        expect(passing).toEqual([code.charAt(17)]);
      }),
    );
  });

  it("property: any single-character substitution fails, except a change of case or width", () => {
    fc.assert(
      fc.property(usccArb, fc.integer({ min: 0, max: 17 }), replacementArb, (code, pos, r) => {
        fc.pre(r !== code.charAt(pos));
        const mutated = substitute(code, pos, r);
        const normalized = fold(mutated).trim().toUpperCase();
        const result = checkUscc(mutated);
        if (normalized === code) expect(result).toEqual({ ok: true, value: code });
        else if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(normalized))
          expect(result).toEqual({ ok: false, code: "INVALID_FORMAT" });
        else if (pos >= 2 && pos < 8 && !isUsccRegion(normalized.slice(2, 8)))
          expect(result).toEqual({ ok: false, code: "INVALID_REGION_CODE" });
        else expect(result).toEqual({ ok: false, code: "INVALID_CHECK_CHARACTER" });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("USCC region (characters 3–8, GB 32100-2015 with GB/T 2260)", () => {
  it.each([
    ["91320594MA1Q2A0X1Y", "a development zone's authority (苏州工业园区 320594), in no GB/T 2260 edition"],
    ["91610131MA6U98210U", "a development zone's authority (西安高新区 610131)"],
    ["91371202MA3C4K5L6Q", "a county since merged (莱芜 371202, defunct since 2019)"],
    ["91100000100012345G", "a national authority (100000)"],
    ["511000005000001238", "a national authority registering a social organization"],
    ["91440000190354345W", "a province's own authority"],
    ["91440101MA59ABCDEM", "a city's own authority (the former 市辖区 code 440101)"],
    ["91429004MA4F12345D", "a county governed by its province (仙桃 429004)"],
  ])("accepts %s: %s", (code) => {
    expect(checkUscc(code)).toEqual({ ok: true, value: code });
  });

  it.each([
    ["91MA0300MA5G35XK4L", "letters in characters 3–8"],
    ["91720000MA5G35XK46", "no province 72"],
    ["91810000MA5G35XK4Q", "Hong Kong (81) registers no USCCs"],
    ["91449900MA5G35XK48", "prefecture 99"],
    ["91447100MA5G35XK46", "prefecture 71"],
    ["91440012MA5G35XK4N", "a province code with county digits"],
  ])("refuses %s (%s) as INVALID_REGION_CODE, before the check character", (code) => {
    expect(checkUscc(code)).toEqual({ ok: false, code: "INVALID_REGION_CODE" });
  });

  it("accepts every current GB/T 2260 code of the mainland as a region", () => {
    for (const code of ["110000", "110101", "500200", "441900", "460400", "620200", "659001", "419001", "540600"]) {
      expect(isUsccRegion(code), code).toBe(true);
    }
  });

  it("property: the generators' regions are regions, and the makers' codes are valid", () => {
    fc.assert(fc.property(usccRegionArb, (region) => isUsccRegion(region)));
    expect(checkUscc(makeUscc()).ok).toBe(true);
    expect(checkUscc(makeUscc("12")).ok).toBe(true);
  });
});

describe("full-width identifiers (docs/rules.md#identifiers)", () => {
  it("folds full-width letters, digits and signs, and only those", () => {
    expect(foldWidth("３４０５２４１９８００１０１００１ｘ")).toBe("34052419800101001x");
    expect(foldWidth("ＡＢＣ＋８６　１３８")).toBe("ABC+86 138");
    expect(foldWidth("①²ﬁ")).toBe("①²ﬁ");
  });

  it("reads full-width resident IDs, USCCs, other certificates, mobiles and emails as their ASCII forms", () => {
    expect(checkResidentId("３４０５２４１９８００１０１００１ｘ", TODAY)).toEqual({
      ok: true,
      value: "34052419800101001X",
      birthDate: "1980-01-01",
    });
    expect(checkUscc("　９１３５０１００Ｍ０００１００Ｙ４３　")).toEqual({ ok: true, value: "91350100M000100Y43" });
    expect(checkUscc("９１４４０３００ｍａ５ｇ３５ｘｋ４ｒ")).toEqual({ ok: true, value: "91440300MA5G35XK4R" });
    expect(checkPassport("Ｅ１２３４５６７８")).toEqual({ ok: true, value: "E12345678" });
    expect(checkMobile("＋８６　１３８００１３８０００")).toEqual({ ok: true, value: "13800138000" });
    expect(checkEmail("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ")).toEqual({ ok: true, value: "zhang@example.com" });
  });

  it("leaves circled and superscript digits errors", () => {
    expect(checkResidentId("①1010519491231002X", TODAY)).toEqual({ ok: false, code: "INVALID_FORMAT" });
    expect(checkMobile("1380013800²")).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });
});

describe("passport (PRC)", () => {
  it.each([
    ["E12345678", "E12345678"],
    ["EA1234567", "EA1234567"],
    ["EZ7654321", "EZ7654321"],
    ["e12345678", "E12345678"],
    ["ea1234567", "EA1234567"],
    [" E12345678 ", "E12345678"],
  ])("accepts %s", (raw, value) => {
    expect(checkPassport(raw)).toEqual({ ok: true, value });
  });

  it.each([
    "",
    "E1234567",
    "E123456789",
    "EI1234567",
    "EO1234567",
    "EAB123456",
    "G12345678",
    "D12345678",
    "12345678E",
    "E1234 5678",
    "E-12345678",
  ])("refuses %j as INVALID_FORMAT", (raw) => {
    expect(checkPassport(raw)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });
});

describe("foreign passport", () => {
  it.each([
    ["12345", "12345"],
    ["X1234567", "X1234567"],
    ["ab12345", "AB12345"],
    ["A".repeat(20), "A".repeat(20)],
    ["  C01X00T47 ", "C01X00T47"],
  ])("accepts %s", (raw, value) => {
    expect(checkForeignPassport(raw)).toEqual({ ok: true, value });
  });

  it.each(["", "1234", "A".repeat(21), "AB-12345", "AB 12345", "ÄB12345", "AB12345!", "护照12345"])(
    "refuses %j as INVALID_FORMAT",
    (raw) => {
      expect(checkForeignPassport(raw)).toEqual({ ok: false, code: "INVALID_FORMAT" });
    },
  );
});

describe("Hong Kong / Macau home-return permit", () => {
  it.each([
    ["H12345678", "H12345678"],
    ["M87654321", "M87654321"],
    ["H1234567890", "H1234567890"],
    ["m1234567890", "M1234567890"],
    [" h12345678", "H12345678"],
  ])("accepts %s", (raw, value) => {
    expect(checkHkMacauPermit(raw)).toEqual({ ok: true, value });
  });

  it.each(["", "H1234567", "H123456789", "H12345678901", "C12345678", "12345678", "HM12345678", "H1234567A"])(
    "refuses %j as INVALID_FORMAT",
    (raw) => {
      expect(checkHkMacauPermit(raw)).toEqual({ ok: false, code: "INVALID_FORMAT" });
    },
  );
});

describe("Taiwan permit", () => {
  it.each([
    ["12345678", "12345678"],
    ["00000001", "00000001"],
    [" 87654321\n", "87654321"],
  ])("accepts %j", (raw, value) => {
    expect(checkTaiwanPermit(raw)).toEqual({ ok: true, value });
  });

  it.each(["", "1234567", "123456789", "A1234567", "1234567a", "1234 5678"])("refuses %j as INVALID_FORMAT", (raw) => {
    expect(checkTaiwanPermit(raw)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });
});

describe("foreign permanent residence card", () => {
  it("accepts the 2023 form and returns its birth date, including a check character X", () => {
    expect(checkForeignPermanentResidence("911840198506150011", TODAY)).toEqual({
      ok: true,
      value: "911840198506150011",
      birthDate: "1985-06-15",
    });
    expect(checkForeignPermanentResidence("91184019850615002X", TODAY)).toEqual({
      ok: true,
      value: "91184019850615002X",
      birthDate: "1985-06-15",
    });
    expect(checkForeignPermanentResidence(" 91184019850615002x ", TODAY)).toMatchObject({
      ok: true,
      value: "91184019850615002X",
    });
  });

  it("refuses a 2023-form card with a wrong check character or an impossible birth date", () => {
    expect(checkForeignPermanentResidence("911840198506150012", TODAY)).toEqual({
      ok: false,
      code: "INVALID_CHECK_CHARACTER",
    });
    expect(checkForeignPermanentResidence("911840198502300019", TODAY)).toEqual({
      ok: false,
      code: "INVALID_BIRTH_DATE",
    });
    expect(checkForeignPermanentResidence(makeForeignPermanentResidence({ birthDate: "2025-06-02" }), TODAY)).toEqual({
      ok: false,
      code: "INVALID_BIRTH_DATE",
    });
  });

  it("accepts the older 15-character form without a birth date", () => {
    expect(checkForeignPermanentResidence("USA110085061501", TODAY)).toEqual({ ok: true, value: "USA110085061501" });
    expect(checkForeignPermanentResidence("gbr310090010112", TODAY)).toEqual({ ok: true, value: "GBR310090010112" });
  });

  it.each([
    "",
    "811840198506150011", // 18 digits not starting with 9
    "91184019850615001", // 17
    "9118401985061500111", // 19
    "91184019850615001Y",
    "9118401985X6150011",
    "US1110085061501", // two letters
    "USA11008506150", // 11 digits
    "USA1100850615011", // 13 digits
    "U5A110085061501",
  ])("refuses %j as INVALID_FORMAT", (raw) => {
    expect(checkForeignPermanentResidence(raw, TODAY)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });

  it("property: generated 2023-form cards pass and return their birth date", () => {
    fc.assert(
      fc.property(foreignPermanentResidenceArb, (id) => {
        expect(checkForeignPermanentResidence(id, TODAY)).toEqual({
          ok: true,
          value: id,
          birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
        });
      }),
      { numRuns: 300 },
    );
  });

  it("property: any single-character substitution of a 2023-form card fails, except x for X and full-width forms", () => {
    fc.assert(
      fc.property(foreignPermanentResidenceArb, fc.integer({ min: 0, max: 17 }), replacementArb, (id, pos, r) => {
        fc.pre(r !== id.charAt(pos));
        const mutated = substitute(id, pos, r);
        const normalized = fold(mutated).trim().toUpperCase();
        const result = checkForeignPermanentResidence(mutated, TODAY);
        if (normalized === id) {
          expect(result).toMatchObject({ ok: true, value: id });
          return;
        }
        let expected: string;
        if (!/^9\d{16}[\dX]$/.test(normalized)) expected = "INVALID_FORMAT";
        else if (pos >= 6 && pos < 14) {
          const d = `${normalized.slice(6, 10)}-${normalized.slice(10, 12)}-${normalized.slice(12, 14)}`;
          expected =
            isRealDate(d) && d >= "1800-01-01" && d <= TODAY ? "INVALID_CHECK_CHARACTER" : "INVALID_BIRTH_DATE";
        } else expected = "INVALID_CHECK_CHARACTER";
        expect(result).toEqual({ ok: false, code: expected });
      }),
      { numRuns: 1000 },
    );
  });
});

describe("checkCertificate", () => {
  const samples: Record<CertificateType, string> = {
    resident_id: "11010519491231002X",
    passport: "E12345678",
    foreign_passport: "X1234567",
    hk_macau_permit: "H12345678",
    taiwan_permit: "12345678",
    foreign_permanent_residence: "91184019850615002X",
    uscc: "91350100M000100Y43",
  };

  it("lists each certificate type once", () => {
    const codes = CERTIFICATE_TYPES.map((t) => t.code);
    expect([...codes].sort()).toEqual(Object.keys(samples).sort());
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(Object.entries(samples) as [CertificateType, string][])("dispatches %s", (type, raw) => {
    expect(checkCertificate(type, raw, TODAY)).toMatchObject({ ok: true, value: raw });
  });

  it("dispatches to the right rule, not just any rule", () => {
    expect(checkCertificate("resident_id", "11010519491231002X", TODAY)).toEqual({
      ok: true,
      value: "11010519491231002X",
      birthDate: "1949-12-31",
    });
    expect(checkCertificate("resident_id", "110105194902300020", TODAY)).toEqual({
      ok: false,
      code: "INVALID_BIRTH_DATE",
    });
    expect(checkCertificate("uscc", "91310115MA1G4L1WXK")).toEqual({ ok: false, code: "INVALID_CHECK_CHARACTER" });
    expect(checkCertificate("passport", "H12345678")).toEqual({ ok: false, code: "INVALID_FORMAT" });
    expect(checkCertificate("hk_macau_permit", "E12345678")).toEqual({ ok: false, code: "INVALID_FORMAT" });
    expect(checkCertificate("taiwan_permit", "11010519491231002X")).toEqual({ ok: false, code: "INVALID_FORMAT" });
    expect(checkCertificate("foreign_permanent_residence", "911840198506150012", TODAY)).toEqual({
      ok: false,
      code: "INVALID_CHECK_CHARACTER",
    });
    expect(checkCertificate("foreign_permanent_residence", "91184019850615002X", "1985-06-14")).toEqual({
      ok: false,
      code: "INVALID_BIRTH_DATE",
    });
  });

  it("answers INVALID_FORMAT for an unknown type or a non-string number instead of throwing", () => {
    expect(checkCertificate("military_id" as CertificateType, "12345678")).toEqual({
      ok: false,
      code: "INVALID_FORMAT",
    });
    expect(checkCertificate("resident_id", 11010519491231 as unknown as string, TODAY)).toEqual({
      ok: false,
      code: "INVALID_FORMAT",
    });
    expect(checkCertificate("uscc", null as unknown as string)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });
});

describe("mobile", () => {
  it.each([
    ["13800138000", "13800138000"],
    ["19912345678", "19912345678"],
    ["14700000000", "14700000000"],
    ["+8613800138000", "13800138000"],
    ["8613800138000", "13800138000"],
    ["+86 13800138000", "13800138000"],
    ["+86-13800138000", "13800138000"],
    ["86-13800138000", "13800138000"],
    [" 13800138000 ", "13800138000"],
  ])("accepts %j as %s", (raw, value) => {
    expect(checkMobile(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ["", "empty"],
    ["138001380001", "12 digits"],
    ["1380013800", "10 digits"],
    ["12800138000", "second digit 2"],
    ["10800138000", "second digit 0"],
    ["11800138000", "second digit 1"],
    ["23800138000", "not starting with 1"],
    ["+85213800138000", "+852"],
    ["+861380013800", "+86 and 10 digits"],
    ["+86  13800138000", "two spaces after +86"],
    ["+86+13800138000", "doubled sign"],
    ["138 0013 8000", "inner spaces"],
    ["1380013800a", "letter"],
    ["１380013800", "a full-width digit, one digit short"],
    ["010-12345678", "landline"],
  ])("refuses %j (%s)", (raw) => {
    expect(checkMobile(raw)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });

  it("property: every mainland mobile number passes with and without a country code", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(..."3456789"),
        fc.stringMatching(/^\d{9}$/),
        fc.constantFrom("", "+86", "86", "+86 ", "+86-"),
        (second, rest, prefix) => {
          const mobile = `1${second}${rest}`;
          expect(checkMobile(prefix + mobile)).toEqual({ ok: true, value: mobile });
        },
      ),
    );
  });
});

describe("email", () => {
  const local64 = "l".repeat(64);
  const domainOf = (n: number) => `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(n)}.cn`;

  it.each([
    ["alice@example.com", "alice@example.com"],
    ["Alice.Smith+tag@Example.COM", "Alice.Smith+tag@example.com"],
    ["a@b.cn", "a@b.cn"],
    ["user@mail.example.com.cn", "user@mail.example.com.cn"],
    ["x_y-z@sub-domain.example.org", "x_y-z@sub-domain.example.org"],
    ["12345@qq.com", "12345@qq.com"],
    ["o'brien@xn--fiqs8s.cn", "o'brien@xn--fiqs8s.cn"],
    [" bob@EXAMPLE.com\n", "bob@example.com"],
    [`${local64}@${domainOf(58)}`, `${local64}@${domainOf(58)}`],
  ])("accepts %s", (raw, value) => {
    expect(checkEmail(raw)).toEqual({ ok: true, value });
  });

  it("counts the 254-character limit exactly", () => {
    expect(`${local64}@${domainOf(58)}`).toHaveLength(254);
    expect(`${local64}@${domainOf(59)}`).toHaveLength(255);
    expect(checkEmail(`${local64}@${domainOf(59)}`)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });

  it.each([
    "",
    "alice",
    "@example.com",
    "alice@",
    "alice@example",
    "alice@@example.com",
    "alice@exa mple.com",
    "al ice@example.com",
    ".alice@example.com",
    "alice.@example.com",
    "al..ice@example.com",
    "alice@-example.com",
    "alice@example-.com",
    "alice@example..com",
    "alice@.example.com",
    "alice@example.com.",
    "alice@1.2.3.4",
    "alice@[127.0.0.1]",
    '"alice"@example.com',
    "alice@exam_ple.com",
    "alice@例子.中国",
    `${"l".repeat(65)}@example.com`,
    `alice@${"a".repeat(64)}.com`,
  ])("refuses %j", (raw) => {
    expect(checkEmail(raw)).toEqual({ ok: false, code: "INVALID_FORMAT" });
  });
});

describe("dates", () => {
  it.each([
    ["2000-02-29", true],
    ["2024-02-29", true],
    ["1900-02-29", false],
    ["2023-02-29", false],
    ["2023-02-28", true],
    ["2023-04-30", true],
    ["2023-04-31", false],
    ["2023-12-31", true],
    ["2023-13-01", false],
    ["2023-00-10", false],
    ["2023-01-00", false],
    ["2023-01-32", false],
    ["2023-1-01", false],
    ["20230101", false],
    [" 2023-01-01", false],
    ["2023-01-01T00:00", false],
  ])("isRealDate(%j) is %s", (s, expected) => {
    expect(isRealDate(s)).toBe(expected);
  });

  it("property: isRealDate agrees with the calendar for every year, month and day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const s = `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
          const t = new Date(Date.UTC(y, m - 1, d));
          const real = m >= 1 && m <= 12 && d >= 1 && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
          expect(isRealDate(s)).toBe(real);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ["2000-06-15", "2018-06-14", 17],
    ["2000-06-15", "2018-06-15", 18],
    ["2000-06-15", "2018-06-16", 18],
    ["1999-12-31", "2017-12-31", 18],
    ["1999-12-31", "2017-12-30", 17],
    ["2004-02-29", "2022-02-28", 17],
    ["2004-02-29", "2022-03-01", 18],
    ["2004-02-29", "2024-02-29", 20],
    ["1949-12-31", "2025-06-01", 75],
    ["2025-06-01", "2025-06-01", 0],
    ["2025-06-02", "2025-06-01", -1],
  ])("ageOn(%s, %s) is %i", (birth, on, age) => {
    expect(ageOn(birth, on)).toBe(age);
  });

  it("ageOn throws for dates that do not exist", () => {
    expect(() => ageOn("2001-02-29", "2025-01-01")).toThrow(RangeError);
    expect(() => ageOn("2001-01-01", "2025/01/01")).toThrow(RangeError);
  });

  it("beijingToday uses UTC+8", () => {
    expect(beijingToday(new Date("2024-03-31T15:59:59.999Z"))).toBe("2024-03-31");
    expect(beijingToday(new Date("2024-03-31T16:00:00.000Z"))).toBe("2024-04-01");
    expect(beijingToday(new Date("2024-12-31T23:00:00+08:00"))).toBe("2024-12-31");
    expect(isRealDate(beijingToday())).toBe(true);
  });
});

describe("test factories (test/support/identifiers)", () => {
  it("makeResidentId makes distinct adults' valid IDs and honours its options", () => {
    const ids = Array.from({ length: 200 }, () => makeResidentId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      const r = checkResidentId(id, TODAY);
      expect(r.ok).toBe(true);
      if (r.ok) expect(ageOn(r.birthDate ?? "", "2020-01-01")).toBeGreaterThanOrEqual(18);
    }
    expect(makeResidentId({ province: "44", birthDate: "1980-01-01", seq: 1 })).toBe(withCheck("44010519800101001"));
    expect(makeResidentId({ region: "340524", birthDate: "1980-01-01", seq: 1 })).toBe("34052419800101001X");
  });

  it("makeUscc makes distinct valid codes with the requested prefix", () => {
    const codes = Array.from({ length: 200 }, () => makeUscc());
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) {
      expect(checkUscc(c)).toEqual({ ok: true, value: c });
      expect(c.startsWith("91")).toBe(true);
    }
    for (const prefix of ["92", "93", "11", "12", "51", "52", "53", "Y1"]) {
      const c = makeUscc(prefix);
      expect(c.startsWith(prefix)).toBe(true);
      expect(checkUscc(c).ok).toBe(true);
    }
    expect(makeUscc("91", 42)).toBe(makeUscc("91", 42));
  });
});
