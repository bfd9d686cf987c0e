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
