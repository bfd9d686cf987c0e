import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { configOf } from "../../src/config";
import { newId } from "../../src/lib/ids";
import {
  callJson,
  countFilings,
  developerWithApp,
  newAccount,
  newApp,
  person,
  problemsOf,
  validFiling,
  withMaterials,
} from "../support/api";
import { makeResidentId } from "../support/identifiers";
import { approve, staff } from "../support/lifecycle";
import { postMaterial, uploadMaterial } from "../support/materials";
import { passedVerification } from "../support/verifications";

/**
 * A patch's part naming a new passed face verification of the service principal: a change names its own, the one
 * its registration was approved with having been spent (docs/rules.md#verifications).
 */
async function verified(dev: { id: string }, appId: string, body: ReturnType<typeof validFiling>) {
  return { principal: { verificationId: await passedVerification(dev.id, appId, body.service.principal) } };
}

/** A request without its face verifications: what a change keeps of the registration's data. */
function withoutVerifications(request: Record<string, any>) {
  const copy = structuredClone(request);
  delete copy.organizer?.principal?.verificationId;
  delete copy.service?.principal?.verificationId;
  return copy;
}

/** A developer's app with an approved registration, and the body it was approved with. */
async function registered() {
  const keys = await staff();
  const dev = await newAccount("developer");
  const appId = await newApp(dev.key);
  const body = validFiling(appId);
  const submitted = await callJson("/v1/filings", { key: dev.key, body });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const approved = await approve(submitted.body.id, keys);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return { keys, dev, appId, body, filingId: submitted.body.id as string, number: approved.body.registrationNumber };
}

describe("GET /v1/apps/{appId}/registration", () => {
  it("reads back the approved request, personal data masked, attachments as media ids", async () => {
    const { dev, appId, body, filingId, number } = await registered();
    const res = await callJson(`/v1/apps/${appId}/registration`, { key: dev.key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ number, status: "active", source: "beian" });
    const filing = await callJson(`/v1/filings/${filingId}`, { key: dev.key });
    expect(res.body.request).toEqual(filing.body.request);
    const text = JSON.stringify(res.body);
    for (const secret of [body.organizer.principal.mobile, body.organizer.principal.certificate.number]) {
      expect(text).not.toContain(secret);
    }
    expect(res.body.request.organizer.principal.certificate.front).toMatch(/^med_/);
    expect(res.body.request.service.description).toBe(body.service.description);
  });

  it("is 404 for an app with no registration and for another developer's app", async () => {
    const { appId } = await registered();
    const other = await newAccount("developer");
    expect((await callJson(`/v1/apps/${appId}/registration`, { key: other.key })).status).toBe(404);
    const fresh = await newApp(other.key);
    const none = await callJson(`/v1/apps/${fresh}/registration`, { key: other.key });
    expect(none.status).toBe(404);
  });
});

/** The request as the regulator reads it, unmasked (an approved filing is in the regulator's view). */
async function unmasked(filingId: string, regulator: string) {
  const res = await callJson(`/v1/regulator/filings/${filingId}`, { key: regulator });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.request;
}

describe("a change sent as a patch", () => {
  it("changes only the description, keeps every other field, and needs no personal data", async () => {
    const { keys, dev, appId, body, filingId } = await registered();
    const description = "为用户提供水电燃气缴费、账单查询、缴费提醒与电子发票下载等生活服务。";
    const change = {
      type: "change",
      appId,
      patch: { service: { description, ...(await verified(dev, appId, body)) } },
    };
    const dry = await callJson("/v1/filings/validate", { key: dev.key, body: change });
    expect(dry.body, JSON.stringify(dry.body)).toEqual({ valid: true, errors: [] });
    const sent = JSON.stringify(change);
    for (const p of [body.organizer.principal, body.service.principal]) {
      for (const secret of [p.mobile, p.emergencyContact, p.email, p.certificate.number]) {
        expect(sent).not.toContain(secret);
      }
    }
    const submitted = await callJson("/v1/filings", { key: dev.key, body: change });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body).toMatchObject({ type: "change", status: "platform_review" });
    expect(submitted.body.request.service.description).toBe(description);
    expect(submitted.body.request.organizer.principal.mobile).toMatch(/^\d{3}\*+\d{4}$/);
    const approved = await approve(submitted.body.id, keys);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const before = await unmasked(filingId, keys.regulator);
    const after = await unmasked(submitted.body.id, keys.regulator);
    expect(withoutVerifications(after)).toEqual(
      withoutVerifications({ ...before, type: "change", service: { ...before.service, description } }),
    );
    expect(after.organizer.principal.mobile).toBe(body.organizer.principal.mobile);
  });

  it("reports a patch that removes a required field at the field's request path", async () => {
    const { dev, appId, body } = await registered();
    const service = { languages: null, ...(await verified(dev, appId, body)) };
    const change = { type: "change", appId, patch: { organizer: { address: null }, service } };
    const dry = await callJson("/v1/filings/validate", { key: dev.key, body: change });
    expect(dry.body.valid).toBe(false);
    expect(problemsOf(dry.body)).toEqual([
      { path: "organizer.address", code: "REQUIRED" },
      { path: "service.languages", code: "REQUIRED" },
    ]);
    const submitted = await callJson("/v1/filings", { key: dev.key, body: change });
    expect(submitted.status).toBe(422);
    expect(problemsOf(submitted.body)).toEqual(problemsOf(dry.body));
  });

  it("refuses a masked value sent back as MASKED_VALUE, in a patch and in a full change", async () => {
    const { dev, appId, body } = await registered();
    const read = await callJson(`/v1/apps/${appId}/registration`, { key: dev.key });
    const masked = read.body.request;
    const { principal } = await verified(dev, appId, body);
    const patch = {
      organizer: { principal: { mobile: masked.organizer.principal.mobile } },
      service: { principal: { email: masked.service.principal.email, ...principal } },
    };
    const dry = await callJson("/v1/filings/validate", { key: dev.key, body: { type: "change", appId, patch } });
    expect(problemsOf(dry.body)).toEqual([
      { path: "organizer.principal.mobile", code: "MASKED_VALUE" },
      { path: "service.principal.email", code: "MASKED_VALUE" },
    ]);
    // The read-back sent whole as a change: every masked field is named.
    const full = await callJson("/v1/filings", { key: dev.key, body: { ...masked, type: "change" } });
    expect(full.status).toBe(422);
    const codes = problemsOf(full.body).filter((p) => p.code === "MASKED_VALUE");
    expect(codes.map((p) => p.path)).toContain("organizer.certificate.number");
    expect(codes.map((p) => p.path)).toContain("service.principal.certificate.number");
    // Besides the masked values, only the face verifications: the read-back's were spent by the approved filing.
    const others = problemsOf(full.body).filter((p) => p.code !== "MASKED_VALUE");
    expect(
      others.every((p) => p.path.endsWith(".verificationId")),
      JSON.stringify(others),
    ).toBe(true);
  });

  it("is 404 for an app the caller may not file for, and REGISTRATION_REQUIRED without a registration", async () => {
    const { appId } = await registered();
    const other = await newAccount("developer");
    const patch = { service: { description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。" } };
    const stranger = await callJson("/v1/filings", { key: other.key, body: { type: "change", appId, patch } });
    expect(stranger.status).toBe(404);
    const fresh = await newApp(other.key);
    const none = await callJson("/v1/filings", { key: other.key, body: { type: "change", appId: fresh, patch } });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe("REGISTRATION_REQUIRED");
  });
});

describe("correcting and resubmitting an ended filing", () => {
  it("resubmits a filing the reviewer rejected with a one-field patch, and it reaches approval", async () => {
    const keys = await staff();
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const body = validFiling(appId);
    const first = await callJson("/v1/filings", { key: dev.key, body });
    expect(first.status).toBe(201);
    const reasons = [{ field: "service.name", error: "名称含有不规范用语", suggest: "请修改服务名称" }];
    const rejected = await callJson(`/v1/review/filings/${first.body.id}/reject`, {
      key: keys.reviewer,
      body: { reasons },
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);

    const name = `${body.service.name}改`;
    const patch = { service: { name } };
    const dry = await callJson("/v1/filings/validate", { key: dev.key, body: { resubmitOf: first.body.id, patch } });
    expect(dry.body, JSON.stringify(dry.body)).toEqual({ valid: true, errors: [] });

    const headers = { "idempotency-key": `resubmit-${first.body.id}` };
    const again = await callJson(`/v1/filings/${first.body.id}/resubmit`, { key: dev.key, body: { patch }, headers });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body).toMatchObject({ type: "new", appId, status: "platform_review", resubmittedFrom: first.body.id });
    expect(again.body.request.service.name).toBe(name);
    expect(again.body.request.organizer.principal.mobile).toMatch(/^\d{3}\*+\d{4}$/);
    // The attachments are the first filing's.
    expect(again.body.request.commitment.letter).toBe(first.body.request.commitment.letter);
    expect(again.body.request.organizer.certificate.photo).toBe(first.body.request.organizer.certificate.photo);
    // So is its face verification, still valid: the new filing now holds its use.
    const verificationId = again.body.request.service.principal.verificationId;
    expect(verificationId).toBe(first.body.request.service.principal.verificationId);
    const use = await env.DB.prepare("select filing_id from verification_uses where verification_id = ?")
      .bind(verificationId)
      .first<{ filing_id: string }>();
    expect(use?.filing_id).toBe(again.body.id);

    const replayed = await callJson(`/v1/filings/${first.body.id}/resubmit`, {
      key: dev.key,
      body: { patch },
      headers,
    });
    expect(replayed.status).toBe(201);
    expect(replayed.res.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body.id).toBe(again.body.id);

    const approved = await approve(again.body.id, keys);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe("approved");
    const before = await callJson(`/v1/regulator/filings/${again.body.id}`, { key: keys.regulator });
    expect(before.body.request.organizer.principal.mobile).toBe(body.organizer.principal.mobile);
  });

  it("refuses to resubmit a filing that has not ended: 409 INVALID_TRANSITION, an entry in the dry run", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const open = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    const patch = { service: { name: "另一个名字" } };
    const res = await callJson(`/v1/filings/${open.body.id}/resubmit`, { key: dev.key, body: { patch } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("INVALID_TRANSITION");
    const dry = await callJson("/v1/filings/validate", { key: dev.key, body: { resubmitOf: open.body.id, patch } });
    expect(dry.body.valid).toBe(false);
    expect(problemsOf(dry.body)).toContainEqual({ path: "resubmitOf", code: "INVALID_TRANSITION" });
    const other = await newAccount("developer");
    const hidden = await callJson(`/v1/filings/${open.body.id}/resubmit`, { key: other.key, body: { patch } });
    expect(hidden.status).toBe(404);
  });

  it("reports the patch's problems at their request paths, and a patch that is not an object at `patch`", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const open = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    await callJson(`/v1/filings/${open.body.id}/withdraw`, { key: dev.key, method: "POST" });
    const bad = await callJson(`/v1/filings/${open.body.id}/resubmit`, {
      key: dev.key,
      body: { patch: { organizer: { principal: { mobile: "138****5678" } }, service: { description: null } } },
    });
    expect(bad.status).toBe(422);
    expect(problemsOf(bad.body)).toEqual([
      { path: "organizer.principal.mobile", code: "MASKED_VALUE" },
      { path: "service.description", code: "REQUIRED" },
    ]);
    const notObject = await callJson(`/v1/filings/${open.body.id}/resubmit`, { key: dev.key, body: { patch: [] } });
    expect(notObject.status).toBe(422);
    expect(problemsOf(notObject.body)).toEqual([{ path: "patch", code: "INVALID_TYPE" }]);
  });
});

/** The Beijing date `days` from now, YYYY-MM-DD. */
function beijingDatePlus(days: number): string {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

describe("the complete form", () => {
  it("takes the certificate address beside the mailing address", async () => {
    const { dev, appId } = await developerWithApp();
    const body = validFiling(appId);
    const res = await callJson("/v1/filings", { key: dev.key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.request.organizer.certificateAddress).toBe(body.organizer.certificateAddress);
  });

  it("asks an individual filing outside its resident ID's province for a residence permit, and no one else", async () => {
    const { dev, appId } = await developerWithApp();
    const individual = (province: string) => {
      const body = validFiling(appId);
      const self = person({
        certificate: {
          type: "resident_id",
          number: makeResidentId({ province }),
          validFrom: "2020-01-01",
          validTo: "long_term",
        },
      });
      body.organizer = {
        ...body.organizer,
        nature: "individual",
        name: "李四",
        certificate: { type: "resident_id", number: self.certificate.number },
        principal: self,
      };
      body.service.principal = self;
      return body;
    };
    // A Beijing ID filing in Guangdong: without the permit, REQUIRED at its path; with it, valid.
    const away = (await withMaterials(dev.key, individual("11"))) as ReturnType<typeof validFiling>;
    const permit = (away.organizer.principal as { residencePermit?: string }).residencePermit;
    expect(permit).toMatch(/^med_/);
    delete (away.organizer.principal as { residencePermit?: string }).residencePermit;
    const without = await callJson("/v1/filings/validate", { key: dev.key, body: away, materials: false });
    expect(problemsOf(without.body)).toEqual([{ path: "organizer.principal.residencePermit", code: "REQUIRED" }]);
    const withPermit = {
      ...away,
      organizer: { ...away.organizer, principal: { ...away.organizer.principal, residencePermit: permit } },
    };
    const ok = await callJson("/v1/filings/validate", { key: dev.key, body: withPermit, materials: false });
    expect(ok.body, JSON.stringify(ok.body)).toEqual({ valid: true, errors: [] });
    // A Guangdong ID filing in Guangdong needs none.
    const home = (await withMaterials(dev.key, individual("44"))) as ReturnType<typeof validFiling>;
    expect((home.organizer.principal as { residencePermit?: string }).residencePermit).toBeUndefined();
    const atHome = await callJson("/v1/filings/validate", { key: dev.key, body: home, materials: false });
    expect(atHome.body, JSON.stringify(atHome.body)).toEqual({ valid: true, errors: [] });
  });

  it("refuses a certificate expiring within 30 days of submission (CERTIFICATE_EXPIRING), not one valid for 31", async () => {
    const { dev, appId } = await developerWithApp();
    const withValidTo = (validTo: string) => {
      const body = validFiling(appId);
      const principal = {
        ...body.organizer.principal,
        certificate: { ...body.organizer.principal.certificate, validTo },
      };
      body.organizer.principal = principal;
      body.service.principal = principal;
      return body;
    };
    const soon = await callJson("/v1/filings/validate", { key: dev.key, body: withValidTo(beijingDatePlus(29)) });
    expect(problemsOf(soon.body)).toEqual([
      { path: "organizer.principal.certificate.validTo", code: "CERTIFICATE_EXPIRING" },
      { path: "service.principal.certificate.validTo", code: "CERTIFICATE_EXPIRING" },
    ]);
    const later = await callJson("/v1/filings/validate", { key: dev.key, body: withValidTo(beijingDatePlus(31)) });
    expect(later.body, JSON.stringify(later.body)).toEqual({ valid: true, errors: [] });
  });
});

describe("the submission quota", () => {
  it("defaults to 100 filings per account per Beijing day, and a 30-day certificate margin", () => {
    const production = { PUBLIC_ORIGIN: "https://beian.example.com", AUDIT_KEY: env.AUDIT_KEY };
    expect(configOf(production).submissionsPerDay).toBe(100);
    expect(configOf(production).certificateMinValidDays).toBe(30);
    expect(configOf({ ...production, CERTIFICATE_MIN_VALID_DAYS: "0" }).certificateMinValidDays).toBe(0);
  });

  it("allows SUBMISSIONS_PER_DAY filings per account per Beijing day, then 429 with Retry-After to midnight", async () => {
    const { dev, appId } = await developerWithApp();
    // The allowance less one, made earlier today and written straight to D1 (ended, so they hold no app). Tests run
    // with a higher allowance than the default (vitest.config.ts), so fuzzing never meets it.
    const perDay = configOf(env).submissionsPerDay;
    const now = new Date();
    const at = now.toISOString();
    const time = newId("fil", now.getTime()).slice(4, 14);
    await env.DB.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?4)
       insert into filings (id, type, app_id, status, submitter_account_id, request_sealed, request_masked, created_at, updated_at)
       select 'fil_' || ?5 || printf('%016d', i), 'new', ?1, 'withdrawn', ?2, 'x', '{}', ?3, ?3 from n`,
    )
      .bind(appId, dev.id, at, perDay - 1, time)
      .run();
    expect(await countFilings(appId)).toBe(perDay - 1);
    const headers = { "idempotency-key": `quota-${appId}` };
    const body = validFiling(appId);
    const hundredth = await callJson("/v1/filings", { key: dev.key, body, headers });
    expect(hundredth.status, JSON.stringify(hundredth.body)).toBe(201);

    const other = await newApp(dev.key);
    const refused = await callJson("/v1/filings", { key: dev.key, body: validFiling(other) });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe("SUBMISSION_QUOTA_EXCEEDED");
    const retryAfter = Number(refused.res.headers.get("retry-after"));
    const beijing = new Date(Date.now() + 8 * 3600_000);
    const toMidnight = 86_400 - (beijing.getUTCHours() * 3600 + beijing.getUTCMinutes() * 60 + beijing.getUTCSeconds());
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(Math.abs(retryAfter - toMidnight)).toBeLessThanOrEqual(60);

    // A replay of the 100th makes nothing and is answered; a dry run is never metered.
    const replayed = await callJson("/v1/filings", { key: dev.key, body, headers });
    expect(replayed.status).toBe(201);
    expect(replayed.res.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body.id).toBe(hundredth.body.id);
    const dry = await callJson("/v1/filings/validate", { key: dev.key, body: validFiling(other) });
    expect(dry.body, JSON.stringify(dry.body)).toEqual({ valid: true, errors: [] });
    // Another account's allowance is its own.
    const { dev: fresh, appId: freshApp } = await developerWithApp();
    expect((await callJson("/v1/filings", { key: fresh.key, body: validFiling(freshApp) })).status).toBe(201);
  });
});

/** A small MP4: its `ftyp` box (major brand isom), then an `mdat` box of filler. */
function mp4Bytes(): Uint8Array<ArrayBuffer> {
  const ascii = (s: string) => [...s].map((ch) => ch.charCodeAt(0));
  const ftyp = [0, 0, 0, 24, ...ascii("ftyp"), ...ascii("isom"), 0, 0, 2, 0, ...ascii("isom"), ...ascii("iso2")];
  const mdat = [0, 0, 0, 16, ...ascii("mdat"), ...new Array(8).fill(7)];
  return new Uint8Array([...ftyp, ...mdat]);
}

describe("other materials", () => {
  it("takes up to 10 other materials, an MP4 video among them, checked by content", async () => {
    const { dev, appId } = await developerWithApp();
    const upload = (field: string) =>
      postMaterial(dev.key, { file: { bytes: mp4Bytes(), name: "承诺视频.mp4" }, field });
    const video = await upload("otherMaterials[].mediaId");
    expect(video.status, JSON.stringify(video.body)).toBe(201);
    expect(video.body.contentType).toBe("video/mp4");
    // A video is no commitment letter.
    const letter = await upload("commitment.letter");
    expect(letter.status).toBe(422);
    expect(problemsOf(letter.body)).toEqual([{ path: "file", code: "UNSUPPORTED_FILE_TYPE" }]);

    const body = { ...validFiling(appId), otherMaterials: [{ mediaId: video.body.mediaId, description: "承诺视频" }] };
    const res = await callJson("/v1/filings", { key: dev.key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.request.otherMaterials).toEqual(body.otherMaterials);

    const eleven = { ...body, otherMaterials: new Array(11).fill(body.otherMaterials[0]) };
    const tooMany = await callJson("/v1/filings/validate", { key: dev.key, body: eleven });
    expect(problemsOf(tooMany.body)).toContainEqual({ path: "otherMaterials", code: "TOO_MANY" });
    // A material uploaded for another field is not an "other material".
    const letterId = await uploadMaterial(dev.key, "commitment.letter", { kind: "pdf" });
    const misplaced = { ...body, otherMaterials: [{ mediaId: letterId, description: "承诺书" }] };
    const wrongField = await callJson("/v1/filings/validate", { key: dev.key, body: misplaced });
    expect(problemsOf(wrongField.body)).toContainEqual({
      path: "otherMaterials[0].mediaId",
      code: "MEDIA_FIELD_MISMATCH",
    });
  });
});
