/**
 * MIIT numbers (docs/rules.md#numbers), every form a mini program's number takes, parsed and normalized here. Pure
 * functions, no I/O. Three families, each a main licence (主体 level) and service numbers under it:
 * - `icp_filing`: an ICP filing number, `粤ICP备2024012345号` (8 or 10 digits), services `粤ICP备2024012345号-1X`;
 * - `icp_licence`: an ICP operating licence, `京ICP证030173号` (6 digits), services `京ICP证030173号-1X`;
 * - `telecom_licence`: a value-added telecom operating licence of class B1 or B2, `粤B2-20090059` (8 digits),
 *   services `粤B2-20090059-1626X`.
 * An organizer with an operating licence has its services numbered under that licence; one without, under its
 * filing number. beian itself only ever issues filing numbers; the other families come from the bureau.
 *
 * A service number is its main licence plus `-<sequence>` and a suffix naming the kind of service (`X` mini program,
 * `A` app, none for a website).
 *
 * People copy these numbers from app "about" pages, screenshots run through OCR, chat messages and web pages
 * shown in traditional script, so parsing is lenient about how a number is written and strict about what it says:
 * every accepted spelling maps to exactly one canonical form (`normalized`), which is what the database stores and
 * compares. Leniency covers:
 * - full-width forms (`ＩＣＰ`, `０-９`, `Ｘ`, `Ｂ`, `－`) and the dash look-alikes ‐ ‑ ‒ – — ― − ﹣ ﹘;
 * - whitespace anywhere, including U+3000 (ideographic space), NBSP and the zero-width characters that web pages
 *   carry invisibly; removing it inside the number is safe because no part of the grammar is separated by spaces;
 * - lowercase `icp`, `b`, `x`, `a`;
 * - the province variants 川 贵 云 甘 for 蜀 黔 滇 陇 (docs/rules.md#numbers);
 * - traditional script: 備, 證 and 號, and the traditional forms of the province abbreviations (粵 滬 遼 蘇 閩 贛 魯
 *   瓊 陝 隴 寧 晉, and 貴 雲 for the variants). A number converted to traditional script by a browser or a
 *   Hong Kong / Taiwan input method is the same number. Such a conversion changes 备, 号 and the province together,
 *   so accepting only 備/號 would still refuse most converted numbers; the whole set is accepted instead, which
 *   costs nothing because the output is always the canonical simplified form.
 *
 * Everything else is refused: an unknown or missing province character (cross-regional licences, issued by MIIT
 * without one, are not among the forms), a missing `ICP`, `备`, `证` or `号`, other digit counts (filing numbers 8 or
 * 10, ICP licences 6, B1/B2 licences 8), a licence class other than B1/B2, a sequence of 0, with leading zeros or
 * above 9999, a suffix other than `X`/`A`, and any extra character.
 *
 * Whether a bureau-issued number fits the organizer it is issued to is judged here too (`judgeBureauNumber`), from
 * facts the caller read (docs/rules.md#bureau-numbers).
 */

import { foldWidth } from "./identifiers";
import { inBeijing } from "./time";

export type ServiceKind = "mini_program" | "app" | "website";

/** The families of MIIT numbers: ICP filing (ICP备), ICP operating licence (ICP证), B1/B2 operating licence. */
export const NUMBER_FAMILIES = ["icp_filing", "icp_licence", "telecom_licence"] as const;
export type NumberFamily = (typeof NUMBER_FAMILIES)[number];

/** The classes of value-added telecom operating licence a main licence of the `telecom_licence` family names. */
export const TELECOM_LICENCE_CLASSES = ["B1", "B2"] as const;
export type TelecomLicenceClass = (typeof TELECOM_LICENCE_CLASSES)[number];

type ParsedParts = {
  /** Canonical form, e.g. `粤ICP备2024012345号-1X`: simplified characters, half-width, no spaces, upper-case letters. */
  normalized: string;
  /** Canonical province abbreviation (蜀 黔 滇 陇, never their variants). */
  province: string;
  /** Two-digit GB/T 2260 province code, e.g. `44`. */
  provinceCode: string;
  /** The main licence's digits: `2024012345` or a legacy 8-digit filing number, 6 for ICP证, 8 for B1/B2. */
  digits: string;
  /** The main licence, the part before the service sequence: `粤ICP备2024012345号`, `京ICP证030173号`, `粤B2-20090059`. */
  mainLicence: string;
  /** The service's sequence under its main licence; null for a main licence alone. */
  sequence: number | null;
  /** `X` mini program, `A` app, no suffix website; null for a main licence alone. */
  kind: ServiceKind | null;
  /** MIIT's `serviceType`: 7 mini program, 6 app; null for websites and main licences. */
  serviceType: 6 | 7 | null;
};

export type ParsedNumber =
  | (ParsedParts & { family: "icp_filing" | "icp_licence" })
  | (ParsedParts & { family: "telecom_licence"; licenceClass: TelecomLicenceClass });

export type ProvinceAbbreviation = { readonly abbr: string; readonly code: string; readonly name: string };

/** The 31 mainland provinces as they appear in ICP numbers, with their GB/T 2260 province codes. */
export const PROVINCE_ABBREVIATIONS: readonly ProvinceAbbreviation[] = Object.freeze(
  (
    [
      ["京", "11", "北京"],
      ["津", "12", "天津"],
      ["冀", "13", "河北"],
      ["晋", "14", "山西"],
      ["蒙", "15", "内蒙古"],
      ["辽", "21", "辽宁"],
      ["吉", "22", "吉林"],
      ["黑", "23", "黑龙江"],
      ["沪", "31", "上海"],
      ["苏", "32", "江苏"],
      ["浙", "33", "浙江"],
      ["皖", "34", "安徽"],
      ["闽", "35", "福建"],
      ["赣", "36", "江西"],
      ["鲁", "37", "山东"],
      ["豫", "41", "河南"],
      ["鄂", "42", "湖北"],
      ["湘", "43", "湖南"],
      ["粤", "44", "广东"],
      ["桂", "45", "广西"],
      ["琼", "46", "海南"],
      ["渝", "50", "重庆"],
      ["蜀", "51", "四川"],
      ["黔", "52", "贵州"],
      ["滇", "53", "云南"],
      ["藏", "54", "西藏"],
      ["陕", "61", "陕西"],
      ["陇", "62", "甘肃"],
      ["青", "63", "青海"],
      ["宁", "64", "宁夏"],
      ["新", "65", "新疆"],
    ] as const
  ).map(([abbr, code, name]) => Object.freeze({ abbr, code, name })),
);

/**
 * Other characters accepted on input for a province, each mapped to its canonical abbreviation: the variants
 * docs/rules.md#numbers names (川 贵 云 甘 are the more common everyday abbreviations; MIIT uses 蜀 黔 滇 陇) and traditional forms.
 */
export const PROVINCE_VARIANTS: Readonly<Record<string, string>> = Object.freeze({
  川: "蜀",
  贵: "黔",
  云: "滇",
  甘: "陇",
  貴: "黔",
  雲: "滇",
  晉: "晋",
  遼: "辽",
  滬: "沪",
  蘇: "苏",
  閩: "闽",
  贛: "赣",
  魯: "鲁",
  粵: "粤",
  瓊: "琼",
  陝: "陕",
  隴: "陇",
  寧: "宁",
});

/**
 * Inputs longer than this are refused before any work is done: the longest spelling worth reading (a canonical
 * number is at most 22 characters) fits with room for stray spaces, and public routes should not normalize
 * arbitrarily long strings.
 */
export const MAX_NUMBER_INPUT_LENGTH = 60;

/**
 * Earliest year accepted in a 10-digit organizer number. ICP filing began with the 2000 measures on internet
 * information services; one year of slack before that costs nothing. The latest year accepted is the current year
 * plus one, so that a number issued just after midnight on 1 January (Beijing time) is not refused by a clock that
 * is slightly behind or reads UTC.
 */
export const EARLIEST_ORGANIZER_YEAR = 1999;

/** Highest service sequence a number carries: the grammar takes 1–4 digits, so an organizer has at most 9999. */
export const MAX_SEQUENCE = 9999;

/** Highest organizer sequence of a province and year: the six digits after the year of a 10-digit number. */
export const MAX_ORGANIZER_SEQUENCE = 999_999;

const CODE_BY_ABBR: ReadonlyMap<string, string> = new Map(PROVINCE_ABBREVIATIONS.map((p) => [p.abbr, p.code]));
const ABBR_BY_CODE: ReadonlyMap<string, string> = new Map(PROVINCE_ABBREVIATIONS.map((p) => [p.code, p.abbr]));

/** Canonical abbreviation for a canonical or variant province character; undefined when it is none of them. */
function canonicalAbbreviation(ch: string): string | undefined {
  if (CODE_BY_ABBR.has(ch)) return ch;
  return Object.hasOwn(PROVINCE_VARIANTS, ch) ? PROVINCE_VARIANTS[ch] : undefined;
}

/** Abbreviation for a province code given as two digits (`44`) or as its six-digit GB/T 2260 code (`440000`). */
export function provinceAbbreviation(provinceCode: string): string | undefined {
  const m = /^(\d{2})(?:0000)?$/.exec(provinceCode);
  return m?.[1] === undefined ? undefined : ABBR_BY_CODE.get(m[1]);
}

/** Two-digit province code for an abbreviation, its variant (川 贵 云 甘) or its traditional form. */
export function provinceCodeOf(abbr: string): string | undefined {
  const canonical = canonicalAbbreviation(abbr);
  return canonical === undefined ? undefined : CODE_BY_ABBR.get(canonical);
}

/** The year in Beijing time, where numbers are issued: the year a new organizer number carries. */
export function beijingYear(at: Date): number {
  return inBeijing(at).getUTCFullYear();
}

function currentBeijingYear(): number {
  return beijingYear(new Date());
}

// Whitespace (\s covers U+3000, NBSP and U+FEFF) and zero-width characters copied along from web pages.
const INVISIBLE = /[\s\u200B-\u200D\u2060]/g;
// Hyphen look-alikes: hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign,
// small hyphen-minus, small em dash. The full-width hyphen-minus is folded with the other full-width forms
// (`foldWidth`).
const DASHES = /[\u2010-\u2015\u2212\uFE63\uFE58]/g;
// Only ASCII letters are upper-cased: toUpperCase on the whole string would turn e.g. the dotless `ı` into `I`.
const LOWER_ASCII = /[a-z]/g;

/**
 * Province (one character), a main licence of one of the three families, then optionally `-`, sequence and
 * suffix. The sequence is 1–9999 without leading zeros. Applied after normalization, so `备`/`证`/`号` cover their
 * traditional forms here and the province character is checked against the table afterwards.
 */
const GRAMMAR =
  /^(.)(?:ICP[备備](?<filing>\d{10}|\d{8})[号號]|ICP[证證](?<licence>\d{6})[号號]|(?<class>B[12])-(?<telecom>\d{8}))(?:-(?<sequence>[1-9]\d{0,3})(?<suffix>[XA]?))?$/;

function normalizeSpelling(input: string): string {
  return foldWidth(input.replace(INVISIBLE, ""))
    .replace(DASHES, "-")
    .replace(LOWER_ASCII, (c) => c.toUpperCase());
}

const KIND_BY_SUFFIX: Readonly<Record<string, ServiceKind>> = { X: "mini_program", A: "app", "": "website" };
const SUFFIX_BY_KIND: Readonly<Record<ServiceKind, string>> = { mini_program: "X", app: "A", website: "" };
const SERVICE_TYPE_BY_KIND: Readonly<Record<ServiceKind, 6 | 7 | null>> = { mini_program: 7, app: 6, website: null };

/** What names a main licence: its family, province, digits and, for B1/B2, its class. */
export type MainLicenceParts =
  | { family: "icp_filing" | "icp_licence"; provinceCode: string; digits: string }
  | { family: "telecom_licence"; provinceCode: string; digits: string; licenceClass: TelecomLicenceClass };

const DIGITS_BY_FAMILY: Readonly<Record<NumberFamily, RegExp>> = {
  icp_filing: /^(?:\d{10}|\d{8})$/,
  icp_licence: /^\d{6}$/,
  telecom_licence: /^\d{8}$/,
};

/** A 10-digit filing number's year, from EARLIEST_ORGANIZER_YEAR to `currentYear` + 1; other digits are not dated. */
function plausibleDigits(family: NumberFamily, digits: string, currentYear: number): boolean {
  if (!DIGITS_BY_FAMILY[family].test(digits)) return false;
  if (family !== "icp_filing" || digits.length !== 10) return true;
  const year = Number(digits.slice(0, 4));
  return year >= EARLIEST_ORGANIZER_YEAR && year <= currentYear + 1;
}

function mainLicenceText(province: string, p: MainLicenceParts): string {
  if (p.family === "telecom_licence") return `${province}${p.licenceClass}-${p.digits}`;
  return `${province}ICP${p.family === "icp_filing" ? "备" : "证"}${p.digits}号`;
}

/**
 * Parses a number at either level, in any family. `currentYear` bounds the year of a 10-digit filing number
 * (defaults to the current year in Beijing time); legacy 8-digit filing numbers carry a two-digit year that is not
 * checked, since their issuing history is not ours to second-guess and none are issued any more, and licence
 * numbers are not dated by any rule beian relies on.
 */
export function parseAnyNumber(input: string, currentYear: number = currentBeijingYear()): ParsedNumber | null {
  if (typeof input !== "string" || input.length > MAX_NUMBER_INPUT_LENGTH) return null;
  const m = GRAMMAR.exec(normalizeSpelling(input));
  const groups = m?.groups;
  const provinceChar = m?.[1];
  if (groups === undefined || provinceChar === undefined) return null;
  const province = canonicalAbbreviation(provinceChar);
  const provinceCode = province === undefined ? undefined : CODE_BY_ABBR.get(province);
  if (province === undefined || provinceCode === undefined) return null;
  const parts: MainLicenceParts | null =
    groups.filing !== undefined
      ? { family: "icp_filing", provinceCode, digits: groups.filing }
      : groups.licence !== undefined
        ? { family: "icp_licence", provinceCode, digits: groups.licence }
        : groups.telecom !== undefined && (groups.class === "B1" || groups.class === "B2")
          ? { family: "telecom_licence", provinceCode, digits: groups.telecom, licenceClass: groups.class }
          : null;
  if (parts === null || !plausibleDigits(parts.family, parts.digits, currentYear)) return null;
  const mainLicence = mainLicenceText(province, parts);
  const common = { province, provinceCode, digits: parts.digits, mainLicence };
  const sequenceText = groups.sequence;
  const kind = sequenceText === undefined ? null : KIND_BY_SUFFIX[groups.suffix ?? ""];
  if (kind === undefined) return null;
  const service = {
    normalized: sequenceText === undefined ? mainLicence : `${mainLicence}-${sequenceText}${groups.suffix ?? ""}`,
    sequence: sequenceText === undefined ? null : Number(sequenceText),
    kind,
    serviceType: kind === null ? null : SERVICE_TYPE_BY_KIND[kind],
  };
  return parts.family === "telecom_licence"
    ? { family: parts.family, ...common, ...service, licenceClass: parts.licenceClass }
    : { family: parts.family, ...common, ...service };
}

/** A service-level number: one with a sequence and a kind. */
export type ParsedServiceNumber = ParsedNumber & { sequence: number; kind: ServiceKind };

function isServiceNumber(parsed: ParsedNumber | null): parsed is ParsedServiceNumber {
  return parsed !== null && parsed.sequence !== null && parsed.kind !== null;
}

/** Parses a service-level number (with `-<sequence>`), any family; null for anything else, main licences included. */
export function parseRegistrationNumber(
  input: string,
  currentYear: number = currentBeijingYear(),
): ParsedServiceNumber | null {
  const parsed = parseAnyNumber(input, currentYear);
  return isServiceNumber(parsed) ? parsed : null;
}

/** Parses a main licence (no `-<sequence>`), any family; null for anything else, service-level numbers included. */
export function parseMainLicence(input: string, currentYear: number = currentBeijingYear()): ParsedNumber | null {
  const parsed = parseAnyNumber(input, currentYear);
  return parsed !== null && parsed.sequence === null ? parsed : null;
}

/**
 * Every main licence that `input`, read as bare digits (full-width digits and spaces allowed), could be the digits
 * of, in every province: 10 digits a filing number, 8 a legacy filing number or a B1/B2 licence, 6 an ICP licence.
 * Null when the input is not such digits. At most 93 licences, for a search to match as one list.
 */
export function mainLicencesOfDigits(input: string, currentYear: number = currentBeijingYear()): string[] | null {
  if (typeof input !== "string" || input.length > MAX_NUMBER_INPUT_LENGTH) return null;
  const digits = normalizeSpelling(input);
  const candidates: MainLicenceParts[] = [];
  for (const { code: provinceCode } of PROVINCE_ABBREVIATIONS) {
    candidates.push({ family: "icp_filing", provinceCode, digits }, { family: "icp_licence", provinceCode, digits });
    for (const licenceClass of TELECOM_LICENCE_CLASSES) {
      candidates.push({ family: "telecom_licence", provinceCode, digits, licenceClass });
    }
  }
  const licences = candidates
    .filter((p) => plausibleDigits(p.family, p.digits, currentYear))
    .map((p) => mainLicenceText(requireProvince(p.provinceCode), p));
  return licences.length > 0 ? licences : null;
}

/**
 * The numbers a search for `parsed` finds: the number itself, and, for one typed without its suffix (`…号-1`), the
 * same service's mini program and app numbers (`…号-1X`, `…号-1A`), the exact one first.
 */
export function numbersFoundBy(parsed: ParsedServiceNumber): string[] {
  return parsed.kind === "website" ? numbersWithSequence(parsed.mainLicence, parsed.sequence) : [parsed.normalized];
}

/** The service numbers `mainLicence` and `sequence` make with every suffix: website, mini program, app. */
export function numbersWithSequence(mainLicence: string, sequence: number): string[] {
  return (["website", "mini_program", "app"] as const).map((k) => `${mainLicence}-${sequence}${SUFFIX_BY_KIND[k]}`);
}

function requireProvince(provinceCode: string): string {
  const abbr = provinceAbbreviation(provinceCode);
  if (abbr === undefined) throw new RangeError(`unknown province code: ${provinceCode}`);
  return abbr;
}

function requireSequence(sequence: number): number {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE) {
    throw new RangeError(`sequence must be an integer in 1..${MAX_SEQUENCE}: ${sequence}`);
  }
  return sequence;
}

/**
 * A main licence of any family: `粤ICP备2024012345号`, `京ICP证030173号`, `粤B2-20090059`. Throws RangeError for an
 * unknown province code or digits of the wrong count for the family.
 */
export function formatMainLicence(p: MainLicenceParts): string {
  if (!DIGITS_BY_FAMILY[p.family].test(p.digits)) {
    throw new RangeError(`not the digits of a ${p.family} main licence: ${p.digits}`);
  }
  return mainLicenceText(requireProvince(p.provinceCode), p);
}

/** A service number under a main licence of any family. Throws RangeError as formatMainLicence, or for a sequence outside 1–9999. */
export function formatServiceNumber(p: MainLicenceParts & { sequence: number; kind?: ServiceKind }): string {
  const suffix = SUFFIX_BY_KIND[p.kind ?? "mini_program"];
  return `${formatMainLicence(p)}-${requireSequence(p.sequence)}${suffix}`;
}

/** `粤ICP备2024012345号`. Throws RangeError for an unknown province code or a malformed organizer number. */
export function formatOrganizerNumber(p: { provinceCode: string; organizerNumber: string }): string {
  return formatMainLicence({ family: "icp_filing", provinceCode: p.provinceCode, digits: p.organizerNumber });
}

/**
 * `粤ICP备2024012345号-1X`, the filing numbers beian allocates. `kind` defaults to `mini_program`, the only kind
 * beian files. Throws RangeError for an unknown province code, a malformed organizer number or a sequence outside
 * 1–9999.
 */
export function formatRegistrationNumber(p: {
  provinceCode: string;
  organizerNumber: string;
  sequence: number;
  kind?: ServiceKind;
}): string {
  return formatServiceNumber({
    family: "icp_filing",
    provinceCode: p.provinceCode,
    digits: p.organizerNumber,
    sequence: p.sequence,
    kind: p.kind,
  });
}

/**
 * A new 10-digit organizer number: the 4-digit year of first approval and a 6-digit sequence per province and
 * year. Throws RangeError for a sequence outside 1..999999 or a year that is not a 4-digit year from
 * EARLIEST_ORGANIZER_YEAR on (either would produce a number that does not parse).
 */
export function newOrganizerNumber(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < EARLIEST_ORGANIZER_YEAR || year > 9999) {
    throw new RangeError(`year must be a 4-digit year from ${EARLIEST_ORGANIZER_YEAR}: ${year}`);
  }
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_ORGANIZER_SEQUENCE) {
    throw new RangeError(`organizer sequence must be an integer in 1..${MAX_ORGANIZER_SEQUENCE}: ${sequence}`);
  }
  return `${year}${String(sequence).padStart(6, "0")}`;
}

/**
 * The year and organizer sequence of a 10-digit organizer number (`2024012345` → 2024, 12345); null for a legacy
 * 8-digit one, whose two-digit year is not comparable.
 */
export function splitOrganizerNumber(organizerNumber: string): { year: number; sequence: number } | null {
  const m = /^(\d{4})(\d{6})$/.exec(organizerNumber);
  return m === null ? null : { year: Number(m[1]), sequence: Number(m[2]) };
}

/** What the caller read about the organizer a bureau-issued number is for, and about the number. */
export type BureauNumberFacts = {
  /** The organizer's province, as its two-digit GB/T 2260 code. */
  provinceCode: string;
  /**
   * The main licences the organizer holds (its filing number, its operating licences); empty for an organizer
   * beian does not know yet or knows without any.
   */
  mainLicences: readonly string[];
  /** A registration of any status carries this number already (ended numbers are never issued again). */
  numberTaken: boolean;
  /** Another organizer holds the number's main licence. */
  mainLicenceHeldByAnother: boolean;
  /** A registration of any status carries this main licence and sequence, with any suffix. */
  sequenceUsed: boolean;
};

/**
 * Why a bureau number is refused: `code` is the stable field code at `registrationNumber`, `reason` says it in
 * words (docs/rules.md#bureau-numbers).
 */
export type BureauNumberRefusal =
  | { code: "REGISTRATION_NUMBER_INVALID"; reason: string }
  | { code: "MAIN_LICENCE_TAKEN"; reason: string; mainLicence: string };

const refused = (reason: string): BureauNumberRefusal => ({ code: "REGISTRATION_NUMBER_INVALID", reason });

/**
 * For a `change` or `cancel` approval the bureau may name the number, but only the one the filing concerns: the
 * app's active registration keeps its number through a change and ends with it (docs/rules.md#bureau-numbers).
 */
export function judgeNumberOfExisting(
  parsed: ParsedServiceNumber,
  registrationNumber: string,
): BureauNumberRefusal | null {
  return parsed.normalized === registrationNumber ? null : refused(`this filing concerns ${registrationNumber}`);
}

/**
 * Why a bureau-issued service number does not fit the organizer it is issued to, or null when it does
 * (docs/rules.md#bureau-numbers): a mini program's number (`X`), in the organizer's province, under one of the
 * organizer's main licences (or, for an organizer holding none, a main licence no other organizer holds), with a
 * sequence never used under that main licence. A sequence past the last one is accepted: the bureau may skip.
 */
export function judgeBureauNumber(parsed: ParsedServiceNumber, facts: BureauNumberFacts): BureauNumberRefusal | null {
  if (parsed.kind !== "mini_program") return refused("the number must be a mini program's (suffix X)");
  if (parsed.provinceCode !== facts.provinceCode) return refused("the province is not the organizer's");
  if (facts.mainLicences.length > 0 && !facts.mainLicences.includes(parsed.mainLicence)) {
    return refused(`the number must be under the organizer's ${facts.mainLicences.join(" or ")}`);
  }
  if (facts.numberTaken) return refused("the number is already in use");
  if (facts.mainLicenceHeldByAnother) {
    const { mainLicence } = parsed;
    return { code: "MAIN_LICENCE_TAKEN", reason: `${mainLicence} belongs to another organizer`, mainLicence };
  }
  if (facts.sequenceUsed) return refused("the sequence was used before");
  return null;
}
