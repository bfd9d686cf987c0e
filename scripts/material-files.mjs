// Small, valid files for filing materials (a one-colour PNG of any size, a minimal PDF), and their upload.
import { crc32, deflateSync } from "node:zlib";

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "ascii"), data])) >>> 0, 8 + data.length);
  return out;
}

/** A greyscale PNG of `width` × `height`, one colour; a few KB even at 1280 × 720. */
export function png(width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const row = Buffer.alloc(1 + width, 0xe0);
  row[0] = 0; // filter: none
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A one-page PDF. */
export function pdf(text = "beian") {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n` +
      `3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n% ${text}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );
}

/** Uploads one material (`POST /v1/materials`, multipart) as the holder of `key`; its mediaId, or throws. */
export async function uploadMaterial(baseUrl, key, field, bytes, name, certificateType) {
  const form = new FormData();
  form.set("field", field);
  if (certificateType) form.set("certificateType", certificateType);
  form.set("file", new Blob([bytes]), name);
  const res = await fetch(`${baseUrl}/v1/materials`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  const json = await res.json();
  if (res.status !== 201) throw new Error(`material ${field}: ${res.status} ${JSON.stringify(json)}`);
  return json.mediaId;
}
