/**
 * Identifier checks for filings (docs/rules.md#identifiers). Pure functions: each one trims and normalizes its input, then either
 * returns the normalized value or a single code naming the first rule it breaks, so the HTTP edge can report a
 * field-level error instead of failing the request.
 *
 * Checks run in a fixed order — format, region, birth date, check character — so that a number with a plausible
 * shape but an impossible date is reported as a date problem, not as a typo in the last character.
 */

import type { CertificateType } from "./reference/certificate-types";

export type IdentifierCode =
  | "INVALID_FORMAT"
  | "INVALID_CHECK_CHARACTER"
  | "INVALID_BIRTH_DATE"
  | "INVALID_REGION_CODE";

export type IdentifierCheck = { ok: true; value: string; birthDate?: string } | { ok: false; code: IdentifierCode };

/**
 * Province-level codes of GB/T 2260 that begin a resident ID, plus 81/82/83 used by residence permits for Hong Kong,
 * Macau and Taiwan residents. Only these two digits are checked: the remaining four region digits may name counties
 * that have since been merged or renamed, and IDs issued there stay valid for life.
 */
export const RESIDENT_ID_PROVINCE_CODES: readonly string[] = Object.freeze([
  ...range(11, 15),
  ...range(21, 23),
  ...range(31, 37),
  ...range(41, 46),
  ...range(50, 54),
  ...range(61, 65),
  "81",
  "82",
  "83",
]);

const PROVINCE_CODE_SET: ReadonlySet<string> = new Set(RESIDENT_ID_PROVINCE_CODES);

/** Earliest birth date accepted: IDs of people born in the late 19th century exist in historic records. */
const EARLIEST_BIRTH_DATE = "1800-01-01";

const fail = (code: IdentifierCode): { ok: false; code: IdentifierCode } => ({ ok: false, code });

// ---------------------------------------------------------------------------------------------------------------
// Spelling: how every identifier (certificate numbers, mobiles, emails, registration numbers) is read
// ---------------------------------------------------------------------------------------------------------------

/** Full-width ASCII (U+FF01–U+FF5E) sits at a fixed offset from ASCII; U+3000 is the ideographic space. */
const FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/g;

/**
 * The width folding of NFKC and nothing else: full-width letters, digits and signs (`３４０５２４…`, `ｘ`, `＠`, `－`)
 * become their ASCII forms and the ideographic space a space, as Chinese input methods type them. Other
 * compatibility characters (circled digits, superscripts, ligatures) are left alone, so they stay errors rather than
 * silently becoming digits (docs/rules.md#identifiers).
 */
export function foldWidth(raw: string): string {
  return raw.replace(FULL_WIDTH, (c) => (c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/** An identifier as typed, ready for its pattern: width-folded and trimmed. */
function identifierInput(raw: string): string {
  return foldWidth(raw).trim();
}

// ---------------------------------------------------------------------------------------------------------------
// ISO 7064 MOD 11-2 (resident ID, GB 11643-1999; foreign permanent residence card, 2023 form)
// ---------------------------------------------------------------------------------------------------------------

/** Weights 2^(18-i) mod 11 for positions 1..17, as tabulated in GB 11643-1999. */
const MOD11_2_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character indexed by (Σ aᵢ·Wᵢ) mod 11; 10 is written as the Roman numeral X. */
const MOD11_2_CHECK = "10X98765432";

/**
 * The ISO 7064 MOD 11-2 check character for the first 17 digits of an 18-character resident ID (or of a 2023-form
 * foreign permanent residence card). Throws RangeError for anything but 17 ASCII digits: callers are code, not users.
 */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`expected 17 digits, got ${JSON.stringify(first17)}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (MOD11_2_WEIGHTS[i] ?? 0);
  return MOD11_2_CHECK.charAt(sum % 11);
}

/** Birth date from the YYYYMMDD digits at positions 7–14 of an 18-character ID, or a failure code. */
function birthDateAt(id: string, today: string): { ok: true; date: string } | { ok: false } {
  const date = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isRealDate(date) || date < EARLIEST_BIRTH_DATE || date > today) return { ok: false };
  return { ok: true, date };
}

function resolveToday(today: string | undefined): string {
  if (today === undefined) return beijingToday();
  if (!isRealDate(today)) throw new RangeError(`today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  return today;
}

/**
 * Resident ID (居民身份证号码, GB 11643-1999): 6-digit region code, 8-digit birth date, 3-digit sequence and a
 * MOD 11-2 check character. `today` (YYYY-MM-DD) bounds the birth date; it defaults to the current date in Beijing,
 * because a person born "today" in China may still be "tomorrow" in UTC terms. Whether the holder is an adult is
 * the caller's decision (it knows the submission date); the birth date is returned for that.
 */
export function checkResidentId(raw: string, today?: string): IdentifierCheck {
  if (typeof raw !== "string") return fail("INVALID_FORMAT");
  const bound = resolveToday(today);
  // GB 11643-1999 writes the check value 10 as "X"; people often type it in lowercase.
  const id = identifierInput(raw).replace(/x$/, "X");
  if (!/^\d{17}[\dX]$/.test(id)) return fail("INVALID_FORMAT");
  if (!PROVINCE_CODE_SET.has(id.slice(0, 2))) return fail("INVALID_REGION_CODE");
  const birth = birthDateAt(id, bound);
  if (!birth.ok) return fail("INVALID_BIRTH_DATE");
  if (residentIdCheckCharacter(id.slice(0, 17)) !== id.charAt(17)) return fail("INVALID_CHECK_CHARACTER");
  return { ok: true, value: id, birthDate: birth.date };
}

// ---------------------------------------------------------------------------------------------------------------
// Unified Social Credit Code (统一社会信用代码, GB 32100-2015)
// ---------------------------------------------------------------------------------------------------------------

/** The 31 code characters of GB 32100-2015: digits and capitals without I, O, S, V, Z (easily misread). */
const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/** Weights 3^(i-1) mod 31 for positions 1..17 (GB 32100-2015, 附录 A). */
const USCC_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});
const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * The GB 32100-2015 check character for the first 17 characters of a USCC: C18 = 31 − (Σ Cᵢ·Wᵢ mod 31), where a
 * result of 31 is written as 0. Lowercase input is accepted; anything outside the alphabet throws RangeError.
 */
export function usccCheckCharacter(first17: string): string {
  const s = first17.toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{17}$/.test(s)) {
    throw new RangeError(`expected 17 USCC characters, got ${JSON.stringify(first17)}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(s.charAt(i)) * (USCC_WEIGHTS[i] ?? 0);
  const c = 31 - (sum % 31);
  return USCC_ALPHABET.charAt(c === 31 ? 0 : c);
}

/** Mainland province-level codes: every one that exists or existed since GB/T 2260 took its present form. */
const MAINLAND_PROVINCE_SET: ReadonlySet<string> = new Set(RESIDENT_ID_PROVINCE_CODES.filter((c) => c < "80"));

/**
 * Characters 3–8 of a USCC: the registration authority's GB/T 2260 administrative-division code, judged by the
 * standard's structure rather than against one edition's table (docs/decisions.md, "USCC region codes"):
 * - `100000` for the national authorities;
 * - otherwise a mainland province that exists or existed (two digits), then the prefecture: `00` only for the
 *   province's own authority (`440000`), else 01–70 (prefecture-level cities, prefectures, leagues) or 90 (counties
 *   governed by the province, 仙桃 429004); the last two digits are free, because authorities of development zones
 *   use county digits no edition lists (320594 苏州工业园区, 610131 西安高新区) and counties merged since keep theirs.
 * Every code of every edition from 2002 to the current one fits; Hong Kong, Macau and Taiwan (81, 82, 71) do not.
 */
export function isUsccRegion(code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  if (code === "100000") return true;
  if (!MAINLAND_PROVINCE_SET.has(code.slice(0, 2))) return false;
  const prefecture = Number(code.slice(2, 4));
  if (prefecture === 0) return code.slice(4) === "00";
  return prefecture <= 70 || prefecture === 90;
}

/**
 * Unified Social Credit Code (GB 32100-2015): 18 characters of its alphabet, a registration authority's region in
 * characters 3–8 (`isUsccRegion`), and the check character, checked in that order. Whether the
 * registration-authority/type prefix fits the organizer's nature is a separate rule.
 */
export function checkUscc(raw: string): IdentifierCheck {
  if (typeof raw !== "string") return fail("INVALID_FORMAT");
  const code = identifierInput(raw).toUpperCase();
  if (!USCC_PATTERN.test(code)) return fail("INVALID_FORMAT");
  if (!isUsccRegion(code.slice(2, 8))) return fail("INVALID_REGION_CODE");
  if (usccCheckCharacter(code.slice(0, 17)) !== code.charAt(17)) return fail("INVALID_CHECK_CHARACTER");
  return { ok: true, value: code };
}

// ---------------------------------------------------------------------------------------------------------------
// Other personal certificates: format only, since they carry no public check character or birth date.
// Letters are uppercased because the documents print them in capitals and users type either case.
// ---------------------------------------------------------------------------------------------------------------

function checkPattern(raw: string, pattern: RegExp): IdentifierCheck {
  if (typeof raw !== "string") return fail("INVALID_FORMAT");
  const value = identifierInput(raw).toUpperCase();
  return pattern.test(value) ? { ok: true, value } : fail("INVALID_FORMAT");
}

/** PRC ordinary passport (e-passport series): E + 8 digits, or E + a letter + 7 digits; I and O are not issued. */
export function checkPassport(raw: string): IdentifierCheck {
  return checkPattern(raw, /^E(?:\d{8}|[A-HJ-NP-Z]\d{7})$/);
}

/** Foreign passport: numbering differs by country, so only 5–20 letters and digits are required. */
export function checkForeignPassport(raw: string): IdentifierCheck {
  return checkPattern(raw, /^[A-Z0-9]{5,20}$/);
}

/** Mainland travel permit for Hong Kong and Macau residents (回乡证): H or M + 8 digits (10 on older permits). */
export function checkHkMacauPermit(raw: string): IdentifierCheck {
  return checkPattern(raw, /^[HM](?:\d{8}|\d{10})$/);
}

/** Mainland travel permit for Taiwan residents (台胞证): 8 digits. */
export function checkTaiwanPermit(raw: string): IdentifierCheck {
  return checkPattern(raw, /^\d{8}$/);
}

/**
 * Foreign permanent residence ID card (外国人永久居留身份证).
 * - 2023 form, 18 characters: 9, acceptance-place code (2), nationality code (3), birth date YYYYMMDD, sequence (3),
 *   and an ISO 7064 MOD 11-2 check character computed as for resident IDs (so it may be X). The birth date is
 *   checked and returned. The acceptance-place digits are not checked.
 * - Older form, 15 characters: 3-letter nationality code + 12 digits. Its 6-digit birth date has no century, so
 *   none is returned and the holder's birth date must come from elsewhere.
 */
export function checkForeignPermanentResidence(raw: string, today?: string): IdentifierCheck {
  if (typeof raw !== "string") return fail("INVALID_FORMAT");
  const bound = resolveToday(today);
  const id = identifierInput(raw).toUpperCase();
  if (/^[A-Z]{3}\d{12}$/.test(id)) return { ok: true, value: id };
  if (!/^9\d{16}[\dX]$/.test(id)) return fail("INVALID_FORMAT");
  const birth = birthDateAt(id, bound);
  if (!birth.ok) return fail("INVALID_BIRTH_DATE");
  if (residentIdCheckCharacter(id.slice(0, 17)) !== id.charAt(17)) return fail("INVALID_CHECK_CHARACTER");
  return { ok: true, value: id, birthDate: birth.date };
}

/** Checks a certificate number by its type; an unknown type (from unchecked input) is a format error, not a crash. */
export function checkCertificate(type: CertificateType, raw: string, today?: string): IdentifierCheck {
  switch (type) {
    case "resident_id":
      return checkResidentId(raw, today);
    case "passport":
      return checkPassport(raw);
    case "foreign_passport":
      return checkForeignPassport(raw);
    case "hk_macau_permit":
      return checkHkMacauPermit(raw);
    case "taiwan_permit":
      return checkTaiwanPermit(raw);
    case "foreign_permanent_residence":
      return checkForeignPermanentResidence(raw, today);
    case "uscc":
      return checkUscc(raw);
    default: {
      const unknown: never = type;
      void unknown;
      return fail("INVALID_FORMAT");
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Contact details
// ---------------------------------------------------------------------------------------------------------------

/**
 * Mainland mobile number: 1, then 3–9, then 9 digits. A country code (+86, 86, optionally followed by a space or a
 * dash) is stripped so the same number is stored once, which matters because principals may not share a mobile.
 */
export function checkMobile(raw: string): { ok: true; value: string } | { ok: false; code: "INVALID_FORMAT" } {
  if (typeof raw !== "string") return { ok: false, code: "INVALID_FORMAT" };
  const m = /^(?:\+?86[ -]?)?(1[3-9]\d{9})$/.exec(identifierInput(raw));
  const value = m?.[1];
  return value === undefined ? { ok: false, code: "INVALID_FORMAT" } : { ok: true, value };
}

/** RFC 5322 dot-atom characters allowed in a local part without quoting. */
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** A DNS hostname label (RFC 1035/1123): letters, digits, inner hyphens, at most 63 characters. */
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * An ordinary mailbox address: dot-atom local part (≤ 64 characters, RFC 5321), a domain of at least two DNS labels
 * whose last label is not numeric, at most 254 characters in all (RFC 5321 path limit). Quoted local parts and IP
 * literals are refused: nobody files with them and they complicate display. The domain is lowercased because it is
 * case-insensitive; the local part is kept as typed because, strictly, it is not.
 */
export function checkEmail(raw: string): { ok: true; value: string } | { ok: false; code: "INVALID_FORMAT" } {
  const bad = { ok: false, code: "INVALID_FORMAT" } as const;
  if (typeof raw !== "string") return bad;
  const s = identifierInput(raw);
  if (s.length > 254) return bad;
  const at = s.lastIndexOf("@");
  if (at <= 0) return bad;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).toLowerCase();
  if (local.length > 64 || !EMAIL_LOCAL.test(local)) return bad;
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) return bad;
  if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return bad;
  return { ok: true, value: `${local}@${domain}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------------

/** Whether `YYYY-MM-DD` names a day of the (proleptic) Gregorian calendar, e.g. 2000-02-29 but not 1900-02-29. */
export function isRealDate(yyyyMmDd: string): boolean {
  if (typeof yyyyMmDd !== "string") return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(yyyyMmDd);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Age in whole years on `onDate` of someone born on `birthDate` (both YYYY-MM-DD): the birthday must have been
 * reached. Someone born on 29 February becomes a year older on 1 March in common years. Negative when `onDate` is
 * before the birth date. Throws RangeError for strings that are not real dates: callers pass checked dates.
 */
export function ageOn(birthDate: string, onDate: string): number {
  if (!isRealDate(birthDate)) throw new RangeError(`birthDate must be YYYY-MM-DD, got ${JSON.stringify(birthDate)}`);
  if (!isRealDate(onDate)) throw new RangeError(`onDate must be YYYY-MM-DD, got ${JSON.stringify(onDate)}`);
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  // MM-DD strings compare in calendar order.
  return onDate.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

function range(from: number, to: number): string[] {
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(String(n));
  return out;
}

/**
 * Beijing time is UTC+8 all year (no daylight saving): the one offset every Beijing date and time is read with
 * (src/domain/time.ts re-exports it). It lives here because this module imports nothing at run time: the seed and
 * benchmark scripts load it in Node directly for its check characters.
 */
export const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `at` moved by the offset, so its UTC fields read as Beijing time. */
export function inBeijing(at: Date): Date {
  return new Date(at.getTime() + BEIJING_OFFSET_MS);
}

/** Today's date in Beijing (UTC+8, no daylight saving), as YYYY-MM-DD: filing deadlines and ages use China's date. */
export function beijingToday(now: Date = new Date()): string {
  return inBeijing(now).toISOString().slice(0, 10);
}
