import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson, newAccount, newApp, person, problemsOf, validFiling } from "../support/api";
import { staff } from "../support/lifecycle";
import { uploadMaterial } from "../support/materials";

/** The dry run exactly as written: no attachments filled in by the test helper. */
const validate = (key: string, body: unknown) => callJson("/v1/filings/validate", { key, body, materials: false });

async function fullyAttached(key: string, appId: string) {
  const body = validFiling(appId);
  const front = await uploadMaterial(key, "organizer.principal.certificate.front", { certificateType: "resident_id" });
  const back = await uploadMaterial(key, "organizer.principal.certificate.back", { certificateType: "resident_id" });
  const principal = {
    ...body.organizer.principal,
    certificate: { ...body.organizer.principal.certificate, front, back },
  };
  return {
    ...body,
    organizer: {
      ...body.organizer,
      certificate: { ...body.organizer.certificate, photo: await uploadMaterial(key, "organizer.certificate.photo") },
      principal,
    },
    service: { ...body.service, principal },
    commitment: { accepted: true, letter: await uploadMaterial(key, "commitment.letter", { kind: "pdf" }) },
  };
}

describe("attachments a filing needs", () => {
  it("reports every missing attachment at its path", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const res = await validate(dev.key, validFiling(appId));
    expect(res.body.valid).toBe(false);
    expect(problemsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: "organizer.certificate.photo", code: "REQUIRED" },
        { path: "organizer.principal.certificate.front", code: "REQUIRED" },
        { path: "organizer.principal.certificate.back", code: "REQUIRED" },
        { path: "service.principal.certificate.front", code: "REQUIRED" },
        { path: "service.principal.certificate.back", code: "REQUIRED" },
        { path: "commitment.letter", code: "REQUIRED" },
      ]),
    );
    const submitted = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId), materials: false });
    expect(submitted.status).toBe(422);
    expect(problemsOf(submitted.body)).toContainEqual({ path: "commitment.letter", code: "REQUIRED" });
  });

  it("reports an empty mediaId of a required attachment once, as REQUIRED", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const body = await fullyAttached(dev.key, appId);
    body.organizer.certificate.photo = "";
    body.commitment.letter = "";
    const dry = await validate(dev.key, body);
    const submitted = await callJson("/v1/filings", { key: dev.key, body, materials: false });
    expect(submitted.status).toBe(422);
    for (const errors of [problemsOf(dry.body), problemsOf(submitted.body)]) {
      expect(errors).toEqual([
        { path: "organizer.certificate.photo", code: "REQUIRED" },
        { path: "commitment.letter", code: "REQUIRED" },
      ]);
    }
  });

  it("accepts a filing with all of them, and one photo of a person serves both principals", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const body = await fullyAttached(dev.key, appId);
    expect((await validate(dev.key, body)).body).toEqual({ valid: true, errors: [] });
    const submitted = await callJson("/v1/filings", { key: dev.key, body, materials: false });
    expect(submitted.status).toBe(201);
    const refs = await env.DB.prepare("select path from filing_materials where filing_id = ? order by path")
      .bind(submitted.body.id)
      .all<{ path: string }>();
    expect(refs.results.map((r) => r.path)).toEqual([
      "commitment.letter",
      "organizer.certificate.photo",
      "organizer.principal.certificate.back",
      "organizer.principal.certificate.front",
      "service.principal.certificate.back",
      "service.principal.certificate.front",
    ]);
  });

  it("needs only the front of a passport, a permit per pre-approval and an authorization letter for a legal representative", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const body = await fullyAttached(dev.key, appId);
    const holder = person({ birthDate: "1985-06-01" });
    const passport = {
      ...holder,
      certificate: { type: "passport", number: "E12345678", validFrom: "2020-01-01", validTo: "2030-01-01" },
    };
    const withExtras = {
      ...body,
      organizer: {
        ...body.organizer,
        legalRepresentative: {
          name: "李四",
          certificate: { ...body.organizer.principal.certificate, front: undefined, back: undefined },
        },
      },
      service: {
        ...body.service,
        principal: passport,
        serviceContentTypes: ["education.online"],
        preApprovals: [{ type: "education", approvalNumber: "粤教审〔2024〕12号" }],
      },
    };
    const res = await validate(dev.key, withExtras);
    expect(problemsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: "service.principal.certificate.front", code: "REQUIRED" },
        { path: "service.preApprovals[0].document", code: "REQUIRED" },
        { path: "organizer.authorizationLetter", code: "REQUIRED" },
      ]),
    );
    expect(problemsOf(res.body)).not.toContainEqual({ path: "service.principal.certificate.back", code: "REQUIRED" });
  });

  it("refuses another account's material, one uploaded for another field, and a photo of another certificate type", async () => {
    const dev = await newAccount("developer");
    const other = await newAccount("developer");
    const appId = await newApp(dev.key);
    const body = await fullyAttached(dev.key, appId);
    const foreign = await uploadMaterial(other.key, "commitment.letter", { kind: "pdf" });
    const licence = await uploadMaterial(dev.key, "organizer.certificate.photo");
    const passportPhoto = await uploadMaterial(dev.key, "organizer.principal.certificate.front", {
      certificateType: "passport",
    });
    const res = await validate(dev.key, {
      ...body,
      organizer: {
        ...body.organizer,
        principal: {
          ...body.organizer.principal,
          certificate: { ...body.organizer.principal.certificate, front: passportPhoto },
        },
      },
      commitment: { accepted: true, letter: foreign },
      service: {
        ...body.service,
        principal: { ...body.service.principal, certificate: { ...body.service.principal.certificate, back: licence } },
      },
    });
    expect(problemsOf(res.body)).toEqual(
      expect.arrayContaining([
        { path: "commitment.letter", code: "MEDIA_NOT_FOUND" },
        { path: "organizer.principal.certificate.front", code: "MEDIA_CERTIFICATE_MISMATCH" },
        { path: "service.principal.certificate.back", code: "MEDIA_FIELD_MISMATCH" },
      ]),
    );
    const missing = await validate(dev.key, { ...body, commitment: { accepted: true, letter: "med_does_not_exist" } });
    expect(problemsOf(missing.body)).toEqual([{ path: "commitment.letter", code: "MEDIA_NOT_FOUND" }]);
  });

  it("lets a provider use the app owner's materials, and the owner and the reviewer read a provider's", async () => {
    const dev = await newAccount("developer");
    const provider = await newAccount("provider");
    const keys = await staff();
    const appId = await newApp(dev.key);
    await callJson(`/v1/apps/${appId}/grants`, { key: dev.key, body: { accountId: provider.id } });
    const ownersBody = await fullyAttached(dev.key, appId);
    expect((await validate(provider.key, ownersBody)).body).toEqual({ valid: true, errors: [] });

    const providersBody = await fullyAttached(provider.key, appId);
    const submitted = await callJson("/v1/filings", { key: provider.key, body: providersBody, materials: false });
    expect(submitted.status).toBe(201);
    const letter = providersBody.commitment.letter;
    expect((await callJson(`/v1/materials/${letter}`, { key: dev.key })).status).toBe(200);
    expect((await callJson(`/v1/materials/${letter}`, { key: keys.reviewer })).status).toBe(200);
    expect((await callJson(`/v1/materials/${letter}`, { key: keys.regulator })).status).toBe(404);
    expect((await callJson(`/v1/materials/${letter}`, { key: (await newAccount("developer")).key })).status).toBe(404);
  });
});
