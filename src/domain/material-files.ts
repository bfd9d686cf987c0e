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
