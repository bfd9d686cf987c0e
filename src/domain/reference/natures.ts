import type { CertificateType } from "./certificate-types";

/**
 * 统一社会信用代码 prefixes: the registration authority (登记管理部门码, 1st character) and organization type
 * (机构类别码, 2nd character) of GB 32100-2015 Annex A, as published with the national rollout of the code
 * (国发〔2015〕33号). The prefix says which authority registered the organizer and as what, so it tells us
 * which nature (单位性质) the organizer may file under.
 *
 * Each prefix belongs to exactly one nature — an organizer cannot pick a nature its own code contradicts:
 * - enterprise: 91 企业, 92 个体工商户 and 93 农民专业合作社 (both registered by market regulation and filed as
 *   enterprises by MIIT);
 * - government: 11 机关; public_institution: 12 事业单位;
 * - social_organization: every civil-affairs registration (51 社会团体, 52 民办非企业单位, 53 基金会, 59), the mass
 *   organizations staffed by the central staffing office (13), and trade unions (81, 89), which MIIT's system
 *   likewise treats as 团体 rather than as enterprises or public institutions;
 * - military: only the codes issued by the CMC reform and staffing office (A1 军队事业单位, A9) — no other
 *   authority registers a 国防机构, so accepting more would let any organization claim that nature;
 * - other: the remaining prefixes, which no specific nature covers (19, foreign news agencies and cultural centres,
 *   law firms, notaries, arbitration commissions, foreign tourism offices, religious venues and colleges,
 *   collective economic organizations, Y1). Prefixes of a specific nature are NOT also accepted under `other`:
 *   an enterprise files as `enterprise`, so the public record shows what the code says.
 * The table is served by `GET /v1/reference/natures`; a prefix outside it never fits any nature.
 */
export const USCC_PREFIXES = [
  {
    prefix: "11",
    authority: "机构编制",
    authorityEn: "Staffing authority",
    category: "机关",
    categoryEn: "State organ",
    nature: "government",
  },
  {
    prefix: "12",
    authority: "机构编制",
    authorityEn: "Staffing authority",
    category: "事业单位",
    categoryEn: "Public institution",
    nature: "public_institution",
  },
  {
    prefix: "13",
    authority: "机构编制",
    authorityEn: "Staffing authority",
    category: "中央编办直接管理机构编制的群众团体",
    categoryEn: "Mass organization staffed by the central staffing office",
    nature: "social_organization",
  },
  {
    prefix: "19",
    authority: "机构编制",
    authorityEn: "Staffing authority",
    category: "其他",
    categoryEn: "Other",
    nature: "other",
  },
  {
    prefix: "21",
    authority: "外交",
    authorityEn: "Foreign affairs",
    category: "外国常驻新闻机构",
    categoryEn: "Resident foreign news agency",
    nature: "other",
  },
  {
    prefix: "29",
    authority: "外交",
    authorityEn: "Foreign affairs",
    category: "其他",
    categoryEn: "Other",
    nature: "other",
  },
  {
    prefix: "31",
    authority: "司法行政",
    authorityEn: "Judicial administration",
    category: "律师执业机构",
    categoryEn: "Law firm",
    nature: "other",
  },
  {
    prefix: "32",
    authority: "司法行政",
    authorityEn: "Judicial administration",
    category: "公证处",
    categoryEn: "Notary office",
    nature: "other",
  },
  {
    prefix: "33",
    authority: "司法行政",
    authorityEn: "Judicial administration",
    category: "基层法律服务所",
    categoryEn: "Grassroots legal service office",
    nature: "other",
  },
  {
    prefix: "34",
    authority: "司法行政",
    authorityEn: "Judicial administration",
    category: "司法鉴定机构",
    categoryEn: "Forensic appraisal institution",
    nature: "other",
  },
  {
    prefix: "35",
    authority: "司法行政",
    authorityEn: "Judicial administration",
    category: "仲裁委员会",
    categoryEn: "Arbitration commission",
    nature: "other",
  },
  {
    prefix: "39",
    authority: "司法行政",
    authorityEn: "Judicial administration",
    category: "其他",
    categoryEn: "Other",
    nature: "other",
  },
  {
    prefix: "41",
    authority: "文化",
    authorityEn: "Culture",
    category: "外国在华文化中心",
    categoryEn: "Foreign cultural centre in China",
    nature: "other",
  },
  { prefix: "49", authority: "文化", authorityEn: "Culture", category: "其他", categoryEn: "Other", nature: "other" },
  {
    prefix: "51",
    authority: "民政",
    authorityEn: "Civil affairs",
    category: "社会团体",
    categoryEn: "Social organization",
    nature: "social_organization",
  },
  {
    prefix: "52",
    authority: "民政",
    authorityEn: "Civil affairs",
    category: "民办非企业单位",
    categoryEn: "Private non-enterprise unit",
    nature: "social_organization",
  },
  {
    prefix: "53",
    authority: "民政",
    authorityEn: "Civil affairs",
    category: "基金会",
    categoryEn: "Foundation",
    nature: "social_organization",
  },
  {
    prefix: "59",
    authority: "民政",
    authorityEn: "Civil affairs",
    category: "其他",
    categoryEn: "Other",
    nature: "social_organization",
  },
  {
    prefix: "61",
    authority: "旅游",
    authorityEn: "Tourism",
    category: "外国旅游部门常驻代表机构",
    categoryEn: "Resident office of a foreign tourism authority",
    nature: "other",
  },
  {
    prefix: "62",
    authority: "旅游",
    authorityEn: "Tourism",
    category: "港澳台地区旅游部门常驻内地（大陆）代表机构",
    categoryEn: "Resident mainland office of a Hong Kong, Macao or Taiwan tourism authority",
    nature: "other",
  },
  { prefix: "69", authority: "旅游", authorityEn: "Tourism", category: "其他", categoryEn: "Other", nature: "other" },
  {
    prefix: "71",
    authority: "宗教",
    authorityEn: "Religious affairs",
    category: "宗教活动场所",
    categoryEn: "Venue for religious activities",
    nature: "other",
  },
  {
    prefix: "72",
    authority: "宗教",
    authorityEn: "Religious affairs",
    category: "宗教院校",
    categoryEn: "Religious college",
    nature: "other",
  },
  {
    prefix: "79",
    authority: "宗教",
    authorityEn: "Religious affairs",
    category: "其他",
    categoryEn: "Other",
    nature: "other",
  },
  {
    prefix: "81",
    authority: "工会",
    authorityEn: "Trade unions",
    category: "基层工会",
    categoryEn: "Grassroots trade union",
    nature: "social_organization",
  },
  {
    prefix: "89",
    authority: "工会",
    authorityEn: "Trade unions",
    category: "其他",
    categoryEn: "Other",
    nature: "social_organization",
  },
  {
    prefix: "91",
    authority: "工商",
    authorityEn: "Market regulation",
    category: "企业",
    categoryEn: "Enterprise",
    nature: "enterprise",
  },
  {
    prefix: "92",
    authority: "工商",
    authorityEn: "Market regulation",
    category: "个体工商户",
    categoryEn: "Individual business",
    nature: "enterprise",
  },
  {
    prefix: "93",
    authority: "工商",
    authorityEn: "Market regulation",
    category: "农民专业合作社",
    categoryEn: "Farmers' specialized cooperative",
    nature: "enterprise",
  },
  {
    prefix: "A1",
    authority: "中央军委改革和编制办公室",
    authorityEn: "CMC reform and staffing office",
    category: "军队事业单位",
    categoryEn: "Military public institution",
    nature: "military",
  },
  {
    prefix: "A9",
    authority: "中央军委改革和编制办公室",
    authorityEn: "CMC reform and staffing office",
    category: "其他",
    categoryEn: "Other",
    nature: "military",
  },
  {
    prefix: "N1",
    authority: "农业",
    authorityEn: "Agriculture",
    category: "组级集体经济组织",
    categoryEn: "Group-level collective economic organization",
    nature: "other",
  },
  {
    prefix: "N2",
    authority: "农业",
    authorityEn: "Agriculture",
    category: "村级集体经济组织",
    categoryEn: "Village-level collective economic organization",
    nature: "other",
  },
  {
    prefix: "N3",
    authority: "农业",
    authorityEn: "Agriculture",
    category: "乡镇级集体经济组织",
    categoryEn: "Township-level collective economic organization",
    nature: "other",
  },
  {
    prefix: "N9",
    authority: "农业",
    authorityEn: "Agriculture",
    category: "其他",
    categoryEn: "Other",
    nature: "other",
  },
  { prefix: "Y1", authority: "其他", authorityEn: "Other", category: "其他", categoryEn: "Other", nature: "other" },
] as const;

/** Personal certificates (docs/rules.md#identifiers): what an individual may present. */
const PERSONAL: readonly CertificateType[] = [
  "resident_id",
  "passport",
  "foreign_passport",
  "hk_macau_permit",
  "taiwan_permit",
  "foreign_permanent_residence",
];
/** Every organization — military and other included — is identified by its USCC (docs/rules.md#identifiers). */
const ORGANIZATION: readonly CertificateType[] = ["uscc"];

type NatureCode =
  | "enterprise"
  | "individual"
  | "government"
  | "public_institution"
  | "social_organization"
  | "military"
  | "other";

function prefixesOf(nature: NatureCode): readonly string[] {
  return USCC_PREFIXES.filter((p) => p.nature === nature).map((p) => p.prefix);
}

/** 单位性质, with the names MIIT's filing system uses (docs/rules.md#identifiers). */
export const NATURES: readonly {
  code: NatureCode;
  name: string;
  nameEn: string;
  certificateTypes: readonly CertificateType[];
  usccPrefixes: readonly string[];
}[] = [
  {
    code: "enterprise",
    name: "企业",
    nameEn: "Enterprise",
    certificateTypes: ORGANIZATION,
    usccPrefixes: prefixesOf("enterprise"),
  },
  // An individual has no USCC; an individual business (个体工商户) files as an enterprise with its 92 code.
  { code: "individual", name: "个人", nameEn: "Individual", certificateTypes: PERSONAL, usccPrefixes: [] },
  {
    code: "government",
    name: "政府机关",
    nameEn: "Government agency",
    certificateTypes: ORGANIZATION,
    usccPrefixes: prefixesOf("government"),
  },
  {
    code: "public_institution",
    name: "事业单位",
    nameEn: "Public institution",
    certificateTypes: ORGANIZATION,
    usccPrefixes: prefixesOf("public_institution"),
  },
  {
    code: "social_organization",
    name: "社会团体",
    nameEn: "Social organization",
    certificateTypes: ORGANIZATION,
    usccPrefixes: prefixesOf("social_organization"),
  },
  {
    code: "military",
    name: "国防机构",
    nameEn: "National defence organization",
    certificateTypes: ORGANIZATION,
    usccPrefixes: prefixesOf("military"),
  },
  { code: "other", name: "其他", nameEn: "Other", certificateTypes: ORGANIZATION, usccPrefixes: prefixesOf("other") },
];

export type Nature = NatureCode;

const BY_CODE: ReadonlyMap<string, (typeof NATURES)[number]> = new Map(NATURES.map((n) => [n.code, n]));

export function isNature(x: unknown): x is Nature {
  return typeof x === "string" && BY_CODE.has(x);
}

export function certificateTypesFor(nature: Nature): readonly CertificateType[] {
  return BY_CODE.get(nature)?.certificateTypes ?? [];
}

/**
 * Whether a USCC's registration-authority and type characters fit the nature. Only the prefix is judged here;
 * length, alphabet and the check character are the identifier rule's business. Lowercase input is accepted,
 * as the code itself is uppercased on input (docs/rules.md#identifiers).
 */
export function usccPrefixFits(nature: Nature, uscc: string): boolean {
  const prefix = uscc.trim().slice(0, 2).toUpperCase();
  return BY_CODE.get(nature)?.usccPrefixes.includes(prefix) ?? false;
}
