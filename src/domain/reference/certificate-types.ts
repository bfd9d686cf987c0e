/**
 * 证件类型: the certificates an organizer or a principal may present (docs/rules.md#identifiers).
 * The number formats themselves are checked by the identifier rules; this is the catalogue served by
 * `GET /v1/reference/certificate-types`.
 */
export const CERTIFICATE_TYPES = [
  {
    code: "resident_id",
    name: "居民身份证",
    nameEn: "Resident Identity Card",
    personal: true,
    // GB 11643-1999: characters 7–14 are the birth date.
    encodesBirthDate: true,
  },
  {
    code: "passport",
    name: "中华人民共和国护照",
    nameEn: "PRC passport",
    personal: true,
    encodesBirthDate: false,
  },
  {
    code: "foreign_passport",
    name: "外国护照",
    nameEn: "Foreign passport",
    personal: true,
    encodesBirthDate: false,
  },
  {
    code: "hk_macau_permit",
    name: "港澳居民来往内地通行证",
    nameEn: "Mainland Travel Permit for Hong Kong and Macao Residents",
    personal: true,
    encodesBirthDate: false,
  },
  {
    code: "taiwan_permit",
    name: "台湾居民来往大陆通行证",
    nameEn: "Mainland Travel Permit for Taiwan Residents",
    personal: true,
    encodesBirthDate: false,
  },
  {
    code: "foreign_permanent_residence",
    name: "外国人永久居留身份证",
    nameEn: "Foreign Permanent Resident ID Card",
    personal: true,
    // Only the 18-character 2023 form carries a full birth date (laid out like a resident ID); the older
    // 15-character form has a two-digit year, so its holder must give `birthDate`. See
    // certificateEncodesBirthDate() for the per-number answer.
    encodesBirthDate: true,
  },
  {
    code: "uscc",
    name: "统一社会信用代码",
    nameEn: "Unified Social Credit Code",
    personal: false,
    encodesBirthDate: false,
  },
] as const satisfies readonly {
  code: string;
  name: string;
  nameEn: string;
  personal: boolean;
  encodesBirthDate: boolean;
}[];

export type CertificateType = (typeof CERTIFICATE_TYPES)[number]["code"];

const CODES: ReadonlySet<string> = new Set(CERTIFICATE_TYPES.map((t) => t.code));

export function isCertificateType(x: unknown): x is CertificateType {
  return typeof x === "string" && CODES.has(x);
}

export function findCertificateType(code: string): (typeof CERTIFICATE_TYPES)[number] | undefined {
  return CERTIFICATE_TYPES.find((t) => t.code === code);
}

/**
 * Whether this certificate number itself yields the holder's birth date, so `Person.birthDate` may be omitted.
 * Decided per number because the foreign permanent residence card has two forms in circulation.
 */
export function certificateEncodesBirthDate(type: CertificateType, number: string): boolean {
  if (type === "foreign_permanent_residence") return number.trim().length === 18;
  return findCertificateType(type)?.encodesBirthDate ?? false;
}
