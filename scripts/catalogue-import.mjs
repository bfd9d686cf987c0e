// The pieces of `npm run import` (scripts/import.mjs): reading a catalogue file (CSV or JSON Lines) row by row,
// turning rows into the admin import API's objects, sending them in batches with retries, setting rejected rows
// aside in `<file>.errors.csv`, and the checkpoint a resumed run starts from. No rule about the rows themselves
// lives here: the service judges every row (docs/rules.md#error-codes), and this module only carries its answers
// back to the file's row numbers.
import {
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify/sync";

/**
 * What each kind sends, and its CSV columns: `[column, path in the API's object, required in the header]`.
 * An empty cell leaves its field out (so an optional field may also be left empty).
 */
export const KINDS = {
  apps: {
    route: "/v1/admin/apps/import",
    list: "apps",
    columns: [
      ["appId", "appId", true],
      ["name", "name", true],
      ["ownerAccountId", "ownerAccountId", true],
      ["listingStatus", "listingStatus", true],
      ["listedAt", "listedAt", false],
    ],
  },
  registrations: {
    route: "/v1/admin/registrations/import",
    list: "registrations",
    columns: [
      ["number", "number", true],
      ["appId", "appId", false],
      ["organizerNature", "organizer.nature", true],
      ["organizerName", "organizer.name", true],
      ["certificateType", "organizer.certificate.type", false],
      ["certificateNumber", "organizer.certificate.number", false],
      ["serviceName", "service.name", true],
      ["contentTypeName", "service.contentTypeName", false],
      ["approvedAt", "approvedAt", true],
      ["status", "status", false],
    ],
  },
};

/** The columns of `<file>.errors.csv`. */
export const ERROR_COLUMNS = ["row", "column", "path", "code", "message"];

/** A failure that ends the run (the checkpoint stays, so `--resume` continues once the cause is fixed). */
export class ImportError extends Error {}

export function formatOf(file, format) {
  if (format) return format;
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.(jsonl|ndjson)$/i.test(file)) return "jsonl";
  throw new ImportError(`cannot tell the format of ${file} from its name: pass --format csv or --format jsonl`);
}

/** Checks a CSV header against the kind's columns; returns the column names in file order. */
export function checkHeader(kind, header) {
  const known = new Map(KINDS[kind].columns.map(([column, , required]) => [column, required]));
  const names = header.map((h) => h.trim());
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new ImportError(
      `unknown column(s) ${unknown.join(", ")}; the ${kind} columns are ${[...known.keys()].join(", ")}`,
    );
  }
  const missing = [...known].filter(([c, required]) => required && !names.includes(c)).map(([c]) => c);
  if (missing.length > 0) throw new ImportError(`missing column(s) ${missing.join(", ")}`);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new ImportError(`column(s) ${twice.join(", ")} appear twice`);
  return names;
}

/** One CSV record (its cells, in header order) as the API's object; empty cells are left out. */
export function objectOfCells(kind, names, cells) {
  const paths = new Map(KINDS[kind].columns.map(([column, path]) => [column, path]));
  const out = {};
  names.forEach((name, i) => {
    const cell = cells[i] ?? "";
    if (cell === "") return;
    const keys = /** @type {string} */ (paths.get(name)).split(".");
    let at = out;
    for (const k of keys.slice(0, -1)) at = at[k] ??= {};
    at[keys[keys.length - 1]] = cell;
  });
  return out;
}

/** The CSV column a path inside a row comes from (`organizer.certificate.number` → `certificateNumber`). */
export function columnOfPath(kind, path) {
  let best = "";
  for (const [column, p] of KINDS[kind].columns) {
    if ((path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) && p.length > best.length) best = column;
  }
  if (best) return best;
  // A whole object (`organizer.certificate`): the first column inside it.
  return KINDS[kind].columns.find(([, p]) => p.startsWith(`${path}.`))?.[0] ?? "";
}

/**
 * The rows of a file, in order: `{ row, ordinal, bytes, value }`, or `{ row, ordinal, bytes, problem }` for a row
 * that cannot become an object (a CSV record with the wrong number of cells, a JSON Lines line that is not a JSON
 * object). `row` is the number a reader finds it by (CSV: a spreadsheet's row number, the header being row 1;
 * JSON Lines: the line number); `ordinal` counts data rows from 1 (what a checkpoint records); `bytes` is how far
 * into the file the row ends. Rows with `ordinal <= skip` are read but not yielded.
 */
export async function* readRows(kind, file, { format = formatOf(file), skip = 0 } = {}) {
  if (format === "csv") {
    const parser = createReadStream(file).pipe(
      parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
    );
    let names;
    let ordinal = 0;
    for await (const { record, info } of parser) {
      if (!names) {
        names = checkHeader(kind, record);
        continue;
      }
      ordinal++;
      if (ordinal <= skip) continue;
      // A spreadsheet shows blank lines as rows (and a cell's line breaks inside its row).
      const at = { row: 1 + ordinal + info.empty_lines, ordinal, bytes: info.bytes };
      if (record.length !== names.length) {
        yield {
          ...at,
          problem: {
            path: "",
            code: "INVALID_ROW",
            message: `${record.length} cells where the header has ${names.length}`,
          },
        };
      } else {
        yield { ...at, value: objectOfCells(kind, names, record) };
      }
    }
    if (!names) throw new ImportError(`${file} is empty: a CSV file starts with its header row`);
    return;
  }
  if (format !== "jsonl") throw new ImportError(`unknown format ${format}: csv or jsonl`);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let ordinal = 0;
  let row = 0;
  let bytes = 0;
  for await (const line of lines) {
    row++;
    bytes += Buffer.byteLength(line) + 1;
    if (line.trim() === "") continue;
    ordinal++;
    if (ordinal <= skip) continue;
    let value;
    try {
      value = JSON.parse(line);
    } catch (e) {
      yield { row, ordinal, bytes, problem: { path: "", code: "INVALID_JSON", message: String(e.message ?? e) } };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield { row, ordinal, bytes, problem: { path: "", code: "INVALID_JSON", message: "a row is a JSON object" } };
      continue;
    }
    yield { row, ordinal, bytes, value };
  }
}

/** Groups rows into batches of at most `size` rows to send (rows with a problem ride along, to be set aside). */
export async function* batchesOf(rows, size) {
  let batch = [];
  let values = 0;
  for await (const r of rows) {
    batch.push(r);
    if (r.value !== undefined) values++;
    if (values >= size) {
      yield batch;
      batch = [];
      values = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Splits a 422 answer's `errors` by the index of the row they name (`apps[3].name` → 3, path `name`). Anything
 * not about one row (the request as a whole) comes back in `other`.
 */
export function rowProblems(list, errors) {
  const byIndex = new Map();
  const other = [];
  const re = new RegExp(`^${list}\\[(\\d+)\\](?:\\.(.*))?$`);
  for (const e of errors ?? []) {
    const m = re.exec(String(e.path ?? ""));
    if (!m) {
      other.push(e);
      continue;
    }
    const i = Number(m[1]);
    if (!byIndex.has(i)) byIndex.set(i, []);
    byIndex.get(i).push({ path: m[2] ?? "", code: e.code, message: e.message ?? "" });
  }
  return { byIndex, other };
}

/** How long to wait before try `attempt` (1 = the first retry): the answer's Retry-After, or backoff with jitter. */
export function retryDelay(attempt, retryAfter, random = Math.random) {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  const ceiling = Math.min(30_000, 500 * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const transient = (status) => status === 0 || status === 429 || status >= 500;

/**
 * POSTs `body` as JSON; retries 429, 5xx and connection failures up to `retries` times. Resolves with the last
 * `{ status, body }`.
 */
export async function send(url, key, body, { fetch = globalThis.fetch, retries = 8, sleep, onRetry } = {}) {
  const wait = sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    let json;
    let retryAfter = null;
    let reason;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "accept-language": "en" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(120_000),
      });
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      const text = await res.text();
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = { detail: text.slice(0, 200) };
      }
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
    if (!transient(status) || attempt >= retries) return { status, body: json, reason };
    const ms = retryDelay(attempt + 1, retryAfter);
    onRetry?.({ status, reason, attempt: attempt + 1, ms });
    await wait(ms);
  }
}

/** The errors file: a header once, then one line per problem of a rejected row. */
export class ErrorsFile {
  /** Opens `path` for appending, first cutting it back to `keepBytes` (what the checkpoint had acknowledged). */
  constructor(path, kind, keepBytes = 0) {
    this.path = path;
    this.kind = kind;
    this.rows = 0;
    this.pending = [];
    const keep = keepBytes > 0 && existsSync(path) ? Math.min(keepBytes, statSync(path).size) : 0;
    this.fd = openSync(path, keep > 0 ? "r+" : "w");
    ftruncateSync(this.fd, keep);
    this.at = keep;
    if (keep === 0) this.write([ERROR_COLUMNS]);
  }
  write(records) {
    const text = stringify(records);
    this.at += writeSync(this.fd, text, this.at);
  }
  /**
   * Sets a row aside with every problem the service (or the reader) found in it. A batch's rows may be refused over
   * several answers (the request's shape first, then the facts in the database): `flush` writes them in file order.
   */
  reject(r, problems) {
    this.rows++;
    this.pending.push(...problems.map((p) => [r.row, columnOfPath(this.kind, p.path), p.path, p.code, p.message]));
  }
  flush() {
    if (this.pending.length === 0) return;
    this.write(this.pending.sort((a, b) => a[0] - b[0]));
    this.pending = [];
  }
  get bytes() {
    return fstatSync(this.fd).size;
  }
  /** Closes it, removing it when it holds no rejected row at all. */
  close() {
    this.flush();
    const empty = this.bytes <= stringify([ERROR_COLUMNS]).length;
    closeSync(this.fd);
    if (empty) rmSync(this.path, { force: true });
  }
}

export function readCheckpoint(path) {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Writes the checkpoint whole or not at all (a crash mid-write leaves the previous one). */
export function writeCheckpoint(path, data) {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/**
 * Imports `file` into the service at `url`: batches of `batchSize` rows, each acknowledged before the checkpoint
 * moves past it. A 422 sets the rows it names aside in `<file>.errors.csv` and sends the rest of the batch again
 * (a batch is all or nothing). `resume` continues from the checkpoint of an earlier run. `onProgress` receives
 * `{ rows, bytes, totalBytes, note }` after each batch and before each retry.
 * Resolves with the counts; throws ImportError when the run cannot go on.
 */
export async function importFile({
  kind,
  file,
  url,
  key,
  format,
  resume = false,
  batchSize = 1000,
  retries,
  fetch,
  sleep,
  onProgress,
}) {
  const spec = KINDS[kind];
  if (!spec) throw new ImportError(`unknown kind ${kind}: apps or registrations`);
  if (!existsSync(file)) throw new ImportError(`no such file: ${file}`);
  const fmt = formatOf(file, format);
  const checkpointPath = `${file}.checkpoint.json`;
  const errorsPath = `${file}.errors.csv`;
  const { size, mtimeMs } = statSync(file);
  let checkpoint = readCheckpoint(checkpointPath);
  if (checkpoint && !resume) {
    throw new ImportError(
      `${checkpointPath} holds an unfinished run: pass --resume to continue it, or delete it to start over`,
    );
  }
  if (checkpoint && (checkpoint.kind !== kind || checkpoint.size !== size || checkpoint.mtimeMs !== mtimeMs)) {
    throw new ImportError(`${file} changed since ${checkpointPath} was written (or is another kind): not resuming`);
  }
  checkpoint ??= {
    kind,
    size,
    mtimeMs,
    rows: 0,
    bytes: 0,
    errorsBytes: 0,
    counts: { imported: 0, updated: 0, unchanged: 0, rejected: 0 },
  };
  const counts = { ...checkpoint.counts };
  const errors = new ErrorsFile(errorsPath, kind, checkpoint.errorsBytes);
  const endpoint = `${url.replace(/\/+$/, "")}${spec.route}`;
  const started = Date.now();
  let rowsThisRun = 0;
  let position = { rows: checkpoint.rows, bytes: checkpoint.bytes };
  const progress = (note = "") =>
    onProgress?.({ ...position, rowsThisRun, totalBytes: size, seconds: (Date.now() - started) / 1000, note });
  progress();

  // Rows a call carries: the batch, until a 413 (the body over the service's limit) halves it for the rest of the run.
  let callRows = batchSize;
  /**
   * Sends `rows` until the service has taken all it accepts: rows a 422 names are set aside and the rest sent again;
   * a 413 splits them in two.
   */
  const deliver = async (rows) => {
    let pending = rows;
    while (pending.length > 0) {
      const res = await send(
        endpoint,
        key,
        { [spec.list]: pending.map((p) => p.value) },
        {
          fetch,
          retries,
          sleep,
          onRetry: ({ status, reason, ms }) =>
            progress(`retrying in ${(ms / 1000).toFixed(1)} s (${status || reason})`),
        },
      );
      if (res.status === 200) {
        counts.imported += res.body?.imported ?? 0;
        counts.updated += res.body?.updated ?? 0;
        counts.unchanged += res.body?.unchanged ?? 0;
        return;
      }
      if (res.status === 413 && pending.length > 1) {
        callRows = Math.ceil(pending.length / 2);
        await deliverAll(pending);
        return;
      }
      if (res.status === 422) {
        const { byIndex, other } = rowProblems(spec.list, res.body?.errors);
        if (other.length > 0 || byIndex.size === 0) {
          throw new ImportError(`the service refused a batch as a whole: ${describe(res)}`);
        }
        for (const [i, problems] of byIndex) if (pending[i]) errors.reject(pending[i], problems);
        pending = pending.filter((_, i) => !byIndex.has(i));
        continue;
      }
      if (res.status === 404) {
        throw new ImportError(`${endpoint} answered 404: this service has no ${kind} import route`);
      }
      throw new ImportError(`${endpoint} answered ${res.status || res.reason}: ${describe(res)}`);
    }
  };

  /** `rows` in calls of `callRows` (which a 413 on the way may lower). */
  const deliverAll = async (rows) => {
    for (let i = 0; i < rows.length; ) {
      const part = rows.slice(i, i + callRows);
      await deliver(part);
      i += part.length;
    }
  };

  try {
    for await (const batch of batchesOf(readRows(kind, file, { format: fmt, skip: checkpoint.rows }), batchSize)) {
      for (const r of batch.filter((b) => b.problem)) errors.reject(r, [r.problem]);
      await deliverAll(batch.filter((b) => b.value !== undefined));
      const last = batch[batch.length - 1];
      rowsThisRun += batch.length;
      position = { rows: last.ordinal, bytes: last.bytes };
      errors.flush();
      counts.rejected = checkpoint.counts.rejected + errors.rows;
      writeCheckpoint(checkpointPath, {
        ...checkpoint,
        rows: last.ordinal,
        bytes: last.bytes,
        errorsBytes: errors.bytes,
        counts,
        at: new Date().toISOString(),
      });
      progress();
    }
  } finally {
    errors.close();
  }
  rmSync(checkpointPath, { force: true });
  const seconds = (Date.now() - started) / 1000;
  return {
    ...counts,
    rows: position.rows,
    rowsThisRun,
    seconds,
    rowsPerSecond: seconds > 0 ? rowsThisRun / seconds : 0,
    errorsFile: counts.rejected > 0 ? errorsPath : undefined,
  };
}

function describe(res) {
  const b = res.body;
  if (!b) return res.reason ?? "no answer";
  const list = (b.errors ?? []).slice(0, 3).map((e) => `${e.path} ${e.code}`);
  return [b.code ?? b.title, b.detail, list.join("; ")].filter(Boolean).join(" — ");
}
