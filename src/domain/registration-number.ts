/**
 * ICP registration numbers (docs/rules.md#numbers): `<province>ICP备<organizer number>号-<sequence><suffix>`,
 * e.g. `粤ICP备2024012345号-1X`. Pure functions, no I/O.
 *
 * Two levels share one grammar:
 * - the organizer's own number (`粤ICP备2024012345号`), issued on its first approval and reused for every later
 *   service of the same organizer;
 * - a service's number, the organizer number plus `-<sequence>` and a suffix naming the kind of service
 *   (`X` mini program, `A` app, none for a website).
 *
 * People copy these numbers from app "about" pages, screenshots run through OCR, chat messages and web pages
 * shown in traditional script, so parsing is lenient about how a number is written and strict about what it says:
 * every accepted spelling maps to exactly one canonical form (`normalized`), which is what the database stores and
 * compares. Leniency covers:
 * - full-width forms (`ＩＣＰ`, `０-９`, `Ｘ`, `－`) and the dash look-alikes ‐ ‑ ‒ – — ― − ﹣ ﹘;
 * - whitespace anywhere, including U+3000 (ideographic space), NBSP and the zero-width characters that web pages
 *   carry invisibly; removing it inside the number is safe because no part of the grammar is separated by spaces;
 * - lowercase `icp`, `x`, `a`;
 * - the province variants 川 贵 云 甘 for 蜀 黔 滇 陇 (docs/rules.md#numbers);
 * - traditional script: 備 and 號, and the traditional forms of the province abbreviations (粵 滬 遼 蘇 閩 贛 魯
 *   瓊 陝 隴 寧 晉, and 貴 雲 for the variants). A number converted to traditional script by a browser or a
 *   Hong Kong / Taiwan input method is the same number. Such a conversion changes 备, 号 and the province together,
 *   so accepting only 備/號 would still refuse most converted numbers; the whole set is accepted instead, which
 *   costs nothing because the output is always the canonical simplified form.
 *
 * Everything else is refused: an unknown province character, a missing `ICP`, `备` or `号`, the ICP licence form
 * (`京ICP证030173号`, a different document), organizer numbers of any length but 8 or 10 digits, a sequence of 0,
 * with leading zeros or above 9999, a suffix other than `X`/`A`, and any extra character.
 *
 * Whether a bureau-issued number fits the organizer it is issued to is judged here too (`judgeBureauNumber`), from
 * facts the caller read (docs/rules.md#bureau-numbers).
 */

import { foldWidth } from "./identifiers";
import { inBeijing } from "./time";

export type ServiceKind = "mini_program" | "app" | "website";

export type ParsedNumber = {
  /** Canonical form, e.g. `粤ICP备2024012345号-1X`: simplified characters, half-width, no spaces, upper-case suffix. */
  normalized: string;
  /** Canonical province abbreviation (蜀 黔 滇 陇, never their variants). */
  province: string;
  /** Two-digit GB/T 2260 province code, e.g. `44`. */
  provinceCode: string;
  /** `2024012345` (10 digits) or a legacy 8-digit number. */
  organizerNumber: string;
  /** Organizer-level number, e.g. `粤ICP备2024012345号`. */
  organizer: string;
  /** The service's sequence under its organizer; null for an organizer-level number. */
  sequence: number | null;
  /** `X` mini program, `A` app, no suffix website; null for an organizer-level number. */
  kind: ServiceKind | null;
  /** MIIT's `serviceType`: 7 mini program, 6 app; null for websites and organizer-level numbers. */
  serviceType: 6 | 7 | null;
};

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
 * Province (one character), `ICP备`, organizer number, `号`, then optionally `-`, sequence and suffix.
 * The sequence is 1–9999 without leading zeros. Applied after normalization, so `备`/`号` cover their traditional
 * forms here and the province character is checked against the table afterwards.
 */
const GRAMMAR = /^(.)ICP[备備](\d{10}|\d{8})[号號](?:-([1-9]\d{0,3})([XA]?))?$/;

function normalizeSpelling(input: string): string {
  return foldWidth(input.replace(INVISIBLE, ""))
    .replace(DASHES, "-")
    .replace(LOWER_ASCII, (c) => c.toUpperCase());
}

const KIND_BY_SUFFIX: Readonly<Record<string, ServiceKind>> = { X: "mini_program", A: "app", "": "website" };
const SUFFIX_BY_KIND: Readonly<Record<ServiceKind, string>> = { mini_program: "X", app: "A", website: "" };
const SERVICE_TYPE_BY_KIND: Readonly<Record<ServiceKind, 6 | 7 | null>> = { mini_program: 7, app: 6, website: null };

/**
 * Parses a registration number at either level. `currentYear` bounds the year of a 10-digit organizer number
 * (defaults to the current year in Beijing time); legacy 8-digit numbers carry a two-digit year that is not checked,
 * since their issuing history is not ours to second-guess and none are issued any more.
 */
export function parseAnyNumber(input: string, currentYear: number = currentBeijingYear()): ParsedNumber | null {
  if (typeof input !== "string" || input.length > MAX_NUMBER_INPUT_LENGTH) return null;
  const m = GRAMMAR.exec(normalizeSpelling(input));
  if (m === null) return null;
  const [, provinceChar, organizerNumber, sequenceText, suffix] = m;
  if (provinceChar === undefined || organizerNumber === undefined) return null;
  const province = canonicalAbbreviation(provinceChar);
  const provinceCode = province === undefined ? undefined : CODE_BY_ABBR.get(province);
  if (province === undefined || provinceCode === undefined) return null;
  if (organizerNumber.length === 10) {
    const year = Number(organizerNumber.slice(0, 4));
    if (year < EARLIEST_ORGANIZER_YEAR || year > currentYear + 1) return null;
  }
  const organizer = `${province}ICP备${organizerNumber}号`;
  if (sequenceText === undefined) {
    return {
      normalized: organizer,
      province,
      provinceCode,
      organizerNumber,
      organizer,
      sequence: null,
      kind: null,
      serviceType: null,
    };
  }
  const kind = KIND_BY_SUFFIX[suffix ?? ""];
  if (kind === undefined) return null;
  return {
    normalized: `${organizer}-${sequenceText}${suffix ?? ""}`,
    province,
    provinceCode,
    organizerNumber,
    organizer,
    sequence: Number(sequenceText),
    kind,
    serviceType: SERVICE_TYPE_BY_KIND[kind],
  };
}

/** A service-level number: one with a sequence and a kind. */
export type ParsedServiceNumber = ParsedNumber & { sequence: number; kind: ServiceKind };

function isServiceNumber(parsed: ParsedNumber | null): parsed is ParsedServiceNumber {
  return parsed !== null && parsed.sequence !== null && parsed.kind !== null;
}

/** Parses a service-level number (with `-<sequence>`); null for anything else, organizer-level numbers included. */
export function parseRegistrationNumber(
  input: string,
  currentYear: number = currentBeijingYear(),
): ParsedServiceNumber | null {
  const parsed = parseAnyNumber(input, currentYear);
  return isServiceNumber(parsed) ? parsed : null;
}

/** Parses an organizer-level number (no `-<sequence>`); null for anything else, service-level numbers included. */
export function parseOrganizerNumber(input: string, currentYear: number = currentBeijingYear()): ParsedNumber | null {
  const parsed = parseAnyNumber(input, currentYear);
  return parsed !== null && parsed.sequence === null ? parsed : null;
}

function requireProvince(provinceCode: string): string {
  const abbr = provinceAbbreviation(provinceCode);
  if (abbr === undefined) throw new RangeError(`unknown province code: ${provinceCode}`);
  return abbr;
}

function requireOrganizerNumber(organizerNumber: string): string {
  if (!/^(?:\d{10}|\d{8})$/.test(organizerNumber)) {
    throw new RangeError(`organizer number must be 10 or 8 digits: ${organizerNumber}`);
  }
  return organizerNumber;
}

/** `粤ICP备2024012345号`. Throws RangeError for an unknown province code or a malformed organizer number. */
export function formatOrganizerNumber(p: { provinceCode: string; organizerNumber: string }): string {
  return `${requireProvince(p.provinceCode)}ICP备${requireOrganizerNumber(p.organizerNumber)}号`;
}

/**
 * `粤ICP备2024012345号-1X`. `kind` defaults to `mini_program`, the only kind beian files. Throws RangeError for an
 * unknown province code, a malformed organizer number or a sequence outside 1–9999.
 */
export function formatRegistrationNumber(p: {
  provinceCode: string;
  organizerNumber: string;
  sequence: number;
  kind?: ServiceKind;
}): string {
  if (!Number.isInteger(p.sequence) || p.sequence < 1 || p.sequence > MAX_SEQUENCE) {
    throw new RangeError(`sequence must be an integer in 1..${MAX_SEQUENCE}: ${p.sequence}`);
  }
  const suffix = SUFFIX_BY_KIND[p.kind ?? "mini_program"];
  return `${formatOrganizerNumber(p)}-${p.sequence}${suffix}`;
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
  /** The organizer's own number when it has one: its digits and its organizer-level number. */
  organizer: { digits: string; number: string } | null;
  /** A registration of any status carries this number already (ended numbers are never issued again). */
  numberTaken: boolean;
  /** Another organizer of the province holds these organizer digits. */
  digitsHeldByAnother: boolean;
  /** This organizer has had a registration, of any status, with this sequence. */
  sequenceUsed: boolean;
};

/**
 * Why a bureau-issued service number does not fit the organizer it is issued to, or null when it does
 * (docs/rules.md#bureau-numbers): a mini program's number (`X`), in the organizer's province, under the
 * organizer's existing number (or, for its first approval, a number no other organizer holds), with a sequence
 * this organizer never used. A sequence past the organizer's last one is accepted: the bureau may skip.
 */
export function judgeBureauNumber(parsed: ParsedServiceNumber, facts: BureauNumberFacts): string | null {
  if (parsed.kind !== "mini_program") return "the number must be a mini program's (suffix X)";
  if (parsed.provinceCode !== facts.provinceCode) return "the province is not the organizer's";
  if (facts.organizer !== null && facts.organizer.digits !== parsed.organizerNumber) {
    return `the organizer's number is ${facts.organizer.number}`;
  }
  if (facts.numberTaken) return "the number is already in use";
  if (facts.digitsHeldByAnother) return "the organizer number belongs to another organizer";
  if (facts.sequenceUsed) return "the sequence was used before";
  return null;
}
