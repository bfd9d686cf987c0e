import { describe, expect, it } from "vitest";
import { judgeSyncChange, REGISTRATION_STATUSES } from "../../src/domain/registration-state";

const ENDED = REGISTRATION_STATUSES.filter((s) => s !== "active");

describe("judgeSyncChange: a change the bureau reports, against the registration beian holds", () => {
  it("a number beian does not hold is unknown, whatever the status", () => {
    for (const target of REGISTRATION_STATUSES)
      expect(judgeSyncChange(undefined, target)).toEqual({ outcome: "unknown_number" });
  });

  it("the status it already has changes nothing, so a replay is harmless", () => {
    for (const status of REGISTRATION_STATUSES) {
      for (const appHasOtherActive of [false, true]) {
        expect(judgeSyncChange({ status, appHasOtherActive }, status)).toEqual({ outcome: "unchanged" });
      }
    }
  });

  it("an active registration ends with the status reported", () => {
    for (const target of ENDED) {
      expect(judgeSyncChange({ status: "active", appHasOtherActive: false }, target)).toEqual({
        outcome: "applied",
        move: "end",
        status: target,
      });
    }
  });

  it("an ended one comes back to active unless its app holds another active registration", () => {
    for (const status of ENDED) {
      expect(judgeSyncChange({ status, appHasOtherActive: false }, "active")).toEqual({
        outcome: "applied",
        move: "reinstate",
      });
      expect(judgeSyncChange({ status, appHasOtherActive: true }, "active")).toEqual({
        outcome: "refused",
        code: "REGISTRATION_EXISTS",
      });
    }
  });

  it("one ended status never turns into another", () => {
    for (const status of ENDED) {
      for (const target of ENDED.filter((t) => t !== status)) {
        expect(judgeSyncChange({ status, appHasOtherActive: false }, target)).toEqual({
          outcome: "refused",
          code: "INVALID_TRANSITION",
        });
      }
    }
  });
});
