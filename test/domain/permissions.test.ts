import { describe, expect, it } from "vitest";
import type { FilingStatus } from "../../src/domain/filing-state";
import {
  type AppAccess,
  FILING_READERS,
  FILING_RELATIONS,
  FILING_WITHDRAWERS,
  filingRelations,
  materialReadAccess,
  mayCancelOrganizer,
  mayFileFor,
  mayManageApp,
  mayReadFiling,
  mayUseMaterial,
  mayWithdrawFiling,
  type ReferencingFiling,
} from "../../src/domain/permissions";
import { ROLES, type Role } from "../../src/domain/roles";

const ME = "acc_me";
const OTHER = "acc_other";
const caller = (role: Role) => ({ accountId: ME, role });

/** How the caller stands to an app, and the app as the pre-flight read reports it. */
const APPS: Record<"owner" | "grantee" | "stranger", AppAccess> = {
  owner: { ownerAccountId: ME, granted: false },
  grantee: { ownerAccountId: OTHER, granted: true },
  stranger: { ownerAccountId: OTHER, granted: false },
};

describe("mayManageApp", () => {
  it("lets the owner alone manage an app", () => {
    expect(mayManageApp({ accountId: ME }, { ownerAccountId: ME })).toBe(true);
    expect(mayManageApp({ accountId: ME }, { ownerAccountId: OTHER })).toBe(false);
  });
});

describe("mayFileFor", () => {
  // role × relation → may file; written out, not derived from the rule.
  const EXPECTED: Record<Role, Record<keyof typeof APPS, boolean>> = {
    developer: { owner: true, grantee: false, stranger: false },
    provider: { owner: false, grantee: true, stranger: false },
    reviewer: { owner: false, grantee: false, stranger: false },
    regulator: { owner: false, grantee: false, stranger: false },
    admin: { owner: false, grantee: false, stranger: false },
  };

  it("covers every role", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ROLES].sort());
  });

  for (const role of ROLES) {
    for (const relation of Object.keys(APPS) as (keyof typeof APPS)[]) {
      it(`${role} as ${relation}: ${EXPECTED[role][relation] ? "files" : "does not"}`, () => {
        expect(mayFileFor(caller(role), APPS[relation])).toBe(EXPECTED[role][relation]);
      });
    }
  }

  it("gives a developer nothing by a grant, and a provider nothing by ownership", () => {
    expect(mayFileFor(caller("developer"), { ownerAccountId: OTHER, granted: true })).toBe(false);
    expect(mayFileFor(caller("provider"), { ownerAccountId: ME, granted: false })).toBe(false);
  });
});

describe("mayCancelOrganizer", () => {
  it("needs every app of the organizer to be one the caller may file for", () => {
    expect(mayCancelOrganizer(caller("developer"), [APPS.owner, APPS.owner])).toBe(true);
    expect(mayCancelOrganizer(caller("developer"), [APPS.owner, APPS.stranger])).toBe(false);
    expect(mayCancelOrganizer(caller("developer"), [APPS.owner, APPS.grantee])).toBe(false);
    expect(mayCancelOrganizer(caller("provider"), [APPS.grantee, APPS.grantee])).toBe(true);
    expect(mayCancelOrganizer(caller("provider"), [APPS.grantee, APPS.owner])).toBe(false);
  });

  it("refuses every other role, whatever it holds", () => {
    for (const role of ["reviewer", "regulator", "admin"] as const) {
      expect(mayCancelOrganizer(caller(role), [APPS.owner])).toBe(false);
    }
  });

  it("holds an organizer with no other registered app", () => {
    expect(mayCancelOrganizer(caller("developer"), [])).toBe(true);
  });
});

describe("filingRelations", () => {
  it("names each way the caller stands to a filing, in the order of FILING_RELATIONS", () => {
    const mine = { submitterAccountId: ME };
    const theirs = { submitterAccountId: OTHER };
    expect(filingRelations({ accountId: ME }, mine, { ownerAccountId: ME, granted: true })).toEqual([
      "submitter",
      "app_owner",
      "grantee",
    ]);
    expect(filingRelations({ accountId: ME }, mine, undefined)).toEqual(["submitter"]);
    expect(filingRelations({ accountId: ME }, theirs, APPS.owner)).toEqual(["app_owner"]);
    expect(filingRelations({ accountId: ME }, theirs, APPS.grantee)).toEqual(["grantee"]);
    expect(filingRelations({ accountId: ME }, theirs, APPS.stranger)).toEqual([]);
  });

  it("counts no grant where the grants were not read", () => {
    expect(filingRelations({ accountId: ME }, { submitterAccountId: OTHER }, { ownerAccountId: OTHER })).toEqual([]);
  });
});

describe("who may read and withdraw a filing", () => {
  it("reads with every relation, withdraws as submitter or app owner only", () => {
    expect(FILING_RELATIONS).toEqual(["submitter", "app_owner", "grantee"]);
    expect([...FILING_READERS]).toEqual(["submitter", "app_owner", "grantee"]);
    expect([...FILING_WITHDRAWERS]).toEqual(["submitter", "app_owner"]);
  });

  // (submitter?, app) → [may read, may withdraw]
  const CASES: [string, string, AppAccess | undefined, boolean, boolean][] = [
    ["the submitter", ME, APPS.stranger, true, true],
    ["the submitter, the app gone from view", ME, undefined, true, true],
    ["the submitter whose grant has ended", ME, { ownerAccountId: OTHER, granted: false }, true, true],
    ["the app's owner (a provider submitted)", OTHER, APPS.owner, true, true],
    ["a provider holding a grant (another submitted)", OTHER, APPS.grantee, true, false],
    ["anyone else", OTHER, APPS.stranger, false, false],
    ["anyone else, app unknown", OTHER, undefined, false, false],
  ];

  for (const [who, submitter, app, read, withdraw] of CASES) {
    for (const role of ROLES) {
      it(`${who} (${role}): ${read ? "reads" : "does not read"}, ${withdraw ? "withdraws" : "does not withdraw"}`, () => {
        const filing = { submitterAccountId: submitter };
        expect(mayReadFiling(caller(role), filing, app)).toBe(read);
        expect(mayWithdrawFiling(caller(role), filing, app)).toBe(withdraw);
      });
    }
  }
});

describe("mayUseMaterial", () => {
  it("lets a filing use the caller's uploads and the app owner's", () => {
    expect(mayUseMaterial({ accountId: ME }, { ownerAccountId: ME }, { ownerAccountId: OTHER })).toBe(true);
    expect(mayUseMaterial({ accountId: ME }, { ownerAccountId: OTHER }, { ownerAccountId: OTHER })).toBe(true);
    expect(mayUseMaterial({ accountId: ME }, { ownerAccountId: ME }, undefined)).toBe(true);
  });

  it("refuses anyone else's", () => {
    expect(mayUseMaterial({ accountId: ME }, { ownerAccountId: "acc_third" }, { ownerAccountId: OTHER })).toBe(false);
    expect(mayUseMaterial({ accountId: ME }, { ownerAccountId: OTHER }, undefined)).toBe(false);
  });
});

describe("materialReadAccess", () => {
  const material = { ownerAccountId: OTHER };
  const ref = (status: FilingStatus, appOwnerAccountId = "acc_third", filingId = `fil_${status}`) =>
    ({ filingId, status, appOwnerAccountId }) satisfies ReferencingFiling;

  it("lets the uploader read without any reference", () => {
    for (const role of ROLES) {
      expect(materialReadAccess(caller(role), { ownerAccountId: ME }, [])).toEqual({ staffFilingId: null });
    }
  });

  it("lets the owner of an app whose filing references it read it, in any status", () => {
    expect(materialReadAccess(caller("developer"), material, [ref("approved", ME)])).toEqual({
      staffFilingId: null,
    });
    expect(materialReadAccess(caller("developer"), material, [ref("withdrawn"), ref("expired", ME)])).toEqual({
      staffFilingId: null,
    });
  });

  it("lets a reviewer read while a referencing filing is in platform review, and names that filing", () => {
    expect(materialReadAccess(caller("reviewer"), material, [ref("approved"), ref("platform_review")])).toEqual({
      staffFilingId: "fil_platform_review",
    });
    expect(materialReadAccess(caller("reviewer"), material, [ref("sms_verification"), ref("approved")])).toBeNull();
  });

  it("lets the regulator read while a referencing filing is in its queue", () => {
    for (const status of ["sms_verification", "bureau_review", "approved", "bureau_rejected", "expired"] as const) {
      expect(materialReadAccess(caller("regulator"), material, [ref(status)])).toEqual({
        staffFilingId: `fil_${status}`,
      });
    }
    for (const status of ["platform_review", "platform_rejected", "withdrawn"] as const) {
      expect(materialReadAccess(caller("regulator"), material, [ref(status)])).toBeNull();
    }
  });

  it("refuses a developer, a provider or an admin who is neither uploader nor app owner", () => {
    for (const role of ["developer", "provider", "admin"] as const) {
      expect(materialReadAccess(caller(role), material, [ref("platform_review"), ref("approved")])).toBeNull();
      expect(materialReadAccess(caller(role), material, [])).toBeNull();
    }
  });

  it("refuses staff a material no filing references", () => {
    expect(materialReadAccess(caller("reviewer"), material, [])).toBeNull();
    expect(materialReadAccess(caller("regulator"), material, [])).toBeNull();
  });
});
