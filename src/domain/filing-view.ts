import { type FilingRequest, mapPersonalData, type Person } from "./filing-request";
import type { FilingStatus } from "./filing-state";
import { maskCertificateNumber, maskEmail, maskMobile } from "./masking";
import type { SmsPerson } from "./sms-verification";

/** A rejection reason as reviewers and the bureau give it: the field, what is wrong, what to do. */
export type Reason = { field: string; error: string; suggest: string };

/** The columns of a stored filing that its views are made of. */
export type StoredFiling = {
  id: string;
  type: "new" | "change" | "cancel";
  appId: string;
  status: FilingStatus;
  registrationNumber: string | null;
  reasons: string;
  submitterAccountId: string;
  smsDeadline: string | null;
  /** `SmsVerificationView[]`, JSON. */
  smsVerifications: string;
  resubmittedFrom: string | null;
  createdAt: string;
  updatedAt: string;
  requestMasked: string;
};

/** One person's SMS confirmation as every reader sees it: the mobile masked (docs/rules.md#sms-confirmation). */
export type SmsVerificationView = SmsPerson & { mobile: string };

/** The filing as its submitter and app owner see it (docs/rules.md#privacy): personal data masked. */
export type FilingView = {
  id: string;
  type: StoredFiling["type"];
  appId: string;
  status: FilingStatus;
  registrationNumber: string | null;
  reasons: Reason[];
  submitterAccountId: string;
  smsDeadline: string | null;
  smsVerifications: SmsVerificationView[];
  /** The ended filing this one corrects, for a resubmission (docs/rules.md#read-back). */
  resubmittedFrom: string | null;
  createdAt: string;
  updatedAt: string;
  request: Record<string, unknown>;
};

export function toFilingView(row: StoredFiling): FilingView {
  return {
    id: row.id,
    type: row.type,
    appId: row.appId,
    status: row.status,
    registrationNumber: row.registrationNumber,
    reasons: JSON.parse(row.reasons) as Reason[],
    submitterAccountId: row.submitterAccountId,
    smsDeadline: row.smsDeadline,
    smsVerifications: JSON.parse(row.smsVerifications) as SmsVerificationView[],
    resubmittedFrom: row.resubmittedFrom,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    request: JSON.parse(row.requestMasked) as Record<string, unknown>,
  };
}

/** The filing as staff see it: the same view with the request as submitted (the read is audited by the caller). */
export function toUnmaskedView(row: StoredFiling, request: Record<string, unknown>): FilingView {
  return { ...toFilingView(row), request };
}

function maskCertificate<T extends { number: string }>(cert: T): T {
  return { ...cert, number: maskCertificateNumber(cert.number) };
}

function maskPerson(p: Person): Person {
  return {
    ...p,
    certificate: maskCertificate(p.certificate),
    mobile: maskMobile(p.mobile),
    emergencyContact: maskMobile(p.emergencyContact),
    email: maskEmail(p.email),
  };
}

/**
 * The request with every certificate number (the organizer's included), mobile, emergency contact and email masked:
 * what is stored for owners to read back (docs/rules.md#privacy).
 */
export function maskRequest(request: FilingRequest): FilingRequest {
  return mapPersonalData(request, { certificate: maskCertificate, person: maskPerson, mobile: maskMobile });
}

/**
 * The request a registration stands on when no filing of beian's approved it (docs/rules.md#read-back): what the
 * import brought — the organizer as imported (or as last approved for another of its services) and the service's
 * name. A change by patch starts from it, so every field the import did not bring is still to be given.
 */
export function importedRequest(appId: string, organizer: unknown, serviceName: string): Record<string, unknown> {
  return { type: "change", appId, organizer, service: { name: serviceName } };
}

/**
 * Personal data masked in a request of any completeness (an imported one lacks most fields): certificate numbers,
 * mobiles, emergency contacts and emails wherever they are, as `maskRequest` masks a complete one.
 */
export function maskPartialRequest(value: unknown, key?: string, parent?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => maskPartialRequest(v));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPartialRequest(v, k, key)]));
  }
  if (typeof value !== "string") return value;
  if (key === "number" && parent === "certificate") return maskCertificateNumber(value);
  if (key === "mobile" || key === "emergencyContact") return maskMobile(value);
  if (key === "email") return maskEmail(value);
  return value;
}
