import { describe, expect, it } from "vitest";
import {
  ENDED_WITHOUT_APPROVAL,
  FILING_STATUSES,
  type FilingAction,
  type FilingStatus,
  IN_FLIGHT,
  initialStatus,
  nextStatus,
  SMS_WINDOW_MS,
  STAFF_QUEUES,
  STAFF_VISIBLE,
  smsDeadlineFor,
  smsWindowClosed,
  TRANSITIONS,
  transitionOf,
} from "../../src/domain/filing-state";

const ACTIONS: readonly FilingAction[] = [
  "withdraw",
  "platform_approve",
  "platform_reject",
  "sms_verified",
  "sms_failed",
  "sms_expire",
  "bureau_approve",
  "bureau_reject",
];

/** docs/rules.md#lifecycle, written out independently of the implementation's table: `${status} ${action}` → next status. */
const LEGAL: Record<string, FilingStatus> = {
  "platform_review withdraw": "withdrawn",
  "platform_review platform_approve": "sms_verification",
  "platform_review platform_reject": "platform_rejected",
  "sms_verification sms_verified": "bureau_review",
  "sms_verification sms_failed": "bureau_rejected",
  "sms_verification sms_expire": "expired",
  "bureau_review bureau_approve": "approved",
  "bureau_review bureau_reject": "bureau_rejected",
};

/** The lifecycle's "next" column (docs/rules.md#lifecycle): where each status may go at all. */
const NEXT: Record<FilingStatus, FilingStatus[]> = {
  platform_review: ["platform_rejected", "sms_verification", "withdrawn"],
  platform_rejected: [],
  sms_verification: ["bureau_review", "bureau_rejected", "expired"],
  bureau_review: ["approved", "bureau_rejected"],
  bureau_rejected: [],
  approved: [],
  withdrawn: [],
  expired: [],
};

describe("nextStatus", () => {
  it("knows the eight statuses of the lifecycle", () => {
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
  it("covers all 64 (status, action) pairs", () => {
    expect(pairs).toHaveLength(64);
  });

  it.each(pairs)("%s + %s", (status, action) => {
    expect(nextStatus(status, action)).toBe(LEGAL[`${status} ${action}`] ?? null);
  });

  it("allows exactly eight moves", () => {
    const legal = pairs.filter(([s, a]) => nextStatus(s, a) !== null);
    expect(legal.map(([s, a]) => `${s} ${a}`).sort()).toEqual(Object.keys(LEGAL).sort());
  });

  it.each(FILING_STATUSES)("from %s reaches exactly the lifecycle's next statuses", (status) => {
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

describe("transitionOf", () => {
  it.each(ACTIONS)("%s is the one move nextStatus allows for it", (action) => {
    const { from, to } = transitionOf(action);
    expect(nextStatus(from, action)).toBe(to);
    expect(LEGAL[`${from} ${action}`]).toBe(to);
  });

  it("is the table: one entry per action", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) expect(transitionOf(action)).toBe(TRANSITIONS[action]);
  });

  it("gives the SMS expiry job its move", () => {
    expect(transitionOf("sms_expire")).toEqual({ from: "sms_verification", to: "expired" });
  });
});

describe("status lists read off the table", () => {
  it("IN_FLIGHT lists exactly the open statuses, in the order the partial index spells them", () => {
    expect(IN_FLIGHT).toEqual(["platform_review", "sms_verification", "bureau_review"]);
  });

  it("ENDED_WITHOUT_APPROVAL lists the rejected, withdrawn and expired statuses, in the purge's order", () => {
    expect(ENDED_WITHOUT_APPROVAL).toEqual(["platform_rejected", "bureau_rejected", "withdrawn", "expired"]);
  });

  it.each(FILING_STATUSES)("%s is in flight exactly when some action moves it", (status) => {
    const moves = ACTIONS.some((a) => nextStatus(status, a) !== null);
    expect(IN_FLIGHT.includes(status)).toBe(moves);
    expect(NEXT[status].length > 0).toBe(moves);
  });

  it("every status is in flight, ended without approval, or approved: exactly one of them", () => {
    for (const status of FILING_STATUSES) {
      const kinds = [IN_FLIGHT.includes(status), ENDED_WITHOUT_APPROVAL.includes(status), status === "approved"];
      expect(kinds.filter(Boolean), status).toHaveLength(1);
    }
  });

  it("cannot be changed from outside", () => {
    expect(Object.isFrozen(IN_FLIGHT)).toBe(true);
    expect(Object.isFrozen(ENDED_WITHOUT_APPROVAL)).toBe(true);
    expect(Object.isFrozen(TRANSITIONS)).toBe(true);
  });
});

describe("SMS window", () => {
  it("is 24 hours", () => {
    expect(SMS_WINDOW_MS).toBe(86_400_000);
  });

  const entered = new Date("2026-03-01T06:30:15.250Z");
  const deadline = "2026-03-02T06:30:15.250Z";

  it("smsDeadlineFor: 24 h after entering SMS verification, as ISO 8601 UTC", () => {
    expect(smsDeadlineFor("sms_verification", entered)).toBe(deadline);
  });

  it("smsDeadlineFor: across a month's end and a leap day", () => {
    expect(smsDeadlineFor("sms_verification", new Date("2028-02-28T23:59:59.999Z"))).toBe("2028-02-29T23:59:59.999Z");
    expect(smsDeadlineFor("sms_verification", new Date("2026-12-31T12:00:00.000Z"))).toBe("2027-01-01T12:00:00.000Z");
  });

  it.each(FILING_STATUSES.filter((s) => s !== "sms_verification"))("smsDeadlineFor: none on entering %s", (s) => {
    expect(smsDeadlineFor(s, entered)).toBeNull();
  });

  it("smsDeadlineFor: a cancellation, which starts in SMS verification, gets one at submission", () => {
    expect(smsDeadlineFor(initialStatus("cancel"), entered)).toBe(deadline);
    expect(smsDeadlineFor(initialStatus("new"), entered)).toBeNull();
  });

  const inSms = { status: "sms_verification" as const, smsDeadline: deadline };
  const at = (offsetMs: number) => new Date(Date.parse(deadline) + offsetMs);

  it("smsWindowClosed: open before the deadline", () => {
    expect(smsWindowClosed(inSms, entered)).toBe(false);
    expect(smsWindowClosed(inSms, at(-1))).toBe(false);
  });

  it("smsWindowClosed: still open at the deadline itself", () => {
    expect(smsWindowClosed(inSms, at(0))).toBe(false);
  });

  it("smsWindowClosed: closed just after the deadline, and later", () => {
    expect(smsWindowClosed(inSms, at(1))).toBe(true);
    expect(smsWindowClosed(inSms, at(SMS_WINDOW_MS))).toBe(true);
  });

  it("smsWindowClosed: a filing without a deadline has no window to close", () => {
    expect(smsWindowClosed({ status: "sms_verification", smsDeadline: null }, at(1))).toBe(false);
  });

  it.each(FILING_STATUSES.filter((s) => s !== "sms_verification"))(
    "smsWindowClosed: not a question for a filing in %s, whatever its deadline",
    (status) => {
      expect(smsWindowClosed({ status, smsDeadline: deadline }, at(1))).toBe(false);
    },
  );
});

describe("staff queues", () => {
  it("are the statuses each role moves filings out of, all of them visible to it", () => {
    expect(STAFF_QUEUES).toEqual({ reviewer: ["platform_review"], regulator: ["sms_verification", "bureau_review"] });
    for (const role of ["reviewer", "regulator"] as const) {
      for (const status of STAFF_QUEUES[role]) expect(STAFF_VISIBLE[role]).toContain(status);
    }
  });
});
