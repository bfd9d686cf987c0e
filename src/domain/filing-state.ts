/**
 * The filing lifecycle (docs/rules.md#lifecycle) as one table: every route and job that moves a filing asks
 * `nextStatus` or `transitionOf`, and every list of statuses (in flight, ended) is read off the same table, so a
 * rule about who may move a filing where lives here and nowhere else.
 */
/** What a filing asks for: a new registration, a change of one, or its cancellation (docs/rules.md#requests). */
export const FILING_TYPES = ["new", "change", "cancel"] as const;
export type FilingType = (typeof FILING_TYPES)[number];

export const FILING_STATUSES = [
  "platform_review",
  "platform_rejected",
  "sms_verification",
  "bureau_review",
  "bureau_rejected",
  "approved",
  "withdrawn",
  "expired",
] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

export type FilingAction =
  | "withdraw"
  | "platform_approve"
  | "platform_reject"
  | "sms_verified"
  | "sms_failed"
  | "sms_expire"
  | "bureau_approve"
  | "bureau_reject";

export type Transition = { readonly from: FilingStatus; readonly to: FilingStatus };

export const TRANSITIONS: Readonly<Record<FilingAction, Transition>> = Object.freeze({
  withdraw: { from: "platform_review", to: "withdrawn" },
  platform_approve: { from: "platform_review", to: "sms_verification" },
  platform_reject: { from: "platform_review", to: "platform_rejected" },
  sms_verified: { from: "sms_verification", to: "bureau_review" },
  // A person's fifth wrong code fails the check: the bureau rejects the filing (docs/rules.md#sms-confirmation).
  sms_failed: { from: "sms_verification", to: "bureau_rejected" },
  sms_expire: { from: "sms_verification", to: "expired" },
  bureau_approve: { from: "bureau_review", to: "approved" },
  bureau_reject: { from: "bureau_review", to: "bureau_rejected" },
});

/** The one move `action` makes: for jobs that move every filing in `from` at once. */
export function transitionOf(action: FilingAction): Transition {
  return TRANSITIONS[action];
}

/** Where `action` takes a filing in `status`, or null when the lifecycle does not allow it. */
export function nextStatus(status: FilingStatus, action: FilingAction): FilingStatus | null {
  const t = TRANSITIONS[action];
  return t.from === status ? t.to : null;
}

const MOVES: readonly Transition[] = Object.values(TRANSITIONS);

/**
 * Filings still in flight: the statuses some action moves out of. An app has at most one (the database enforces it
 * with a partial index built from this list), and pre-flight counts them beside active registrations.
 */
export const IN_FLIGHT: readonly FilingStatus[] = Object.freeze(
  FILING_STATUSES.filter((s) => MOVES.some((t) => t.from === s)),
);

/**
 * Filings that ended without approval (rejected, withdrawn, expired): the statuses nothing moves out of, other than
 * where the bureau's approval leads. Their materials are deleted after a while; an approved filing's are kept.
 */
export const ENDED_WITHOUT_APPROVAL: readonly FilingStatus[] = Object.freeze(
  FILING_STATUSES.filter((s) => !IN_FLIGHT.includes(s) && s !== TRANSITIONS.bureau_approve.to),
);

/**
 * What staff may read (docs/rules.md#permissions): reviewers the filings in platform review; the regulator those in
 * the bureau's stages and the outcomes it decided. Filing details and the materials behind them follow the same rule.
 */
export const STAFF_VISIBLE = {
  reviewer: ["platform_review"],
  regulator: ["sms_verification", "bureau_review", "approved", "bureau_rejected", "expired"],
} as const satisfies Record<"reviewer" | "regulator", readonly FilingStatus[]>;

/**
 * The staff queues (docs/rules.md#lifecycle): the statuses each role moves filings out of, in lifecycle order —
 * reviewers platform review; the regulator SMS verification and bureau review.
 */
export const STAFF_QUEUES = {
  reviewer: [transitionOf("platform_approve").from],
  regulator: [transitionOf("sms_verified").from, transitionOf("bureau_approve").from],
} as const satisfies Record<"reviewer" | "regulator", readonly [FilingStatus, ...FilingStatus[]]>;

/** Where a new filing starts: cancellations skip platform review (docs/rules.md#lifecycle). */
export function initialStatus(type: "new" | "change" | "cancel"): FilingStatus {
  return type === "cancel" ? "sms_verification" : "platform_review";
}

/** The SMS window (docs/rules.md#sms-window): 24 h from entering the status that `sms_expire` leaves. */
export const SMS_WINDOW_MS = 24 * 60 * 60 * 1000;

const SMS_STATUS = TRANSITIONS.sms_expire.from;

/**
 * The SMS deadline of a filing entering `status` at `enteredAt` (ISO 8601 UTC), or null when `status` has no SMS
 * window. Submission (cancellations start there) and platform approval both ask this.
 */
export function smsDeadlineFor(status: FilingStatus, enteredAt: Date): string | null {
  return status === SMS_STATUS ? new Date(enteredAt.getTime() + SMS_WINDOW_MS).toISOString() : null;
}

/**
 * Whether `filing`'s SMS window has closed at `now`, whether or not the expiry job has moved it yet. The deadline
 * itself is still inside the window: a confirmation reported at that instant counts, and the expiry job takes only
 * filings whose deadline is before its run.
 */
export function smsWindowClosed(filing: { status: FilingStatus; smsDeadline: string | null }, now: Date): boolean {
  return filing.status === SMS_STATUS && filing.smsDeadline !== null && now.getTime() > Date.parse(filing.smsDeadline);
}
