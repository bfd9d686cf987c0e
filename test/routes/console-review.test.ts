import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminKey, call, callJson, newAccount, newApp, person, type Role, unique, validFiling } from "../support/api";
import { ConsoleBrowser } from "../support/console";
import { postMaterial } from "../support/materials";

const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

/** A small MP4: its `ftyp` box (major brand isom), then an `mdat` box of filler. */
function mp4(): Uint8Array<ArrayBuffer> {
  const ascii = (t: string) => [...t].map((ch) => ch.charCodeAt(0));
  const ftyp = [0, 0, 0, 24, ...ascii("ftyp"), ...ascii("isom"), 0, 0, 2, 0, ...ascii("isom"), ...ascii("iso2")];
  return new Uint8Array([...ftyp, 0, 0, 0, 16, ...ascii("mdat"), 1, 2, 3, 4, 5, 6, 7, 8]);
}

/**
 * A `new` filing submitted through the API (in platform review), with a second person for the SMS step and, when
 * asked, a video among its other materials.
 */
async function submitted(opts: { video?: boolean } = {}) {
  const dev = await newAccount("developer");
  const appId = await newApp(dev.key);
  const body: ReturnType<typeof validFiling> & { otherMaterials?: unknown[] } = validFiling(appId);
  body.service.principal = person({ name: "李四" });
  if (opts.video) {
    const video = await postMaterial(dev.key, {
      file: { bytes: mp4(), name: "commitment.mp4" },
      field: "otherMaterials[].mediaId",
    });
    if (video.status !== 201) throw new Error(`video: ${video.status} ${JSON.stringify(video.body)}`);
    body.otherMaterials = [{ mediaId: video.body.mediaId, description: "承诺视频" }];
  }
  const res = await callJson("/v1/filings", { key: dev.key, body });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
  return { dev, appId, body, id: res.body.id as string, request: res.body.request };
}

async function signedIn(role: Role | "bootstrap") {
  const account = role === "bootstrap" ? { id: "", key: adminKey() } : await newAccount(role);
  const b = new ConsoleBrowser();
  const res = await b.signIn(account.key);
  if (res.status !== 303) throw new Error(`sign-in: ${res.status}`);
  return { b, account };
}

async function auditRows(subject: string) {
  const { results } = await env.DB.prepare(
    "select action, actor_account_id as actor, data from audit_log where subject = ? order by seq",
  )
    .bind(subject)
    .all<{ action: string; actor: string; data: string }>();
  return results.map((r) => ({ action: r.action, actor: r.actor, data: JSON.parse(r.data) }));
}

const mediaIdsOf = (html: string, base: string) =>
  [...html.matchAll(new RegExp(`src="${base}/materials/(med_[\\w-]+)"`, "g"))].map((m) => m[1] as string);

const filingAsOwner = async (id: string, key: string) => (await callJson(`/v1/filings/${id}`, { key })).body;

describe("the workbench's doors", () => {
  const PAGES = (id: string) => ({
    reviewer: ["/console/review", `/console/review/filings/${id}`, "/console/review/materials/med_x"],
    regulator: ["/console/regulator", `/console/regulator/filings/${id}`, "/console/regulator/materials/med_x"],
  });

  it.each(["developer", "provider", "reviewer", "regulator", "admin"] as const)(
    "opens each workbench to its own role only, refusing the %s elsewhere with 403",
    async (role) => {
      const f = await submitted();
      const { b } = await signedIn(role);
      for (const [owner, paths] of Object.entries(PAGES(f.id))) {
        for (const path of paths) {
          const page = await b.get(path);
          // The reviewer's filing page opens; the regulator does not see a filing in platform review (the API's
          // 404), and nobody sees an unknown material.
          const expected =
            owner !== role
              ? 403
              : path.includes("/materials/") || (role === "regulator" && path.includes("/filings/"))
                ? 404
                : 200;
          expect(page.status, `${role} ${path}`).toBe(expected);
        }
      }
      // Another role's moves are refused before anything happens.
      if (role !== "reviewer") {
        expect((await b.post(`/console/review/filings/${f.id}/approve`)).status).toBe(403);
        expect((await filingAsOwner(f.id, f.dev.key)).status).toBe("platform_review");
      }
    },
  );

  it("sends a visitor without a session to the sign-in and refuses its posts", async () => {
    const f = await submitted();
    const anonymous = new ConsoleBrowser();
    const pages = PAGES(f.id);
    for (const path of [...pages.reviewer, ...pages.regulator]) {
      const res = await anonymous.fetch(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location")).toMatch(/^\/console\/login\?next=/);
    }
    expect((await anonymous.post(`/console/review/filings/${f.id}/approve`, {}, { csrf: "x" })).status).toBe(401);
    expect((await filingAsOwner(f.id, f.dev.key)).status).toBe("platform_review");
    // The bootstrap admin is an admin like any other.
    const { b } = await signedIn("bootstrap");
    expect((await b.get("/console/review")).status).toBe(403);
  });

  it("refuses every move without the session's CSRF token", async () => {
    const f = await submitted();
    const { b } = await signedIn("reviewer");
    await b.get(`/console/review/filings/${f.id}`);
    expect((await b.post(`/console/review/filings/${f.id}/approve`, {}, { csrf: null })).status).toBe(403);
    const reject = { field: "organizer.address", "error:organizer.address": "x", "suggest:organizer.address": "y" };
    expect((await b.post(`/console/review/filings/${f.id}/reject`, reject, { csrf: "forged" })).status).toBe(403);
    const regulator = await signedIn("regulator");
    const sms = { role: "organizer_principal", result: "verified" };
    expect((await regulator.b.post(`/console/regulator/filings/${f.id}/sms`, sms, { csrf: null })).status).toBe(403);
    expect((await regulator.b.post(`/console/regulator/filings/${f.id}/approve`, {}, { csrf: null })).status).toBe(403);
    expect((await filingAsOwner(f.id, f.dev.key)).status).toBe("platform_review");
  });
});

describe("the reviewer's workbench", () => {
  it("lists the queue oldest first, a page at a time, each filing linked", async () => {
    const a = await submitted();
    const c = await submitted();
    const { b } = await signedIn("reviewer");
    const ids: string[] = [];
    let path: string | undefined = "/console/review?limit=10";
    for (let pages = 0; path && pages < 100; pages++) {
      const page = await b.get(path);
      expect(page.status).toBe(200);
      ids.push(
        ...[...page.html.matchAll(/href="\/console\/review\/filings\/(fil_[\w-]+)"/g)].map((m) => m[1] as string),
      );
      path = /href="(\/console\/review\?[^"]*cursor=[^"]+)"/.exec(page.html)?.[1]?.replaceAll("&amp;", "&");
    }
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.indexOf(a.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(c.id));
    const first = await b.get("/console/review");
    expect(first.html).toContain("<kbd>j</kbd>");
    expect(first.html).toContain('src="/console/workbench.js');
  });

  it("opens a filing unmasked beside its attachments, audited exactly as the API's read", async () => {
    const f = await submitted();
    const { b, account } = await signedIn("reviewer");
    const before = await auditRows(`filing:${f.id}`);
    const page = await b.get(`/console/review/filings/${f.id}`);
    expect(page.status).toBe(200);
    // Unmasked: the certificate number and mobile as submitted (the owner's read masks them).
    expect(page.html).toContain(f.body.organizer.principal.certificate.number);
    expect(page.html).toContain(f.body.service.principal.mobile);
    expect(JSON.stringify(f.request)).not.toContain(f.body.service.principal.mobile);
    const afterConsole = await auditRows(`filing:${f.id}`);
    expect(afterConsole.slice(before.length)).toEqual([
      { action: "filing.viewed_unmasked", actor: account.id, data: { role: "reviewer" } },
    ]);
    // The API's own read writes the very same entry.
    expect((await callJson(`/v1/review/filings/${f.id}`, { key: account.key })).status).toBe(200);
    const afterApi = await auditRows(`filing:${f.id}`);
    expect(afterApi.slice(afterConsole.length)).toEqual(afterConsole.slice(before.length));

    // In the form's order, not the stored JSON's.
    const at = (path: string) => page.html.indexOf(`data-path="${path}"`);
    const order = ["type", "appId", "organizer.nature", "organizer.name", "organizer.principal.name", "service.name"];
    const positions = [...order, "commitment.accepted", ""].map(at);
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    // Images inline, PDFs in a viewer, each from the console's pass-through of the API's file.
    expect(page.html).toMatch(/<img src="\/console\/review\/materials\/med_[\w-]+"/);
    expect(page.html).toMatch(/<iframe class="pdf" src="\/console\/review\/materials\/med_[\w-]+"/);
    const media = mediaIdsOf(page.html, "/console/review");
    expect(media.length).toBeGreaterThanOrEqual(3);
    const photo = (await filingAsOwner(f.id, f.dev.key)).request.organizer.certificate.photo as string;
    expect(media).toContain(photo);
    const file = await b.fetch(`/console/review/materials/${photo}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toMatch(/^image\/(png|jpeg)$/);
    expect(file.headers.get("content-security-policy")).toContain("frame-ancestors 'self'");
    expect(file.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(file.headers.get("cache-control")).toBe("private, no-store");
    expect(file.headers.get("content-disposition")).toMatch(/^inline/);
    const api = await call(`/v1/materials/${photo}/content`, { key: account.key });
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array(await api.arrayBuffer()));
    const viewed = (await auditRows(`material:${photo}`)).filter((r) => r.action === "material.viewed");
    expect(viewed.slice(-2)).toEqual([
      { action: "material.viewed", actor: account.id, data: { role: "reviewer", filingId: f.id } },
      { action: "material.viewed", actor: account.id, data: { role: "reviewer", filingId: f.id } },
    ]);
    const pdfId = /<iframe class="pdf" src="\/console\/review\/materials\/(med_[\w-]+)"/.exec(page.html)?.[1];
    const pdf = await b.fetch(`/console/review/materials/${pdfId}`);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("content-disposition")).toMatch(/^inline/);
    expect(pdf.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });

  it("plays a video attachment with controls, passed through like the others", async () => {
    const f = await submitted({ video: true });
    const { b } = await signedIn("reviewer");
    const page = await b.get(`/console/review/filings/${f.id}`);
    const src = /<video controls="" preload="metadata" src="(\/console\/review\/materials\/med_[\w-]+)"/.exec(
      page.html,
    )?.[1];
    expect(src).toBeDefined();
    const file = await b.fetch(src ?? "");
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("video/mp4");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(mp4());
  });

  it("rejects with reasons on several fields, exactly as chosen", async () => {
    const f = await submitted();
    const { b } = await signedIn("reviewer");
    const page = await b.get(`/console/review/filings/${f.id}`);
    expect(page.html).toContain('name="field" value="organizer.address"');
    expect(page.html).toContain('name="field" value=""');
    const res = await b.post(`/console/review/filings/${f.id}/reject`, {
      field: ["organizer.address", "service.description", ""],
      // A common reason, its suggestion taken as offered.
      "pick:organizer.address": "1",
      "error:organizer.address": "",
      "suggest:organizer.address": "",
      // A reason written wins over one picked.
      "pick:service.description": "3",
      "error:service.description": "描述过于笼统",
      "suggest:service.description": "写明小程序提供的具体服务",
      "error:": "材料与填报信息多处不符",
      "suggest:": "逐项核对后重新提交",
      // Not chosen: ignored.
      "error:organizer.name": "不应出现",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/console/review?done=rejected&id=${f.id}`);
    const owner = await filingAsOwner(f.id, f.dev.key);
    expect(owner.status).toBe("platform_rejected");
    expect(owner.reasons).toEqual([
      {
        field: "organizer.address",
        error: "与证件或材料不一致",
        suggest: "按证件原件如实填写，与上传的材料保持一致",
      },
      { field: "service.description", error: "描述过于笼统", suggest: "写明小程序提供的具体服务" },
      { field: "", error: "材料与填报信息多处不符", suggest: "逐项核对后重新提交" },
    ]);
    expect((await b.get(res.headers.get("location") ?? "")).html).toContain(f.id);
  });

  it("shows the API's problems next to their fields, in the console's language, the input kept", async () => {
    const f = await submitted();
    const { b } = await signedIn("reviewer");
    await b.get(`/console/review/filings/${f.id}?lang=en`);
    const res = await b.post(`/console/review/filings/${f.id}/reject`, {
      field: ["organizer.address", "service.name"],
      "error:organizer.address": "",
      "suggest:organizer.address": "按营业执照填写",
      "error:service.name": "名称含有不允许的词",
      "suggest:service.name": "改用与服务相符的名称",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('lang="en"');
    // The problem sits beside organizer.address's inputs, which keep what was written and stay chosen.
    const row = html.slice(html.indexOf('data-path="organizer.address"'));
    const rowEnd = row.indexOf('class="rj-row"', 10);
    const own = row.slice(0, rowEnd);
    expect(own).toContain('class="field-error"');
    expect(own).toContain("Must be at least 1 character");
    expect(own).toContain('aria-invalid="true"');
    expect(own).toContain('value="按营业执照填写"');
    expect(own).toMatch(/name="field" value="organizer.address" checked/);
    expect(html).toMatch(/value="名称含有不允许的词"/);
    expect((await filingAsOwner(f.id, f.dev.key)).status).toBe("platform_review");
    // Nothing chosen: the API's own problem, above the form.
    const none = await b.post(`/console/review/filings/${f.id}/reject`, {});
    expect(none.status).toBe(422);
    expect(await none.text()).toMatch(/id="reject-problem"/);
  });

  it("approves: the filing moves on to SMS verification and leaves the queue", async () => {
    const f = await submitted();
    const { b } = await signedIn("reviewer");
    const page = await b.get(`/console/review/filings/${f.id}`);
    expect(page.html).toContain("<kbd>a</kbd>");
    const res = await b.post(`/console/review/filings/${f.id}/approve`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/console/review?done=approved&id=${f.id}`);
    expect((await filingAsOwner(f.id, f.dev.key)).status).toBe("sms_verification");
    // Approving again: the filing is no longer the reviewer's to read (the API's 404).
    const again = await b.post(`/console/review/filings/${f.id}/approve`);
    expect(again.status).toBe(404);
  });
});

describe("the regulator's workbench", () => {
  it("confirms SMS person by person, then approves with the bureau's number", async () => {
    const f = await submitted();
    const reviewer = await newAccount("reviewer");
    expect((await callJson(`/v1/review/filings/${f.id}/approve`, { key: reviewer.key, method: "POST" })).status).toBe(
      200,
    );
    const { b } = await signedIn("regulator");
    const queue = await b.get("/console/regulator?status=sms_verification&limit=50");
    expect(queue.status).toBe(200);
    const page = await b.get(`/console/regulator/filings/${f.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-sms-role="organizer_principal"');
    expect(page.html).toContain('data-sms-role="service_principal"');
    // Not yet the bureau's to approve or reject: the data is shown without those forms' inputs.
    expect(page.html).not.toContain(`action="/console/regulator/filings/${f.id}/approve"`);
    expect(page.html).not.toContain('name="field"');

    const wrong = await b.post(`/console/regulator/filings/${f.id}/sms`, {
      role: "legal_representative",
      result: "verified",
    });
    expect(wrong.status, await wrong.clone().text()).toBe(422);
    for (const role of ["organizer_principal", "service_principal"]) {
      const res = await b.post(`/console/regulator/filings/${f.id}/sms`, { role, result: "verified" });
      expect(res.status, role).toBe(303);
      expect(res.headers.get("location")).toBe(
        `/console/regulator/filings/${f.id}?done=sms&role=${role}&result=verified`,
      );
      await b.get(res.headers.get("location") ?? "");
    }
    const owner = await filingAsOwner(f.id, f.dev.key);
    expect(owner.status).toBe("bureau_review");
    expect(owner.smsVerifications.map((v: { status: string }) => v.status)).toEqual(["verified", "verified"]);

    // A number that does not parse: the API's problem beside the field, the input kept.
    const bad = await b.post(`/console/regulator/filings/${f.id}/approve`, { registrationNumber: "not-a-number" });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('id="number-error"');
    expect(badHtml).toContain('value="not-a-number"');
    const number = `粤ICP备${YEAR}${String(900_000 + (unique() % 99_999)).padStart(6, "0")}号-1X`;
    const res = await b.post(`/console/regulator/filings/${f.id}/approve`, { registrationNumber: number });
    expect(res.status).toBe(303);
    const done = await b.get(res.headers.get("location") ?? "");
    expect(done.html).toContain(`data-registration-number="${number}"`);
    const approved = await filingAsOwner(f.id, f.dev.key);
    expect(approved).toMatchObject({ status: "approved", registrationNumber: number });
  });

  it("rejects at the bureau with field reasons", async () => {
    const f = await submitted();
    const reviewer = await newAccount("reviewer");
    const regulator = await newAccount("regulator");
    await callJson(`/v1/review/filings/${f.id}/approve`, { key: reviewer.key, method: "POST" });
    await callJson(`/v1/regulator/filings/${f.id}/sms-verified`, { key: regulator.key, method: "POST" });
    const b = new ConsoleBrowser();
    await b.signIn(regulator.key);
    await b.get(`/console/regulator/filings/${f.id}`);
    const res = await b.post(`/console/regulator/filings/${f.id}/reject`, {
      field: "organizer.certificate.photo",
      "pick:organizer.certificate.photo": "2",
    });
    expect(res.status).toBe(303);
    const owner = await filingAsOwner(f.id, f.dev.key);
    expect(owner.status).toBe("bureau_rejected");
    expect(owner.reasons).toEqual([
      {
        field: "organizer.certificate.photo",
        error: "照片或文件不清晰、不完整",
        suggest: "重新上传清晰、完整、无遮挡的原件照片或扫描件",
      },
    ]);
  });
});
