// Hostile uploads: decompression bombs and polyglots are refused at upload, and what is stored is served as a
// sandboxed attachment.
// - pixel bombs: tiny PNG and JPEG files whose headers declare billions of pixels (IMAGE_TOO_LARGE), and a file too
//   short for the image it declares (IMAGE_TRUNCATED);
// - polyglots: a PNG and a JPEG with an HTML document after their end, a "PDF" whose body is HTML (TRAILING_DATA);
// - a PDF whose /OpenAction runs JavaScript, in the clear and inside a compressed object stream (ACTIVE_CONTENT);
// - a genuine photo is accepted and served with Content-Disposition: attachment and a sandboxing CSP.
import { crc32, deflateSync } from "node:zlib";
import { png } from "../../../scripts/material-files.mjs";
import { call, expectEq, newAccount, serviceFor } from "../lib.mjs";

const PORT = 8953;

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "ascii"), data])) >>> 0, 8 + data.length);
  return out;
}

/** A PNG declaring `width` × `height` RGBA with an IDAT of a few bytes. */
function pngDeclaring(width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(6, 9);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.alloc(1))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A baseline JPEG declaring `width` × `height` with `scan` bytes of scan data, then `trailing`. */
function jpeg(width, height, scan, trailing = Buffer.alloc(0)) {
  const u16 = (n) => [(n >> 8) & 0xff, n & 0xff];
  const head = [0xff, 0xd8, 0xff, 0xe0, ...u16(16), ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [0xff, 0xc0, ...u16(17), 8, ...u16(height), ...u16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, ...u16(12), 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0];
  return Buffer.concat([
    Buffer.from([...head, ...sof, ...sos]),
    Buffer.alloc(scan),
    Buffer.from([0xff, 0xd9]),
    trailing,
  ]);
}

const HTML = Buffer.from("<html><script>fetch('/v1/apps').then(r=>r.text()).then(alert)</script></html>");

function pdfWithCatalog(extra) {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R${extra}>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n` +
      "trailer<</Root 1 0 R>>\n%%EOF\n",
  );
}

function pdfWithObjectStream(catalogExtra) {
  const index = "1 0 ";
  const compressed = deflateSync(Buffer.from(`${index}<</Type/Catalog/Pages 2 0 R${catalogExtra}>>`));
  return Buffer.concat([
    Buffer.from(
      "%PDF-1.5\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
        `3 0 obj<</Type/ObjStm/N 1/First ${index.length}/Filter/FlateDecode/Length ${compressed.length}>>stream\n`,
    ),
    compressed,
    Buffer.from("\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
  ]);
}

/** [label, bytes, field, expected code]. */
function cases() {
  const card = "organizer.principal.certificate.front";
  const letter = "commitment.letter";
  return [
    ["PNG declaring 100000 × 60000 in 74 bytes", pngDeclaring(100000, 60000), letter, "IMAGE_TOO_LARGE"],
    ["PNG declaring 4294967295 × 4294967280", pngDeclaring(4294967295, 4294967280), letter, "IMAGE_TOO_LARGE"],
    ["JPEG declaring 65500 × 40000", jpeg(65500, 40000, 0), letter, "IMAGE_TOO_LARGE"],
    ["PNG declaring 4000 × 4000 RGBA with a few bytes of data", pngDeclaring(4000, 4000), letter, "IMAGE_TRUNCATED"],
    ["JPEG 1280 × 720 with 100 bytes of scan", jpeg(1280, 720, 100), card, "IMAGE_TRUNCATED"],
    ["PNG with HTML after IEND", Buffer.concat([png(1280, 720), HTML]), card, "TRAILING_DATA"],
    ["JPEG with HTML after EOI", jpeg(1280, 720, 1800, HTML), card, "TRAILING_DATA"],
    ["a 'PDF' whose body is HTML", Buffer.concat([Buffer.from("%PDF-1.4\n"), HTML]), letter, "TRAILING_DATA"],
    [
      "PDF with an OpenAction running JavaScript",
      pdfWithCatalog("/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
      letter,
      "ACTIVE_CONTENT",
    ],
    ["PDF with a Launch action", pdfWithCatalog("/AA<</O<</S/Launch/F(cmd.exe)>>>>"), letter, "ACTIVE_CONTENT"],
    ["PDF with embedded files", pdfWithCatalog("/Names<</EmbeddedFiles 5 0 R>>"), letter, "ACTIVE_CONTENT"],
    [
      "PDF hiding JavaScript in an object stream",
      pdfWithObjectStream("/OpenAction<</S/JavaScript/JS(x)>>"),
      letter,
      "ACTIVE_CONTENT",
    ],
  ];
}

async function upload(url, key, bytes, field) {
  const form = new FormData();
  form.set("field", field);
  if (field.includes("principal")) form.set("certificateType", "resident_id");
  form.set("file", new Blob([bytes]), "upload.bin");
  const res = await fetch(`${url}/v1/materials`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

export async function check({ log, shared }) {
  const notes = [];
  const service = await serviceFor(shared, { port: PORT });
  const url = service.url;
  try {
    const dev = await newAccount(url, "developer");
    const list = cases();
    let refused = 0;
    for (const [label, bytes, field, code] of list) {
      const res = await upload(url, dev.key, bytes, field);
      const got = res.body?.errors?.[0]?.code;
      if (res.status === 422 && got === code) refused++;
      else notes.push(`${label}: ${res.status} ${got ?? ""} (expected ${code})`);
    }
    log(`${refused}/${list.length} hostile files refused with their code`);

    const genuine = await upload(url, dev.key, png(1280, 720), "organizer.principal.certificate.front");
    const content = await call(url, `/v1/materials/${genuine.body.mediaId}/content`, { key: dev.key });
    const disposition = content.headers?.get?.("content-disposition") ?? "";
    const csp = content.headers?.get?.("content-security-policy") ?? "";
    return {
      name: "files",
      ok: true,
      figures: {
        "hostile files refused with their code": expectEq(refused, list.length),
        "a genuine photo accepted": expectEq(genuine.status, 201),
        "served as an attachment": expectEq(disposition.startsWith("attachment"), true),
        "served sandboxed (CSP sandbox; default-src 'none')": expectEq(csp, "sandbox; default-src 'none'"),
      },
      notes,
    };
  } finally {
    await service.close();
  }
}
