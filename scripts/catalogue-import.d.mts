export type Kind = "apps" | "registrations";
export type RowProblem = { path: string; code: string; message: string };
export type Row = {
  row: number;
  ordinal: number;
  bytes: number;
  value?: Record<string, unknown>;
  problem?: RowProblem;
};
export type Progress = {
  rows: number;
  bytes: number;
  rowsThisRun: number;
  totalBytes: number;
  seconds: number;
  note: string;
};
export type Summary = {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rows: number;
  rowsThisRun: number;
  seconds: number;
  rowsPerSecond: number;
  errorsFile?: string;
};

export const KINDS: Record<Kind, { route: string; list: string; columns: [string, string, boolean][] }>;
export const ERROR_COLUMNS: string[];
export class ImportError extends Error {}
export function formatOf(file: string, format?: string): "csv" | "jsonl";
export function checkHeader(kind: Kind, header: string[]): string[];
export function objectOfCells(kind: Kind, names: string[], cells: string[]): Record<string, unknown>;
export function columnOfPath(kind: Kind, path: string): string;
export function readRows(kind: Kind, file: string, opts?: { format?: string; skip?: number }): AsyncGenerator<Row>;
export function batchesOf<T extends { value?: unknown }>(rows: AsyncIterable<T>, size: number): AsyncGenerator<T[]>;
export function rowProblems(
  list: string,
  errors: { path?: string; code: string; message?: string }[] | undefined,
): { byIndex: Map<number, RowProblem[]>; other: unknown[] };
export function retryDelay(attempt: number, retryAfter: string | null | undefined, random?: () => number): number;
export function send(
  url: string,
  key: string,
  body: unknown,
  opts?: {
    fetch?: typeof fetch;
    retries?: number;
    sleep?: (ms: number) => Promise<void>;
    onRetry?: (r: { status: number; reason?: string; attempt: number; ms: number }) => void;
  },
): Promise<{ status: number; body: unknown; reason?: string }>;
export function readCheckpoint(path: string): Record<string, unknown> | undefined;
export function importFile(opts: {
  kind: Kind;
  file: string;
  url: string;
  key: string;
  format?: string;
  resume?: boolean;
  batchSize?: number;
  retries?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (p: Progress) => void;
}): Promise<Summary>;
