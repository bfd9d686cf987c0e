import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { FilingSubmissionSchema } from "../../src/domain/filing-request";
import { callJson, countFilings, developerWithApp, newAccount, person, validFiling } from "../support/api";
import { ConsoleBrowser } from "../support/console";
import { approve, staff, submitNew } from "../support/lifecycle";
import { materialBytes, uploadMaterial } from "../support/materials";
import { passedVerification } from "../support/verifications";

/** Every leaf path of a zod schema, list items as `[0]` (`service.preApprovals[0].type`); lists of values are leaves. */
function leaves(schema: z.core.$ZodType, path = ""): string[] {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
  switch (def.type) {
    case "object":
      return Object.entries((def as unknown as { shape: Record<string, z.core.$ZodType> }).shape).flatMap(
        ([key, field]) => leaves(field, path ? `${path}.${key}` : key),
      );
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      return leaves(def.innerType as z.core.$ZodType, path);
    case "pipe":
      return leaves(def.in as z.core.$ZodType, path);
    case "array": {
      const element = (def as unknown as { element: z.core.$ZodType }).element;
      const inner = leaves(element, `${path}[0]`);
      return inner.length === 1 && inner[0] === `${path}[0]` ? [path] : inner;
    }
    default:
      return [path];
  }
}

const unescapeHtml = (s: string) =>
  s
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

/** The fields a browser would send from the first filing form of a page (no files), as the page shows them. */
function formFields(html: string): Record<string, string[]> {
  const form = /<form[^>]*class="filing-form"[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";
  const out: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    out[name] = [...(out[name] ?? []), unescapeHtml(value)];
  };
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    const type = /\btype="([^"]*)"/.exec(tag)?.[1] ?? "text";
    if (!name || type === "file" || name === "_csrf") continue;
    if ((type === "checkbox" || type === "radio") && !/\bchecked\b/.test(tag)) continue;
    add(unescapeHtml(name), /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? "");
  }
  for (const [, attrs, body] of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = /\bname="([^"]*)"/.exec(attrs ?? "")?.[1];
    const selected = /<option\b[^>]*value="([^"]*)"[^>]*\bselected\b/.exec(body ?? "")?.[1] ?? "";
    if (name) add(unescapeHtml(name), selected);
  }
  for (const [, attrs, body] of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = /\bname="([^"]*)"/.exec(attrs ?? "")?.[1];
    if (name) add(unescapeHtml(name), body ?? "");
  }
  return out;
}

// Each test walks several pages, each several API calls: more than the default 5 s on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

type Fields = Record<string, string | string[] | File>;

/** A filled form for `validFiling(appId)`'s data: what a filer types (materials come as files or mediaIds). */
function typed(appId: string, p = person()): Fields {
  const f = validFiling(appId);
  const fields: Fields = {
    "organizer.nature": f.organizer.nature,
    "organizer.name": f.organizer.name,
    "organizer.certificate.type": "uscc",
    "organizer.certificate.number": f.organizer.certificate.number,
    "organizer.region.province": "440000",
    "organizer.region.city": "440300",
    "organizer.region.district": "440305",
    "organizer.address": f.organizer.address,
    "service.name": f.service.name,
    "service.serviceContentTypes": ["life.bill_payment"],
    "service.languages": ["zh-Hans"],
    "service.description": f.service.description,
    "commitment.accepted": "true",
  };
  for (const base of ["organizer.principal", "service.principal"]) {
    fields[`${base}.name`] = p.name;
    fields[`${base}.certificate.type`] = p.certificate.type;
    fields[`${base}.certificate.number`] = p.certificate.number;
    fields[`${base}.certificate.validFrom`] = p.certificate.validFrom;
    fields[`${base}.certificate.validTo`] = p.certificate.validTo;
    fields[`${base}.mobile`] = p.mobile;
    fields[`${base}.emergencyContact`] = p.emergencyContact;
    fields[`${base}.email`] = p.email;
  }
  return fields;
}

async function files(): Promise<Fields> {
  const card = await materialBytes("png", 1280, 720);
  const licence = await materialBytes("png", 1280, 900);
  const letter = await materialBytes("pdf", 0, 0);
  const file = (bytes: Uint8Array<ArrayBuffer>, name: string, type: string) => new File([bytes], name, { type });
  return {
    "upload:organizer.certificate.photo": file(licence, "licence.png", "image/png"),
    "upload:organizer.principal.certificate.front": file(card, "front.png", "image/png"),
    "upload:organizer.principal.certificate.back": file(card, "back.png", "image/png"),
    "upload:service.principal.certificate.front": file(card, "front.png", "image/png"),
    "upload:service.principal.certificate.back": file(card, "back.png", "image/png"),
    "upload:commitment.letter": file(letter, "letter.pdf", "application/pdf"),
  };
}

/** The value of the (hidden) input named `name` in a page. */
const inputValue = (html: string, name: string) =>
  new RegExp(`name="${name.replace(/[.[\]]/g, "\\$&")}" value="([^"]*)"`).exec(html)?.[1];

async function signedIn(key: string) {
  const b = new ConsoleBrowser();
  const res = await b.signIn(key);
  expect(res.status).toBe(303);
  return b;
}

describe("developer console: who may open it", () => {
  it("opens for developers and providers, refuses staff with 403, sends the anonymous to sign in", async () => {
    const { dev, appId } = await developerWithApp();
    const filed = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const owner = await signedIn(dev.key);
    const pages = [
      "/console/events",
      "/console/webhook",
      `/console/apps/${appId}/file`,
      `/console/filings/${id}`,
      `/console/filings/${id}/resubmit`,
    ];
    for (const path of ["/console", ...pages]) expect((await owner.get(path)).status, path).toBe(200);
    const provider = await signedIn((await newAccount("provider")).key);
    expect((await provider.get("/console")).status).toBe(200);
    expect((await provider.get("/console/events")).status).toBe(200);
    expect((await provider.get("/console/webhook")).status).toBe(200);
    // Not granted this app: to the provider it does not exist, as in the API.
    expect((await provider.get(`/console/apps/${appId}/file`)).status).toBe(404);
    expect((await provider.get(`/console/filings/${id}`)).status).toBe(404);
    for (const role of ["reviewer", "regulator", "admin"] as const) {
      const staff = await signedIn((await newAccount(role)).key);
      for (const path of pages) expect((await staff.get(path)).status, `${role} ${path}`).toBe(403);
      const post = await staff.post(`/console/apps/${appId}/file`, { _action: "check" });
      expect(post.status, `${role} post`).toBe(403);
    }
    const anonymous = new ConsoleBrowser();
    for (const path of pages) {
      const res = await anonymous.fetch(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location")).toMatch(/^\/console\/login/);
    }
    expect((await anonymous.post(`/console/apps/${appId}/file`, { _action: "check" })).status).toBe(401);
  });
});

describe("developer console: apps", () => {
  it("lists the account's apps with their filing status and registers a new one", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    const page = await b.get("/console");
    expect(page.html).toContain(appId);
    expect(page.html).toContain(`href="/console/apps/${appId}/file"`);
    const created = `wxconsole${Date.now().toString(16)}`;
    const res = await b.post("/console/apps", { appId: created, name: "控制台登记" });
    expect(res.status).toBe(303);
    expect((await callJson(`/v1/apps/${created}`, { key: dev.key })).status).toBe(200);
    const bad = await b.post("/console/apps", { appId: "x", name: "控制台登记" });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toMatch(/id="app-appId"[^>]*aria-invalid="true"/);
    expect(html).toContain('id="e-appId"');
  });
});

describe("developer console: the filing form", () => {
  it("has an input for every leaf field of the filing schema", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    const { html } = await b.get(`/console/apps/${appId}/file`);
    const paths = leaves(FilingSubmissionSchema);
    expect(paths).toContain("organizer.certificate.number");
    expect(paths).toContain("service.preApprovals[0].type");
    const missing = paths.filter((p) => !html.includes(`name="${p}"`));
    expect(missing).toEqual([]);
  });

  it("files through the form: uploads, an inline error kept with the values, fixed, submitted once", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    await b.get(`/console/apps/${appId}/file`);
    const p = person();
    const fields = typed(appId, p);
    fields["service.principal.verificationId"] = await passedVerification(dev.id, appId, p);
    const good = String(fields["organizer.certificate.number"]);
    const first = await b.post(`/console/apps/${appId}/file`, {
      ...fields,
      "organizer.certificate.number": good.slice(0, 17) + (good.endsWith("0") ? "1" : "0"),
      ...(await files()),
      _action: "submit",
    });
    expect(first.status).toBe(422);
    const html = await first.text();
    expect(html).toMatch(/id="f-organizer-certificate-number"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/aria-describedby="f-organizer-certificate-number-e"/);
    expect(html).toMatch(
      /id="f-organizer-certificate-number-e" data-errors-for="organizer.certificate.number">\s*<span/,
    );
    expect(html).toContain(`value="${fields["organizer.name"]}"`);
    for (const path of ["organizer.certificate.photo", "organizer.principal.certificate.front", "commitment.letter"]) {
      expect(inputValue(html, path), path).toMatch(/^med_/);
    }
    expect(await countFilings(appId)).toBe(0);
    // Fixed, from the form as the page shows it (the uploaded materials kept in it).
    const again = formFields(html);
    again["organizer.certificate.number"] = [String(fields["organizer.certificate.number"])];
    again._action = ["submit"];
    b.csrf = inputValue(html, "_csrf");
    const filed = await b.post(`/console/apps/${appId}/file`, again);
    expect(filed.status).toBe(303);
    const location = filed.headers.get("location") ?? "";
    expect(location).toMatch(/^\/console\/filings\/fil_/);
    const id = location.split("/").pop() as string;
    const read = await callJson(`/v1/filings/${id}`, { key: dev.key });
    expect(read.status).toBe(200);
    expect(read.body.status).toBe("platform_review");
    expect(read.body.request.organizer.certificate.photo).toBe(inputValue(html, "organizer.certificate.photo"));
    const page = await b.get(location);
    expect(page.status).toBe(200);
    expect(page.html).toContain(id);
  });

  it("shows an upload's problem at its field and keeps the form", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    await b.get(`/console/apps/${appId}/file`);
    const tiny = new File([await materialBytes("png", 200, 100)], "tiny.png", { type: "image/png" });
    const res = await b.post(`/console/apps/${appId}/file`, {
      ...typed(appId),
      "upload:organizer.principal.certificate.front": tiny,
      _action: "check",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-organizer-principal-certificate-front"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/data-errors-for="organizer.principal.certificate.front">\s*<span class="problem">/);
  });

  it("files once when the same rendered form is submitted twice", async () => {
    const { dev, appId } = await developerWithApp();
    const p = person();
    const fields = typed(appId, p);
    fields["service.principal.verificationId"] = await passedVerification(dev.id, appId, p);
    fields["organizer.certificate.photo"] = await uploadMaterial(dev.key, "organizer.certificate.photo", {
      certificateType: "uscc",
    });
    for (const side of ["front", "back"]) {
      const photo = await uploadMaterial(dev.key, `organizer.principal.certificate.${side}`, {
        certificateType: "resident_id",
      });
      fields[`organizer.principal.certificate.${side}`] = photo;
      fields[`service.principal.certificate.${side}`] = photo;
    }
    fields["commitment.letter"] = await uploadMaterial(dev.key, "commitment.letter", { kind: "pdf" });
    const b = await signedIn(dev.key);
    const { html } = await b.get(`/console/apps/${appId}/file`);
    const idem = inputValue(html, "_idem") as string;
    expect(idem).toBeTruthy();
    const one = await b.post(`/console/apps/${appId}/file`, { ...fields, _idem: idem, _action: "submit" });
    const two = await b.post(`/console/apps/${appId}/file`, { ...fields, _idem: idem, _action: "submit" });
    expect(one.status).toBe(303);
    expect(two.status).toBe(303);
    expect(two.headers.get("location")).toBe(one.headers.get("location"));
    expect(await countFilings(appId)).toBe(1);
  });

  it("files once when a form with files is sent twice: the second sending is shown the first one's filing", async () => {
    const { dev, appId } = await developerWithApp();
    const p = person();
    const fields = typed(appId, p);
    fields["service.principal.verificationId"] = await passedVerification(dev.id, appId, p);
    const b = await signedIn(dev.key);
    const { html } = await b.get(`/console/apps/${appId}/file`);
    const sent = { ...fields, ...(await files()), _idem: inputValue(html, "_idem") as string, _action: "submit" };
    const one = await b.post(`/console/apps/${appId}/file`, sent);
    const two = await b.post(`/console/apps/${appId}/file`, sent);
    expect(one.status).toBe(303);
    expect(two.status).toBe(303);
    expect(two.headers.get("location")).toBe(one.headers.get("location"));
    expect(await countFilings(appId)).toBe(1);
  });

  it("refuses a form without the session's CSRF token", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    await b.get(`/console/apps/${appId}/file`);
    const res = await b.post(`/console/apps/${appId}/file`, { ...typed(appId), _action: "submit" }, { csrf: null });
    expect(res.status).toBe(403);
    const forged = await b.post("/console/apps", { appId: "wxforged0001", name: "x" }, { csrf: "forged" });
    expect(forged.status).toBe(403);
    expect(await countFilings(appId)).toBe(0);
  });

  it("answers the live check as JSON, each problem with the field it is shown at", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    await b.get(`/console/apps/${appId}/file`);
    const body = new URLSearchParams({ "organizer.name": "x", "service.serviceContentTypes": "life" });
    const res = await b.fetch(`/console/apps/${appId}/file`, {
      method: "POST",
      body,
      headers: { accept: "application/json", "x-csrf-token": b.csrf as string },
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { valid: boolean; errors: { path: string; field: string; message: string }[] };
    expect(answer.valid).toBe(false);
    expect(answer.errors.find((e) => e.path === "organizer.certificate")?.field).toBe("");
    expect(answer.errors.find((e) => e.path === "service.serviceContentTypes[0]")?.field).toBe(
      "service.serviceContentTypes",
    );
    expect(answer.errors.every((e) => e.message.length > 0)).toBe(true);
    // A file chosen with scripts on is uploaded at once: its mediaId, or its problems at its field.
    const upload = async (file: File) => {
      const form = new FormData();
      form.set("_action", "upload");
      form.set("organizer.principal.certificate.type", "resident_id");
      form.set("upload:organizer.principal.certificate.front", file);
      const res = await b.fetch(`/console/apps/${appId}/file`, {
        method: "POST",
        body: form,
        headers: { accept: "application/json", "x-csrf-token": b.csrf as string },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { uploads: { path: string; mediaId: string }[]; errors: { field: string }[] };
    };
    const card = await materialBytes("png", 1280, 720);
    const done = await upload(new File([card], "front.png", { type: "image/png" }));
    expect(done.uploads).toEqual([
      expect.objectContaining({
        path: "organizer.principal.certificate.front",
        mediaId: expect.stringMatching(/^med_/),
      }),
    ]);
    const small = await upload(new File([await materialBytes("png", 200, 100)], "s.png", { type: "image/png" }));
    expect(small.uploads).toEqual([]);
    expect(small.errors[0]?.field).toBe("organizer.principal.certificate.front");
    const noToken = await b.fetch(`/console/apps/${appId}/file`, {
      method: "POST",
      body,
      headers: { accept: "application/json" },
    });
    expect(noToken.status).toBe(403);
  });
});

describe("developer console: any form", () => {
  it("answers whatever a form sends with a page or its problems, never a server error", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    await b.get(`/console/apps/${appId}/file`);
    const names = [
      ...leaves(FilingSubmissionSchema),
      "service.preApprovals[11].type",
      "otherMaterials[9].mediaId",
      "service.preApprovals[99].type",
      "organizer",
      "organizer.principal",
      "__proto__",
      "constructor.prototype",
      "upload:organizer.certificate.photo",
      "_action",
      "_idem",
    ];
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.constantFrom("", " ", "true", "check", "submit", "verify:service.principal", "long_term", "med_x", "\u0000"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...names), fc.oneof(value, fc.array(value, { maxLength: 3 }))),
        async (fields) => {
          const res = await b.post(`/console/apps/${appId}/file`, fields);
          expect([200, 303, 400, 409, 422, 429]).toContain(res.status);
          await res.body?.cancel();
        },
      ),
      { numRuns: 40 },
    );
    const broken = await b.fetch(`/console/apps/${appId}/file`, {
      method: "POST",
      body: "--x\r\ncontent-disposition: form-data\r\n\r\nnot closed",
      headers: { "content-type": "multipart/form-data; boundary=y", "x-csrf-token": b.csrf as string },
    });
    expect(broken.status).toBe(400);
  });
});

describe("developer console: a filing", () => {
  it("shows the reasons, corrects and resubmits from the stored data, and shows nobody's data unmasked", async () => {
    const { dev, appId } = await developerWithApp();
    const body = validFiling(appId);
    const filed = await callJson("/v1/filings", { key: dev.key, body });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const reviewer = await newAccount("reviewer");
    const reason = { field: "organizer.address", error: "地址与营业执照不一致", suggest: "按营业执照填写住所" };
    const rejected = await callJson(`/v1/review/filings/${id}/reject`, {
      key: reviewer.key,
      body: { reasons: [reason] },
    });
    expect(rejected.status).toBe(200);
    const b = await signedIn(dev.key);
    const page = await b.get(`/console/filings/${id}`);
    expect(page.html).toContain(reason.error);
    expect(page.html).toContain(`href="/console/filings/${id}/resubmit"`);
    const form = await b.get(`/console/filings/${id}/resubmit`);
    expect(form.status).toBe(200);
    expect(form.html).toMatch(/data-errors-for="organizer.address">\s*<span class="reason">地址与营业执照不一致/);
    const principal = body.organizer.principal;
    for (const html of [page.html, form.html]) {
      for (const secret of [principal.certificate.number, principal.mobile, principal.email]) {
        expect(html).not.toContain(secret);
      }
    }
    const fields = formFields(form.html);
    fields["organizer.address"] = ["粤海街道科技园路2号"];
    fields._action = ["submit"];
    const res = await b.post(`/console/filings/${id}/resubmit`, fields);
    expect(res.status).toBe(303);
    const next = (res.headers.get("location") ?? "").split("/").pop() as string;
    expect(next).not.toBe(id);
    const read = await callJson(`/v1/filings/${next}`, { key: dev.key });
    expect(read.body).toMatchObject({ status: "platform_review", resubmittedFrom: id });
    expect(read.body.request.organizer.address).toBe("粤海街道科技园路2号");
    expect(read.body.request.organizer.principal.certificate.number).toBe(
      filed.body.request.organizer.principal.certificate.number,
    );
  });

  it("withdraws a filing in platform review", async () => {
    const { dev, appId } = await developerWithApp();
    const filed = await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    const id = filed.body.id as string;
    const b = await signedIn(dev.key);
    await b.get(`/console/filings/${id}`);
    const res = await b.post(`/console/filings/${id}/withdraw`);
    expect(res.status).toBe(303);
    expect((await callJson(`/v1/filings/${id}`, { key: dev.key })).body.status).toBe("withdrawn");
    const again = await b.post(`/console/filings/${id}/withdraw`);
    expect(again.status).toBe(409);
  });
});

describe("developer console: a change", () => {
  it("starts from the registration, masked, and files what the form changed as a patch", async () => {
    const { dev, appId, body, id } = await submitNew();
    const approved = await approve(id, await staff());
    expect(approved.status).toBe(200);
    const b = await signedIn(dev.key);
    const form = await b.get(`/console/apps/${appId}/file?type=change`);
    expect(form.status).toBe(200);
    const principal = body.service.principal;
    for (const secret of [principal.certificate.number, principal.mobile, principal.email]) {
      expect(form.html).not.toContain(secret);
    }
    const fields = formFields(form.html);
    expect(fields["service.name"]).toEqual([body.service.name]);
    fields["service.name"] = [`${body.service.name}变更`];
    fields["service.principal.verificationId"] = [await passedVerification(dev.id, appId, principal)];
    fields._action = ["submit"];
    const res = await b.post(`/console/apps/${appId}/file?type=change`, fields);
    expect(res.status).toBe(303);
    const next = (res.headers.get("location") ?? "").split("/").pop() as string;
    const read = await callJson(`/v1/filings/${next}`, { key: dev.key });
    expect(read.body).toMatchObject({ type: "change", status: "platform_review" });
    expect(read.body.request.service.name).toBe(`${body.service.name}变更`);
    expect(read.body.request.organizer.principal.mobile).not.toContain(principal.mobile);
    expect(read.body.request.organizer.principal.mobile).toMatch(/\*{4}/);
  });
});

describe("developer console: language", () => {
  it("shows the form and the API's problems in English when asked", async () => {
    const { dev, appId } = await developerWithApp();
    const b = await signedIn(dev.key);
    const page = await b.get(`/console/apps/${appId}/file?lang=en`);
    expect(page.html).toContain('lang="en"');
    expect(page.html).toContain("Submit filing");
    const res = await b.post(`/console/apps/${appId}/file`, { "organizer.nature": "enterprise", _action: "check" });
    expect(res.status).toBe(422);
    const html = await res.text();
    const problem = /data-errors-for="organizer.name">\s*<span class="problem">([^<]+)/.exec(html)?.[1] ?? "";
    expect(problem).toMatch(/[A-Za-z]/);
    expect(problem).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("developer console: events and webhook", () => {
  it("lists events and sets the webhook, showing the secret once", async () => {
    const { dev, appId } = await developerWithApp();
    await callJson("/v1/filings", { key: dev.key, body: validFiling(appId) });
    const b = await signedIn(dev.key);
    const events = await b.get("/console/events");
    expect(events.html).toContain("filing.submitted");
    await b.get("/console/webhook");
    const set = await b.post("/console/webhook", { url: "http://localhost:9/hook" });
    expect(set.status).toBe(200);
    const html = await set.text();
    expect(html).toMatch(/<code>whsec_/);
    expect((await b.get("/console/webhook")).html).not.toContain("whsec_");
    const bad = await b.post("/console/webhook", { url: "ftp://x" });
    expect(bad.status).toBe(422);
    const rotated = await b.post("/console/webhook", { url: "http://localhost:9/hook", rotateSecret: "true" });
    expect(await rotated.text()).toMatch(/<code>whsec_/);
  });
});
