import { describe, expect, it } from "vitest";
import {
  FILING_STATUSES,
  type FilingAction,
  type FilingStatus,
  IN_FLIGHT,
  initialStatus,
  isInFlight,
  nextStatus,
  SMS_WINDOW_MS,
} from "../../src/domain/filing-state";

const ACTIONS: readonly FilingAction[] = [
  "withdraw",
  "platform_approve",
  "platform_reject",
  "sms_verified",
  "sms_expire",
  "bureau_approve",
  "bureau_reject",
];

/** SPEC §4, written out independently of the implementation's table: `${status} ${action}` → next status. */
const LEGAL: Record<string, FilingStatus> = {
  "platform_review withdraw": "withdrawn",
  "platform_review platform_approve": "sms_verification",
  "platform_review platform_reject": "platform_rejected",
  "sms_verification sms_verified": "bureau_review",
  "sms_verification sms_expire": "expired",
  "bureau_review bureau_approve": "approved",
  "bureau_review bureau_reject": "bureau_rejected",
};

/** SPEC §4's "next" column: where each status may go at all. */
const NEXT: Record<FilingStatus, FilingStatus[]> = {
  platform_review: ["platform_rejected", "sms_verification", "withdrawn"],
  platform_rejected: [],
  sms_verification: ["bureau_review", "expired"],
  bureau_review: ["approved", "bureau_rejected"],
  bureau_rejected: [],
  approved: [],
  withdrawn: [],
  expired: [],
};

describe("nextStatus", () => {
  it("knows the eight statuses of SPEC §4", () => {
    expect([...FILING_STATUSES].sort()).toEqual(
      [
        "platform_review",
        "platform_rejected",
        "sms_verification",
        "bureau_review",
        "bureau_rejected",
        "approved",
        "withdrawn",
        "expired",
      ].sort(),
    );
  });

  const pairs = FILING_STATUSES.flatMap((status) => ACTIONS.map((action) => [status, action] as const));
  it("covers all 56 (status, action) pairs", () => {
    expect(pairs).toHaveLength(56);
  });

  it.each(pairs)("%s + %s", (status, action) => {
    expect(nextStatus(status, action)).toBe(LEGAL[`${status} ${action}`] ?? null);
  });

  it("allows exactly seven moves", () => {
    const legal = pairs.filter(([s, a]) => nextStatus(s, a) !== null);
    expect(legal.map(([s, a]) => `${s} ${a}`).sort()).toEqual(Object.keys(LEGAL).sort());
  });

  it.each(FILING_STATUSES)("from %s reaches exactly SPEC §4's next statuses", (status) => {
    const reached = ACTIONS.map((a) => nextStatus(status, a)).filter((s): s is FilingStatus => s !== null);
    expect(reached.sort()).toEqual([...NEXT[status]].sort());
  });

  it("final statuses move nowhere", () => {
    for (const status of ["platform_rejected", "bureau_rejected", "approved", "withdrawn", "expired"] as const) {
      for (const action of ACTIONS) expect(nextStatus(status, action), `${status} ${action}`).toBeNull();
    }
  });
});

describe("initialStatus", () => {
  it("starts new and change filings in platform review", () => {
    expect(initialStatus("new")).toBe("platform_review");
    expect(initialStatus("change")).toBe("platform_review");
  });

  it("starts cancellations at SMS verification (they skip platform review)", () => {
    expect(initialStatus("cancel")).toBe("sms_verification");
  });
});

describe("isInFlight", () => {
  it.each([
    ["platform_review", true],
    ["sms_verification", true],
    ["bureau_review", true],
    ["platform_rejected", false],
    ["bureau_rejected", false],
    ["approved", false],
    ["withdrawn", false],
    ["expired", false],
  ] as const)("%s → %s", (status, inFlight) => {
    expect(isInFlight(status)).toBe(inFlight);
  });

  it("IN_FLIGHT lists exactly the open statuses", () => {
    expect([...IN_FLIGHT].sort()).toEqual(["bureau_review", "platform_review", "sms_verification"]);
  });
});

describe("SMS window", () => {
  it("is 24 hours", () => {
    expect(SMS_WINDOW_MS).toBe(86_400_000);
  });
});
