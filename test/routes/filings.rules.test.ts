/**
 * The rules of docs/rules.md#identifiers and #preflight, each through the real entry (mostly the dry
 * run, which reports exactly what a submission would). Every test makes its own accounts, apps and people.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { nameSkeleton } from "../../src/domain/name-skeleton";
import { beijingToday } from "../../src/domain/time";
import { Budget } from "../../src/jobs/budget";
import { fillNameSkeletons } from "../../src/jobs/name-skeletons";
import {
  callJson,
  countFilings,
  developerWithApp,
  mobile,
  newAccount,
  newApp,
  person,
  problemsOf,
  seedRegistration,
  submitFiling,
  unique,
  validateFiling,
  validFiling,
} from "../support/api";
import { makeResidentId, makeUscc } from "../support/identifiers";

type Filing = ReturnType<typeof validFiling>;
type Person = ReturnType<typeof person>;
type Entry = { path: string; code: string };

/**
 * Dry-runs a valid filing after `edit` on a fresh developer's fresh app; returns the `{path, code}` entries.
 * The organizer's and the service's principal start as two different people, so a change to one shows once.
 */
async function check(edit: (f: Filing) => void): Promise<Entry[]> {
  const { dev, appId } = await developerWithApp();
  const filing = validFiling(appId);
  filing.service.principal = person();
  edit(filing);
  const res = await validateFiling(dev.key, filing);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.valid).toBe(res.body.errors.length === 0);
  return problemsOf(res.body);
}

const residentCertificate = (number: string) => ({
  type: "resident_id",
  number,
  validFrom: "2020-01-01",
  validTo: "long_term",
});

/** Calendar arithmetic on Beijing's today, as YYYY-MM-DD (day overflow rolls into the next month). */
function beijingDate(opts: { years?: number; days?: number } = {}): string {
  const [y, m, d] = beijingToday().split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y + (opts.years ?? 0), m - 1, d + (opts.days ?? 0))).toISOString().slice(0, 10);
}

/** An individual organizer: personal certificate of its principal, no USCC. */
function individualOrganizer(principal: Person, name = `李${unique()}`) {
  return {
    nature: "individual",
    name,
    certificate: { type: principal.certificate.type, number: principal.certificate.number },
    region: { province: "440000", city: "440300", district: "440305" },
    certificateAddress: "深圳市南山区科技园路1号",
    address: "南山区科技园路1号",
    principal,
  };
}

describe("resident ID", () => {
  it("refuses a wrong check character (reference vectors)", async () => {
    for (const number of ["110105194912310021", "440524188001010013"]) {
      const entries = await check((f) => {
        f.organizer.principal = person({ certificate: residentCertificate(number) });
      });
      expect(entries).toEqual([{ path: "organizer.principal.certificate.number", code: "INVALID_CHECK_CHARACTER" }]);
    }
  });

  it("refuses Feb 30 and Feb 29 of a common year even with the right check character", async () => {
    for (const number of ["110105194902300020", "110105194902290029"]) {
      const entries = await check((f) => {
        f.service.principal = person({ certificate: residentCertificate(number) });
      });
      expect(entries).toEqual([{ path: "service.principal.certificate.number", code: "INVALID_BIRTH_DATE" }]);
    }
  });

  it("accepts the valid reference vectors", async () => {
    for (const number of ["11010519491231002X", "440524188001010014", "34052419800101001X"]) {
      const entries = await check((f) => {
        f.organizer.principal = person({ certificate: residentCertificate(number) });
      });
      expect(entries).toEqual([]);
    }
  });

  it("refuses a principal under 18 on the submission date, and accepts one who turns 18 today", async () => {
    const almost = makeResidentId({ birthDate: beijingDate({ years: -18, days: 1 }) });
    expect(
      await check((f) => {
        f.service.principal = person({ certificate: residentCertificate(almost) });
      }),
    ).toEqual([{ path: "service.principal.certificate.number", code: "UNDERAGE" }]);

    const today = beijingToday();
    // Born on 29 February: 18 on 1 March of a common year, so take the 28th then (still 18 today).
    const eighteenth = today.endsWith("-02-29") ? beijingDate({ years: -18, days: -1 }) : beijingDate({ years: -18 });
    const adult = makeResidentId({ birthDate: eighteenth });
    expect(
      await check((f) => {
        f.organizer.principal = person({ certificate: residentCertificate(adult) });
      }),
    ).toEqual([]);
  });

  it("accepts a lowercase x check character, read as X", async () => {
    let id = makeResidentId();
    while (!id.endsWith("X")) id = makeResidentId();
    const entries = await check((f) => {
      f.organizer.principal = person({ certificate: residentCertificate(id.toLowerCase()) });
    });
    expect(entries).toEqual([]);
  });
});

describe("certificate validity and types", () => {
  it("refuses an expired certificate, and one valid through today as expiring within the margin", async () => {
    const yesterday = beijingDate({ days: -1 });
    expect(
      await check((f) => {
        f.organizer.principal.certificate.validFrom = "2010-01-01";
        f.organizer.principal.certificate.validTo = yesterday;
      }),
    ).toEqual([{ path: "organizer.principal.certificate.validTo", code: "CERTIFICATE_EXPIRED" }]);
    expect(
      await check((f) => {
        f.organizer.principal.certificate.validFrom = "2010-01-01";
        f.organizer.principal.certificate.validTo = beijingToday();
      }),
    ).toEqual([{ path: "organizer.principal.certificate.validTo", code: "CERTIFICATE_EXPIRING" }]);
  });

  it("refuses an expired organizer certificate too", async () => {
    const entries = await check((f) => {
      Object.assign(f.organizer.certificate, { validFrom: "2000-01-01", validTo: "2020-12-31" });
    });
    expect(entries).toEqual([{ path: "organizer.certificate.validTo", code: "CERTIFICATE_EXPIRED" }]);
  });

  it("allows long_term only for a resident ID", async () => {
    const entries = await check((f) => {
      f.organizer.principal = person({
        certificate: { type: "passport", number: "E12345678", validFrom: "2020-01-01", validTo: "long_term" },
        birthDate: "1985-06-15",
      });
    });
    expect(entries).toEqual([{ path: "organizer.principal.certificate.validTo", code: "LONG_TERM_NOT_ALLOWED" }]);
  });

  it("requires birthDate for a certificate that does not encode one", async () => {
    const passport = { type: "passport", number: "EA1234567", validFrom: "2020-01-01", validTo: "2030-01-01" };
    expect(
      await check((f) => {
        f.service.principal = person({ certificate: passport });
      }),
    ).toEqual([{ path: "service.principal.birthDate", code: "REQUIRED" }]);
    expect(
      await check((f) => {
        f.service.principal = person({ certificate: passport, birthDate: "1985-06-15" });
      }),
    ).toEqual([]);
    // …and judges the age on it.
    expect(
      await check((f) => {
        f.service.principal = person({ certificate: passport, birthDate: beijingDate({ years: -17 }) });
      }),
    ).toEqual([{ path: "service.principal.birthDate", code: "UNDERAGE" }]);
  });

  it("refuses a USCC whose prefix does not fit the nature (11… is a government body)", async () => {
    const uscc = makeUscc("11");
    expect(
      await check((f) => {
        f.organizer.certificate.number = uscc;
      }),
    ).toEqual([{ path: "organizer.certificate.number", code: "USCC_NATURE_MISMATCH" }]);
    expect(
      await check((f) => {
        f.organizer.nature = "government";
        f.organizer.certificate.number = makeUscc("11");
      }),
    ).toEqual([]);
  });

  it("refuses a USCC for an individual, and accepts the principal's resident ID", async () => {
    expect(
      await check((f) => {
        f.organizer.nature = "individual";
      }),
    ).toEqual([{ path: "organizer.certificate.type", code: "CERTIFICATE_TYPE_NOT_ALLOWED" }]);
    expect(
      await check((f) => {
        f.organizer = individualOrganizer(f.organizer.principal);
      }),
    ).toEqual([]);
  });

  it("refuses a personal certificate for an enterprise", async () => {
    const entries = await check((f) => {
      f.organizer.certificate = { type: "resident_id", number: makeResidentId() };
    });
    expect(entries).toEqual([{ path: "organizer.certificate.type", code: "CERTIFICATE_TYPE_NOT_ALLOWED" }]);
  });
});

describe("contact details", () => {
  it("refuses a mobile that is not a mainland mobile", async () => {
    for (const bad of ["12812345678", "1381234567", "+85291234567", "138-1234-5678"]) {
      const entries = await check((f) => {
        f.organizer.principal.mobile = bad;
      });
      expect(entries, bad).toEqual([{ path: "organizer.principal.mobile", code: "INVALID_FORMAT" }]);
    }
  });

  it("refuses an emergency contact equal to the mobile, also when written with +86", async () => {
    const m = mobile();
    for (const emergency of [m, `+86${m}`]) {
      const entries = await check((f) => {
        f.service.principal.mobile = m;
        f.service.principal.emergencyContact = emergency;
      });
      expect(entries, emergency).toEqual([
        { path: "service.principal.emergencyContact", code: "EMERGENCY_CONTACT_SAME_AS_MOBILE" },
      ]);
    }
  });

  it("refuses an email that is not a normal address", async () => {
    for (const bad of [
      "zhang",
      "zhang@",
      "@example.com",
      "zhang@example",
      "zhang@@example.com",
      "zhang@exa mple.com",
    ]) {
      const entries = await check((f) => {
        f.organizer.principal.email = bad;
      });
      expect(entries, bad).toEqual([{ path: "organizer.principal.email", code: "INVALID_FORMAT" }]);
    }
  });
});

describe("USCC region (characters 3–8)", () => {
  it("refuses letters there, and a region no authority has, at the number", async () => {
    for (const number of ["91MA0300MA5G35XK4L", "91449900MA5G35XK48"]) {
      const entries = await check((f) => {
        f.organizer.certificate.number = number;
      });
      expect(entries).toEqual([{ path: "organizer.certificate.number", code: "INVALID_REGION_CODE" }]);
    }
  });
});

describe("regions", () => {
  const withRegion = (region: Record<string, string>) =>
    check((f) => {
      (f.organizer as { region: unknown }).region = region;
    });

  it("requires a district for a city that has them", async () => {
    expect(await withRegion({ province: "440000", city: "440300" })).toEqual([
      { path: "organizer.region.district", code: "DISTRICT_REQUIRED" },
    ]);
  });

  it("refuses a district for a city without counties (东莞 441900), and accepts none", async () => {
    expect(await withRegion({ province: "440000", city: "441900", district: "441901" })).toEqual([
      { path: "organizer.region.district", code: "DISTRICT_NOT_ALLOWED" },
    ]);
    expect(await withRegion({ province: "440000", city: "441900" })).toEqual([]);
    expect(await withRegion({ province: "460000", city: "460400" })).toEqual([]);
  });

  it("refuses a city outside its province and a district outside its city", async () => {
    expect(await withRegion({ province: "440000", city: "110100", district: "110105" })).toEqual([
      { path: "organizer.region.city", code: "REGION_MISMATCH" },
    ]);
    expect(await withRegion({ province: "440000", city: "440300", district: "440106" })).toEqual([
      { path: "organizer.region.district", code: "REGION_MISMATCH" },
    ]);
  });

  it("accepts a municipality's …0100 city and a province-administered county as the city", async () => {
    expect(await withRegion({ province: "110000", city: "110100", district: "110105" })).toEqual([]);
    expect(await withRegion({ province: "420000", city: "429004" })).toEqual([]);
  });

  it("refuses unknown codes", async () => {
    expect(await withRegion({ province: "990000", city: "440300", district: "440305" })).toEqual([
      { path: "organizer.region.province", code: "UNKNOWN_REGION" },
    ]);
    expect(await withRegion({ province: "440000", city: "44030", district: "440305" })).toContainEqual({
      path: "organizer.region.city",
      code: "INVALID_FORMAT",
    });
  });
});

describe("service description", () => {
  it("counts characters, not bytes: 19 too short, 20 and 200 fine, 201 too long", async () => {
    const withDescription = (n: number, char = "备") =>
      check((f) => {
        f.service.description = char.repeat(n);
      });
    expect(await withDescription(19)).toEqual([{ path: "service.description", code: "TOO_SHORT" }]);
    expect(await withDescription(20)).toEqual([]);
    expect(await withDescription(200)).toEqual([]);
    expect(await withDescription(201)).toEqual([{ path: "service.description", code: "TOO_LONG" }]);
    // Characters outside the BMP are one character each, though two UTF-16 units.
    expect(await withDescription(20, "𠮷")).toEqual([]);
    expect(await withDescription(200, "𠮷")).toEqual([]);
    expect(await withDescription(19, "𠮷")).toEqual([{ path: "service.description", code: "TOO_SHORT" }]);
    expect(await withDescription(201, "𠮷")).toEqual([{ path: "service.description", code: "TOO_LONG" }]);
  });
});

describe("service content types and pre-approvals", () => {
  it("needs 1 to 5 content types", async () => {
    expect(
      await check((f) => {
        f.service.serviceContentTypes = [];
      }),
    ).toEqual([{ path: "service.serviceContentTypes", code: "TOO_FEW" }]);
    const six = [
      "life.bill_payment",
      "life.housekeeping",
      "life.food_delivery",
      "life.catering",
      "life.real_estate",
      "life.repair",
    ];
    expect(
      await check((f) => {
        f.service.serviceContentTypes = six;
      }),
    ).toEqual([{ path: "service.serviceContentTypes", code: "TOO_MANY" }]);
    expect(
      await check((f) => {
        f.service.serviceContentTypes = six.slice(0, 5);
      }),
    ).toEqual([]);
  });

  it("accepts only second-level codes it knows", async () => {
    expect(
      await check((f) => {
        f.service.serviceContentTypes = ["life.bill_payment", "life"];
      }),
    ).toEqual([{ path: "service.serviceContentTypes[1]", code: "NOT_SECOND_LEVEL" }]);
    expect(
      await check((f) => {
        f.service.serviceContentTypes = ["life.teleportation"];
      }),
    ).toEqual([{ path: "service.serviceContentTypes[0]", code: "UNKNOWN_SERVICE_CONTENT_TYPE" }]);
    expect(
      await check((f) => {
        f.service.serviceContentTypes = ["life.bill_payment", "life.bill_payment"];
      }),
    ).toEqual([{ path: "service.serviceContentTypes[1]", code: "DUPLICATE" }]);
  });

  it("needs the pre-approval a content type requires", async () => {
    expect(
      await check((f) => {
        f.service.serviceContentTypes = ["education.online"];
      }),
    ).toEqual([{ path: "service.preApprovals", code: "PRE_APPROVAL_REQUIRED" }]);
    expect(
      await check((f) => {
        f.service.serviceContentTypes = ["education.online"];
        f.service.preApprovals = [{ type: "education", approvalNumber: "粤教审〔2024〕12号" }] as never;
      }),
    ).toEqual([]);
  });

  it("names the missing pre-approval in the message", async () => {
    const { dev, appId } = await developerWithApp();
    const filing = validFiling(appId);
    filing.service.serviceContentTypes = ["medical.drug_sales"];
    const res = await validateFiling(dev.key, filing);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: "service.preApprovals",
        code: "PRE_APPROVAL_REQUIRED",
        message: expect.stringContaining("drugs_medical_devices"),
      }),
    ]);
  });

  it("refuses two pre-approvals of one type and an unknown type", async () => {
    expect(
      await check((f) => {
        f.service.preApprovals = [
          { type: "education", approvalNumber: "粤教审〔2024〕12号" },
          { type: "education", approvalNumber: "粤教审〔2024〕13号" },
        ] as never;
      }),
    ).toEqual([{ path: "service.preApprovals[1].type", code: "DUPLICATE" }]);
    expect(
      await check((f) => {
        f.service.preApprovals = [{ type: "gambling", approvalNumber: "1" }] as never;
      }),
    ).toEqual([{ path: "service.preApprovals[0].type", code: "INVALID_VALUE" }]);
  });
});

describe("normalization", () => {
  it("accepts a lowercase x, a lowercase USCC and a +86 mobile, and stores them normalized", async () => {
    const { dev, appId } = await developerWithApp();
    let id = makeResidentId();
    while (!id.endsWith("X")) id = makeResidentId();
    let uscc = makeUscc("91");
    while (!/[A-Z]/.test(uscc.slice(-4))) uscc = makeUscc("91");
    const m = mobile();
    const filing = validFiling(appId);
    filing.organizer.certificate.number = uscc.toLowerCase();
    filing.organizer.principal = person({ certificate: residentCertificate(id.toLowerCase()), mobile: `+86${m}` });
    filing.service.principal = filing.organizer.principal;

    expect((await validateFiling(dev.key, filing)).body).toEqual({ valid: true, errors: [] });
    const res = await submitFiling(dev.key, filing);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const request = res.body.request;
    expect(request.organizer.certificate.number).toBe(`${uscc.slice(0, 4)}**********${uscc.slice(-4)}`);
    expect(request.organizer.principal.certificate.number).toBe(`${id.slice(0, 4)}**********${id.slice(-4)}`);
    expect(request.organizer.principal.certificate.number).toMatch(/X$/);
    expect(request.organizer.principal.mobile).toBe(`${m.slice(0, 3)}****${m.slice(-4)}`);
    expect(request.service.principal.mobile).toBe(`${m.slice(0, 3)}****${m.slice(-4)}`);
  });

  it("reads full-width certificate numbers and mobiles as ASCII, and stores them so", async () => {
    const { dev, appId } = await developerWithApp();
    const wide = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const id = makeResidentId();
    const uscc = makeUscc("91");
    const m = mobile();
    const filing = validFiling(appId);
    filing.organizer.certificate.number = wide(uscc.toLowerCase());
    filing.organizer.principal = person({ certificate: residentCertificate(wide(id)), mobile: wide(`+86${m}`) });
    filing.service.principal = filing.organizer.principal;
    expect((await validateFiling(dev.key, filing)).body).toEqual({ valid: true, errors: [] });
    const res = await submitFiling(dev.key, filing);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const request = res.body.request;
    expect(request.organizer.certificate.number).toBe(`${uscc.slice(0, 4)}**********${uscc.slice(-4)}`);
    expect(request.organizer.principal.certificate.number).toBe(`${id.slice(0, 4)}**********${id.slice(-4)}`);
    expect(request.organizer.principal.mobile).toBe(`${m.slice(0, 3)}****${m.slice(-4)}`);
  });

  it("trims the appId: padded with spaces, it still names the app and is stored trimmed", async () => {
    const { dev, appId } = await developerWithApp();
    const filing = { ...validFiling(appId), appId: `  ${appId} ` };
    expect((await validateFiling(dev.key, filing)).body).toEqual({ valid: true, errors: [] });
    const res = await submitFiling(dev.key, filing);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.appId).toBe(appId);
    expect(res.body.request.appId).toBe(appId);
    expect(await countFilings(appId)).toBe(1);
  });

  it("treats +86 and bare forms of one mobile as the same mobile", async () => {
    const m = mobile();
    const entries = await check((f) => {
      f.organizer.principal.mobile = `+86${m}`;
      f.service.principal.mobile = m;
    });
    expect(entries).toEqual([{ path: "service.principal.mobile", code: "MOBILE_SHARED" }]);
  });
});

describe("pre-flight rules on stored data", () => {
  const beijing = { province: "110000", city: "110100", district: "110105" };

  it("ORGANIZER_PROVINCE_CONFLICT: the organizer's filing in flight in another province", async () => {
    const dev = await newAccount("developer");
    const first = validFiling(await newApp(dev.key));
    expect((await submitFiling(dev.key, first)).status).toBe(201);

    const elsewhere = validFiling(await newApp(dev.key));
    elsewhere.organizer = { ...first.organizer, region: beijing };
    const res = await validateFiling(dev.key, elsewhere);
    expect(problemsOf(res.body)).toEqual([{ path: "organizer.region.province", code: "ORGANIZER_PROVINCE_CONFLICT" }]);
    expect(res.body.errors[0].message).toContain("440000");
    const submitted = await submitFiling(dev.key, elsewhere);
    expect(submitted.status).toBe(422);
    expect(problemsOf(submitted.body)).toEqual([
      { path: "organizer.region.province", code: "ORGANIZER_PROVINCE_CONFLICT" },
    ]);

    // The same organizer in its own province may file another mini program.
    const same = validFiling(await newApp(dev.key));
    same.organizer = { ...first.organizer };
    expect((await validateFiling(dev.key, same)).body).toEqual({ valid: true, errors: [] });
  });

  it("ORGANIZER_PROVINCE_CONFLICT: the organizer registered in another province", async () => {
    const dev = await newAccount("developer");
    const registered = validFiling(await newApp(dev.key));
    await seedRegistration(registered);
    const elsewhere = validFiling(await newApp(dev.key));
    elsewhere.organizer = { ...registered.organizer, region: beijing };
    expect(problemsOf((await validateFiling(dev.key, elsewhere)).body)).toEqual([
      { path: "organizer.region.province", code: "ORGANIZER_PROVINCE_CONFLICT" },
    ]);
  });

  it("SERVICE_NAME_TAKEN: the same name after NFKC, case and space folding, held by another organizer's open filing", async () => {
    const dev = await newAccount("developer");
    const n = unique();
    const first = validFiling(await newApp(dev.key));
    first.service.name = `Beian Helper ${n}`;
    expect((await submitFiling(dev.key, first)).status).toBe(201);

    const fullWidth = `　ＢＥＩＡＮ　ｈｅｌｐｅｒ ${String(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))} `;
    for (const name of [`beian helper ${n}`, `BEIAN  HELPER ${n}`, fullWidth]) {
      const other = validFiling(await newApp(dev.key));
      other.service.name = name;
      const res = await validateFiling(dev.key, other);
      expect(problemsOf(res.body), name).toEqual([{ path: "service.name", code: "SERVICE_NAME_TAKEN" }]);
    }
    // A different name is free; so is the same name for the organizer that holds it.
    const differs = validFiling(await newApp(dev.key));
    differs.service.name = `Beian Helper ${n}0`;
    expect((await validateFiling(dev.key, differs)).body.errors).toEqual([]);
    const sameOrganizer = validFiling(await newApp(dev.key));
    sameOrganizer.organizer = { ...first.organizer };
    sameOrganizer.service.name = `beian helper ${n}`;
    expect((await validateFiling(dev.key, sameOrganizer)).body.errors).toEqual([]);
  });

  it("SERVICE_NAME_TAKEN: a name of another organizer's active registration; free again once the filing is withdrawn", async () => {
    const dev = await newAccount("developer");
    const registered = validFiling(await newApp(dev.key));
    await seedRegistration(registered);
    const other = validFiling(await newApp(dev.key));
    other.service.name = registered.service.name;
    expect(problemsOf((await validateFiling(dev.key, other)).body)).toEqual([
      { path: "service.name", code: "SERVICE_NAME_TAKEN" },
    ]);

    const open = validFiling(await newApp(dev.key));
    const filed = await submitFiling(dev.key, open);
    expect(filed.status).toBe(201);
    const rival = validFiling(await newApp(dev.key));
    rival.service.name = open.service.name;
    expect(problemsOf((await validateFiling(dev.key, rival)).body)).toEqual([
      { path: "service.name", code: "SERVICE_NAME_TAKEN" },
    ]);
    expect((await callJson(`/v1/filings/${filed.body.id}/withdraw`, { key: dev.key, method: "POST" })).status).toBe(
      200,
    );
    expect((await validateFiling(dev.key, rival)).body).toEqual({ valid: true, errors: [] });
  });

  it("SERVICE_NAME_TAKEN: look-alike names collide by their skeleton (UTS #39 confusables, ignorables)", async () => {
    const dev = await newAccount("developer");
    const n = unique();
    const registered = validFiling(await newApp(dev.key));
    registered.service.name = `Paypal出行${n}`;
    await seedRegistration(registered);
    // Cyrillic Р, а, у; a digit 1 for l; full-width letters: each reads as the registered name.
    const lookAlikes = [`\u0420\u0430\u0443pal出行${n}`, `Paypa1出行${n}`, `ＰＡＹＰＡＬ出行${n}`];
    for (const name of lookAlikes) {
      const other = validFiling(await newApp(dev.key));
      other.service.name = name;
      expect(problemsOf((await validateFiling(dev.key, other)).body), name).toEqual([
        { path: "service.name", code: "SERVICE_NAME_TAKEN" },
      ]);
    }
    // With an invisible character inside, the text rule refuses the name outright.
    const hidden = validFiling(await newApp(dev.key));
    hidden.service.name = `Paypal\u200b出行${n}`;
    expect(problemsOf((await validateFiling(dev.key, hidden)).body)).toEqual([
      { path: "service.name", code: "INVALID_CHARACTERS" },
    ]);
    const differs = validFiling(await newApp(dev.key));
    differs.service.name = `Paypal出游${n}`;
    expect((await validateFiling(dev.key, differs)).body).toEqual({ valid: true, errors: [] });
  });

  it("SERVICE_NAME_TAKEN: a registration stored before skeletons collides by its key, and by its skeleton once the cron filled it", async () => {
    const dev = await newAccount("developer");
    const n = unique();
    const registered = validFiling(await newApp(dev.key));
    registered.service.name = `Mall出行${n}`;
    const { number } = await seedRegistration(registered, { withoutSkeleton: true });
    const same = validFiling(await newApp(dev.key));
    same.service.name = `mall出行${n}`;
    const lookAlike = validFiling(await newApp(dev.key));
    lookAlike.service.name = `rnall出行${n}`;
    expect(problemsOf((await validateFiling(dev.key, same)).body)).toEqual([
      { path: "service.name", code: "SERVICE_NAME_TAKEN" },
    ]);
    expect((await validateFiling(dev.key, lookAlike)).body.valid).toBe(true);

    expect(await fillNameSkeletons(createDb(env.DB), new Budget())).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare("select service_name_skeleton as s from registrations where number = ?")
      .bind(number)
      .first<{ s: string }>();
    expect(row?.s).toBe(nameSkeleton(`Mall出行${n}`));
    for (const f of [same, lookAlike]) {
      expect(problemsOf((await validateFiling(dev.key, f)).body), f.service.name).toEqual([
        { path: "service.name", code: "SERVICE_NAME_TAKEN" },
      ]);
    }
  });

  it("ORGANIZER_QUOTA_EXCEEDED: an individual with 5 active registrations files a 6th", async () => {
    const dev = await newAccount("developer");
    const principal = person();
    const organizer = individualOrganizer(principal);
    const filingFor = async () => {
      const f = validFiling(await newApp(dev.key));
      f.organizer = organizer as Filing["organizer"];
      f.service.principal = principal;
      return f;
    };
    for (let i = 0; i < 4; i++) await seedRegistration(await filingFor());
    // Four registered: a fifth is within the quota.
    const fifth = await filingFor();
    expect((await validateFiling(dev.key, fifth)).body).toEqual({ valid: true, errors: [] });
    await seedRegistration(fifth);

    const sixth = await filingFor();
    const res = await validateFiling(dev.key, sixth);
    expect(problemsOf(res.body)).toEqual([{ path: "organizer", code: "ORGANIZER_QUOTA_EXCEEDED" }]);
    expect(res.body.errors[0].message).toContain("5");
    const submitted = await submitFiling(dev.key, sixth);
    expect(submitted.status).toBe(422);
    expect(problemsOf(submitted.body)).toEqual([{ path: "organizer", code: "ORGANIZER_QUOTA_EXCEEDED" }]);
  });

  it("ORGANIZER_QUOTA_EXCEEDED counts in-flight new filings too", async () => {
    const dev = await newAccount("developer");
    const principal = person();
    const organizer = individualOrganizer(principal);
    const filingFor = async () => {
      const f = validFiling(await newApp(dev.key));
      f.organizer = organizer as Filing["organizer"];
      f.service.principal = principal;
      return f;
    };
    for (let i = 0; i < 4; i++) await seedRegistration(await filingFor());
    const fifth = await submitFiling(dev.key, await filingFor());
    expect(fifth.status, JSON.stringify(fifth.body)).toBe(201);
    expect(problemsOf((await validateFiling(dev.key, await filingFor())).body)).toEqual([
      { path: "organizer", code: "ORGANIZER_QUOTA_EXCEEDED" },
    ]);
  });

  it("MOBILE_SHARED: a mobile already given by a different principal in another open filing", async () => {
    const dev = await newAccount("developer");
    const first = validFiling(await newApp(dev.key));
    expect((await submitFiling(dev.key, first)).status).toBe(201);
    const taken = first.organizer.principal.mobile;

    const other = validFiling(await newApp(dev.key));
    other.organizer.principal.mobile = taken; // one person, named as both principals
    expect(problemsOf((await validateFiling(dev.key, other)).body)).toEqual([
      { path: "organizer.principal.mobile", code: "MOBILE_SHARED" },
      { path: "service.principal.mobile", code: "MOBILE_SHARED" },
    ]);
    // The same person using their own mobile again is fine.
    const samePerson = validFiling(await newApp(dev.key));
    samePerson.service.principal = first.organizer.principal;
    expect((await validateFiling(dev.key, samePerson)).body.errors).toEqual([]);
  });

  it("MOBILE_SHARED: two different principals in one filing", async () => {
    const m = mobile();
    const entries = await check((f) => {
      f.organizer.principal.mobile = m;
      f.service.principal.mobile = m;
    });
    expect(entries).toEqual([{ path: "service.principal.mobile", code: "MOBILE_SHARED" }]);
  });

  it("ORGANIZER_MISMATCH: a new filing for a known organizer with a different name", async () => {
    const dev = await newAccount("developer");
    const registered = validFiling(await newApp(dev.key));
    await seedRegistration(registered);
    const renamed = validFiling(await newApp(dev.key));
    renamed.organizer = { ...registered.organizer, name: `${registered.organizer.name}（新）` };
    const res = await validateFiling(dev.key, renamed);
    expect(problemsOf(res.body)).toEqual([{ path: "organizer", code: "ORGANIZER_MISMATCH" }]);
    expect(res.body.errors[0].message).toContain("name");
    const same = validFiling(await newApp(dev.key));
    same.organizer = { ...registered.organizer };
    expect((await validateFiling(dev.key, same)).body).toEqual({ valid: true, errors: [] });
  });

  it("PROVINCE_CHANGE: a change moving the organizer to another province", async () => {
    const { dev, appId } = await developerWithApp();
    const registered = validFiling(appId);
    await seedRegistration(registered);
    const change = { ...registered, type: "change", organizer: { ...registered.organizer, region: beijing } };
    expect(problemsOf((await validateFiling(dev.key, change)).body)).toEqual([
      { path: "organizer.region.province", code: "PROVINCE_CHANGE" },
    ]);
    const res = await submitFiling(dev.key, change);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(problemsOf(res.body)).toEqual([{ path: "organizer.region.province", code: "PROVINCE_CHANGE" }]);
    // Moving within the province is an ordinary change.
    const move = {
      ...registered,
      type: "change",
      organizer: { ...registered.organizer, region: { province: "440000", city: "441900" } },
    };
    expect((await validateFiling(dev.key, move)).body).toEqual({ valid: true, errors: [] });
  });
});

describe("cancelling a whole organizer", () => {
  /** Apps `owned` by `dev` (and `foreign` by someone else), all registered to one organizer. */
  async function organizerWithApps(dev: { key: string }, owned: number, foreign = 0) {
    const other = await newAccount("developer");
    const first = validFiling(await newApp(dev.key));
    await seedRegistration(first);
    const apps = [first.appId];
    for (let i = 1; i < owned + foreign; i++) {
      const f = validFiling(await newApp(i < owned ? dev.key : other.key));
      f.organizer = { ...first.organizer };
      await seedRegistration(f);
      apps.push(f.appId);
    }
    return { first, apps, other };
  }

  it("needs every app of the organizer to be the caller's, on submit and in the dry run", async () => {
    const dev = await newAccount("developer");
    const { first } = await organizerWithApps(dev, 2, 1);
    const cancel = { type: "cancel", appId: first.appId, scope: "organizer", reason: "subject_changed" };
    const res = await submitFiling(dev.key, cancel);
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual([{ path: "scope", code: "ORGANIZER_APPS_NOT_HELD" }]);
    const dry = await validateFiling(dev.key, cancel);
    expect(dry.body.valid).toBe(false);
    expect(problemsOf(dry.body)).toEqual([{ path: "scope", code: "ORGANIZER_APPS_NOT_HELD" }]);
    // Only this app's registration is the caller's to end.
    expect((await validateFiling(dev.key, { ...cancel, scope: "service" })).body).toEqual({ valid: true, errors: [] });
  });

  it("is refused while another app of the organizer has a filing in flight, on submit and in the dry run", async () => {
    const dev = await newAccount("developer");
    const { first, apps } = await organizerWithApps(dev, 2);
    const second = apps[1] as string;
    const change = { ...validFiling(second), type: "change", organizer: { ...first.organizer } };
    expect((await submitFiling(dev.key, change)).status).toBe(201);
    const cancel = { type: "cancel", appId: first.appId, scope: "organizer", reason: "no_longer_operated" };
    const res = await submitFiling(dev.key, cancel);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("FILING_IN_PROGRESS");
    const dry = await validateFiling(dev.key, cancel);
    expect(dry.body.valid).toBe(false);
    expect(problemsOf(dry.body)).toEqual([{ path: "appId", code: "FILING_IN_PROGRESS" }]);
  });
});

describe("an organizer cancellation in flight", () => {
  it("holds every app of the organizer: a change or a cancel on another of its apps is FILING_IN_PROGRESS", async () => {
    const dev = await newAccount("developer");
    const first = validFiling(await newApp(dev.key));
    await seedRegistration(first);
    const second = validFiling(await newApp(dev.key));
    second.organizer = { ...first.organizer };
    await seedRegistration(second);
    const organizerCancel = await submitFiling(dev.key, {
      type: "cancel",
      appId: first.appId,
      scope: "organizer",
      reason: "subject_changed",
    });
    expect(organizerCancel.status).toBe(201);

    const change = await submitFiling(dev.key, { ...second, type: "change" });
    expect(change.status).toBe(409);
    expect(change.body.code).toBe("FILING_IN_PROGRESS");
    const cancel = { type: "cancel", appId: second.appId, scope: "service", reason: "no_longer_operated" };
    const cancelled = await submitFiling(dev.key, cancel);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.code).toBe("FILING_IN_PROGRESS");
    expect(problemsOf((await validateFiling(dev.key, cancel)).body)).toEqual([
      { path: "appId", code: "FILING_IN_PROGRESS" },
    ]);
  });

  it("does not hold another organizer's apps", async () => {
    const dev = await newAccount("developer");
    const first = validFiling(await newApp(dev.key));
    await seedRegistration(first);
    const unrelated = validFiling(await newApp(dev.key));
    await seedRegistration(unrelated);
    expect(
      (
        await submitFiling(dev.key, {
          type: "cancel",
          appId: first.appId,
          scope: "organizer",
          reason: "subject_changed",
        })
      ).status,
    ).toBe(201);
    const cancel = { type: "cancel", appId: unrelated.appId, scope: "service", reason: "no_longer_operated" };
    expect((await validateFiling(dev.key, cancel)).body).toEqual({ valid: true, errors: [] });
  });
});

describe("free text", () => {
  it("refuses control characters and unpaired surrogates in names and descriptions", async () => {
    const { dev, appId } = await developerWithApp();
    const body = validFiling(appId);
    body.organizer.name = "示例\u0000科技";
    body.service.description = `${body.service.description}\ud800`;
    const res = await validateFiling(dev.key, body);
    expect(res.body.valid).toBe(false);
    expect(problemsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: "organizer.name", code: "INVALID_CHARACTERS" },
        { path: "service.description", code: "INVALID_CHARACTERS" },
      ]),
    );
  });
});
