import { describe, expect, it } from "vitest";
import {
  principalsToVerify,
  type StoredVerification,
  secondsToNextBeijingDay,
  type VerificationContext,
  verificationProblems,
  verificationStatus,
} from "../../src/domain/verification";

const NOW = "2026-12-02T04:00:00.000Z";

describe("verificationStatus", () => {
  const times = { expiresAt: "2026-12-03T00:00:00.000Z", validUntil: null };
  it("a pending one expires at expiresAt; a passed one at validUntil; a failed one stays failed", () => {
    expect(verificationStatus({ ...times, status: "pending" }, NOW)).toBe("pending");
    expect(verificationStatus({ ...times, status: "pending" }, "2026-12-03T00:00:00.000Z")).toBe("expired");
    const passed = { ...times, status: "passed" as const, validUntil: "2026-12-02T05:00:00.000Z" };
    expect(verificationStatus(passed, NOW)).toBe("passed");
    expect(verificationStatus(passed, "2026-12-02T05:00:00.000Z")).toBe("expired");
    expect(verificationStatus({ ...times, status: "failed" }, "2099-01-01T00:00:00.000Z")).toBe("failed");
  });
});

describe("secondsToNextBeijingDay", () => {
  it("counts to midnight in Beijing (UTC+8), never zero", () => {
    expect(secondsToNextBeijingDay(new Date("2026-12-02T15:59:00Z"))).toBe(60);
    expect(secondsToNextBeijingDay(new Date("2026-12-02T16:00:00Z"))).toBe(86400);
    expect(secondsToNextBeijingDay(new Date("2026-12-02T04:00:00Z"))).toBe(12 * 3600);
  });
});

describe("verificationProblems", () => {
  const stored: StoredVerification = {
    id: "ver_1",
    appId: "wx1",
    requesterAccountId: "acc_me",
    status: "passed",
    expiresAt: "2026-12-05T00:00:00.000Z",
    validUntil: "2026-12-05T00:00:00.000Z",
    certificateBlind: "cert",
    nameBlind: "name",
    used: false,
  };
  const ctx: VerificationContext = { policy: "service_principal", appId: "wx1", accountId: "acc_me", now: NOW };
  const service = { path: "service.principal", certificate: "cert", name: "name" };
  const organizer = { path: "organizer.principal", certificate: "cert", name: "name" };

  it("names the principals each policy makes verify", () => {
    expect(principalsToVerify("service_principal")).toEqual(["service.principal"]);
    expect(principalsToVerify("both")).toEqual(["organizer.principal", "service.principal"]);
    expect(principalsToVerify("off")).toEqual([]);
  });

  it("asks nothing of a cancellation, nor of a principal left out altogether", () => {
    expect(verificationProblems("cancel", [], [], ctx)).toEqual([]);
    expect(verificationProblems("new", [{ path: "service.principal" }], [], ctx)).toEqual([]);
  });

  it("gives each code at the principal's verificationId", () => {
    const at = (over: Partial<StoredVerification>, person = service, c = ctx) =>
      verificationProblems("change", [{ ...person, verificationId: "ver_1" }], [{ ...stored, ...over }], c).map(
        (p) => `${p.path} ${p.code}`,
      );
    expect(at({})).toEqual([]);
    expect(verificationProblems("new", [service], [], ctx).map((p) => p.code)).toEqual(["REQUIRED"]);
    expect(at({ appId: "wx2" })).toEqual(["service.principal.verificationId VERIFICATION_NOT_FOUND"]);
    expect(at({ requesterAccountId: "acc_other" })).toEqual([
      "service.principal.verificationId VERIFICATION_NOT_FOUND",
    ]);
    expect(at({ status: "pending" })).toEqual(["service.principal.verificationId VERIFICATION_PENDING"]);
    expect(at({ status: "failed" })).toEqual(["service.principal.verificationId VERIFICATION_FAILED"]);
    expect(at({ validUntil: NOW })).toEqual(["service.principal.verificationId VERIFICATION_EXPIRED"]);
    expect(at({ certificateBlind: "other" })).toEqual([
      "service.principal.verificationId VERIFICATION_PERSON_MISMATCH",
    ]);
    expect(at({ nameBlind: "other" })).toEqual(["service.principal.verificationId VERIFICATION_PERSON_MISMATCH"]);
    expect(at({ used: true })).toEqual(["service.principal.verificationId VERIFICATION_USED"]);
    // Not required, but named: still checked.
    expect(at({ used: true }, organizer, { ...ctx, policy: "off" })).toEqual([
      "organizer.principal.verificationId VERIFICATION_USED",
    ]);
  });
});
