// `npm run import -- <apps|registrations> <file> [--url …] [--key …] [--resume] [--format csv|jsonl] [--batch n]`:
// moves an existing catalogue into beian through the admin import API (scripts/catalogue-import.mjs does the work).
// Exit status: 0 every row went in, 2 it finished with rows set aside in <file>.errors.csv, 1 it stopped (run it
// again with --resume once the cause is fixed).
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { ImportError, importFile } from "./catalogue-import.mjs";
import { readDevVars } from "./lib.mjs";

const usage = `usage: npm run import -- <apps|registrations> <file.csv|file.jsonl> [options]
  --url <url>       the service (default BEIAN_URL, or http://localhost:8787)
  --key <key>       an admin key (default BEIAN_ADMIN_KEY, or the development bootstrap key of .dev.vars)
  --resume          continue from <file>.checkpoint.json after an interrupted run
  --format <f>      csv or jsonl (default: from the file's extension)
  --batch <n>       rows per call, at most 1000 (default 1000)`;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: process.env.BEIAN_URL ?? "http://localhost:8787" },
    key: { type: "string" },
    resume: { type: "boolean", default: false },
    format: { type: "string" },
    batch: { type: "string", default: "1000" },
    help: { type: "boolean", short: "h", default: false },
  },
});

const [kind, file] = positionals;
if (opts.help || !kind || !file || positionals.length > 2) {
  console.error(usage);
  process.exit(opts.help ? 0 : 1);
}
const batchSize = Number(opts.batch);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
  console.error("--batch is a whole number from 1 to 1000");
  process.exit(1);
}
const key = opts.key ?? process.env.BEIAN_ADMIN_KEY ?? readDevVars().ADMIN_BOOTSTRAP_KEY;
if (!key) {
  console.error("no admin key: pass --key (or set BEIAN_ADMIN_KEY)");
  process.exit(1);
}

const fmt = (n) => Math.round(n).toLocaleString("en");
const rate = (p) => (p.seconds > 0 ? p.rowsThisRun / p.seconds : 0);

// A bar on a terminal; elsewhere (CI, a log file) a line every few seconds.
let onProgress;
let stopBar = () => {};
if (process.stderr.isTTY) {
  const bar = new cliProgress.SingleBar(
    {
      format: "{bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted} {note}",
      etaBuffer: 20,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  onProgress = (p) => {
    const payload = { rows: fmt(p.rows), rate: fmt(rate(p)), note: p.note };
    if (!started) {
      bar.start(p.totalBytes, p.bytes, payload);
      started = true;
    } else bar.update(p.bytes, payload);
  };
  stopBar = () => started && bar.stop();
} else {
  let last = 0;
  onProgress = (p) => {
    if (Date.now() - last < 5000 && !p.note) return;
    last = Date.now();
    const pct = p.totalBytes > 0 ? Math.floor((100 * p.bytes) / p.totalBytes) : 100;
    console.error(`${pct}% | ${fmt(p.rows)} rows | ${fmt(rate(p))} rows/s ${p.note}`.trimEnd());
  };
}

// Ctrl-C: every acknowledged batch is in the checkpoint already; only the terminal needs putting back.
process.once("SIGINT", () => {
  stopBar();
  console.error(`\ninterrupted: run the same command with --resume to continue`);
  process.exit(130);
});

try {
  const r = await importFile({
    kind,
    file,
    url: opts.url,
    key,
    format: opts.format,
    resume: opts.resume,
    batchSize,
    onProgress,
  });
  stopBar();
  const counts =
    kind === "registrations"
      ? `${fmt(r.imported)} new, ${fmt(r.updated)} updated, ${fmt(r.unchanged)} unchanged`
      : `${fmt(r.imported)} new, ${fmt(r.updated)} updated`;
  console.log(
    `${kind}: ${fmt(r.rows)} rows read (${counts}); this run ${fmt(r.rowsThisRun)} rows in ${r.seconds.toFixed(1)} s, ` +
      `${fmt(r.rowsPerSecond)} rows/s`,
  );
  if (r.errorsFile) {
    console.log(`${fmt(r.rejected)} rows set aside, each with its problems, in ${r.errorsFile}`);
    process.exit(2);
  }
} catch (e) {
  stopBar();
  if (!(e instanceof ImportError)) throw e;
  console.error(`import stopped: ${e.message}`);
  process.exit(1);
}
