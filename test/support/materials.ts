import { findMaterialField } from "../../src/domain/materials";
import { call, callJson } from "./api";

/**
 * Material files made in code (no binary fixtures): real PNGs, JPEG headers that header readers accept, a
 * minimal PDF; and the upload calls the route and filing tests share.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export const ascii = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(text));
const u16 = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([ascii(type), data]);
  return concat([new Uint8Array(u32(data.length)), typed, new Uint8Array(u32(crc32(typed)))]);
}

async function zlibDeflate(raw: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  // "deflate" is the zlib wrapping PNG's IDAT expects (RFC 1950 around RFC 1951).
  const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const pngCache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * A valid PNG of `width` × `height` in one colour: 1-bit greyscale, so even 1280 × 720 is 116 KB to deflate
 * and a few hundred bytes once deflated. Cached per size: the bytes never change.
 */
export function pngBytes(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = `${width}x${height}`;
  let png = pngCache.get(key);
  if (!png) {
    png = (async () => {
      const rowBytes = 1 + Math.ceil(width / 8); // filter type 0, then the packed pixels
      const idat = await zlibDeflate(new Uint8Array(rowBytes * height));
      const header = new Uint8Array([...u32(width), ...u32(height), 1, 0, 0, 0, 0]); // depth 1, greyscale
      return concat([
        new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        pngChunk("IHDR", header),
        pngChunk("IDAT", idat),
        pngChunk("IEND", new Uint8Array()),
      ]);
    })();
    pngCache.set(key, png);
  }
  return png;
}

/**
 * A JPEG as its structure reads: SOI, a JFIF APP0, optionally an EXIF APP1 carrying an orientation, a baseline
 * SOF0 with the dimensions, an SOS and its scan (zero bytes, as many as the smallest plausible scan of that many
 * 8 × 8 blocks needs, one bit each), EOI. `padTo` lengthens the scan to reach a given size; `trailing` is appended
 * after EOI.
 */
export function jpegBytes(
  width: number,
  height: number,
  opts: { exifOrientation?: number; padTo?: number; trailing?: Uint8Array; scanBytes?: number } = {},
): Uint8Array<ArrayBuffer> {
  const soi = [0xff, 0xd8];
  const app0 = [0xff, 0xe0, ...u16(16), ...ascii("JFIF\0"), 1, 1, 0, ...u16(1), ...u16(1), 0, 0];
  const app1: number[] = [];
  if (opts.exifOrientation !== undefined) {
    // Big-endian TIFF with one IFD entry: tag 0x0112 (Orientation), SHORT, count 1.
    const tiff = [...ascii("MM"), ...u16(42), ...u32(8), ...u16(1), ...u16(0x0112), ...u16(3), ...u32(1)];
    tiff.push(...u16(opts.exifOrientation), 0, 0, ...u32(0));
    const payload = [...ascii("Exif\0\0"), ...tiff];
    app1.push(0xff, 0xe1, ...u16(payload.length + 2), ...payload);
  }
  const components = [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sof0 = [0xff, 0xc0, ...u16(8 + components.length), 8, ...u16(height), ...u16(width), 3, ...components];
  const sos = [0xff, 0xda, ...u16(12), 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0];
  const header = new Uint8Array([...soi, ...app0, ...app1, ...sof0, ...sos]);
  const eoi = new Uint8Array([0xff, 0xd9]);
  const trailing = opts.trailing ?? new Uint8Array();
  const minScan = opts.scanBytes ?? Math.ceil((Math.ceil(width / 8) * Math.ceil(height / 8)) / 8);
  const scan = Math.max(minScan, (opts.padTo ?? 0) - header.length - eoi.length - trailing.length);
  return concat([header, new Uint8Array(scan), eoi, trailing]);
}

/**
 * A PNG whose header declares `width` × `height` (8-bit RGBA) but whose IDAT is `idat` as given: the shape of a
 * decompression bomb, or of a truncated file.
 */
export function pngDeclaring(
  width: number,
  height: number,
  idat = new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
) {
  const header = new Uint8Array([...u32(width), ...u32(height), 8, 6, 0, 0, 0]);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", idat),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/** A one-page PDF 1.4 with a correct cross-reference table. */
export function pdfBytes(opts: { catalogExtra?: string; objects?: string[] } = {}): Uint8Array<ArrayBuffer> {
  const objects = [
    `<< /Type /Catalog /Pages 2 0 R${opts.catalogExtra ?? ""} >>`,
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ...(opts.objects ?? []),
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return ascii(body);
}

export type UploadParts = {
  file?: { bytes: Uint8Array<ArrayBuffer>; name?: string; type?: string };
  field?: string;
  certificateType?: string;
  /** Extra text parts, sent as is. */
  extra?: Record<string, string>;
};

export function uploadForm(parts: UploadParts): FormData {
  const form = new FormData();
  if (parts.file) {
    const { bytes, name = "upload.bin", type = "application/octet-stream" } = parts.file;
    form.set("file", new File([bytes], name, { type }));
  }
  if (parts.field !== undefined) form.set("field", parts.field);
  if (parts.certificateType !== undefined) form.set("certificateType", parts.certificateType);
  for (const [name, value] of Object.entries(parts.extra ?? {})) form.append(name, value);
  return form;
}

/** `POST /v1/materials` as `key` with a multipart form built from `parts`. */
export function postMaterial(key: string | undefined, parts: UploadParts, headers?: Record<string, string>) {
  return callJson("/v1/materials", { key, rawBody: uploadForm(parts), method: "POST", headers });
}

export type MaterialKind = "png" | "jpeg" | "pdf";

/** Bytes of `kind` at `width` × `height` (ignored for PDF). */
export async function materialBytes(kind: MaterialKind, width: number, height: number) {
  if (kind === "pdf") return pdfBytes();
  if (kind === "jpeg") return jpegBytes(width, height);
  return pngBytes(width, height);
}

/**
 * Uploads a material that passes every check for `field` and returns its mediaId. By default a PNG in the
 * field's orientation (1280 × 720, or 720 × 1280 for letters) showing the field's first certificate type;
 * each can be overridden.
 */
export async function uploadMaterial(
  key: string,
  field: string,
  opts: { kind?: MaterialKind; width?: number; height?: number; certificateType?: string } = {},
): Promise<string> {
  const spec = findMaterialField(field.replace(/\[\d+\]/g, "[]"));
  const portrait = spec?.orientation === "portrait";
  const width = opts.width ?? (portrait ? 720 : 1280);
  const height = opts.height ?? (portrait ? 1280 : 720);
  const kind = opts.kind ?? "png";
  const bytes = await materialBytes(kind, width, height);
  const res = await postMaterial(key, {
    file: { bytes, name: `material.${kind === "jpeg" ? "jpg" : kind}` },
    field: spec?.field ?? field,
    certificateType: opts.certificateType ?? spec?.certificateTypes?.[0],
  });
  if (res.status !== 201) throw new Error(`material upload: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.mediaId as string;
}

/** Whether `needle` occurs in `haystack` as a contiguous run of bytes. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Raw `POST /v1/materials` with any body and headers (for the transport checks). */
export function postRaw(key: string, body: BodyInit | undefined, headers: Record<string, string> = {}) {
  return call("/v1/materials", { key, rawBody: body, method: "POST", headers });
}

/**
 * A PDF 1.5 whose catalog sits compressed in an object stream (`/Type /ObjStm`, FlateDecode), the way current
 * producers write dictionaries; `catalogExtra` goes inside the compressed catalog, `streamDictExtra` into the
 * object stream's own dictionary.
 */
export async function pdfWithObjectStream(
  opts: { catalogExtra?: string; streamDictExtra?: string } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const catalog = `<< /Type /Catalog /Pages 2 0 R${opts.catalogExtra ?? ""} >>`;
  const index = "1 0 ";
  const compressed = await zlibDeflate(ascii(index + catalog));
  const head = ascii(
    "%PDF-1.5\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
      `3 0 obj\n<< /Type /ObjStm /N 1 /First ${index.length} /Filter /FlateDecode${opts.streamDictExtra ?? ""} /Length ${compressed.length} >>\nstream\n`,
  );
  const tail = ascii("\nendstream\nendobj\ntrailer\n<< /Size 4 /Root 1 0 R >>\n%%EOF\n");
  return concat([head, compressed, tail]);
}
