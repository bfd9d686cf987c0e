import { constants, crc32, deflateRawSync } from "node:zlib";

/**
 * One gzip file (RFC 1952, a single member) written in pieces that need not exist at the same time, for the
 * registry's export (src/jobs/export-registry.ts): the header, then each piece of text deflated on its own and
 * flushed to a byte boundary without a final block (zlib's Z_SYNC_FLUSH: a piece never refers back to an earlier
 * one, so pieces made by different runs join into one valid deflate stream), then the trailer — an empty final
 * block, the CRC-32 of all the text and its length. Only the CRC and the length travel from piece to piece.
 * A single member because the WHATWG DecompressionStream (browsers, Workers) refuses data after the first member.
 */

/** Magic, deflate, no flags, no time, no extra flags, OS unknown. */
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);

/** `bytes` deflated, ending on a byte boundary with no final block. */
export function deflatePiece(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }));
}

/** The CRC-32 of everything so far, given that of what came before (0 at the start). */
export function crc32After(bytes: Uint8Array, previous: number): number {
  return crc32(bytes, previous) >>> 0;
}

/** The end of the file: an empty final fixed-Huffman block, then CRC-32 and length (mod 2^32), little-endian. */
export function gzipTrailer(crc: number, length: number): Uint8Array {
  const trailer = new Uint8Array(10);
  trailer.set([0x03, 0x00]);
  const view = new DataView(trailer.buffer);
  view.setUint32(2, crc >>> 0, true);
  view.setUint32(6, length % 2 ** 32, true);
  return trailer;
}
