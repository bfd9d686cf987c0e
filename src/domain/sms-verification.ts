/**
 * SMS confirmation per person (短信核验, docs/rules.md#sms-confirmation): who must confirm MIIT's SMS when a filing
 * enters `sms_verification`, and what each step the regulator reports does to that person and to the filing. Pure:
 * the route reads and writes, this decides.
 */
import type { FilingRequest } from "./filing-request";
import { type FilingStatus, smsWindowClosed } from "./filing-state";

/** The roles a person confirms in, in the order they are listed. */
export const SMS_ROLES = ["organizer_principal", "service_principal", "legal_representative"] as const;
export type SmsRole = (typeof SMS_ROLES)[number];

export const SMS_PERSON_STATUSES = ["pending", "verified", "failed"] as const;
export type SmsPersonStatus = (typeof SMS_PERSON_STATUSES)[number];

/** What the regulator reports of one person: confirmed, a wrong code typed, or the message sent again. */
export const SMS_RESULTS = ["verified", "wrong_code", "resent"] as const;
export type SmsResult = (typeof SMS_RESULTS)[number];

/** The wrong code that fails the person: the fifth. */
export const MAX_WRONG_CODES = 5;

/** Where each role's mobile is in a `new` or `change` request: a failed person's rejection reason points there. */
export const SMS_MOBILE_PATHS: Readonly<Record<SmsRole, string>> = Object.freeze({
  organizer_principal: "organizer.principal.mobile",
  service_principal: "service.principal.mobile",
  legal_representative: "organizer.legalRepresentative.mobile",
});

/** A person named by a request, with their certificate (`type:number`) and mobile as submitted (normalized). */
export type SmsCandidate = { role: SmsRole; certificate: string; mobile: string | undefined };

/**
 * The people a request names who may be texted, in role order: both principals, and the legal representative when
 * the organizer names one. A cancellation names nobody itself (its people are those of the registration it ends).
 */
export function smsCandidates(request: FilingRequest): SmsCandidate[] {
  if (request.type === "cancel") return [];
  const key = (c: { type: string; number: string }) => `${c.type}:${c.number}`;
  const legal = request.organizer.legalRepresentative;
  return [
    {
      role: "organizer_principal",
      certificate: key(request.organizer.principal.certificate),
      mobile: request.organizer.principal.mobile,
    },
    {
      role: "service_principal",
      certificate: key(request.service.principal.certificate),
      mobile: request.service.principal.mobile,
    },
    ...(legal
      ? [{ role: "legal_representative" as const, certificate: key(legal.certificate), mobile: legal.mobile }]
      : []),
  ];
}

/**
 * Who must confirm: one entry per person, a person being a certificate (compared by whatever key the caller gives,
 * the blind index in storage). A person holding several roles is listed once, under the first role in `SMS_ROLES`
 * order, with that role's mobile. A person without a mobile cannot be texted and is left out (the request rules
 * require one of every person who is not a principal).
 */
export function whoMustConfirm<P extends { role: SmsRole; certificate: string; mobile: string | undefined }>(
  people: readonly P[],
): (P & { mobile: string })[] {
  const ordered = [...people].sort((a, b) => SMS_ROLES.indexOf(a.role) - SMS_ROLES.indexOf(b.role));
  const seen = new Set<string>();
  const out: (P & { mobile: string })[] = [];
  for (const p of ordered) {
    if (seen.has(p.certificate)) continue;
    seen.add(p.certificate);
    if (p.mobile !== undefined) out.push(p as P & { mobile: string });
  }
  return out;
}

/** One person's confirmation as stored and shown (the mobile aside). */
export type SmsPerson = { role: SmsRole; status: SmsPersonStatus; wrongAttempts: number; updatedAt: string };

/**
 * What one reported step comes to:
 * - `not_listed`: the role names nobody on the filing's list (422 at `role`);
 * - `not_pending`: the person has already verified or failed, and the step would change that (409);
 * - `unchanged`: `verified` reported again for a person who verified (nothing is written);
 * - `applied`: the person as they now are, and what becomes of the filing: it stays in verification, everyone has
 *   verified (`all_verified`, on to bureau review), or the person failed (`failed`, the filing is rejected).
 */
export type SmsStepOutcome =
  | { kind: "not_listed"; listed: SmsRole[] }
  | { kind: "not_pending"; status: SmsPersonStatus }
  | { kind: "unchanged" }
  | { kind: "applied"; person: SmsPerson; people: SmsPerson[]; filing: "continue" | "all_verified" | "failed" };

/**
 * Applies one step to the person in `role`. A resend keeps the wrong codes counted so far: five wrong codes fail
 * the check however often the message was sent (docs/rules.md#sms-confirmation).
 */
export function applySmsStep(
  people: readonly SmsPerson[],
  role: SmsRole,
  result: SmsResult,
  at: string,
): SmsStepOutcome {
  const current = people.find((p) => p.role === role);
  if (!current) return { kind: "not_listed", listed: people.map((p) => p.role) };
  if (current.status !== "pending") {
    return result === "verified" && current.status === "verified"
      ? { kind: "unchanged" }
      : { kind: "not_pending", status: current.status };
  }
  let person: SmsPerson;
  if (result === "verified") person = { ...current, status: "verified", updatedAt: at };
  else if (result === "resent") person = { ...current, updatedAt: at };
  else {
    const wrongAttempts = current.wrongAttempts + 1;
    person = {
      ...current,
      wrongAttempts,
      status: wrongAttempts >= MAX_WRONG_CODES ? "failed" : "pending",
      updatedAt: at,
    };
  }
  const next = people.map((p) => (p.role === role ? person : p));
  const filing =
    person.status === "failed" ? "failed" : next.every((p) => p.status === "verified") ? "all_verified" : "continue";
  return { kind: "applied", person, people: next, filing };
}

/** `sms-verified`: every person still pending confirmed at once; the people it changed come back in `changed`. */
export function confirmAllPending(
  people: readonly SmsPerson[],
  at: string,
): { people: SmsPerson[]; changed: SmsPerson[] } {
  const changed: SmsPerson[] = [];
  const next = people.map((p) => {
    if (p.status !== "pending") return p;
    const confirmed: SmsPerson = { ...p, status: "verified", updatedAt: at };
    changed.push(confirmed);
    return confirmed;
  });
  return { people: next, changed };
}

/** The rejection reason of a filing whose person in `role` failed: at that person's mobile. */
export function smsFailureReason(role: SmsRole): { field: string; error: string; suggest: string } {
  return {
    field: SMS_MOBILE_PATHS[role],
    error: `短信核验失败：验证码连续错误 ${MAX_WRONG_CODES} 次 (SMS check failed: ${MAX_WRONG_CODES} wrong codes)`,
    suggest: "请核对该手机号并由本人接收短信后重新提交备案 (check the mobile, then file again)",
  };
}

/**
 * Whether a step reported at `now` comes after the filing's 24-hour window: the window has closed (whether or not
 * the cron has moved the filing yet), or the cron has already expired the filing.
 */
export function smsStepTooLate(filing: { status: FilingStatus; smsDeadline: string | null }, now: Date): boolean {
  return filing.status === "expired" || smsWindowClosed(filing, now);
}
