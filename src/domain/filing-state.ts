/**
 * The filing lifecycle (SPEC §4) as one table: every route and job that moves a filing asks `nextStatus`,
 * so a rule about who may move a filing where lives here and nowhere else.
 */
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

export const IN_FLIGHT: readonly FilingStatus[] = ["platform_review", "sms_verification", "bureau_review"];

export type FilingAction =
  | "withdraw"
  | "platform_approve"
  | "platform_reject"
  | "sms_verified"
  | "sms_expire"
  | "bureau_approve"
  | "bureau_reject";

const TRANSITIONS: Record<FilingAction, { from: FilingStatus; to: FilingStatus }> = {
  withdraw: { from: "platform_review", to: "withdrawn" },
  platform_approve: { from: "platform_review", to: "sms_verification" },
  platform_reject: { from: "platform_review", to: "platform_rejected" },
  sms_verified: { from: "sms_verification", to: "bureau_review" },
  sms_expire: { from: "sms_verification", to: "expired" },
  bureau_approve: { from: "bureau_review", to: "approved" },
  bureau_reject: { from: "bureau_review", to: "bureau_rejected" },
};

/** Where `action` takes a filing in `status`, or null when the lifecycle does not allow it. */
export function nextStatus(status: FilingStatus, action: FilingAction): FilingStatus | null {
  const t = TRANSITIONS[action];
  return t.from === status ? t.to : null;
}

/**
 * What staff may read (SPEC §6): reviewers the filings in platform review; the regulator those in the bureau's
 * stages and the outcomes it decided. Filing details and the materials behind them follow the same rule.
 */
export const STAFF_VISIBLE = {
  reviewer: ["platform_review"],
  regulator: ["sms_verification", "bureau_review", "approved", "bureau_rejected", "expired"],
} as const satisfies Record<"reviewer" | "regulator", readonly FilingStatus[]>;

/** Where a new filing starts: cancellations skip platform review (SPEC §4). */
export function initialStatus(type: "new" | "change" | "cancel"): FilingStatus {
  return type === "cancel" ? "sms_verification" : "platform_review";
}

export function isInFlight(status: FilingStatus): boolean {
  return IN_FLIGHT.includes(status);
}

/** The SMS window: 24 h from entering `sms_verification`. */
export const SMS_WINDOW_MS = 24 * 60 * 60 * 1000;
