import { z } from "zod";
import { ageOn, checkCertificate, checkEmail, checkMobile, isRealDate } from "./identifiers";
import { isMaskedForm } from "./masking";
import { MAX_OTHER_MATERIALS, type MaterialReference, materialReferences, requiredMaterials } from "./materials";
import { issuesToProblems, joinPath, onePerPath, type Problem, problem } from "./problems";
import {
  CERTIFICATE_TYPES,
  type CertificateType,
  certificateEncodesBirthDate,
  certificateTypesFor,
  findCertificateType,
  findServiceContentType,
  isCertificateType,
  isLanguage,
  isNature,
  NATURES,
  PRE_APPROVAL_TYPES,
  usccPrefixFits,
} from "./reference";
import { checkRegion, type RegionLookup } from "./regions";
import { normalizeText, textSchema } from "./text";

/**
 * The filing request (docs/rules.md#requests) in two passes, so one answer lists every problem:
 * 1. structure with zod — types, required fields, unknown fields, enums, sizes;
 * 2. the domain rules of docs/rules.md#identifiers over whatever is structurally sound — identifiers, regions, ages,
 *    validity, nature ↔ certificate, content types ↔ pre-approvals.
 * Both passes report `Problem`s; nothing here does I/O (the pre-flight rules that need stored data are in
 * src/repositories/preflight.ts).
 */

const certificateTypeCodes = CERTIFICATE_TYPES.map((t) => t.code) as [CertificateType, ...CertificateType[]];
const natureCodes = NATURES.map((n) => n.code) as [string, ...string[]];
const preApprovalCodes = PRE_APPROVAL_TYPES.map((t) => t.code) as [string, ...string[]];

export const DESCRIPTION_MIN = 20;
export const DESCRIPTION_MAX = 200;

/** Names, addresses, approval numbers: one line of free text (docs/rules.md#text). */
const text = (max: number) => textSchema({ max });
const dateText = z.string().max(10);

/** An uploaded material's id (POST /v1/materials); which ones a filing needs is a rule (src/domain/materials.ts). */
const MediaId = z.string().min(1).max(64);

const CertificateSchema = z.strictObject({
  type: z.enum(certificateTypeCodes),
  number: z.string().trim().min(1).max(32).meta({ pattern: "\\S" }),
  validFrom: dateText.optional(),
  validTo: z.string().max(10).optional(),
  /** The organization's licence photo (non-individual organizers). */
  photo: MediaId.optional(),
});

const PersonCertificateSchema = z.strictObject({
  type: z.enum(certificateTypeCodes),
  number: z.string().trim().min(1).max(32).meta({ pattern: "\\S" }),
  validFrom: dateText,
  validTo: z.string().max(10),
  /** Photos of the certificate: the front, and the back of two-sided cards. */
  front: MediaId.optional(),
  back: MediaId.optional(),
});

const PersonSchemaPlain = z.strictObject({
  name: text(50),
  certificate: PersonCertificateSchema,
  mobile: z.string().max(20),
  emergencyContact: z.string().max(20),
  email: z.string().max(254),
  birthDate: dateText.optional(),
  /**
   * 居住证 photo: required of the organizer's principal when an individual organizer files outside the province of
   * its resident ID (src/domain/materials.ts); taken on either principal, so one person object serves both.
   */
  residencePermit: MediaId.optional().meta({
    description:
      "居住证 (residence permit) photo's mediaId: required at organizer.principal when an individual organizer files " +
      "in a province other than the one its resident ID was issued in (the ID's first two digits)",
  }),
  /** A passed face verification of this person for this app (POST /v1/verifications; docs/rules.md#verifications). */
  verificationId: z.string().min(1).max(64).optional(),
});

const LegalRepresentativeSchema = z.strictObject({
  name: text(50),
  certificate: PersonCertificateSchema.omit({ front: true, back: true }),
  /** Texted by MIIT for the SMS confirmation; required when the legal representative is neither principal. */
  mobile: z.string().max(20).optional(),
});

const RegionSchema = z.strictObject({
  province: z.string().max(6),
  city: z.string().max(6),
  district: z.string().max(6).optional(),
});

const OrganizerSchema = z.strictObject({
  nature: z.enum(natureCodes),
  name: text(100),
  certificate: CertificateSchema,
  region: RegionSchema,
  /** 证件住所: the address printed on the organizer's certificate (licence or ID card), beside the mailing address. */
  certificateAddress: text(200)
    .optional()
    .meta({
      description:
        "证件住所: the address as printed on the organizer's certificate (licence, ID card), beside the mailing " +
        "`address`. Optional, recommended: the bureau compares it with the certificate.",
    }),
  address: text(200),
  principal: PersonSchemaPlain,
  legalRepresentative: LegalRepresentativeSchema.optional(),
  /** The legal representative's authorization of the principal, when they are different people. */
  authorizationLetter: MediaId.optional(),
});

const ServiceSchema = z.strictObject({
  name: text(30),
  serviceContentTypes: z.array(z.string().max(64)).min(1).max(5),
  // Absent or empty: no pre-approval applies (docs/rules.md#identifiers).
  preApprovals: z
    .array(z.strictObject({ type: z.enum(preApprovalCodes), approvalNumber: text(100), document: MediaId.optional() }))
    .max(12)
    .default([]),
  languages: z.array(z.string().max(20)).min(1).max(20),
  description: textSchema({ min: DESCRIPTION_MIN, max: DESCRIPTION_MAX, multiline: true }),
  principal: PersonSchemaPlain,
});

export const FilingSubmissionSchema = z.strictObject({
  type: z.enum(["new", "change"]),
  appId: z.string().trim().min(1).max(64).meta({ pattern: "\\S" }),
  organizer: OrganizerSchema,
  service: ServiceSchema,
  commitment: z.strictObject({ accepted: z.boolean(), letter: MediaId.optional() }),
  /** Anything else the bureau asks for (a commitment video, a lease): uploaded for `otherMaterials[].mediaId`. */
  otherMaterials: z
    .array(z.strictObject({ mediaId: MediaId, description: text(100) }))
    .max(MAX_OTHER_MATERIALS)
    .optional()
    .meta({
      description:
        "Other materials (images, PDF or an MP4 video, such as a commitment video), each with what it is: at most 10",
    }),
});

export const CancelSubmissionSchema = z.strictObject({
  type: z.literal("cancel"),
  appId: z.string().trim().min(1).max(64).meta({ pattern: "\\S" }),
  scope: z.enum(["service", "organizer", "access"]),
  reason: z.enum(["no_longer_operated", "subject_changed"]),
});

export type Person = z.infer<typeof PersonSchemaPlain>;
export type FilingSubmission = z.infer<typeof FilingSubmissionSchema>;
export type CancelSubmission = z.infer<typeof CancelSubmissionSchema>;
export type FilingRequest = FilingSubmission | CancelSubmission;

export type RuleContext = {
  /** The submission date, Beijing time, YYYY-MM-DD: ages and validity are judged on it. */
  today: string;
  regions: RegionLookup;
  /**
   * How many days after `today` a certificate must still be valid (`CERTIFICATE_EXPIRING`, platform policy
   * `CERTIFICATE_MIN_VALID_DAYS`); 0 or absent: only an expired certificate is refused.
   */
  minValidDays?: number;
};

/** `day` (YYYY-MM-DD) plus `days` days. */
function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export const ADULT_AGE = 18;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v.trim() : undefined);
/** Free text as it will be stored, so stored-data checks compare like with like. */
const textFact = (v: unknown): string | undefined => (typeof v === "string" ? normalizeText(v) : undefined);

/** NFKC, trimmed, case-folded: two service names that read the same compare equal (docs/rules.md#preflight). */
export function serviceNameKey(name: string): string {
  return name.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
}

/**
 * Validity of a certificate on `today`: dates real, in order, not expired nor expiring within the margin;
 * `long_term` only for resident IDs.
 */
function checkValidity(cert: Json, base: string, ctx: RuleContext): Problem[] {
  const { today } = ctx;
  const margin = ctx.minValidDays ?? 0;
  const out: Problem[] = [];
  const type = str(cert.type);
  const from = str(cert.validFrom);
  const to = str(cert.validTo);
  let fromOk = false;
  if (from !== undefined) {
    if (!isRealDate(from)) out.push(problem(joinPath(base, "validFrom"), "INVALID_DATE"));
    else if (from > today) out.push(problem(joinPath(base, "validFrom"), "CERTIFICATE_NOT_YET_VALID"));
    else fromOk = true;
  }
  if (to !== undefined) {
    if (to === "long_term") {
      if (type !== undefined && type !== "resident_id")
        out.push(problem(joinPath(base, "validTo"), "LONG_TERM_NOT_ALLOWED"));
    } else if (!isRealDate(to)) out.push(problem(joinPath(base, "validTo"), "INVALID_DATE"));
    else if (to < today) out.push(problem(joinPath(base, "validTo"), "CERTIFICATE_EXPIRED"));
    else if (fromOk && from !== undefined && to <= from)
      out.push(problem(joinPath(base, "validTo"), "INVALID_VALIDITY"));
    else if (margin > 0 && to < addDays(today, margin))
      out.push(problem(joinPath(base, "validTo"), "CERTIFICATE_EXPIRING", { days: margin }));
  }
  return out;
}

/** A person's certificate number, its type, and the age it implies. Returns the normalized number. */
function checkPersonCertificate(
  holder: Json,
  base: string,
  ctx: RuleContext,
  opts: { checkAge: boolean; birthDatePath?: string },
): { problems: Problem[]; number?: string } {
  const out: Problem[] = [];
  const cert = holder.certificate;
  if (!isObject(cert)) return { problems: out };
  const certBase = joinPath(base, "certificate");
  const type = cert.type;
  const number = str(cert.number);
  if (!isCertificateType(type)) return { problems: out };
  if (!findCertificateType(type)?.personal) {
    out.push(
      problem(joinPath(certBase, "type"), "CERTIFICATE_TYPE_NOT_ALLOWED", {
        allowed: CERTIFICATE_TYPES.filter((t) => t.personal)
          .map((t) => t.code)
          .join(", "),
      }),
    );
    return { problems: out };
  }
  out.push(...checkValidity(cert, certBase, ctx));
  if (number === undefined || number === "") return { problems: out };
  const checked = checkCertificate(type, number, ctx.today);
  if (!checked.ok) {
    out.push(problem(joinPath(certBase, "number"), checked.code));
    return { problems: out };
  }
  if (opts.checkAge) {
    const given = str(holder.birthDate);
    const birthDatePath = joinPath(base, "birthDate");
    let birthDate = checked.birthDate;
    let agePath = joinPath(certBase, "number");
    if (given !== undefined) {
      if (!isRealDate(given) || given > ctx.today) out.push(problem(birthDatePath, "INVALID_DATE"));
      else if (birthDate && given !== birthDate) out.push(problem(birthDatePath, "BIRTH_DATE_MISMATCH"));
      else if (!birthDate) {
        birthDate = given;
        agePath = birthDatePath;
      }
    } else if (!certificateEncodesBirthDate(type, number) || !birthDate) {
      out.push(problem(birthDatePath, "REQUIRED"));
    }
    if (birthDate && isRealDate(birthDate) && ageOn(birthDate, ctx.today) < ADULT_AGE) {
      out.push(problem(agePath, "UNDERAGE", { min: ADULT_AGE }));
    }
  }
  return { problems: out, number: checked.value };
}

/** What the pre-flight rules need to know about a person, taken from whatever part of the input is valid. */
export type PersonFacts = {
  path: string;
  certificate?: string;
  certificateType?: string;
  mobile?: string;
  /** The name as the text rule normalizes it. */
  name?: string;
  verificationId?: string;
};

/**
 * The facts the pre-flight rules (stored-data checks) work from. Collected even when other fields have
 * problems, so a dry run can report a taken name next to a bad ID number.
 */
export type FilingFacts = {
  appId?: string;
  type?: string;
  organizer?: { certificateType: string; certificate: string; nature?: string; name?: string; province?: string };
  serviceName?: string;
  people: PersonFacts[];
  /** The materials the request references, for the stored-data checks (exists, yours, for this field). */
  materials: MaterialReference[];
};

function checkPerson(person: unknown, base: string, ctx: RuleContext): { problems: Problem[]; facts: PersonFacts } {
  const facts: PersonFacts = { path: base };
  if (!isObject(person)) return { problems: [], facts };
  const { problems, number } = checkPersonCertificate(person, base, ctx, { checkAge: true });
  facts.certificate = number;
  facts.certificateType = isObject(person.certificate) ? str(person.certificate.type) : undefined;
  const mobileRaw = str(person.mobile);
  let mobile: string | undefined;
  if (mobileRaw !== undefined) {
    const m = checkMobile(mobileRaw);
    if (m.ok) mobile = m.value;
    else problems.push(problem(joinPath(base, "mobile"), m.code));
  }
  facts.mobile = mobile;
  facts.name = textFact(person.name);
  if (typeof person.verificationId === "string") facts.verificationId = person.verificationId;
  const emergencyRaw = str(person.emergencyContact);
  if (emergencyRaw !== undefined) {
    const m = checkMobile(emergencyRaw);
    if (!m.ok) problems.push(problem(joinPath(base, "emergencyContact"), m.code));
    else if (mobile !== undefined && m.value === mobile) {
      problems.push(problem(joinPath(base, "emergencyContact"), "EMERGENCY_CONTACT_SAME_AS_MOBILE"));
    }
  }
  const emailRaw = str(person.email);
  if (emailRaw !== undefined) {
    const e = checkEmail(emailRaw);
    if (!e.ok) problems.push(problem(joinPath(base, "email"), e.code));
  }
  return { problems, facts };
}

function checkOrganizer(
  organizer: unknown,
  ctx: RuleContext,
): { problems: Problem[]; people: PersonFacts[]; legal?: PersonFacts } {
  const out: Problem[] = [];
  const people: PersonFacts[] = [];
  if (!isObject(organizer)) return { problems: out, people };
  const nature = organizer.nature;
  const cert = organizer.certificate;
  if (isObject(cert) && isCertificateType(cert.type)) {
    const certBase = "organizer.certificate";
    const allowed = isNature(nature) ? certificateTypesFor(nature) : undefined;
    if (allowed && !allowed.includes(cert.type)) {
      out.push(problem(joinPath(certBase, "type"), "CERTIFICATE_TYPE_NOT_ALLOWED", { allowed: allowed.join(", ") }));
    } else {
      out.push(...checkValidity(cert, certBase, ctx));
      const number = str(cert.number);
      if (number) {
        const checked = checkCertificate(cert.type, number, ctx.today);
        if (!checked.ok) out.push(problem(joinPath(certBase, "number"), checked.code));
        else if (cert.type === "uscc" && isNature(nature) && !usccPrefixFits(nature, checked.value)) {
          out.push(
            problem(joinPath(certBase, "number"), "USCC_NATURE_MISMATCH", {
              prefix: checked.value.slice(0, 2),
              nature,
            }),
          );
        }
      }
    }
  }
  if (isObject(organizer.region)) out.push(...checkRegion(organizer.region, ctx.regions, "organizer.region"));
  const principal = checkPerson(organizer.principal, "organizer.principal", ctx);
  out.push(...principal.problems);
  people.push(principal.facts);
  let legal: PersonFacts | undefined;
  const representative = organizer.legalRepresentative;
  if (isObject(representative)) {
    const base = "organizer.legalRepresentative";
    const checked = checkPersonCertificate(representative, base, ctx, { checkAge: false });
    out.push(...checked.problems);
    legal = {
      path: base,
      certificate: checked.number,
      certificateType: isObject(representative.certificate) ? str(representative.certificate.type) : undefined,
    };
    const mobileRaw = str(representative.mobile);
    if (mobileRaw !== undefined) {
      const m = checkMobile(mobileRaw);
      if (m.ok) legal.mobile = m.value;
      else out.push(problem(joinPath(base, "mobile"), m.code));
    }
  }
  return { problems: out, people, legal };
}

/**
 * MIIT texts the legal representative too (docs/rules.md#sms-confirmation): one who is neither principal (by
 * certificate) must give a mobile. One who is a principal confirms once, on that principal's mobile.
 */
function legalMobileProblems(legal: PersonFacts | undefined, representative: unknown, principals: PersonFacts[]) {
  if (!legal?.certificate || !isObject(representative) || representative.mobile !== undefined) return [];
  const key = (p: PersonFacts) => `${p.certificateType}:${p.certificate}`;
  if (principals.some((p) => p.certificate !== undefined && key(p) === key(legal))) return [];
  return [problem(joinPath(legal.path, "mobile"), "REQUIRED")];
}

function checkService(service: unknown, ctx: RuleContext): { problems: Problem[]; people: PersonFacts[] } {
  const out: Problem[] = [];
  if (!isObject(service)) return { problems: out, people: [] };
  const required = new Map<string, string>(); // pre-approval type → the content type that needs it
  if (Array.isArray(service.serviceContentTypes)) {
    const seen = new Set<string>();
    service.serviceContentTypes.forEach((code, i) => {
      if (typeof code !== "string") return;
      const path = joinPath("service.serviceContentTypes", i);
      if (seen.has(code)) {
        out.push(problem(path, "DUPLICATE"));
        return;
      }
      seen.add(code);
      const type = findServiceContentType(code);
      if (!type) out.push(problem(path, "UNKNOWN_SERVICE_CONTENT_TYPE"));
      else if (type.parent === null) out.push(problem(path, "NOT_SECOND_LEVEL"));
      else for (const p of type.requiresPreApprovals) if (!required.has(p)) required.set(p, code);
    });
  }
  const preApprovals = service.preApprovals === undefined ? [] : service.preApprovals;
  if (Array.isArray(preApprovals)) {
    const seen = new Set<string>();
    preApprovals.forEach((entry, i) => {
      if (!isObject(entry) || typeof entry.type !== "string") return;
      if (seen.has(entry.type)) out.push(problem(joinPath("service.preApprovals", i, "type"), "DUPLICATE"));
      seen.add(entry.type);
    });
    for (const [type, contentType] of required) {
      if (!seen.has(type)) out.push(problem("service.preApprovals", "PRE_APPROVAL_REQUIRED", { type, contentType }));
    }
  }
  if (Array.isArray(service.languages)) {
    const seen = new Set<string>();
    service.languages.forEach((lang, i) => {
      if (typeof lang !== "string") return;
      const path = joinPath("service.languages", i);
      if (!isLanguage(lang)) out.push(problem(path, "INVALID_VALUE", { allowed: "see GET /v1/reference/languages" }));
      else if (seen.has(lang)) out.push(problem(path, "DUPLICATE"));
      seen.add(lang);
    });
  }
  const principal = checkPerson(service.principal, "service.principal", ctx);
  out.push(...principal.problems);
  return { problems: out, people: [principal.facts] };
}

/** Two different people (by certificate) giving one mobile, within this one filing. */
function checkSharedMobiles(people: PersonFacts[]): Problem[] {
  const out: Problem[] = [];
  const holders = new Map<string, string>();
  for (const p of people) {
    if (!p.mobile || !p.certificate) continue;
    const holder = holders.get(p.mobile);
    if (holder === undefined) holders.set(p.mobile, `${p.certificateType}:${p.certificate}`);
    else if (holder !== `${p.certificateType}:${p.certificate}`)
      out.push(problem(joinPath(p.path, "mobile"), "MOBILE_SHARED"));
  }
  return out;
}

/** Where a filing carries personal data that answers show masked: certificate numbers, mobiles, emails. */
const MASKED_PATHS = [
  ["organizer", "certificate", "number"],
  ["organizer", "legalRepresentative", "certificate", "number"],
  ...["organizer", "service"].flatMap((part) =>
    [["certificate", "number"], ["mobile"], ["emergencyContact"], ["email"]].map((rest) => [
      part,
      "principal",
      ...rest,
    ]),
  ),
];

/**
 * `MASKED_VALUE` wherever a personal field holds a mask (`138****5678`) instead of the value: copied back from an
 * answer (a read-back, a filing's `request`), it would otherwise be stored as data (docs/rules.md#read-back).
 */
function maskedValueProblems(input: Json): Problem[] {
  const out: Problem[] = [];
  for (const path of MASKED_PATHS) {
    let value: unknown = input;
    for (const key of path) value = isObject(value) ? value[key] : undefined;
    if (typeof value === "string" && isMaskedForm(value)) out.push(problem(joinPath(...path), "MASKED_VALUE"));
  }
  return out;
}

export type CheckedFiling = { problems: Problem[]; facts: FilingFacts; request?: FilingRequest };

function organizerFacts(organizer: unknown, ctx: RuleContext): FilingFacts["organizer"] {
  if (!isObject(organizer) || !isObject(organizer.certificate)) return undefined;
  const { type, number } = organizer.certificate;
  if (!isCertificateType(type) || typeof number !== "string") return undefined;
  const checked = checkCertificate(type, number, ctx.today);
  if (!checked.ok) return undefined;
  const province = isObject(organizer.region) ? str(organizer.region.province) : undefined;
  return {
    certificateType: type,
    certificate: checked.value,
    nature: str(organizer.nature),
    name: textFact(organizer.name),
    province: province && ctx.regions.get(province)?.level === "province" ? province : undefined,
  };
}

/**
 * Every problem of a filing request, and — when there are none — the request normalized
 * (trimmed, IDs upper-cased, `+86` stripped), ready to store.
 */
export function checkFilingRequest(input: unknown, ctx: RuleContext): CheckedFiling {
  if (!isObject(input)) return { problems: [problem("", "NOT_AN_OBJECT")], facts: { people: [], materials: [] } };
  const isCancel = input.type === "cancel";
  const schema = isCancel ? CancelSubmissionSchema : FilingSubmissionSchema;
  const parsed = schema.safeParse(input);
  // A mask where a value belongs says more than the format rules would: it is named first (`onePerPath`).
  const problems = [
    ...(isCancel ? [] : maskedValueProblems(input)),
    ...(parsed.success ? [] : issuesToProblems(parsed.error.issues, input)),
  ];
  const facts: FilingFacts = { appId: str(input.appId), type: str(input.type), people: [], materials: [] };
  if (!isCancel) {
    const organizer = checkOrganizer(input.organizer, ctx);
    const service = checkService(input.service, ctx);
    const principals = [...organizer.people, ...service.people];
    facts.people = [...principals, ...(organizer.legal ? [organizer.legal] : [])];
    facts.organizer = organizerFacts(input.organizer, ctx);
    facts.serviceName = isObject(input.service) ? textFact(input.service.name) : undefined;
    problems.push(...organizer.problems, ...service.problems, ...checkSharedMobiles(facts.people));
    const representative = isObject(input.organizer) ? input.organizer.legalRepresentative : undefined;
    problems.push(...legalMobileProblems(organizer.legal, representative, principals));
    facts.materials = materialReferences(input);
    const referenced = new Set(facts.materials.map((m) => m.path));
    for (const required of requiredMaterials(input)) {
      if (!referenced.has(required.path)) problems.push(problem(required.path, "REQUIRED"));
    }
    if (isObject(input.commitment) && input.commitment.accepted === false) {
      problems.push(problem("commitment.accepted", "COMMITMENT_REQUIRED"));
    }
  }
  const unique = onePerPath(problems);
  if (unique.length > 0 || !parsed.success) return { problems: unique, facts };
  return { problems: [], facts, request: normalize(parsed.data) };
}

function normalizeCertificate<T extends Certificate>(cert: T): T {
  const checked = checkCertificate(cert.type, cert.number);
  return { ...cert, number: checked.ok ? checked.value : cert.number.trim() };
}

function normalizePerson(p: Person): Person {
  const mobile = checkMobile(p.mobile);
  const emergency = checkMobile(p.emergencyContact);
  const email = checkEmail(p.email);
  return {
    ...p,
    certificate: normalizeCertificate(p.certificate),
    mobile: mobile.ok ? mobile.value : p.mobile,
    emergencyContact: emergency.ok ? emergency.value : p.emergencyContact,
    email: email.ok ? email.value : p.email,
  };
}

type Certificate = { type: CertificateType; number: string };

/**
 * The one walk over a request's personal data: `certificate` maps the organizer's and the legal representative's
 * certificates, `person` each principal (with the person's own certificate). Normalizing and masking both use it,
 * so a new personal field is handled by both or by neither.
 */
export function mapPersonalData<R extends FilingRequest>(
  request: R,
  fns: {
    certificate: <T extends Certificate>(cert: T) => T;
    person: (p: Person) => Person;
    /** The legal representative's mobile, the one contact outside a principal. */
    mobile: (mobile: string) => string;
  },
): R {
  if (request.type === "cancel") return request;
  const { organizer, service } = request;
  return {
    ...request,
    organizer: {
      ...organizer,
      certificate: fns.certificate(organizer.certificate),
      principal: fns.person(organizer.principal),
      ...(organizer.legalRepresentative
        ? {
            legalRepresentative: {
              ...organizer.legalRepresentative,
              certificate: fns.certificate(organizer.legalRepresentative.certificate),
              ...(organizer.legalRepresentative.mobile !== undefined
                ? { mobile: fns.mobile(organizer.legalRepresentative.mobile) }
                : {}),
            },
          }
        : {}),
    },
    service: { ...service, principal: fns.person(service.principal) },
  };
}

/** Free text is already in its normal form (the schema's text rule); identifiers and contacts are normalized here. */
function normalize(request: FilingRequest): FilingRequest {
  return mapPersonalData(request, {
    certificate: normalizeCertificate,
    person: normalizePerson,
    mobile: (m) => {
      const checked = checkMobile(m);
      return checked.ok ? checked.value : m;
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Paths of a request: what a rejection reason may point at (docs/rules.md#lifecycle)
// ---------------------------------------------------------------------------------------------------------------

/** A request schema reduced to what its paths can name: objects by key, lists by index up to their size bound. */
type Shape =
  | { kind: "value" }
  | { kind: "object"; fields: ReadonlyMap<string, Shape> }
  | { kind: "list"; max: number; item: Shape };

/** The shape of a schema, read from the schema itself so a new field is a valid path the day it is added. */
function shapeOf(schema: z.core.$ZodType): Shape {
  const def = schema._zod.def;
  switch (def.type) {
    case "object": {
      const { shape } = def as z.core.$ZodObjectDef;
      return { kind: "object", fields: new Map(Object.entries(shape).map(([key, field]) => [key, shapeOf(field)])) };
    }
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      return shapeOf((def as z.core.$ZodOptionalDef).innerType);
    case "pipe":
      return shapeOf((def as z.core.$ZodPipeDef).in);
    case "array": {
      let max = Number.POSITIVE_INFINITY;
      for (const check of def.checks ?? []) {
        const d = check._zod.def as { check: string; maximum?: number };
        if (d.check === "max_length" && d.maximum !== undefined) max = Math.min(max, d.maximum);
      }
      return { kind: "list", max, item: shapeOf((def as z.core.$ZodArrayDef).element) };
    }
    default:
      return { kind: "value" };
  }
}

const SUBMISSION_SHAPE = shapeOf(FilingSubmissionSchema);
const CANCEL_SHAPE = shapeOf(CancelSubmissionSchema);

/** `a.b[0].c`, as `joinPath` writes every `errors[].path`: names, dots, indexes without leading zeros. */
const PATH_SYNTAX = /^[A-Za-z][A-Za-z0-9]*(?:\[(?:0|[1-9]\d*)\])*(?:\.[A-Za-z][A-Za-z0-9]*(?:\[(?:0|[1-9]\d*)\])*)*$/;

/**
 * Whether `path` names a part of a request of `type` (docs/rules.md#lifecycle): `""` (the whole request), any
 * property its schema has at any depth, whether or not this request filled it in (a reviewer may ask for a missing
 * legal representative at `organizer.legalRepresentative`), and list items by index within the list's size bound
 * (`service.serviceContentTypes[4]`, `service.preApprovals[0].type`), written as `errors[].path` writes them.
 */
export function isRequestPath(type: FilingRequest["type"], path: string): boolean {
  if (path === "") return true;
  if (!PATH_SYNTAX.test(path)) return false;
  let shape: Shape | undefined = type === "cancel" ? CANCEL_SHAPE : SUBMISSION_SHAPE;
  for (const [, name, index] of path.matchAll(/([A-Za-z][A-Za-z0-9]*)|\[(\d+)\]/g)) {
    if (name !== undefined) shape = shape?.kind === "object" ? shape.fields.get(name) : undefined;
    else shape = shape?.kind === "list" && Number(index) < shape.max ? shape.item : undefined;
    if (shape === undefined) return false;
  }
  return true;
}

/** A reason as reviewers and the regulator give it: the part of the request it is about, what is wrong, what to do. */
export type Reason = { field: string; error: string; suggest: string };

/** `UNKNOWN_REQUEST_FIELD` at `reasons[i].field` for each reason that points at no part of a request of `type`. */
export function reasonFieldProblems(reasons: readonly Reason[], type: FilingRequest["type"]): Problem[] {
  return reasons.flatMap((reason, i) =>
    isRequestPath(type, reason.field) ? [] : [problem(joinPath("reasons", i, "field"), "UNKNOWN_REQUEST_FIELD")],
  );
}
