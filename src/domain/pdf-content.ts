import { Unzlib } from "fflate";

/**
 * Active content in an uploaded PDF (docs/rules.md#materials): a letter or a permit is a page to read, so a PDF that
 * carries script, a launch action, embedded files or multimedia is refused. The check reads names, not objects:
 * every name in the file (with `#xx` escapes decoded, as a viewer decodes them) is compared with the refused ones,
 * outside stream data and inside every object stream (`/Type /ObjStm`, where PDF 1.5+ keeps dictionaries
 * compressed).
 *
 * Stream data (page content, images, fonts) holds no dictionary a viewer acts on, and binary data spells names by
 * chance (`/JS` and a delimiter: about one 2 MB image in 150), so it is left out — from `stream` to its first
 * `endstream`, and only when no `endobj` lies between them, so that no object can hide in a stream whose end is
 * left out. An object stream that cannot be inflated (another filter, a predictor, encryption, corrupt data) or that
 * inflates beyond 16 MB cannot be checked and is refused.
 */
export const REFUSED_PDF_NAMES = [
  "JavaScript",
  "JS",
  "Launch",
  "EmbeddedFile",
  "EmbeddedFiles",
  "RichMedia",
  "XFA",
] as const;
const REFUSED = new Set<string>(REFUSED_PDF_NAMES);

/** Inflated object streams are read up to this many bytes in all; a 2 MB file has no need for more. */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;
/** Compressed input is fed in slices this size, so one slice can inflate to at most about 1,032 times it. */
const INFLATE_SLICE = 4096;

export type PdfActiveContent = { name: string } | null;

/** PDF white space (NUL, tab, line feed, form feed, carriage return, space) and delimiters end a name. */
const WHITE_SPACE = new Set([0, 9, 10, 12, 13, 32]);
const NAME_ENDS = new Set([...WHITE_SPACE, ...Array.from("()<>[]{}/%", (c) => c.charCodeAt(0))]);

function decodeName(raw: string): string {
  return raw.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Every name in `text` (a slash then regular characters), decoded. */
function namesIn(text: string): string[] {
  const out: string[] = [];
  let at = text.indexOf("/");
  while (at >= 0) {
    let end = at + 1;
    while (end < text.length && !NAME_ENDS.has(text.charCodeAt(end))) end++;
    out.push(decodeName(text.slice(at + 1, end)));
    at = text.indexOf("/", end);
  }
  return out;
}

function refusedName(text: string): string | null {
  for (const name of namesIn(text)) if (REFUSED.has(name)) return name;
  return null;
}

/** Bytes as one char each (latin1), so offsets in the text are offsets in the file. */
function latin1(bytes: Uint8Array): string {
  let out = "";
  // `apply` with the typed array itself: spreading it goes through the iterator, ten times slower on 2 MB.
  for (let i = 0; i < bytes.length; i += 0x2000) {
    out += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(i + 0x2000, bytes.length)) as unknown as number[],
    );
  }
  return out;
}

const FLATE = new Set(["FlateDecode", "Fl"]);
const OTHER_FILTERS = new Set([
  "ASCIIHexDecode",
  "AHx",
  "ASCII85Decode",
  "A85",
  "LZWDecode",
  "LZW",
  "RunLengthDecode",
  "RL",
  "CCITTFaxDecode",
  "CCF",
  "DCTDecode",
  "DCT",
  "JBIG2Decode",
  "JPXDecode",
  "Crypt",
  "Predictor",
]);

/** Inflates zlib data with a cap on the output; null when it does not inflate or exceeds the budget. */
function inflateCapped(data: Uint8Array, budget: number): Uint8Array | null {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Unzlib({}, (chunk) => {
    total += chunk.length;
    if (total <= budget) chunks.push(chunk);
  });
  try {
    for (let i = 0; i < data.length && total <= budget; i += INFLATE_SLICE) {
      const end = Math.min(i + INFLATE_SLICE, data.length);
      inflater.push(data.subarray(i, end), end === data.length);
    }
  } catch {
    return null;
  }
  if (total > budget) return null;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Where each stream's data starts: after `stream` and its end of line (not `endstream`). */
function streamStarts(text: string): number[] {
  const out: number[] = [];
  for (const match of text.matchAll(/stream\r?\n/g)) {
    const at = match.index as number;
    if (text.slice(Math.max(0, at - 3), at) !== "end") out.push(at + match[0].length);
  }
  return out;
}

/** `text` without its streams' data (see above): what a viewer reads as objects outside object streams. */
function outsideStreams(text: string, starts: readonly number[]): string {
  let out = "";
  let from = 0;
  for (const start of starts) {
    if (start < from) continue;
    const end = text.indexOf("endstream", start);
    if (end < 0) break;
    const objectEnd = text.indexOf("endobj", start);
    if (objectEnd >= 0 && objectEnd < end) continue;
    out += text.slice(from, start);
    from = end;
  }
  return out + text.slice(from);
}

/**
 * The first refused name a PDF carries (`{name}`), or `{name: "ObjStm"}` for an object stream that cannot be
 * checked, or null when it carries none.
 */
export function pdfActiveContent(bytes: Uint8Array): PdfActiveContent {
  const text = latin1(bytes);
  const starts = streamStarts(text);
  const found = refusedName(outsideStreams(text, starts));
  if (found) return { name: found };
  let budget = MAX_INFLATED_BYTES;
  for (const start of starts) {
    // The stream's dictionary: back to the `obj` keyword that opens it (dictionaries of object streams are short).
    const head = text.slice(Math.max(0, start - 4096), start);
    const dictionary = head.slice(head.lastIndexOf("obj") + 3);
    const names = namesIn(dictionary);
    if (!names.includes("ObjStm")) continue;
    if (!names.some((n) => FLATE.has(n)) || names.some((n) => OTHER_FILTERS.has(n))) return { name: "ObjStm" };
    const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dictionary);
    const endstream = text.indexOf("endstream", start);
    const end = length ? start + Number(length[1]) : endstream < 0 ? text.length : endstream;
    const inflated = inflateCapped(bytes.subarray(start, Math.min(end, bytes.length)), budget);
    if (!inflated) return { name: "ObjStm" };
    budget -= inflated.length;
    const inner = refusedName(latin1(inflated));
    if (inner) return { name: inner };
  }
  return null;
}

/**
 * Whether anything but white space follows the PDF's last `%%EOF` (or there is no `%%EOF` at all): a PDF ends with
 * its trailer, and bytes after it are another document riding along.
 */
export function pdfHasTrailingData(bytes: Uint8Array): boolean {
  const tail = latin1(bytes.subarray(Math.max(0, bytes.length - 2048)));
  const at = tail.lastIndexOf("%%EOF");
  if (at < 0) return true;
  for (let i = at + 5; i < tail.length; i++) if (!WHITE_SPACE.has(tail.charCodeAt(i))) return true;
  return false;
}
