/**
 * The part of `node:zlib` (workerd's, under the nodejs_compat flag) that src/lib/gzip-segments.ts uses. Declared
 * here rather than through @types/node, which would give the Worker's code Node's globals as well.
 */
declare module "node:zlib" {
  export const constants: { readonly Z_SYNC_FLUSH: number };
  export function deflateRawSync(data: Uint8Array, options?: { finishFlush?: number }): Uint8Array;
  export function crc32(data: Uint8Array | string, value?: number): number;
}
