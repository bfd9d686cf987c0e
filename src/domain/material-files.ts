import { JPG } from "image-size/types/jpg";
import { PNG } from "image-size/types/png";
import type { MaterialContentType } from "./materials";

/**
 * What an uploaded file really is, from its content: the name and the declared content type are the client's
 * word and are ignored (a JPEG saved as `photo.png` is a JPEG).
 */
export function detectContentType(bytes: Uint8Array): MaterialContentType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (isMp4(bytes)) return "video/mp4";
  return null;
}

/** MP4 (ISO/IEC 14496-12 and -14) brands a phone or an encoder writes as the file's major brand. */
const MP4_BRANDS = new Set(["isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "MSNV", "dash"]);

/** An MP4 begins with its `ftyp` box: a 32-bit size, `ftyp`, then the major brand. */
function isMp4(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  const size = ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  return text(4, 8) === "ftyp" && size >= 16 && size <= bytes.length && MP4_BRANDS.has(text(8, 12));
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

export type ImageSize = { width: number; height: number };

/**
 * The image's size as a viewer shows it, or null when the header cannot be read. Headers are read by the
 * image-size package (one reader per format, since the format is already known from the magic bytes). A JPEG
 * whose EXIF orientation turns it a quarter (values 5–8, as phones write for upright shots) is shown with its
 * sides swapped, and that is the orientation that counts.
 */
export function readImageSize(bytes: Uint8Array, type: "image/jpeg" | "image/png"): ImageSize | null {
  const reader = type === "image/jpeg" ? JPG : PNG;
  try {
    if (!reader.validate(bytes)) return null;
    const size = reader.calculate(bytes);
    if (!Number.isInteger(size.width) || !Number.isInteger(size.height)) return null;
    const quarterTurn = size.orientation !== undefined && size.orientation >= 5 && size.orientation <= 8;
    return quarterTurn ? { width: size.height, height: size.width } : { width: size.width, height: size.height };
  } catch {
    // The readers throw on truncated or corrupt headers; to the uploader that is one problem: unreadable.
    return null;
  }
}

/** How each format is named to people. */
export const FORMAT_NAMES: Record<MaterialContentType, string> = {
  "image/jpeg": "JPEG",
  "image/png": "PNG",
  "application/pdf": "PDF",
  "video/mp4": "MP4",
};

/**
 * The largest image accepted (docs/rules.md#materials): 10,000 pixels on a side and 40 megapixels. A phone's
 * camera writes at most about 50 MP at full resolution and a document scan at 600 dpi of A3 is 7,000 × 9,900; what
 * is larger is a decompression bomb for the reviewers' and the regulator's viewers.
 */
export const MAX_IMAGE_SIDE = 10_000;
export const MAX_IMAGE_PIXELS = 40_000_000;

/**
 * The best compression either format can reach, which bounds how few bytes an image of a given size can take:
 * deflate (PNG's IDAT) codes at most 258 bytes in 2 bits, so 1,032 : 1; a Huffman-coded JPEG codes at least one
 * bit of scan data (the DC difference) for every 8 × 8 block of each component. A file with less data than that
 * cannot hold its declared image: it is cut short or forged to make a viewer allocate the pixels.
 */
const DEFLATE_MAX_RATIO = 1032;

/** Where an image's structure ends and how much compressed data it carries, or why it cannot be walked. */
type Layout = { kind: "ok"; dataBytes: number; trailingBytes: number; bitsPerPixel: number } | { kind: "truncated" };

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Walks a PNG's chunks from the signature to IEND: the IDAT bytes, and what follows IEND. */
function pngLayout(bytes: Uint8Array): Layout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let dataBytes = 0;
  let bitsPerPixel = 1;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const end = pos + 12 + length;
    if (end > bytes.length) break;
    if (type === "IHDR" && length >= 13) {
      bitsPerPixel = (bytes[pos + 16] ?? 8) * (PNG_CHANNELS[bytes[pos + 17] ?? 6] ?? 4);
    } else if (type === "IDAT") {
      dataBytes += length;
    } else if (type === "IEND") {
      return { kind: "ok", dataBytes, trailingBytes: bytes.length - end, bitsPerPixel };
    }
    pos = end;
  }
  return { kind: "truncated" };
}

/**
 * Walks a JPEG's segments from SOI to EOI, skipping each scan's entropy-coded data (stuffed `FF 00` and restart
 * markers belong to it): the scan bytes, and what follows EOI. Bytes that are not a marker where one must be make
 * the file unreadable (null).
 */
function jpegLayout(bytes: Uint8Array): Layout | null {
  let pos = 2;
  let dataBytes = 0;
  while (pos + 1 < bytes.length) {
    if (bytes[pos] !== 0xff) return null;
    let marker = bytes[pos + 1] as number;
    while (marker === 0xff && pos + 2 < bytes.length) marker = bytes[++pos + 1] as number; // fill bytes
    if (marker === 0xd9) return { kind: "ok", dataBytes, trailingBytes: bytes.length - (pos + 2), bitsPerPixel: 0 };
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (pos + 4 > bytes.length) break;
    const end = pos + 2 + (((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number));
    if (end > bytes.length) break;
    pos = end;
    if (marker !== 0xda) continue;
    // Entropy-coded data runs to the next marker other than a stuffed zero or a restart marker.
    while (pos < bytes.length) {
      if (bytes[pos] === 0xff) {
        const next = bytes[pos + 1];
        if (next === undefined) break;
        if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
        pos += 2;
        dataBytes += 2;
        continue;
      }
      pos++;
      dataBytes++;
    }
  }
  return { kind: "truncated" };
}

/** The fewest compressed bytes that can hold a `width` × `height` image (see DEFLATE_MAX_RATIO). */
function minDataBytes(type: "image/jpeg" | "image/png", size: ImageSize, bitsPerPixel: number): number {
  if (type === "image/png") return Math.floor((size.width * size.height * bitsPerPixel) / 8 / DEFLATE_MAX_RATIO);
  return Math.floor((Math.ceil(size.width / 8) * Math.ceil(size.height / 8)) / 8);
}

export type ImageFileProblem =
  | { code: "IMAGE_TOO_LARGE"; params: { maxSide: number; maxMegapixels: number } }
  | { code: "INVALID_IMAGE" | "IMAGE_TRUNCATED" | "TRAILING_DATA"; params: Record<string, never> };

/**
 * What is wrong with an image file whose header reads as `size`, beyond its size and orientation for a field
 * (docs/rules.md#materials), or null: too many pixels (`IMAGE_TOO_LARGE`); a structure that does not chain
 * (`INVALID_IMAGE`); too little data for the declared pixels, or no end (`IMAGE_TRUNCATED`); bytes after the
 * image's end, where a polyglot keeps its other document (`TRAILING_DATA`).
 */
export function imageFileProblem(
  bytes: Uint8Array,
  type: "image/jpeg" | "image/png",
  size: ImageSize,
): ImageFileProblem | null {
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE || size.width * size.height > MAX_IMAGE_PIXELS) {
    return { code: "IMAGE_TOO_LARGE", params: { maxSide: MAX_IMAGE_SIDE, maxMegapixels: MAX_IMAGE_PIXELS / 1e6 } };
  }
  const layout = type === "image/png" ? pngLayout(bytes) : jpegLayout(bytes);
  if (layout === null) return { code: "INVALID_IMAGE", params: {} };
  if (layout.kind === "truncated" || layout.dataBytes < minDataBytes(type, size, layout.bitsPerPixel)) {
    return { code: "IMAGE_TRUNCATED", params: {} };
  }
  if (layout.trailingBytes > 0) return { code: "TRAILING_DATA", params: {} };
  return null;
}
