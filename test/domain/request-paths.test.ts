import { describe, expect, it } from "vitest";
import { isRequestPath, reasonFieldProblems } from "../../src/domain/filing-request";

/** Every path of a value, as errors[].path writes them: `a.b`, `a.list[0].c`. */
function pathsOf(value: unknown, base = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [`${base}[${i}]`, ...pathsOf(v, `${base}[${i}]`)]);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => {
      const path = base ? `${base}.${k}` : k;
      return [path, ...pathsOf(v, path)];
    });
  }
  return [];
}

const FULL_FILING = {
  type: "new",
  appId: "wx1234567890abcdef",
  organizer: {
    nature: "enterprise",
    name: "示例",
    certificate: { type: "uscc", number: "x", validFrom: "x", validTo: "x", photo: "x" },
    region: { province: "x", city: "x", district: "x" },
    address: "x",
    principal: {
      name: "x",
      certificate: { type: "x", number: "x", validFrom: "x", validTo: "x", front: "x", back: "x" },
      mobile: "x",
      emergencyContact: "x",
      email: "x",
      birthDate: "x",
    },
    legalRepresentative: { name: "x", certificate: { type: "x", number: "x", validFrom: "x", validTo: "x" } },
    authorizationLetter: "x",
  },
  service: {
    name: "x",
    serviceContentTypes: ["a", "b", "c", "d", "e"],
    preApprovals: Array.from({ length: 12 }, () => ({ type: "x", approvalNumber: "x", document: "x" })),
    languages: Array.from({ length: 20 }, () => "x"),
    description: "x",
    principal: { name: "x" },
  },
  commitment: { accepted: true, letter: "x" },
};

describe("paths a rejection reason may name (docs/rules.md#lifecycle)", () => {
  it("takes every path of a filing filled to its bounds, and the whole filing", () => {
    const paths = pathsOf(FULL_FILING);
    expect(paths.length).toBeGreaterThan(100);
    for (const path of ["", ...paths]) expect(isRequestPath("new", path), path).toBe(true);
    for (const path of ["", ...paths]) expect(isRequestPath("change", path), path).toBe(true);
  });

  it("takes the parts of a cancellation for a cancellation only", () => {
    for (const path of ["", "type", "appId", "scope", "reason"]) expect(isRequestPath("cancel", path), path).toBe(true);
    expect(isRequestPath("cancel", "organizer.name")).toBe(false);
    expect(isRequestPath("new", "scope")).toBe(false);
  });

  it.each([
    ["organizer.nickname", "no such property"],
    ["service.serviceContentTypes[5]", "past the list's bound of 5"],
    ["service.preApprovals[12].type", "past the list's bound of 12"],
    ["service.serviceContentTypes.0", "an index written as a name"],
    ["service.preApprovals[01].type", "an index with a leading zero"],
    ["organizer[0]", "an index into an object"],
    ["organizer.certificate.number[0]", "an index into a value"],
    ["organizer.certificate.number.digits", "a property of a value"],
    ["organizer.", "a trailing dot"],
    [".organizer", "a leading dot"],
    ["organizer..name", "an empty segment"],
    [" organizer.name", "a space"],
    ["__proto__", "a prototype name"],
    ["constructor", "an inherited name"],
    ["Organizer.name", "another case"],
  ])("refuses %j (%s)", (path) => {
    expect(isRequestPath("new", path)).toBe(false);
  });

  it("reports each reason that names no path at its own field", () => {
    const reason = (field: string) => ({ field, error: "x", suggest: "y" });
    expect(reasonFieldProblems([reason("organizer.name"), reason("nope"), reason(""), reason("x[0]")], "new")).toEqual([
      { path: "reasons[1].field", code: "UNKNOWN_REQUEST_FIELD" },
      { path: "reasons[3].field", code: "UNKNOWN_REQUEST_FIELD" },
    ]);
  });
});
