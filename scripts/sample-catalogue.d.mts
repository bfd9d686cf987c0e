import type { Kind } from "./catalogue-import.mjs";

export function appRow(i: number, owner: string): Record<string, unknown>;
export function registrationRow(i: number): Record<string, unknown>;
export function writeCatalogue(kind: Kind, n: number, file: string, opts?: { owner?: string; bad?: number }): number[];
export function writeSampleCatalogue(
  dir: string,
  n: number,
  opts?: { bad?: number; jsonl?: boolean; owner?: string },
): string[];
