import { describe, expect, it } from "vitest";
import type { FilingRequest } from "../../src/domain/filing-request";
import {
  applySmsStep,
  confirmAllPending,
  MAX_WRONG_CODES,
  type SmsPerson,
  smsCandidates,
  smsFailureReason,
  smsStepTooLate,
  whoMustConfirm,
} from "../../src/domain/sms-verification";

const T0 = "2026-01-01T00:00:00.000Z";
const T1 = "2026-01-01T01:00:00.000Z";

const pending = (role: SmsPerson["role"]): SmsPerson => ({ role, status: "pending", wrongAttempts: 0, updatedAt: T0 });

describe("whoMustConfirm", () => {
  it("lists each person once, under their first role, in role order", () => {
    const listed = whoMustConfirm([
      { role: "legal_representative", certificate: "c", mobile: "13900000003" },
      { role: "service_principal", certificate: "a", mobile: "13900000002" },
      { role: "organizer_principal", certificate: "a", mobile: "13900000001" },
    ]);
    expect(listed.map((p) => [p.role, p.mobile])).toEqual([
      ["organizer_principal", "13900000001"],
      ["legal_representative", "13900000003"],
    ]);
  });

  it("lists two principals and a legal representative who is neither", () => {
    const listed = whoMustConfirm([
      { role: "organizer_principal", certificate: "a", mobile: "13900000001" },
      { role: "service_principal", certificate: "b", mobile: "13900000002" },
      { role: "legal_representative", certificate: "c", mobile: "13900000003" },
    ]);
    expect(listed.map((p) => p.role)).toEqual(["organizer_principal", "service_principal", "legal_representative"]);
  });

  it("leaves out a person nobody can text", () => {
    expect(
      whoMustConfirm([
        { role: "organizer_principal", certificate: "a", mobile: "13900000001" },
        { role: "legal_representative", certificate: "c", mobile: undefined },
      ]).map((p) => p.role),
    ).toEqual(["organizer_principal"]);
  });
});

describe("smsCandidates", () => {
  it("names a cancellation's nobody, and a filing's principals and legal representative", () => {
    expect(smsCandidates({ type: "cancel", appId: "wx1", scope: "service", reason: "no_longer_operated" })).toEqual([]);
    const person = (number: string, mobile: string) => ({ certificate: { type: "resident_id", number }, mobile });
    const request = {
      type: "new",
      organizer: {
        principal: person("1", "13900000001"),
        legalRepresentative: { certificate: { type: "resident_id", number: "3" }, mobile: "13900000003" },
      },
      service: { principal: person("2", "13900000002") },
    } as unknown as FilingRequest;
    expect(smsCandidates(request)).toEqual([
      { role: "organizer_principal", certificate: "resident_id:1", mobile: "13900000001" },
      { role: "service_principal", certificate: "resident_id:2", mobile: "13900000002" },
      { role: "legal_representative", certificate: "resident_id:3", mobile: "13900000003" },
    ]);
  });
});

describe("applySmsStep", () => {
  const two = [pending("organizer_principal"), pending("service_principal")];

  it("refuses a role not on the list, naming those that are", () => {
    expect(applySmsStep([pending("organizer_principal")], "service_principal", "verified", T1)).toEqual({
      kind: "not_listed",
      listed: ["organizer_principal"],
    });
  });

  it("verifies one person; the filing continues until everyone has", () => {
    const first = applySmsStep(two, "service_principal", "verified", T1);
    expect(first).toMatchObject({ kind: "applied", filing: "continue" });
    if (first.kind !== "applied") throw new Error();
    expect(first.person).toEqual({ role: "service_principal", status: "verified", wrongAttempts: 0, updatedAt: T1 });
    const last = applySmsStep(first.people, "organizer_principal", "verified", T1);
    expect(last).toMatchObject({ kind: "applied", filing: "all_verified" });
  });

  it("fails the person on the fifth wrong code, not the fourth; resends keep the count", () => {
    let people: SmsPerson[] = two;
    for (let i = 1; i < MAX_WRONG_CODES; i++) {
      const o = applySmsStep(people, "organizer_principal", "wrong_code", T1);
      if (o.kind !== "applied") throw new Error(o.kind);
      expect(o.person).toMatchObject({ status: "pending", wrongAttempts: i });
      expect(o.filing).toBe("continue");
      people = o.people;
      const r = applySmsStep(people, "organizer_principal", "resent", T1);
      if (r.kind !== "applied") throw new Error(r.kind);
      expect(r.person.wrongAttempts).toBe(i);
      people = r.people;
    }
    const fifth = applySmsStep(people, "organizer_principal", "wrong_code", T1);
    expect(fifth).toMatchObject({
      kind: "applied",
      filing: "failed",
      person: { status: "failed", wrongAttempts: MAX_WRONG_CODES },
    });
    expect(MAX_WRONG_CODES).toBe(5);
  });

  it("a resend changes only the time", () => {
    const o = applySmsStep(two, "organizer_principal", "resent", T1);
    expect(o).toMatchObject({
      kind: "applied",
      filing: "continue",
      person: { role: "organizer_principal", status: "pending", wrongAttempts: 0, updatedAt: T1 },
    });
  });

  it("answers `verified` again unchanged, and refuses other steps on a verified or failed person", () => {
    const verified: SmsPerson[] = [{ ...pending("organizer_principal"), status: "verified" }];
    expect(applySmsStep(verified, "organizer_principal", "verified", T1)).toEqual({ kind: "unchanged" });
    expect(applySmsStep(verified, "organizer_principal", "wrong_code", T1)).toEqual({
      kind: "not_pending",
      status: "verified",
    });
    const failed: SmsPerson[] = [{ ...pending("organizer_principal"), status: "failed", wrongAttempts: 5 }];
    for (const result of ["verified", "wrong_code", "resent"] as const) {
      expect(applySmsStep(failed, "organizer_principal", result, T1)).toEqual({
        kind: "not_pending",
        status: "failed",
      });
    }
  });
});

describe("confirmAllPending", () => {
  it("verifies everyone pending and names whom it changed", () => {
    const verified: SmsPerson = { ...pending("organizer_principal"), status: "verified" };
    const { people, changed } = confirmAllPending(
      [verified, { ...pending("service_principal"), wrongAttempts: 2 }],
      T1,
    );
    expect(people).toEqual([
      verified,
      { role: "service_principal", status: "verified", wrongAttempts: 2, updatedAt: T1 },
    ]);
    expect(changed.map((p) => p.role)).toEqual(["service_principal"]);
  });
});

describe("the failure reason and the window", () => {
  it("points a failed person's reason at their mobile", () => {
    expect(smsFailureReason("organizer_principal").field).toBe("organizer.principal.mobile");
    expect(smsFailureReason("service_principal").field).toBe("service.principal.mobile");
    expect(smsFailureReason("legal_representative").field).toBe("organizer.legalRepresentative.mobile");
  });

  it("is too late after the deadline, or once the filing expired; the deadline itself is inside", () => {
    const deadline = "2026-01-02T00:00:00.000Z";
    const at = (iso: string) => new Date(iso);
    expect(smsStepTooLate({ status: "sms_verification", smsDeadline: deadline }, at(deadline))).toBe(false);
    expect(smsStepTooLate({ status: "sms_verification", smsDeadline: deadline }, at("2026-01-02T00:00:00.001Z"))).toBe(
      true,
    );
    expect(smsStepTooLate({ status: "expired", smsDeadline: deadline }, at(T0))).toBe(true);
    expect(smsStepTooLate({ status: "bureau_review", smsDeadline: deadline }, at("2026-02-01T00:00:00Z"))).toBe(false);
  });
});
