import { BEIJING_OFFSET_MS, checkCertificate } from "./identifiers";
import { type Problem, problem } from "./problems";
import { CERTIFICATE_TYPES, type CertificateType, findCertificateType } from "./reference";

/**
 * 人脸核验 face verification (docs/rules.md#verifications): before a filing names a principal, that person proves who
 * they are with the platform's identity provider, as WeChat's, Douyin's and Alipay's filing APIs require. The rules
 * here judge stored verifications; the repository reads them (src/repositories/verifications.ts).
 */

/** An unfinished verification lapses 3 days after it was started (a WeChat task's validity). */
export const VERIFICATION_TASK_TTL_MS = 3 * 24 * 60 * 60 * 1000;
/** A passed verification may be used by one filing for 72 hours after it passed. */
export const VERIFICATION_VALID_MS = 72 * 60 * 60 * 1000;
/** At most this many verifications per app per Beijing day (Douyin's daily cap of verification messages). */
export const VERIFICATION_DAILY_LIMIT = 10;

/** Which principals must verify: the service's (WeChat's rule, the default), both, or none. */
export const FACE_POLICIES = ["service_principal", "both", "off"] as const;
export type FacePolicy = (typeof FACE_POLICIES)[number];

export const VERIFICATION_STATUSES = ["pending", "passed", "failed", "expired"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** The request paths of the principals `policy` makes verify. */
export function principalsToVerify(policy: FacePolicy): readonly string[] {
  switch (policy) {
    case "service_principal":
      return ["service.principal"];
    case "both":
      return ["organizer.principal", "service.principal"];
    case "off":
      return [];
  }
}

type Times = { status: "pending" | "passed" | "failed"; expiresAt: string; validUntil: string | null };

/**
 * A verification's status at `now` (ISO 8601 UTC): a pending one past `expiresAt` and a passed one past `validUntil`
 * are `expired`; a failed one stays failed.
 */
export function verificationStatus(v: Times, now: string): VerificationStatus {
  if (v.status === "pending") return now >= v.expiresAt ? "expired" : "pending";
  if (v.status === "passed") return v.validUntil !== null && now >= v.validUntil ? "expired" : "passed";
  return "failed";
}

/** Whole seconds from `now` to the next Beijing midnight, when the daily limit counts from zero again (at least 1). */
export function secondsToNextBeijingDay(now: Date): number {
  const day = 24 * 60 * 60 * 1000;
  const local = now.getTime() + BEIJING_OFFSET_MS;
  const next = (Math.floor(local / day) + 1) * day;
  return Math.max(1, Math.ceil((next - local) / 1000));
}

/** A verification as a filing's check needs it. */
export type StoredVerification = Times & {
  id: string;
  appId: string;
  requesterAccountId: string;
  certificateBlind: string;
  nameBlind: string;
  /** Some filing used it already. */
  used: boolean;
};

/** A principal of the request: its path, the verification it names, and its certificate and name as blind indexes. */
export type VerifiedPerson = { path: string; verificationId?: string; certificate?: string; name?: string };

export type VerificationContext = { policy: FacePolicy; appId?: string; accountId: string; now: string };

/**
 * Each principal the policy names must name a verification (`REQUIRED`), and every verification named (required or
 * not) must exist for this caller and app (`VERIFICATION_NOT_FOUND`), have passed (`VERIFICATION_PENDING`,
 * `VERIFICATION_FAILED`), still be valid (`VERIFICATION_EXPIRED`), be for this person by certificate and name
 * (`VERIFICATION_PERSON_MISMATCH`) and be unused by any filing (`VERIFICATION_USED`). Each problem is at
 * `<principal>.verificationId`. One verification may stand for one person in both roles of the same filing (the
 * person check makes two people naming one verification impossible).
 */
export function verificationProblems(
  type: string | undefined,
  people: readonly VerifiedPerson[],
  stored: readonly StoredVerification[],
  ctx: VerificationContext,
): Problem[] {
  if (type !== "new" && type !== "change") return [];
  const required = principalsToVerify(ctx.policy);
  const byId = new Map(stored.map((v) => [v.id, v]));
  const out: Problem[] = [];
  for (const person of people) {
    const path = `${person.path}.verificationId`;
    if (person.verificationId === undefined) {
      // A principal left out altogether is REQUIRED at its own path already.
      const given = person.certificate !== undefined || person.name !== undefined;
      if (given && required.includes(person.path)) out.push(problem(path, "REQUIRED"));
      continue;
    }
    const v = byId.get(person.verificationId);
    if (!v || v.appId !== ctx.appId || v.requesterAccountId !== ctx.accountId) {
      out.push(problem(path, "VERIFICATION_NOT_FOUND"));
      continue;
    }
    const status = verificationStatus(v, ctx.now);
    if (status === "pending") out.push(problem(path, "VERIFICATION_PENDING"));
    else if (status === "failed") out.push(problem(path, "VERIFICATION_FAILED"));
    else if (status === "expired") out.push(problem(path, "VERIFICATION_EXPIRED"));
    else if (
      (person.certificate !== undefined && person.certificate !== v.certificateBlind) ||
      (person.name !== undefined && person.name !== v.nameBlind)
    ) {
      out.push(problem(path, "VERIFICATION_PERSON_MISMATCH"));
    } else if (v.used) out.push(problem(path, "VERIFICATION_USED"));
  }
  return out;
}

/** A verification as answers show it: the person masked, the status as of `now`. */
export type VerificationView = {
  id: string;
  appId: string;
  status: VerificationStatus;
  person: { name: string; certificate: { type: string; number: string } };
  failureReason: string | null;
  completedAt: string | null;
  validUntil: string | null;
  expiresAt: string;
  createdAt: string;
};

export function toVerificationView(
  row: Times & {
    id: string;
    appId: string;
    personMasked: string;
    failureReason: string | null;
    completedAt: string | null;
    createdAt: string;
  },
  now: string,
): VerificationView {
  return {
    id: row.id,
    appId: row.appId,
    status: verificationStatus(row, now),
    person: JSON.parse(row.personMasked) as VerificationView["person"],
    failureReason: row.failureReason,
    completedAt: row.completedAt,
    validUntil: row.validUntil,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

/**
 * The person a verification is started for: a personal certificate whose number passes the identifier rules, the
 * number normalized as a filing's is, so the two compare equal by blind index.
 */
export function checkVerificationPerson(
  person: { name: string; certificate: { type: CertificateType; number: string } },
  today: string,
): { problems: Problem[]; person?: { name: string; certificate: { type: CertificateType; number: string } } } {
  const { type } = person.certificate;
  if (!findCertificateType(type)?.personal) {
    const allowed = CERTIFICATE_TYPES.filter((t) => t.personal)
      .map((t) => t.code)
      .join(", ");
    return { problems: [problem("person.certificate.type", "CERTIFICATE_TYPE_NOT_ALLOWED", { allowed })] };
  }
  const checked = checkCertificate(type, person.certificate.number, today);
  if (!checked.ok) return { problems: [problem("person.certificate.number", checked.code)] };
  return { problems: [], person: { name: person.name, certificate: { type, number: checked.value } } };
}
