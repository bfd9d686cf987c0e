import { describe, expect, it } from "vitest";
import type { FilingFacts } from "../../src/domain/filing-request";
import { type BlindFacts, judgePreflight, type PreflightContext, type StoredFacts } from "../../src/domain/preflight";

const ME = "acc_me";
const OWNER = "acc_owner";
const APP = "wx_app_0001";
const NOW = "2025-06-01T08:00:00.000Z";
const CONTEXT: PreflightContext = {
  accountId: ME,
  quotas: { individual: 2, organization: 3 },
  facePolicy: "service_principal",
  now: NOW,
};

type Organizer = NonNullable<FilingFacts["organizer"]>;
const ORGANIZER: Organizer = {
  certificateType: "uscc",
  certificate: "91440300MA5FXXXX0X",
  nature: "enterprise",
  name: "深圳甲科技有限公司",
  province: "440000",
};

/** A clean `new` filing for an app the caller owns, with nothing in the way. */
function facts(over: Partial<FilingFacts> = {}, organizer: Partial<Organizer> = {}): FilingFacts {
  return {
    appId: APP,
    type: "new",
    organizer: { ...ORGANIZER, ...organizer },
    serviceName: "甲好物",
    people: [],
    materials: [],
    ...over,
  };
}

function stored(over: Partial<StoredFacts> = {}): StoredFacts {
  return {
    app: { appId: APP, name: "甲好物", ownerAccountId: OWNER, granted: true },
    organizerFilings: [],
    activeRegistrations: 0,
    serviceNameHolders: [],
    mobileHolders: [],
    materials: [],
    verifications: [],
    ...over,
  };
}

const BLIND: BlindFacts = { organizer: "blind_org", people: [] };
const REGISTRATION = {
  number: "粤ICP备2024000001号-1X",
  organizerId: "org_1",
  organizerBlind: "blind_org",
  province: "44",
};
const KNOWN = { id: "org_1", province: "44", nature: "enterprise", name: "深圳甲科技有限公司" };

const judge = (f: FilingFacts, s: StoredFacts, blind: BlindFacts = BLIND, context: PreflightContext = CONTEXT) =>
  judgePreflight(f, blind, s, context);
const codes = (f: FilingFacts, s: StoredFacts, blind?: BlindFacts, context?: PreflightContext) =>
  judge(f, s, blind, context).problems.map((p) => [p.path, p.code]);

describe("judgePreflight: a filing with nothing in the way", () => {
  it("has no conflicts and no problems, and hands the read's app and registration on", () => {
    const result = judge(facts(), stored());
    expect(result).toEqual({
      conflicts: [],
      problems: [],
      app: { appId: APP, name: "甲好物", ownerAccountId: OWNER, granted: true },
      inFlight: undefined,
      registration: undefined,
    });
  });

  it("judges a request with no facts at all (a body that is not even an object) without failing", () => {
    expect(judge({ people: [], materials: [] }, stored({ app: undefined }))).toEqual({
      conflicts: [],
      problems: [],
      inFlight: undefined,
      registration: undefined,
    });
  });
});

describe("state conflicts", () => {
  it("FILING_IN_PROGRESS: the app has a filing in flight", () => {
    const inFlight = { id: "fil_1", status: "platform_review" };
    const result = judge(facts(), stored({ inFlight }));
    expect(result.conflicts).toEqual(["FILING_IN_PROGRESS"]);
    expect(result.inFlight).toEqual(inFlight);
  });

  it("FILING_IN_PROGRESS: the organizer has a cancellation of the whole organizer open", () => {
    const cancel = { appId: "wx_other_01", type: "cancel", scope: "organizer", province: "44" };
    expect(judge(facts(), stored({ organizerFilings: [cancel] })).conflicts).toEqual(["FILING_IN_PROGRESS"]);
    // A cancellation of one service or of access holds only its own app.
    for (const scope of ["service", "access"]) {
      expect(judge(facts(), stored({ organizerFilings: [{ ...cancel, scope }] })).conflicts).toEqual([]);
    }
  });

  it("reports FILING_IN_PROGRESS once when both hold", () => {
    const cancel = { appId: "wx_other_01", type: "cancel", scope: "organizer", province: "44" };
    const s = stored({ inFlight: { id: "fil_1", status: "sms_verification" }, organizerFilings: [cancel] });
    expect(judge(facts(), s).conflicts).toEqual(["FILING_IN_PROGRESS"]);
  });

  it("REGISTRATION_EXISTS: a new filing for an app already registered", () => {
    expect(judge(facts(), stored({ registration: REGISTRATION })).conflicts).toEqual(["REGISTRATION_EXISTS"]);
  });

  it("REGISTRATION_REQUIRED: a change or a cancellation for an app with no registration", () => {
    expect(judge(facts({ type: "change" }), stored()).conflicts).toEqual(["REGISTRATION_REQUIRED"]);
    expect(judge(facts({ type: "cancel", organizer: undefined }), stored()).conflicts).toEqual([
      "REGISTRATION_REQUIRED",
    ]);
  });

  it("a change or cancellation with a registration, and a new filing without, conflict with nothing", () => {
    expect(judge(facts({ type: "change" }), stored({ registration: REGISTRATION })).conflicts).toEqual([]);
    const cancel = facts({ type: "cancel", organizer: undefined, serviceName: undefined });
    expect(judge(cancel, stored({ registration: REGISTRATION })).conflicts).toEqual([]);
    expect(judge(facts(), stored()).conflicts).toEqual([]);
  });

  it("names no registration conflict for a request without a valid type", () => {
    expect(judge(facts({ type: undefined }), stored()).conflicts).toEqual([]);
    expect(judge(facts({ type: "renew" }), stored({ registration: REGISTRATION })).conflicts).toEqual([]);
  });

  it("lists FILING_IN_PROGRESS before the registration conflict", () => {
    const s = stored({ inFlight: { id: "fil_1", status: "bureau_review" }, registration: REGISTRATION });
    expect(judge(facts(), s).conflicts).toEqual(["FILING_IN_PROGRESS", "REGISTRATION_EXISTS"]);
  });
});

describe("the organizer's province", () => {
  it("PROVINCE_CHANGE: a change moves the organizer to another province", () => {
    const s = stored({ registration: REGISTRATION });
    expect(codes(facts({ type: "change" }, { province: "110000" }), s)).toEqual([
      ["organizer.region.province", "PROVINCE_CHANGE"],
    ]);
    expect(codes(facts({ type: "change" }), s)).toEqual([]);
  });

  it("says nothing of a change's province without a registration (that is REGISTRATION_REQUIRED) or a province", () => {
    expect(codes(facts({ type: "change" }, { province: "110000" }), stored())).toEqual([]);
    expect(codes(facts({ type: "change" }, { province: undefined }), stored({ registration: REGISTRATION }))).toEqual(
      [],
    );
  });

  it("ORGANIZER_PROVINCE_CONFLICT: the known organizer was approved in another province", () => {
    const result = judge(facts({}, { province: "110000" }), stored({ knownOrganizer: KNOWN }));
    expect(result.problems).toEqual([
      { path: "organizer.region.province", code: "ORGANIZER_PROVINCE_CONFLICT", params: { province: "440000" } },
    ]);
  });

  it("ORGANIZER_PROVINCE_CONFLICT: the organizer has a filing in flight in another province", () => {
    const open = [
      { appId: "wx_other_01", type: "change", scope: null, province: null },
      { appId: "wx_other_02", type: "new", scope: null, province: "11" },
      { appId: "wx_other_03", type: "new", scope: null, province: "31" },
    ];
    expect(judge(facts(), stored({ organizerFilings: open })).problems).toEqual([
      { path: "organizer.region.province", code: "ORGANIZER_PROVINCE_CONFLICT", params: { province: "110000" } },
    ]);
  });

  it("names the known organizer's province before that of an open filing", () => {
    const open = [{ appId: "wx_other_02", type: "new", scope: null, province: "31" }];
    const result = judge(facts({}, { province: "110000" }), stored({ knownOrganizer: KNOWN, organizerFilings: open }));
    expect(result.problems.map((p) => p.params)).toEqual([{ province: "440000" }]);
  });

  it("accepts a new filing in the organizer's own province, and one with no province to compare", () => {
    const open = [{ appId: "wx_other_02", type: "new", scope: null, province: "44" }];
    expect(codes(facts(), stored({ knownOrganizer: KNOWN, organizerFilings: open }))).toEqual([]);
    expect(codes(facts({}, { province: undefined }), stored({ knownOrganizer: { ...KNOWN, province: "11" } }))).toEqual(
      [],
    );
  });

  it("is not asked of a cancellation", () => {
    const open = [{ appId: "wx_other_02", type: "new", scope: null, province: "11" }];
    const cancel = facts({ type: "cancel" });
    expect(codes(cancel, stored({ registration: REGISTRATION, organizerFilings: open }))).toEqual([]);
  });
});

describe("ORGANIZER_MISMATCH", () => {
  const s = stored({ knownOrganizer: KNOWN });

  it("names the nature when it differs from the approvals", () => {
    expect(judge(facts({}, { nature: "other" }), s).problems).toEqual([
      { path: "organizer", code: "ORGANIZER_MISMATCH", params: { fields: "nature" } },
    ]);
  });

  it("names the name when it differs", () => {
    expect(judge(facts({}, { name: "深圳乙科技有限公司" }), s).problems).toEqual([
      { path: "organizer", code: "ORGANIZER_MISMATCH", params: { fields: "name" } },
    ]);
  });

  it("names both in one entry", () => {
    expect(judge(facts({}, { nature: "other", name: "深圳乙科技有限公司" }), s).problems).toEqual([
      { path: "organizer", code: "ORGANIZER_MISMATCH", params: { fields: "nature, name" } },
    ]);
  });

  it("compares only what the request gives, only for a known organizer, only for a new filing", () => {
    expect(codes(facts({}, { nature: undefined, name: undefined }), s)).toEqual([]);
    expect(codes(facts({}, { nature: "other" }), stored())).toEqual([]);
    const change = facts({ type: "change" }, { nature: "other", name: "深圳乙科技有限公司" });
    expect(codes(change, stored({ knownOrganizer: KNOWN, registration: REGISTRATION }))).toEqual([]);
  });
});

describe("SERVICE_NAME_TAKEN", () => {
  it("a holder of the name elsewhere takes it", () => {
    expect(codes(facts(), stored({ serviceNameHolders: [{ appId: "wx_other_01" }] }))).toEqual([
      ["service.name", "SERVICE_NAME_TAKEN"],
    ]);
  });

  it("is free without a holder, and not judged without a name", () => {
    expect(codes(facts(), stored())).toEqual([]);
    const holders = [{ appId: "wx_other_01" }];
    expect(codes(facts({ serviceName: undefined }), stored({ serviceNameHolders: holders }))).toEqual([]);
    expect(codes(facts({ serviceName: "" }), stored({ serviceNameHolders: holders }))).toEqual([]);
  });
});

describe("ORGANIZER_QUOTA_EXCEEDED", () => {
  const openNew = (appId: string) => ({ appId, type: "new", scope: null, province: "44" });
  const quota = (nature: string, s: StoredFacts) => judge(facts({}, { nature }), s).problems;
  const exceeded = (limit: number) => [{ path: "organizer", code: "ORGANIZER_QUOTA_EXCEEDED", params: { limit } }];

  it("an individual: one below the limit files, at the limit does not", () => {
    expect(quota("individual", stored({ activeRegistrations: 1 }))).toEqual([]);
    expect(quota("individual", stored({ activeRegistrations: 2 }))).toEqual(exceeded(2));
    expect(quota("individual", stored({ activeRegistrations: 7 }))).toEqual(exceeded(2));
  });

  it("an organization (any other nature): its own limit", () => {
    expect(quota("enterprise", stored({ activeRegistrations: 2 }))).toEqual([]);
    expect(quota("enterprise", stored({ activeRegistrations: 3 }))).toEqual(exceeded(3));
    expect(quota("government", stored({ activeRegistrations: 4 }))).toEqual(exceeded(3));
    // A request that leaves the nature out is held to the organization limit.
    expect(judge(facts({}, { nature: undefined }), stored({ activeRegistrations: 3 })).problems).toEqual(exceeded(3));
  });

  it("counts other apps' new filings in flight, each app once", () => {
    const s = (filings: ReturnType<typeof openNew>[]) => stored({ activeRegistrations: 1, organizerFilings: filings });
    expect(quota("individual", s([]))).toEqual([]);
    expect(quota("individual", s([openNew("wx_other_01")]))).toEqual(exceeded(2));
    expect(quota("enterprise", s([openNew("wx_other_01")]))).toEqual([]);
    expect(quota("enterprise", s([openNew("wx_other_01"), openNew("wx_other_02")]))).toEqual(exceeded(3));
    expect(quota("enterprise", s([openNew("wx_other_01"), openNew("wx_other_01")]))).toEqual([]);
  });

  it("does not count this app's own open filing, nor open changes and cancellations", () => {
    const filings = [
      openNew(APP),
      { appId: "wx_other_01", type: "change", scope: null, province: "44" },
      { appId: "wx_other_02", type: "cancel", scope: "service", province: "44" },
    ];
    expect(quota("individual", stored({ activeRegistrations: 1, organizerFilings: filings }))).toEqual([]);
  });

  it("is asked of new filings with an organizer only", () => {
    const full = stored({ activeRegistrations: 9, registration: REGISTRATION });
    expect(codes(facts({ type: "change" }, { nature: "individual" }), full)).toEqual([]);
    expect(codes(facts({ organizer: undefined }), stored({ activeRegistrations: 9 }))).toEqual([]);
  });
});

describe("materials", () => {
  const material = (over: Partial<StoredFacts["materials"][number]> = {}): StoredFacts["materials"][number] => ({
    id: "med_1",
    ownerAccountId: ME,
    field: "organizer.certificate.photo",
    certificateType: "uscc",
    deletedAt: null,
    ...over,
  });
  const licence = { path: "organizer.certificate.photo", mediaId: "med_1", certificateType: "uscc" };
  const withLicence = facts({ materials: [licence] });

  it("accepts the caller's material for its field", () => {
    expect(codes(withLicence, stored({ materials: [material()] }))).toEqual([]);
  });

  it("accepts the app owner's material (a provider filing for a developer's app)", () => {
    expect(codes(withLicence, stored({ materials: [material({ ownerAccountId: OWNER })] }))).toEqual([]);
  });

  it("MEDIA_NOT_FOUND: missing, deleted, or someone else's", () => {
    const notFound = [["organizer.certificate.photo", "MEDIA_NOT_FOUND"]];
    expect(codes(withLicence, stored())).toEqual(notFound);
    expect(codes(withLicence, stored({ materials: [material({ deletedAt: "2025-05-01T00:00:00.000Z" })] }))).toEqual(
      notFound,
    );
    expect(codes(withLicence, stored({ materials: [material({ ownerAccountId: "acc_third" })] }))).toEqual(notFound);
  });

  it("MEDIA_NOT_FOUND: a material of the owner's when the app is not known is someone else's", () => {
    const s = stored({ app: undefined, materials: [material({ ownerAccountId: OWNER })] });
    expect(codes(withLicence, s)).toEqual([["organizer.certificate.photo", "MEDIA_NOT_FOUND"]]);
  });

  it("MEDIA_FIELD_MISMATCH: uploaded for another field, which it names", () => {
    const letter = material({ field: "commitment.letter", certificateType: null });
    expect(judge(withLicence, stored({ materials: [letter] })).problems).toEqual([
      { path: "organizer.certificate.photo", code: "MEDIA_FIELD_MISMATCH", params: { field: "commitment.letter" } },
    ]);
  });

  it("a principal's certificate photo serves the other principal, side for side", () => {
    const front = material({ field: "organizer.principal.certificate.front", certificateType: "resident_id" });
    const ref = (path: string) => ({ path, mediaId: "med_1", certificateType: "resident_id" });
    expect(
      codes(facts({ materials: [ref("service.principal.certificate.front")] }), stored({ materials: [front] })),
    ).toEqual([]);
    expect(
      codes(facts({ materials: [ref("service.principal.certificate.back")] }), stored({ materials: [front] })),
    ).toEqual([["service.principal.certificate.back", "MEDIA_FIELD_MISMATCH"]]);
  });

  it("MEDIA_CERTIFICATE_MISMATCH: the photo shows another certificate type than the request declares", () => {
    const passport = material({ field: "organizer.principal.certificate.front", certificateType: "passport" });
    const ref = { path: "organizer.principal.certificate.front", mediaId: "med_1", certificateType: "resident_id" };
    expect(judge(facts({ materials: [ref] }), stored({ materials: [passport] })).problems).toEqual([
      {
        path: "organizer.principal.certificate.front",
        code: "MEDIA_CERTIFICATE_MISMATCH",
        params: { certificateType: "passport" },
      },
    ]);
  });

  it("compares certificate types only where both sides name one", () => {
    const letter = material({ field: "commitment.letter", certificateType: null });
    expect(
      codes(facts({ materials: [{ path: "commitment.letter", mediaId: "med_1" }] }), stored({ materials: [letter] })),
    ).toEqual([]);
    const photo = { path: "organizer.certificate.photo", mediaId: "med_1" };
    expect(codes(facts({ materials: [photo] }), stored({ materials: [material()] }))).toEqual([]);
  });

  it("reports one problem per reference, the first that applies, in the request's order", () => {
    const refs = [
      { path: "commitment.letter", mediaId: "med_gone" },
      { path: "organizer.certificate.photo", mediaId: "med_letter" },
      { path: "organizer.authorizationLetter", mediaId: "med_deleted_letter" },
    ];
    const s = stored({
      materials: [
        material({ id: "med_letter", field: "commitment.letter", certificateType: null }),
        material({ id: "med_deleted_letter", field: "commitment.letter", deletedAt: "2025-05-01T00:00:00.000Z" }),
      ],
    });
    expect(codes(facts({ materials: refs }), s)).toEqual([
      ["commitment.letter", "MEDIA_NOT_FOUND"],
      ["organizer.certificate.photo", "MEDIA_FIELD_MISMATCH"],
      ["organizer.authorizationLetter", "MEDIA_NOT_FOUND"],
    ]);
  });
});

describe("MOBILE_SHARED", () => {
  const people: BlindFacts["people"] = [
    { path: "organizer.principal", certificate: "cert_a", mobile: "mob_a" },
    { path: "service.principal", certificate: "cert_b", mobile: "mob_b" },
  ];
  const blind = { organizer: "blind_org", people };

  it("a mobile held by another person elsewhere is shared, at that person's mobile", () => {
    const holders = [{ mobile: "mob_b", certificate: "cert_z" }];
    expect(codes(facts(), stored({ mobileHolders: holders }), blind)).toEqual([
      ["service.principal.mobile", "MOBILE_SHARED"],
    ]);
  });

  it("a mobile held elsewhere by the same person is not", () => {
    const holders = [
      { mobile: "mob_a", certificate: "cert_a" },
      { mobile: "mob_b", certificate: "cert_b" },
    ];
    expect(codes(facts(), stored({ mobileHolders: holders }), blind)).toEqual([]);
  });

  it("reports each principal whose mobile another holds", () => {
    const holders = [
      { mobile: "mob_a", certificate: "cert_b" },
      { mobile: "mob_b", certificate: "cert_a" },
      { mobile: null, certificate: "cert_z" },
    ];
    expect(codes(facts(), stored({ mobileHolders: holders }), blind)).toEqual([
      ["organizer.principal.mobile", "MOBILE_SHARED"],
      ["service.principal.mobile", "MOBILE_SHARED"],
    ]);
  });

  it("judges no person whose certificate or mobile is not known", () => {
    const holders = [{ mobile: "mob_a", certificate: "cert_z" }];
    const partial = {
      people: [
        { path: "organizer.principal", mobile: "mob_a" },
        { path: "service.principal", certificate: "cert_b" },
      ],
    };
    expect(codes(facts(), stored({ mobileHolders: holders }), partial)).toEqual([]);
  });
});

describe("the Idempotency-Key record", () => {
  const record = {
    requestHash: "hash_1",
    responseStatus: 201,
    responseBody: '{"id":"fil_1"}',
    expiresAt: "2025-06-02T07:00:00.000Z",
  };

  it("hands a live record on", () => {
    expect(judge(facts(), stored({ idempotency: record })).idempotency).toMatchObject({
      requestHash: "hash_1",
      responseStatus: 201,
      responseBody: '{"id":"fil_1"}',
    });
  });

  it("ignores an expired record, and one that expires this very moment", () => {
    const expired = { ...record, expiresAt: "2025-06-01T07:59:59.999Z" };
    expect(judge(facts(), stored({ idempotency: expired }))).not.toHaveProperty("idempotency");
    expect(judge(facts(), stored({ idempotency: { ...record, expiresAt: NOW } }))).not.toHaveProperty("idempotency");
  });
});

describe("the order of problems", () => {
  it("province, organizer, service name, quota, materials, mobiles", () => {
    const f = facts(
      {
        materials: [{ path: "commitment.letter", mediaId: "med_gone" }],
      },
      { province: "110000", nature: "individual", name: "张三" },
    );
    const s = stored({
      knownOrganizer: { ...KNOWN, nature: "enterprise" },
      activeRegistrations: 2,
      serviceNameHolders: [{ appId: "wx_other_01" }],
      mobileHolders: [{ mobile: "mob_a", certificate: "cert_z" }],
    });
    const blind = {
      organizer: "blind_org",
      people: [{ path: "organizer.principal", certificate: "cert_a", mobile: "mob_a" }],
    };
    expect(judge(f, s, blind).problems.map((p) => p.code)).toEqual([
      "ORGANIZER_PROVINCE_CONFLICT",
      "ORGANIZER_MISMATCH",
      "SERVICE_NAME_TAKEN",
      "ORGANIZER_QUOTA_EXCEEDED",
      "MEDIA_NOT_FOUND",
      "MOBILE_SHARED",
    ]);
  });
});
