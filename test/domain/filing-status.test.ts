import { describe, expect, it } from "vitest";
import { daysLeft, filingOptions } from "../../src/domain/filing-status";

const state = (over: Partial<Parameters<typeof filingOptions>[0]> = {}) => ({
  filingInFlight: false,
  organizerCancellationOpen: false,
  registered: false,
  ...over,
});

describe("filingOptions: the submission's state rules asked for every type", () => {
  it("an app never filed may file new only", () => {
    expect(filingOptions(state())).toEqual({
      allowed: ["new"],
      blockers: [
        { type: "change", code: "REGISTRATION_REQUIRED" },
        { type: "cancel", code: "REGISTRATION_REQUIRED" },
      ],
    });
  });

  it("a registered app may change or cancel, not file new", () => {
    expect(filingOptions(state({ registered: true }))).toEqual({
      allowed: ["change", "cancel"],
      blockers: [{ type: "new", code: "REGISTRATION_EXISTS" }],
    });
  });

  it("a filing in flight blocks every type, each with every code a submission would meet", () => {
    expect(filingOptions(state({ filingInFlight: true, registered: true }))).toEqual({
      allowed: [],
      blockers: [
        { type: "new", code: "FILING_IN_PROGRESS" },
        { type: "new", code: "REGISTRATION_EXISTS" },
        { type: "change", code: "FILING_IN_PROGRESS" },
        { type: "cancel", code: "FILING_IN_PROGRESS" },
      ],
    });
  });

  it("an organizer's cancellation of all its services holds the app like its own filing would", () => {
    expect(filingOptions(state({ organizerCancellationOpen: true, registered: true })).allowed).toEqual([]);
    expect(filingOptions(state({ organizerCancellationOpen: true, registered: true })).blockers).toContainEqual({
      type: "change",
      code: "FILING_IN_PROGRESS",
    });
  });
});

describe("daysLeft", () => {
  const deadline = "2026-12-31T16:00:00.000Z"; // 2027-01-01 00:00 in Beijing
  it.each([
    ["2026-12-01T16:00:00.000Z", 30],
    ["2026-12-30T16:00:00.001Z", 1],
    ["2026-12-31T15:59:59.999Z", 1],
    ["2026-12-31T16:00:00.000Z", 0],
    ["2026-12-31T16:00:00.001Z", 0],
    ["2027-01-01T16:00:00.001Z", -1],
  ])("at %s: %i", (now, days) => {
    expect(daysLeft(deadline, now)).toBe(days);
  });
});
