import type { FilingFacts } from "./filing-request";
import type { FilingType } from "./filing-state";
import { materialFits } from "./materials";
import { nameSkeleton } from "./name-skeleton";
import { mayUseMaterial } from "./permissions";
import { type Problem, problem } from "./problems";
import { type FacePolicy, type StoredVerification, verificationProblems } from "./verification";

/**
 * The pre-flight rules (docs/rules.md#preflight): the checks of a filing that need stored data — state conflicts,
 * the organizer's province, name, nature and quota, service names, materials and shared mobiles. The repository
 * reads everything they need in one batch (`readPreflightFacts`); the rules here judge what it found.
 */

/** How many apps one organizer may have registered or in a `new` filing at once, by nature. */
export type Quotas = { individual: number; organization: number };

/** The request's certificates and mobiles as blind indexes: stored data is compared by these alone. */
export type BlindFacts = {
  organizer?: string;
  people: { path: string; certificate?: string; mobile?: string; name?: string }[];
};

/** What the pre-flight read found, as plain data. */
export type StoredFacts = {
  /** The app, and whether the caller holds a grant for it. */
  app?: { appId: string; name: string; ownerAccountId: string; granted: boolean };
  /** A filing of the app still in flight. */
  inFlight?: { id: string; status: string };
  /** The app's active registration, with its organizer's blind index and province (two digits). */
  registration?: { number: string; organizerId: string; organizerBlind: string; province: string };
  /** The organizer as beian knows it from its approvals, found by its certificate. */
  knownOrganizer?: { id: string; province: string; nature: string; name: string };
  /** The organizer's filings in flight (for a cancellation: those of the organizer of the app's registration). */
  organizerFilings: { appId: string; type: string; scope: string | null; province: string | null }[];
  /** How many active registrations the organizer has. */
  activeRegistrations: number;
  /** Other organizers' apps holding the service name, by an active registration or a filing in flight. */
  serviceNameHolders: { appId: string }[];
  /** Holders (by certificate) of the request's mobiles in other apps' open filings and active registrations. */
  mobileHolders: { mobile: string | null; certificate: string }[];
  /** The caller's earlier request under the same Idempotency-Key, if any. */
  idempotency?: { requestHash: string; responseStatus: number; responseBody: string; expiresAt: string };
  /** The materials the request references that exist (deleted ones included). */
  materials: {
    id: string;
    ownerAccountId: string;
    field: string;
    certificateType: string | null;
    deletedAt: string | null;
  }[];
  /** The face verifications the request names that exist (docs/rules.md#verifications). */
  verifications: StoredVerification[];
};

export type PreflightContext = {
  /** The caller. */
  accountId: string;
  quotas: Quotas;
  /** Which principals must name a passed face verification. */
  facePolicy: FacePolicy;
  /** ISO 8601 UTC. */
  now: string;
};

/** The app's state refusing a filing type: the submission's 409s, and the filing status's blockers. */
export const STATE_CONFLICTS = ["FILING_IN_PROGRESS", "REGISTRATION_EXISTS", "REGISTRATION_REQUIRED"] as const;
export type StateConflict = (typeof STATE_CONFLICTS)[number];

export type PreflightResult = {
  app?: StoredFacts["app"];
  inFlight?: StoredFacts["inFlight"];
  registration?: StoredFacts["registration"];
  idempotency?: { requestHash: string; responseStatus: number; responseBody: string };
  /** State conflicts, each also an entry at `appId` in a dry run. */
  conflicts: StateConflict[];
  problems: Problem[];
};

/** Every pre-flight rule, in the order their problems are reported. */
export function judgePreflight(
  facts: FilingFacts,
  blind: BlindFacts,
  stored: StoredFacts,
  context: PreflightContext,
): PreflightResult {
  const state: StateFacts = {
    filingInFlight: stored.inFlight !== undefined,
    organizerCancellationOpen: stored.organizerFilings.some((f) => f.type === "cancel" && f.scope === "organizer"),
    registered: stored.registration !== undefined,
  };
  const result: PreflightResult = { conflicts: stateConflicts(facts.type, state), problems: [] };
  if (stored.app) result.app = stored.app;
  result.inFlight = stored.inFlight;
  result.registration = stored.registration;
  const idempotency = liveIdempotency(stored, context.now);
  if (idempotency) result.idempotency = idempotency;
  result.problems.push(
    ...provinceProblems(facts, stored),
    ...organizerMismatch(facts, stored),
    ...serviceNameTaken(facts, stored),
    ...quotaExceeded(facts, stored, context.quotas),
    ...materialProblems(facts, stored, context.accountId),
    ...sharedMobiles(blind, stored),
    ...verificationProblems(
      facts.type,
      facts.people.map((person) => {
        const indexed = blind.people.find((b) => b.path === person.path);
        return {
          path: person.path,
          verificationId: person.verificationId,
          certificate: indexed?.certificate,
          name: indexed?.name,
        };
      }),
      stored.verifications,
      { policy: context.facePolicy, appId: facts.appId, accountId: context.accountId, now: context.now },
    ),
  );
  return result;
}

/** A record of the key counts for 24 h; after that the key is free again. */
function liveIdempotency(stored: StoredFacts, now: string): StoredFacts["idempotency"] {
  const record = stored.idempotency;
  return record && record.expiresAt > now ? record : undefined;
}

/** The state a filing's type is judged against: the app's, and its organizer's when it has a registration. */
export type StateFacts = {
  /** A filing of the app is in flight. */
  filingInFlight: boolean;
  /** The organizer has a cancellation of all its services in flight, which holds every one of its apps. */
  organizerCancellationOpen: boolean;
  /** The app has an active registration. */
  registered: boolean;
};

/**
 * One filing in flight per app, and an open cancellation of a whole organizer holds every one of its apps; a `new`
 * filing is for an app without an active registration, a `change` or `cancel` for one with. Submissions and the
 * app's filing status (docs/rules.md#filing-status) both ask this.
 */
export function stateConflicts(type: FilingType | string | undefined, state: StateFacts): StateConflict[] {
  const out: StateConflict[] = [];
  if (state.filingInFlight || state.organizerCancellationOpen) out.push("FILING_IN_PROGRESS");
  if (type === "new" && state.registered) out.push("REGISTRATION_EXISTS");
  if ((type === "change" || type === "cancel") && !state.registered) out.push("REGISTRATION_REQUIRED");
  return out;
}

const PROVINCE_PATH = "organizer.region.province";

/**
 * One organizer files in exactly one province: a change keeps the registration's province, and a new filing must
 * be in the province of the organizer's approvals and of its other filings in flight.
 */
function provinceProblems(facts: FilingFacts, stored: StoredFacts): Problem[] {
  const province = facts.organizer?.province;
  if (!province) return [];
  const prefix = province.slice(0, 2);
  if (facts.type === "change" && stored.registration) {
    return prefix !== stored.registration.province ? [problem(PROVINCE_PATH, "PROVINCE_CHANGE")] : [];
  }
  if (facts.type !== "new") return [];
  const known = stored.knownOrganizer;
  const elsewhere =
    (known && known.province !== prefix && known.province) ||
    stored.organizerFilings.find((f) => f.province && f.province !== prefix)?.province;
  return elsewhere ? [problem(PROVINCE_PATH, "ORGANIZER_PROVINCE_CONFLICT", { province: `${elsewhere}0000` })] : [];
}

/** A new filing for a known organizer states the nature and name beian knows from its approvals. */
function organizerMismatch(facts: FilingFacts, stored: StoredFacts): Problem[] {
  const known = stored.knownOrganizer;
  if (facts.type !== "new" || !known || !facts.organizer) return [];
  const { nature, name } = facts.organizer;
  const differing = [
    nature !== undefined && nature !== known.nature ? "nature" : null,
    name !== undefined && name !== known.name ? "name" : null,
  ].filter((f): f is string => f !== null);
  return differing.length > 0 ? [problem("organizer", "ORGANIZER_MISMATCH", { fields: differing.join(", ") })] : [];
}

/** A service name (compared by its skeleton, `nameSkeleton`) belongs to one organizer. */
function serviceNameTaken(facts: FilingFacts, stored: StoredFacts): Problem[] {
  const key = facts.serviceName ? nameSkeleton(facts.serviceName) : "";
  return key && stored.serviceNameHolders.length > 0 ? [problem("service.name", "SERVICE_NAME_TAKEN")] : [];
}

/**
 * An organizer holds at most its quota of apps: active registrations plus the other apps with a `new` filing in
 * flight (this app's own open filing is not counted twice), and this one.
 */
function quotaExceeded(facts: FilingFacts, stored: StoredFacts, quotas: Quotas): Problem[] {
  if (facts.type !== "new" || !facts.organizer) return [];
  const limit = facts.organizer.nature === "individual" ? quotas.individual : quotas.organization;
  const openNew = new Set(
    stored.organizerFilings.filter((f) => f.type === "new" && f.appId !== facts.appId).map((f) => f.appId),
  );
  const used = stored.activeRegistrations + openNew.size;
  return used + 1 > limit ? [problem("organizer", "ORGANIZER_QUOTA_EXCEEDED", { limit })] : [];
}

/**
 * Each referenced material must exist, be one the filing may use (docs/rules.md#permissions), be for this very
 * field, and show the certificate type the request declares there.
 */
function materialProblems(facts: FilingFacts, stored: StoredFacts, accountId: string): Problem[] {
  const out: Problem[] = [];
  const byId = new Map(stored.materials.map((m) => [m.id, m]));
  for (const ref of facts.materials) {
    const row = byId.get(ref.mediaId);
    if (!row || row.deletedAt || !mayUseMaterial({ accountId }, row, stored.app)) {
      out.push(problem(ref.path, "MEDIA_NOT_FOUND"));
    } else if (!materialFits(row.field, ref.path)) {
      out.push(problem(ref.path, "MEDIA_FIELD_MISMATCH", { field: row.field }));
    } else if (ref.certificateType && row.certificateType && row.certificateType !== ref.certificateType) {
      out.push(problem(ref.path, "MEDIA_CERTIFICATE_MISMATCH", { certificateType: row.certificateType }));
    }
  }
  return out;
}

/** A mobile belongs to one person: held by another certificate in an open filing or an active registration. */
function sharedMobiles(blind: BlindFacts, stored: StoredFacts): Problem[] {
  return blind.people
    .filter(
      (person) =>
        person.mobile &&
        person.certificate &&
        stored.mobileHolders.some((h) => h.mobile === person.mobile && h.certificate !== person.certificate),
    )
    .map((person) => problem(`${person.path}.mobile`, "MOBILE_SHARED"));
}
