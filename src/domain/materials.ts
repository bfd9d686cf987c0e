import type { CertificateType } from "./reference";

/**
 * 备案材料: which attachments a filing needs and what each may be. A material is uploaded for one field (the path
 * in the filing where its `mediaId` goes, with `[]` for a list position) and checked against it at upload, so a
 * wrong attachment is refused then, not days later in review.
 */
export type MaterialContentType = "image/jpeg" | "image/png" | "application/pdf" | "video/mp4";

export type MaterialField = {
  field: string;
  name: string;
  nameEn: string;
  kind: "person_certificate" | "organization_certificate" | "letter" | "permit" | "other";
  accepts: readonly MaterialContentType[];
  /** For images: card photos are landscape, letters portrait, licences and permits either way. */
  orientation: "landscape" | "portrait" | "any";
  /** For certificate images: the certificate types the photo may show (declared at upload). */
  certificateTypes?: readonly CertificateType[];
};

const IMAGES = ["image/jpeg", "image/png"] as const;
const IMAGES_AND_PDF = ["image/jpeg", "image/png", "application/pdf"] as const;
const IMAGES_PDF_AND_VIDEO = ["image/jpeg", "image/png", "application/pdf", "video/mp4"] as const;
export const PERSONAL_CERTIFICATES: readonly CertificateType[] = [
  "resident_id",
  "passport",
  "foreign_passport",
  "hk_macau_permit",
  "taiwan_permit",
  "foreign_permanent_residence",
];

function personFields(base: "organizer.principal" | "service.principal", who: string, whoEn: string): MaterialField[] {
  return (["front", "back"] as const).map((side) => ({
    field: `${base}.certificate.${side}`,
    name: `${who}证件${side === "front" ? "正面" : "反面"}`,
    nameEn: `${whoEn} certificate, ${side}`,
    kind: "person_certificate",
    accepts: IMAGES,
    orientation: "landscape",
    certificateTypes: PERSONAL_CERTIFICATES,
  }));
}

export const MATERIAL_FIELDS: readonly MaterialField[] = [
  {
    field: "organizer.certificate.photo",
    name: "主体证件（营业执照等）照片",
    nameEn: "Organizer's licence",
    kind: "organization_certificate",
    accepts: IMAGES,
    orientation: "any",
    certificateTypes: ["uscc"],
  },
  ...personFields("organizer.principal", "主体负责人", "Organizer principal's"),
  ...personFields("service.principal", "小程序负责人", "Service principal's"),
  {
    field: "organizer.principal.residencePermit",
    name: "居住证",
    nameEn: "Residence permit (for an individual filing outside the province of their resident ID)",
    kind: "permit",
    accepts: IMAGES_AND_PDF,
    orientation: "any",
  },
  {
    field: "organizer.authorizationLetter",
    name: "法定代表人授权书",
    nameEn: "Authorization letter from the legal representative",
    kind: "letter",
    accepts: IMAGES_AND_PDF,
    orientation: "portrait",
  },
  {
    field: "commitment.letter",
    name: "备案承诺书（签字盖章）",
    nameEn: "Signed commitment letter",
    kind: "letter",
    accepts: IMAGES_AND_PDF,
    orientation: "portrait",
  },
  {
    field: "service.preApprovals[].document",
    name: "前置审批文件",
    nameEn: "Pre-approval permit",
    kind: "permit",
    accepts: IMAGES_AND_PDF,
    orientation: "any",
  },
  {
    field: "otherMaterials[].mediaId",
    name: "其他材料（如承诺视频）",
    nameEn: "Other material the bureau asks for (a commitment video, say)",
    kind: "other",
    accepts: IMAGES_PDF_AND_VIDEO,
    orientation: "any",
  },
];

/** At most this many other materials in one filing. */
export const MAX_OTHER_MATERIALS = 10;

export function findMaterialField(field: string): MaterialField | undefined {
  return MATERIAL_FIELDS.find((f) => f.field === field);
}

/** `service.preApprovals[2].document` → `service.preApprovals[].document`: the field a path's material is for. */
export function materialFieldOf(path: string): string {
  return path.replace(/\[\d+\]/g, "[]");
}

/**
 * Whether a material uploaded for `uploadedField` may be used at `path`. The field must match, except that a photo
 * of a person's certificate or residence permit serves either principal (the organizer's and the mini program's are
 * often one person), side for side.
 */
export function materialFits(uploadedField: string, path: string): boolean {
  const field = materialFieldOf(path);
  if (field === uploadedField) return true;
  const side = (f: string) =>
    /^(organizer|service)\.principal\.(certificate\.front|certificate\.back|residencePermit)$/.exec(f)?.[2];
  return side(field) !== undefined && side(field) === side(uploadedField);
}

/** Uploads are at most 2 MB, a video (MP4) as much as an image or a PDF. */
export const MAX_MATERIAL_BYTES = 2 * 1024 * 1024;
/** Photos must be legible: at least 720 × 1280 pixels, the long side along the document's orientation. */
export const MIN_SHORT_SIDE = 720;
export const MIN_LONG_SIDE = 1280;

/** Why an image of `width` × `height` does not suit `spec`, or null. */
export function imageProblem(
  spec: MaterialField,
  width: number,
  height: number,
): "IMAGE_TOO_SMALL" | "WRONG_ORIENTATION" | null {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  if (short < MIN_SHORT_SIDE || long < MIN_LONG_SIDE) return "IMAGE_TOO_SMALL";
  if (spec.orientation === "landscape" && width < height) return "WRONG_ORIENTATION";
  if (spec.orientation === "portrait" && height < width) return "WRONG_ORIENTATION";
  return null;
}

/** Certificates printed on both sides of a card need a photo of each; a passport's data page is one. */
export function hasBackSide(type: string): boolean {
  return (
    type === "resident_id" ||
    type === "hk_macau_permit" ||
    type === "taiwan_permit" ||
    type === "foreign_permanent_residence"
  );
}

/** An attachment a filing must carry: where its mediaId goes, and what it must show. */
export type RequiredMaterial = { path: string; certificateType?: string };

type Holder = { certificate?: { type?: unknown } } | undefined;

/** Mainland province codes that begin resident IDs; 81–83 (Hong Kong, Macau, Taiwan residents) have no hukou. */
const MAINLAND_ID_PREFIX = /^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])/;

/**
 * Whether an individual organizer files outside the province its resident ID was issued in (the ID's first two
 * digits against the region's province), and so must attach its 居住证 (docs/rules.md#materials).
 */
export function needsResidencePermit(organizer: {
  nature?: unknown;
  certificate?: unknown;
  region?: unknown;
}): boolean {
  if (organizer.nature !== "individual") return false;
  const certificate = organizer.certificate as { type?: unknown; number?: unknown } | undefined;
  const region = organizer.region as { province?: unknown } | undefined;
  if (certificate?.type !== "resident_id" || typeof certificate.number !== "string") return false;
  if (typeof region?.province !== "string") return false;
  const number = certificate.number.normalize("NFKC").trim();
  const issued = MAINLAND_ID_PREFIX.exec(number)?.[1];
  return issued !== undefined && /^\d{6}$/.test(region.province) && issued !== region.province.slice(0, 2);
}

/**
 * The attachments a filing needs, from its own content (docs/rules.md#materials): a non-individual
 * organizer's licence; each principal's certificate (both sides of a card); an individual's residence permit when it
 * files outside the province of its resident ID; an authorization letter when the
 * principal is not the legal representative; the signed commitment letter; a permit per pre-approval.
 */
export function requiredMaterials(request: {
  organizer?: {
    nature?: unknown;
    certificate?: unknown;
    region?: unknown;
    principal?: Holder;
    legalRepresentative?: unknown;
  };
  commitment?: unknown;
  service?: { principal?: Holder; preApprovals?: unknown };
}): RequiredMaterial[] {
  const out: RequiredMaterial[] = [];
  const organizer = request.organizer;
  // Only where the part that needs an attachment is there at all: a missing part is one problem, not two.
  const certificate = organizer?.certificate as { type?: unknown } | undefined;
  if (certificate?.type === "uscc" && organizer?.nature !== undefined && organizer.nature !== "individual") {
    out.push({ path: "organizer.certificate.photo", certificateType: "uscc" });
  }
  for (const base of ["organizer.principal", "service.principal"] as const) {
    const holder = base === "organizer.principal" ? organizer?.principal : request.service?.principal;
    const type = holder?.certificate?.type;
    if (typeof type !== "string") continue;
    out.push({ path: `${base}.certificate.front`, certificateType: type });
    if (hasBackSide(type)) out.push({ path: `${base}.certificate.back`, certificateType: type });
  }
  if (organizer?.principal !== undefined && needsResidencePermit(organizer)) {
    out.push({ path: "organizer.principal.residencePermit" });
  }
  if (organizer?.legalRepresentative !== undefined) out.push({ path: "organizer.authorizationLetter" });
  if (request.commitment !== undefined) out.push({ path: "commitment.letter" });
  const preApprovals = request.service?.preApprovals;
  if (Array.isArray(preApprovals)) {
    for (let i = 0; i < preApprovals.length; i++) out.push({ path: `service.preApprovals[${i}].document` });
  }
  return out;
}

/** A material a request points at: its path, its id, and the certificate type that path's certificate has. */
export type MaterialReference = { path: string; mediaId: string; certificateType?: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every mediaId in the request at a material path (whatever else is wrong with the request). */
export function materialReferences(request: Json): MaterialReference[] {
  const out: MaterialReference[] = [];
  const add = (path: string, value: unknown, certificateType?: unknown) => {
    if (typeof value !== "string" || value === "") return;
    out.push(
      typeof certificateType === "string" ? { path, mediaId: value, certificateType } : { path, mediaId: value },
    );
  };
  const organizer = isObject(request.organizer) ? request.organizer : {};
  const service = isObject(request.service) ? request.service : {};
  if (isObject(organizer.certificate))
    add("organizer.certificate.photo", organizer.certificate.photo, organizer.certificate.type);
  for (const [base, holder] of [
    ["organizer.principal", organizer.principal],
    ["service.principal", service.principal],
  ] as const) {
    if (!isObject(holder) || !isObject(holder.certificate)) continue;
    add(`${base}.certificate.front`, holder.certificate.front, holder.certificate.type);
    add(`${base}.certificate.back`, holder.certificate.back, holder.certificate.type);
  }
  for (const [base, holder] of [
    ["organizer.principal", organizer.principal],
    ["service.principal", service.principal],
  ] as const) {
    if (isObject(holder)) add(`${base}.residencePermit`, holder.residencePermit);
  }
  add("organizer.authorizationLetter", organizer.authorizationLetter);
  if (isObject(request.commitment)) add("commitment.letter", request.commitment.letter);
  if (Array.isArray(service.preApprovals)) {
    service.preApprovals.forEach((p, i) => {
      if (isObject(p)) add(`service.preApprovals[${i}].document`, p.document);
    });
  }
  if (Array.isArray(request.otherMaterials)) {
    request.otherMaterials.forEach((m, i) => {
      if (isObject(m)) add(`otherMaterials[${i}].mediaId`, m.mediaId);
    });
  }
  return out;
}
