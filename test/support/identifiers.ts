/**
 * Valid identifiers for test data: factories for fixtures and fast-check arbitraries for property tests.
 * Check characters come from src/domain/identifiers; the reference vectors in test/domain pin that algorithm down.
 */
import fc from "fast-check";
import { RESIDENT_ID_PROVINCE_CODES, residentIdCheckCharacter, usccCheckCharacter } from "../../src/domain/identifiers";

export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** Mainland province codes (no 81/82/83), as used in the acceptance-place digits of 2023 permanent residence cards. */
export const MAINLAND_PROVINCE_CODES: readonly string[] = RESIDENT_ID_PROVINCE_CODES.filter((c) => c < "80");

// Counters start at a random offset so fixtures made in different test files (which may share storage) rarely
// collide, while codes made within one file never do.
let residentCounter = Math.floor(Math.random() * 10_000_000);
let usccCounter = Math.floor(Math.random() * 1_000_000_000_000);

const DAY_MS = 24 * 60 * 60 * 1000;
const ADULT_EPOCH = Date.UTC(1950, 0, 1);
const ADULT_SPAN_DAYS = 18_000; // 1950-01-01 .. 1999-04-13: adults on any submission date these tests use

export type ResidentIdOptions = {
  /** Two-digit province code, default "11". Ignored when `region` is given. */
  province?: string;
  /** Full six-digit region code; default `${province}0105`. */
  region?: string;
  /** YYYY-MM-DD; default derived from a counter, always an adult's birth date (1950–1999). */
  birthDate?: string;
  /** Sequence number 0–999; default derived from a counter. */
  seq?: number;
};

/** A valid 18-character resident ID. Without options, each call returns a different adult's ID. */
export function makeResidentId(options: ResidentIdOptions = {}): string {
  const n = residentCounter++;
  const region = options.region ?? `${options.province ?? "11"}0105`;
  const birthDate =
    options.birthDate ??
    new Date(ADULT_EPOCH + (Math.floor(n / 1000) % ADULT_SPAN_DAYS) * DAY_MS).toISOString().slice(0, 10);
  const seq = options.seq ?? n % 1000;
  if (!/^\d{6}$/.test(region)) throw new RangeError(`region must be 6 digits: ${region}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) throw new RangeError(`birthDate must be YYYY-MM-DD: ${birthDate}`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 999) throw new RangeError(`seq must be 0..999: ${seq}`);
  const first17 = `${region}${birthDate.replaceAll("-", "")}${String(seq).padStart(3, "0")}`;
  return first17 + residentIdCheckCharacter(first17);
}

/**
 * A valid USCC with the given two-character prefix (registration authority + organization type, default "91":
 * an enterprise registered with market regulation). Pass `seq` for a fixed code; otherwise each call differs.
 */
export function makeUscc(prefix = "91", seq?: number): string {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}$/.test(prefix)) throw new RangeError(`bad USCC prefix: ${prefix}`);
  let n = seq ?? usccCounter++;
  let body = "";
  for (let i = 0; i < 9; i++) {
    body = USCC_ALPHABET.charAt(n % 31) + body;
    n = Math.floor(n / 31);
  }
  const first17 = `${prefix}440300${body}`;
  return first17 + usccCheckCharacter(first17);
}

/** A valid 2023-form foreign permanent residence card number (9 + place + nationality + birth date + seq + check). */
export function makeForeignPermanentResidence(
  options: { birthDate?: string; place?: string; nationality?: string; seq?: number } = {},
): string {
  const first17 = `9${options.place ?? "11"}${options.nationality ?? "840"}${(options.birthDate ?? "1985-06-15").replaceAll("-", "")}${String(options.seq ?? 1).padStart(3, "0")}`;
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`bad permanent residence card fields: ${first17}`);
  return first17 + residentIdCheckCharacter(first17);
}

const digits = (n: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: n, maxLength: n }).map((a) => a.join(""));
const isoDate = (min: string, max: string) =>
  fc
    .date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

/** Valid resident IDs: any listed province, any other region digits, birth dates 1900-01-01..2005-12-31. */
export const residentIdArb: fc.Arbitrary<string> = fc
  .record({
    province: fc.constantFrom(...RESIDENT_ID_PROVINCE_CODES),
    county: digits(4),
    birthDate: isoDate("1900-01-01", "2005-12-31"),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ province, county, birthDate, seq }) => makeResidentId({ region: `${province}${county}`, birthDate, seq }));

/**
 * Registration authorities' region codes (USCC characters 3–8, docs/rules.md#identifiers): the national `100000`, a
 * province's own `PP0000`, or a province, a prefecture 01–70 or 90, and any county digits.
 */
export const usccRegionArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant("100000"),
  fc.constantFrom(...MAINLAND_PROVINCE_CODES).map((p) => `${p}0000`),
  fc
    .record({
      province: fc.constantFrom(...MAINLAND_PROVINCE_CODES),
      prefecture: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constant(90)),
      county: digits(2),
    })
    .map(({ province, prefecture, county }) => `${province}${String(prefecture).padStart(2, "0")}${county}`),
);

const usccChars = (n: number) =>
  fc.array(fc.constantFrom(...USCC_ALPHABET), { minLength: n, maxLength: n }).map((a) => a.join(""));

/** Valid USCCs: any two-character prefix, a registration authority's region, 9 random code characters and the check. */
export const usccArb: fc.Arbitrary<string> = fc
  .tuple(usccChars(2), usccRegionArb, usccChars(9))
  .map(([prefix, region, body]) => {
    const first17 = `${prefix}${region}${body}`;
    return first17 + usccCheckCharacter(first17);
  });

/** Valid 2023-form foreign permanent residence card numbers, birth dates 1900-01-01..2005-12-31. */
export const foreignPermanentResidenceArb: fc.Arbitrary<string> = fc
  .record({
    place: fc.constantFrom(...MAINLAND_PROVINCE_CODES),
    nationality: digits(3),
    birthDate: isoDate("1900-01-01", "2005-12-31"),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map((o) => makeForeignPermanentResidence(o));
