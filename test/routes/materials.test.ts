import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { FilingStatus } from "../../src/domain/filing-state";
import { MAX_MATERIAL_BYTES } from "../../src/domain/materials";
import { sha256HexOfBytes, Vault } from "../../src/lib/crypto";
import { adminKey, call, callJson, developerWithApp, newAccount, problemsOf, unique } from "../support/api";
import {
  ascii,
  concat,
  containsBytes,
  jpegBytes,
  pdfBytes,
  pdfWithObjectStream,
  pngBytes,
  pngDeclaring,
  postMaterial,
  postRaw,
  uploadForm,
  uploadMaterial,
} from "../support/materials";

const PERSON_FRONT = "organizer.principal.certificate.front";

/** A card photo that passes every check. */
async function cardPhoto() {
  return { bytes: await pngBytes(1280, 720), name: "front.png", type: "image/png" };
}

/**
 * A filing of `appId` in `status` that references `mediaId`, written straight to D1: access to materials
 * follows the filings that reference them, whatever route put the reference there.
 */
async function seedReference(appId: string, submitterId: string, mediaId: string, status: FilingStatus) {
  const filingId = `fil_seed_${unique()}`;
  const at = new Date().toISOString();
  await env.DB.batch([
    env.DB.prepare(
      `insert into filings (id, type, app_id, status, submitter_account_id, request_sealed, request_masked, created_at, updated_at)
       values (?, 'new', ?, ?, ?, 'sealed', '{}', ?, ?)`,
    ).bind(filingId, appId, status, submitterId, at, at),
    env.DB.prepare("insert into filing_materials (filing_id, media_id, path) values (?, ?, ?)").bind(
      filingId,
      mediaId,
      PERSON_FRONT,
    ),
  ]);
  return filingId;
}

async function setStatus(filingId: string, status: FilingStatus) {
  await env.DB.prepare("update filings set status = ? where id = ?").bind(status, filingId).run();
}

describe("POST /v1/materials: upload", () => {
  it("stores a card photo and answers with its metadata", async () => {
    const dev = await newAccount("developer");
    const file = await cardPhoto();
    const res = await postMaterial(dev.key, { file, field: PERSON_FRONT, certificateType: "resident_id" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      mediaId: expect.stringMatching(/^med_[0-9A-HJKMNP-TV-Z]{26}$/),
      field: PERSON_FRONT,
      certificateType: "resident_id",
      contentType: "image/png",
      size: file.bytes.length,
      width: 1280,
      height: 720,
      sha256: await sha256HexOfBytes(file.bytes),
      createdAt: expect.any(String),
    });
  });

  it("takes uploads from providers too", async () => {
    const provider = await newAccount("provider");
    const mediaId = await uploadMaterial(provider.key, "organizer.certificate.photo");
    const res = await callJson(`/v1/materials/${mediaId}`, { key: provider.key });
    expect(res.status).toBe(200);
    expect(res.body.certificateType).toBe("uscc");
  });

  it("judges the type by content: JPEG bytes named photo.png are stored as the JPEG they are", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: jpegBytes(1600, 1000), name: "photo.png", type: "image/png" },
      field: PERSON_FRONT,
      certificateType: "passport",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      contentType: "image/jpeg",
      width: 1600,
      height: 1000,
      certificateType: "passport",
    });
  });

  it("accepts a PDF for a letter, with no dimensions", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: pdfBytes(), name: "letter.pdf", type: "application/pdf" },
      field: "commitment.letter",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      contentType: "application/pdf",
      width: null,
      height: null,
      certificateType: null,
    });
  });

  it("accepts a permit for the pre-approval list field", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, { file: { bytes: pdfBytes() }, field: "service.preApprovals[].document" });
    expect(res.status).toBe(201);
    expect(res.body.field).toBe("service.preApprovals[].document");
  });

  it("accepts a file of exactly 2 MB", async () => {
    const dev = await newAccount("developer");
    const bytes = jpegBytes(1280, 720, { padTo: MAX_MATERIAL_BYTES });
    const res = await postMaterial(dev.key, { file: { bytes }, field: PERSON_FRONT, certificateType: "resident_id" });
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(MAX_MATERIAL_BYTES);
  });
});

describe("POST /v1/materials: checks at upload", () => {
  it("refuses a 1 × 1 PNG as too small", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: await pngBytes(1, 1), name: "dot.png" },
      field: PERSON_FRONT,
      certificateType: "resident_id",
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "IMAGE_TOO_SMALL" }]);
    expect(res.body.errors[0].message).toContain("1 × 1");
  });

  it("refuses an image whose short side is under 720 even when the long side is ample", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: jpegBytes(1920, 700) },
      field: PERSON_FRONT,
      certificateType: "resident_id",
    });
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "IMAGE_TOO_SMALL" }]);
  });

  it("refuses a portrait photo for a card field, and a landscape one for a letter", async () => {
    const dev = await newAccount("developer");
    const card = await postMaterial(dev.key, {
      file: { bytes: await pngBytes(720, 1280) },
      field: PERSON_FRONT,
      certificateType: "resident_id",
    });
    expect(card.status).toBe(422);
    expect(problemsOf(card.body)).toEqual([{ path: "file", code: "WRONG_ORIENTATION" }]);
    const letter = await postMaterial(dev.key, {
      file: { bytes: await pngBytes(1280, 720) },
      field: "commitment.letter",
    });
    expect(problemsOf(letter.body)).toEqual([{ path: "file", code: "WRONG_ORIENTATION" }]);
  });

  it("takes either orientation for a licence", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: await pngBytes(720, 1280) },
      field: "organizer.certificate.photo",
      certificateType: "uscc",
    });
    expect(res.status).toBe(201);
  });

  it("goes by the orientation a JPEG is shown in (EXIF), not the one it is stored in", async () => {
    const dev = await newAccount("developer");
    // Stored 1280 × 720, shown a quarter turn round: a portrait page.
    const bytes = jpegBytes(1280, 720, { exifOrientation: 6 });
    const card = await postMaterial(dev.key, { file: { bytes }, field: PERSON_FRONT, certificateType: "resident_id" });
    expect(problemsOf(card.body)).toEqual([{ path: "file", code: "WRONG_ORIENTATION" }]);
    const letter = await postMaterial(dev.key, { file: { bytes }, field: "commitment.letter" });
    expect(letter.status).toBe(201);
    expect(letter.body).toMatchObject({ width: 720, height: 1280 });
  });

  it("refuses a PDF for a photo field", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: pdfBytes(), name: "id.jpg", type: "image/jpeg" },
      field: PERSON_FRONT,
      certificateType: "resident_id",
    });
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "UNSUPPORTED_FILE_TYPE" }]);
    expect(res.body.errors[0].message).toContain("JPEG / PNG");
  });

  it("refuses a file that is not JPEG, PNG or PDF whatever it is called", async () => {
    const dev = await newAccount("developer");
    const gif = new Uint8Array(new TextEncoder().encode("GIF89a\u0001\u0000\u0001\u0000"));
    const res = await postMaterial(dev.key, {
      file: { bytes: gif, name: "letter.pdf", type: "application/pdf" },
      field: "commitment.letter",
    });
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "UNSUPPORTED_FILE_TYPE" }]);
  });

  it("refuses a file that starts like a JPEG but has no readable header", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]) },
      field: PERSON_FRONT,
      certificateType: "resident_id",
    });
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "INVALID_IMAGE" }]);
  });

  it("refuses a PNG signature followed by garbage", async () => {
    const dev = await newAccount("developer");
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x78, 0x78, 0x78, 0x78]);
    const res = await postMaterial(dev.key, { file: { bytes }, field: "commitment.letter" });
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "INVALID_IMAGE" }]);
  });

  it("refuses a licence type declared for a person's certificate field", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, { file: await cardPhoto(), field: PERSON_FRONT, certificateType: "uscc" });
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual([{ path: "certificateType", code: "CERTIFICATE_TYPE_MISMATCH" }]);
  });

  it("refuses a person's certificate type for the licence field", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: await cardPhoto(),
      field: "organizer.certificate.photo",
      certificateType: "resident_id",
    });
    expect(problemsOf(res.body)).toEqual([{ path: "certificateType", code: "CERTIFICATE_TYPE_MISMATCH" }]);
  });

  it("needs a certificate type for certificate photos and refuses one elsewhere", async () => {
    const dev = await newAccount("developer");
    const missing = await postMaterial(dev.key, {
      file: await cardPhoto(),
      field: "service.principal.certificate.back",
    });
    expect(problemsOf(missing.body)).toEqual([{ path: "certificateType", code: "REQUIRED" }]);
    const extra = await postMaterial(dev.key, {
      file: { bytes: pdfBytes() },
      field: "commitment.letter",
      certificateType: "resident_id",
    });
    expect(problemsOf(extra.body)).toEqual([{ path: "certificateType", code: "CERTIFICATE_TYPE_NOT_EXPECTED" }]);
  });

  it("refuses an unknown field", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, { file: await cardPhoto(), field: "organizer.principal.selfie" });
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual([{ path: "field", code: "UNKNOWN_MATERIAL_FIELD" }]);
    expect(res.body.errors[0].suggest).toContain("commitment.letter");
  });

  it("needs a file and a field, and lists every problem at once", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, { extra: { note: "hello" } });
    expect(res.status).toBe(422);
    expect(problemsOf(res.body)).toEqual([
      { path: "note", code: "UNKNOWN_FIELD" },
      { path: "field", code: "REQUIRED" },
      { path: "file", code: "REQUIRED" },
    ]);
  });

  it("treats an empty file part (a form sent with nothing chosen) as missing", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, {
      file: { bytes: new Uint8Array(), name: "" },
      field: "commitment.letter",
    });
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "REQUIRED" }]);
  });

  it("refuses text where the file belongs", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(dev.key, { field: "commitment.letter", extra: { file: "%PDF-1.4" } });
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "INVALID_TYPE" }]);
  });

  it("answers in Chinese when asked", async () => {
    const dev = await newAccount("developer");
    const res = await postMaterial(
      dev.key,
      { file: { bytes: await pngBytes(1, 1) }, field: PERSON_FRONT, certificateType: "resident_id" },
      { "accept-language": "zh-CN" },
    );
    expect(res.body.errors[0].message).toContain("短边须至少 720");
  });
});

describe("POST /v1/materials: hostile files", () => {
  const html = ascii("<html><script>alert(document.domain)</script></html>");
  async function upload(bytes: Uint8Array<ArrayBuffer>, field = "commitment.letter") {
    const dev = await newAccount("developer");
    const certificateType = field === PERSON_FRONT ? "resident_id" : undefined;
    return postMaterial(dev.key, { file: { bytes }, field, certificateType });
  }
  const codeOf = (res: { body: Record<string, unknown> }) => problemsOf(res.body);

  it("refuses pixel bombs: a 74-byte PNG declaring 100000 × 60000, and 4294967295 × 4294967280", async () => {
    const bomb = pngDeclaring(100000, 60000);
    expect(bomb.length).toBeLessThan(100);
    const res = await upload(bomb);
    expect(res.status).toBe(422);
    expect(codeOf(res)).toEqual([{ path: "file", code: "IMAGE_TOO_LARGE" }]);
    const errors = res.body.errors as { message: string }[];
    expect(errors[0]?.message).toContain("10000");
    expect(codeOf(await upload(pngDeclaring(4294967295, 4294967280)))).toEqual([
      { path: "file", code: "IMAGE_TOO_LARGE" },
    ]);
  });

  it("refuses a header-only JPEG declaring 65500 × 40000, and takes 40 megapixels but no more", async () => {
    expect(codeOf(await upload(jpegBytes(65500, 40000, { scanBytes: 0 })))).toEqual([
      { path: "file", code: "IMAGE_TOO_LARGE" },
    ]);
    expect(codeOf(await upload(jpegBytes(10001, 3000)))).toEqual([{ path: "file", code: "IMAGE_TOO_LARGE" }]);
    expect(codeOf(await upload(jpegBytes(6000, 6667)))).toEqual([{ path: "file", code: "IMAGE_TOO_LARGE" }]);
    expect((await upload(jpegBytes(5000, 8000))).status).toBe(201);
  });

  it("refuses a file too small to hold the image its header declares", async () => {
    // 1280 × 720 at one bit per 8 × 8 block needs 1,800 bytes of scan; 100 cannot be a real image.
    expect(codeOf(await upload(jpegBytes(1280, 720, { scanBytes: 100 }), PERSON_FRONT))).toEqual([
      { path: "file", code: "IMAGE_TRUNCATED" },
    ]);
    // 4000 × 4000 RGBA is 64 MB of pixels: even deflate's best (1,032 : 1) needs 62 KB of IDAT.
    expect(codeOf(await upload(pngDeclaring(4000, 4000)))).toEqual([{ path: "file", code: "IMAGE_TRUNCATED" }]);
    // A PNG cut off before IEND.
    const png = await pngBytes(1280, 720);
    expect(codeOf(await upload(png.slice(0, png.length - 12), PERSON_FRONT))).toEqual([
      { path: "file", code: "IMAGE_TRUNCATED" },
    ]);
  });

  it("refuses a PNG with an HTML document after IEND, and a JPEG with one after EOI (polyglots)", async () => {
    const png = concat([await pngBytes(1280, 720), html]);
    expect(codeOf(await upload(png, PERSON_FRONT))).toEqual([{ path: "file", code: "TRAILING_DATA" }]);
    const jpeg = jpegBytes(1280, 720, { trailing: html });
    expect(codeOf(await upload(jpeg, PERSON_FRONT))).toEqual([{ path: "file", code: "TRAILING_DATA" }]);
    expect(codeOf(await upload(jpegBytes(1280, 720, { trailing: new Uint8Array(1) }), PERSON_FRONT))).toEqual([
      { path: "file", code: "TRAILING_DATA" },
    ]);
  });

  it('refuses a "PDF" whose body is HTML, and a PDF with anything after its last %%EOF', async () => {
    const fake = ascii("%PDF-1.4\n<html><body><script>fetch('/v1/apps')</script></body></html>\n");
    expect(codeOf(await upload(fake))).toEqual([{ path: "file", code: "TRAILING_DATA" }]);
    expect(codeOf(await upload(concat([pdfBytes(), html])))).toEqual([{ path: "file", code: "TRAILING_DATA" }]);
    // White space after %%EOF is how many producers end the file.
    expect((await upload(concat([pdfBytes(), ascii("\r\n\n")]))).status).toBe(201);
  });

  it("refuses PDFs with script, launch actions, embedded files or media", async () => {
    const cases: [string, string][] = [
      [" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", "/JavaScript"],
      [" /OpenAction 4 0 R", "/JS"],
      [" /AA << /O << /S /Launch /F (cmd.exe) >> >>", "/Launch"],
      [" /Names << /EmbeddedFiles 4 0 R >>", "/EmbeddedFiles"],
      [" /Names << /J#61vaScript 4 0 R >>", "/JavaScript"],
      [" /AcroForm << /XFA 4 0 R >>", "/XFA"],
    ];
    for (const [catalogExtra, name] of cases) {
      const objects = ["<< /S /JS /JS (app.alert(2)) >>"];
      const bytes = pdfBytes({ catalogExtra, objects: name === "/JS" ? objects : [] });
      const res = await upload(bytes);
      expect(codeOf(res), catalogExtra).toEqual([{ path: "file", code: "ACTIVE_CONTENT" }]);
      expect((res.body.errors as { message: string }[])[0]?.message).toContain(name);
    }
    // An OpenAction that only sets the view is no script.
    expect((await upload(pdfBytes({ catalogExtra: " /OpenAction [3 0 R /Fit]" }))).status).toBe(201);
  });

  it("reads no names inside stream data, where binary bytes spell them by chance, unless an object could hide there", async () => {
    // An image stream whose bytes happen to spell `/JS ` and `/Launch`: no viewer reads them as a dictionary.
    const data = "\u00ff\u00d8 /JS \u0001/Launch(\u0002";
    const image = `<< /Type /XObject /Subtype /Image /Length ${data.length} >>\nstream\n${data}\nendstream`;
    expect((await upload(pdfBytes({ objects: [image] }))).status).toBe(201);
    // A stream with no `endstream` before the object's end: what follows may be objects, so it is read.
    const open = "<< /Length 4 >>\nstream\nxxxx\nendobj\n9 0 obj\n<< /S /JavaScript /JS (x) >>";
    expect(codeOf(await upload(pdfBytes({ objects: [open, image] })))).toEqual([
      { path: "file", code: "ACTIVE_CONTENT" },
    ]);
  });

  it("reads inside compressed object streams, and refuses one it cannot read", async () => {
    expect((await upload(await pdfWithObjectStream())).status).toBe(201);
    const hidden = await pdfWithObjectStream({ catalogExtra: " /OpenAction << /S /JavaScript /JS (x) >>" });
    expect(containsBytes(hidden, ascii("JavaScript"))).toBe(false);
    const res = await upload(hidden);
    expect(codeOf(res)).toEqual([{ path: "file", code: "ACTIVE_CONTENT" }]);
    const unreadable = await pdfWithObjectStream({ streamDictExtra: " /DecodeParms << /Predictor 12 >>" });
    expect(codeOf(await upload(unreadable))).toEqual([{ path: "file", code: "ACTIVE_CONTENT" }]);
  });
});

describe("POST /v1/materials: size and transport", () => {
  it("refuses a 3 MB file with 413 and the problem at file", async () => {
    const dev = await newAccount("developer");
    const bytes = jpegBytes(1280, 720, { padTo: 3 * 1024 * 1024 });
    const res = await postMaterial(dev.key, { file: { bytes }, field: PERSON_FRONT, certificateType: "resident_id" });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("PAYLOAD_TOO_LARGE");
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "FILE_TOO_LARGE" }]);
  });

  it("refuses a file one byte over 2 MB, though the body is within the multipart allowance", async () => {
    const dev = await newAccount("developer");
    const bytes = jpegBytes(1280, 720, { padTo: MAX_MATERIAL_BYTES + 1 });
    const res = await postMaterial(dev.key, { file: { bytes }, field: PERSON_FRONT, certificateType: "resident_id" });
    expect(res.status).toBe(413);
    expect(problemsOf(res.body)).toEqual([{ path: "file", code: "FILE_TOO_LARGE" }]);
  });

  it("counts the bytes it reads: a streamed body with no Content-Length is cut off too", async () => {
    const dev = await newAccount("developer");
    const form = uploadForm({ file: { bytes: jpegBytes(1280, 720, { padTo: 3 * 1024 * 1024 }) }, field: PERSON_FRONT });
    const framed = new Request("http://x/", { method: "POST", body: form });
    const contentType = framed.headers.get("content-type") ?? "";
    // Through a TransformStream the body's length is unknown, so nothing declares it.
    const stream = framed.body?.pipeThrough(new TransformStream());
    const res = await postRaw(dev.key, stream, { "content-type": contentType });
    const body = (await res.json()) as { errors: { path: string; code: string }[] };
    expect(res.status).toBe(413);
    expect(body.errors).toEqual([expect.objectContaining({ path: "file", code: "FILE_TOO_LARGE" })]);
  });

  it("answers 415 to a body that is not multipart", async () => {
    const dev = await newAccount("developer");
    const jsonBody = await callJson("/v1/materials", { key: dev.key, body: { field: "commitment.letter" } });
    expect(jsonBody.status).toBe(415);
    expect(jsonBody.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const text = await postRaw(dev.key, "%PDF-1.4", { "content-type": "application/pdf" });
    expect(text.status).toBe(415);
    const none = await postRaw(dev.key, undefined);
    expect(none.status).toBe(415);
  });

  it("keeps multipart out of every other route", async () => {
    const dev = await newAccount("developer");
    const res = await call("/v1/filings", { key: dev.key, method: "POST", rawBody: uploadForm({ field: "x" }) });
    expect(res.status).toBe(415);
  });

  it("answers 400 to a multipart body that cannot be parsed", async () => {
    const dev = await newAccount("developer");
    const res = await postRaw(dev.key, "--nope\r\nnot a part", { "content-type": "multipart/form-data; boundary=b" });
    expect(res.status).toBe(400);
  });
});

describe("materials at rest", () => {
  it("stores only ciphertext in R2, returns the original bytes, and keeps no file bytes in D1", async () => {
    const dev = await newAccount("developer");
    const upload = await pngBytes(1280, 720);
    const res = await postMaterial(dev.key, {
      file: { bytes: upload },
      field: PERSON_FRONT,
      certificateType: "resident_id",
    });
    expect(res.status).toBe(201);
    const mediaId = res.body.mediaId as string;

    const object = await env.MATERIALS.get(`materials/${mediaId}`);
    expect(object).not.toBeNull();
    const stored = new Uint8Array(await (object as R2ObjectBody).arrayBuffer());
    expect(stored.length).toBeGreaterThan(upload.length); // key id, IV and GCM tag around the ciphertext
    expect(containsBytes(stored, upload.subarray(0, 33))).toBe(false); // not even the PNG signature and IHDR
    expect(containsBytes(stored, upload.subarray(upload.length - 12))).toBe(false); // nor the IEND chunk
    expect(await sha256HexOfBytes(stored)).not.toBe(res.body.sha256);

    const content = await call(`/v1/materials/${mediaId}/content`, { key: dev.key });
    expect(content.status).toBe(200);
    expect(content.headers.get("content-type")).toBe("image/png");
    expect(content.headers.get("cache-control")).toBe("private, no-store");
    expect(content.headers.get("x-content-type-options")).toBe("nosniff");
    const downloaded = new Uint8Array(await content.arrayBuffer());
    expect(downloaded).toEqual(upload);
    expect(await sha256HexOfBytes(downloaded)).toBe(res.body.sha256);

    const row = await env.DB.prepare("select * from materials where id = ?")
      .bind(mediaId)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ owner_account_id: dev.id, object_key: `materials/${mediaId}`, size: upload.length });
    for (const value of Object.values(row ?? {})) {
      expect(value === null || typeof value === "number" || (typeof value === "string" && value.length < 100)).toBe(
        true,
      );
    }
  });

  it("keeps sealed files readable after the key rotates, and refuses tampered ones", async () => {
    const k1 = `k1:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    const k2 = `k2:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    const blind = { BLIND_INDEX_KEY: "test-blind-index-key-0123456789abcdef" };
    const before = new Vault({ PII_KEY: k1, ...blind });
    const after = new Vault({ PII_KEY: k2, PII_OLD_KEYS: k1, ...blind });
    const file = pdfBytes();
    const sealed = await before.sealBytes(file);
    expect(await after.openBytes(sealed)).toEqual(file);
    expect(await after.openBytes(await after.sealBytes(file))).toEqual(file);
    const tampered = sealed.slice();
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    await expect(after.openBytes(tampered)).rejects.toThrow();
    await expect(after.openBytes(file)).rejects.toThrow("not sealed bytes");
  });

  it("seals the same file differently each time", async () => {
    const dev = await newAccount("developer");
    const [a, b] = [
      await uploadMaterial(dev.key, "commitment.letter"),
      await uploadMaterial(dev.key, "commitment.letter"),
    ];
    const read = async (id: string) =>
      new Uint8Array(await ((await env.MATERIALS.get(`materials/${id}`)) as R2ObjectBody).arrayBuffer());
    expect(await read(a)).not.toEqual(await read(b));
  });

  it("records the upload in the material's audit chain", async () => {
    const dev = await newAccount("developer");
    const mediaId = await uploadMaterial(dev.key, "commitment.letter", { kind: "pdf" });
    const rows = await env.DB.prepare("select action, actor_account_id as actor from audit_log where subject = ?")
      .bind(`material:${mediaId}`)
      .all();
    expect(rows.results).toEqual([{ action: "material.uploaded", actor: dev.id }]);
  });
});

describe("access to materials", () => {
  it("lets the uploader read metadata and content", async () => {
    const dev = await newAccount("developer");
    const mediaId = await uploadMaterial(dev.key, PERSON_FRONT, { kind: "jpeg" });
    const meta = await callJson(`/v1/materials/${mediaId}`, { key: dev.key });
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ mediaId, contentType: "image/jpeg", width: 1280, height: 720 });
    expect((await call(`/v1/materials/${mediaId}/content`, { key: dev.key })).status).toBe(200);
  });

  it("serves files as sandboxed attachments; an image is inline only when a console asks, a PDF never", async () => {
    const dev = await newAccount("developer");
    const image = await uploadMaterial(dev.key, PERSON_FRONT);
    const letter = await uploadMaterial(dev.key, "commitment.letter", { kind: "pdf" });
    const sandbox = "sandbox; default-src 'none'";
    const get = (path: string) => call(path, { key: dev.key });

    const plain = await get(`/v1/materials/${image}/content`);
    expect(plain.headers.get("content-disposition")).toBe(`attachment; filename="${image}.png"`);
    expect(plain.headers.get("content-security-policy")).toBe(sandbox);
    expect(plain.headers.get("x-content-type-options")).toBe("nosniff");
    const preview = await get(`/v1/materials/${image}/content?disposition=inline`);
    expect(preview.headers.get("content-disposition")).toBe(`inline; filename="${image}.png"`);
    expect(preview.headers.get("content-security-policy")).toBe(sandbox);
    const pdf = await get(`/v1/materials/${letter}/content?disposition=inline`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-disposition")).toBe(`attachment; filename="${letter}.pdf"`);
    expect(pdf.headers.get("content-security-policy")).toBe(sandbox);

    // Every material answer carries the policy: metadata, a refused query, an unknown material.
    expect((await get(`/v1/materials/${image}`)).headers.get("content-security-policy")).toBe(sandbox);
    const bad = await get(`/v1/materials/${image}/content?disposition=open`);
    expect(bad.status).toBe(422);
    expect(bad.headers.get("content-security-policy")).toBe(sandbox);
    const missing = await get("/v1/materials/med_nothing/content");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-security-policy")).toBe(sandbox);
  });

  it("hides a material from every other account until a filing in their queue references it", async () => {
    const owner = await newAccount("developer");
    const mediaId = await uploadMaterial(owner.key, PERSON_FRONT);
    const others = await Promise.all([
      newAccount("developer"),
      newAccount("provider"),
      newAccount("reviewer"),
      newAccount("regulator"),
      newAccount("admin"),
    ]);
    for (const other of [...others.map((o) => o.key), adminKey()]) {
      for (const path of [`/v1/materials/${mediaId}`, `/v1/materials/${mediaId}/content`]) {
        const res = await callJson(path, { key: other });
        expect(res.status, path).toBe(404);
        expect(res.body.code).toBe("NOT_FOUND");
      }
    }
  });

  it("answers an unknown or malformed mediaId with 404", async () => {
    const dev = await newAccount("developer");
    expect((await call("/v1/materials/med_01JD0000000000000000000000", { key: dev.key })).status).toBe(404);
    expect((await call("/v1/materials/nope/content", { key: dev.key })).status).toBe(404);
  });

  it("never serves the public", async () => {
    const dev = await newAccount("developer");
    const mediaId = await uploadMaterial(dev.key, "commitment.letter");
    expect((await call(`/v1/materials/${mediaId}`)).status).toBe(401);
    expect((await call(`/v1/materials/${mediaId}/content`)).status).toBe(401);
    const upload = await postMaterial(undefined, { file: { bytes: pdfBytes() }, field: "commitment.letter" });
    expect(upload.status).toBe(401);
  });

  it("lets only developers and providers upload", async () => {
    for (const role of ["reviewer", "regulator", "admin"] as const) {
      const account = await newAccount(role);
      const res = await postMaterial(account.key, { file: { bytes: pdfBytes() }, field: "commitment.letter" });
      expect(res.status, role).toBe(403);
    }
  });

  it("lets the app's owner read what a provider uploaded for a filing of that app", async () => {
    const { dev, appId } = await developerWithApp();
    const provider = await newAccount("provider");
    const mediaId = await uploadMaterial(provider.key, PERSON_FRONT);
    expect((await call(`/v1/materials/${mediaId}`, { key: dev.key })).status).toBe(404);
    await seedReference(appId, provider.id, mediaId, "platform_rejected");
    expect((await call(`/v1/materials/${mediaId}`, { key: dev.key })).status).toBe(200);
    expect((await call(`/v1/materials/${mediaId}/content`, { key: dev.key })).status).toBe(200);
  });

  it("opens a material to reviewers in platform review and to the regulator in the bureau stages", async () => {
    const { dev, appId } = await developerWithApp();
    const [reviewer, regulator] = await Promise.all([newAccount("reviewer"), newAccount("regulator")]);
    const mediaId = await uploadMaterial(dev.key, PERSON_FRONT);
    const filingId = await seedReference(appId, dev.id, mediaId, "platform_review");
    const statusFor = async (key: string) => (await call(`/v1/materials/${mediaId}/content`, { key })).status;

    expect(await statusFor(reviewer.key)).toBe(200);
    expect(await statusFor(regulator.key)).toBe(404);
    for (const status of ["sms_verification", "bureau_review", "approved", "bureau_rejected", "expired"] as const) {
      await setStatus(filingId, status);
      expect(await statusFor(reviewer.key), status).toBe(404);
      expect(await statusFor(regulator.key), status).toBe(200);
    }
    for (const status of ["withdrawn", "platform_rejected"] as const) {
      await setStatus(filingId, status);
      expect(await statusFor(reviewer.key), status).toBe(404);
      expect(await statusFor(regulator.key), status).toBe(404);
    }
    // The owner keeps access whatever the filing's status; an unrelated developer never has it.
    expect(await statusFor(dev.key)).toBe(200);
    expect(await statusFor((await newAccount("developer")).key)).toBe(404);
  });

  it("audits staff reads of content, not the owner's", async () => {
    const { dev, appId } = await developerWithApp();
    const reviewer = await newAccount("reviewer");
    const mediaId = await uploadMaterial(dev.key, PERSON_FRONT);
    const filingId = await seedReference(appId, dev.id, mediaId, "platform_review");
    await call(`/v1/materials/${mediaId}/content`, { key: dev.key });
    await call(`/v1/materials/${mediaId}`, { key: reviewer.key });
    const content = await call(`/v1/materials/${mediaId}/content`, { key: reviewer.key });
    expect(content.status).toBe(200);
    const rows = await env.DB.prepare(
      "select action, actor_account_id as actor, data from audit_log where subject = ? order by seq",
    )
      .bind(`material:${mediaId}`)
      .all<{ action: string; actor: string; data: string }>();
    expect(rows.results.map((r) => [r.action, r.actor])).toEqual([
      ["material.uploaded", dev.id],
      ["material.viewed", reviewer.id],
    ]);
    expect(JSON.parse(rows.results[1]?.data ?? "{}")).toEqual({ role: "reviewer", filingId });
  });

  it("treats a deleted material as gone", async () => {
    const dev = await newAccount("developer");
    const mediaId = await uploadMaterial(dev.key, "commitment.letter");
    await env.DB.prepare("update materials set deleted_at = ? where id = ?")
      .bind(new Date().toISOString(), mediaId)
      .run();
    expect((await call(`/v1/materials/${mediaId}`, { key: dev.key })).status).toBe(404);
    expect((await call(`/v1/materials/${mediaId}/content`, { key: dev.key })).status).toBe(404);
  });
});

describe("the published document", () => {
  it("documents the multipart upload", async () => {
    const doc = await callJson("/openapi.json");
    const post = doc.body.paths["/v1/materials"].post;
    const form = post.requestBody.content["multipart/form-data"].schema;
    expect(form.required).toEqual(["file", "field"]);
    expect(form.properties.file).toMatchObject({ type: "string", format: "binary" });
    expect(form.properties.field.enum).toContain("organizer.principal.certificate.front");
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(["201", "413", "415", "422"]));
    expect(doc.body.paths["/v1/materials/{mediaId}/content"].get.responses["200"].content).toHaveProperty("image/png");
  });
});
