/**
 * The public registry as CSV (docs/rules.md#public-lookup): the nightly export and the search page's "导出本页" write
 * the same columns, the public record's fields in the lookup's names. RFC 4180: comma-separated, CRLF line ends, a
 * field quoted when it holds a quote, comma, CR or LF, quotes doubled. A file starts with a UTF-8 BOM so that
 * spreadsheet programs read the Chinese text as UTF-8.
 *
 * Spreadsheet programs run a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR as a formula, and service and
 * organizer names are typed by filers: such a cell is written with a leading `'` (the usual defence against CSV
 * injection), which spreadsheets show as text. `readCsvCell` undoes it for programs that read the file.
 */

/** The record fields a CSV row holds, in column order. */
export const CSV_COLUMNS = [
  "serviceLicence",
  "mainLicence",
  "unitName",
  "natureName",
  "serviceName",
  "serviceType",
  "contentTypeName",
  "updateRecordTime",
  "limitAccess",
  "status",
  "redacted",
] as const;

export type CsvRecord = {
  serviceLicence: string;
  mainLicence: string;
  unitName: string;
  natureName: string;
  serviceName: string;
  serviceType: number;
  contentTypeName: string;
  updateRecordTime: string;
  limitAccess: string;
  status: string;
  /** Written joined with `,` (names of fields, which hold no comma). */
  redacted: string[];
};

export const UTF8_BOM = "\uFEFF";

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string | number): string {
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line, CRLF-terminated. */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(",")}\r\n`;
}

/** One CRLF-terminated line per record. */
export function csvLines(records: readonly CsvRecord[]): string {
  let out = "";
  for (const r of records) {
    out += `${CSV_COLUMNS.map((c) => cell(c === "redacted" ? r.redacted.join(",") : r[c])).join(",")}\r\n`;
  }
  return out;
}

/** A whole file: BOM, header, rows. */
export function csvFile(records: readonly CsvRecord[]): string {
  return UTF8_BOM + csvHeader() + csvLines(records);
}

/** A cell's value as written, without the formula guard. */
export function readCsvCell(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

/**
 * Any table as a CSV file with the same rules (BOM, CRLF, quoting, the formula guard): the consoles' exports
 * (docs/rules.md#consoles). A null or undefined value is an empty cell.
 */
export function csvTable(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  const line = (values: readonly (string | number | boolean | null | undefined)[]) =>
    `${values.map((v) => cell(v === null || v === undefined ? "" : typeof v === "boolean" ? String(v) : v)).join(",")}\r\n`;
  return UTF8_BOM + line(header) + rows.map(line).join("");
}
