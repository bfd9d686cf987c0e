// `npm run reliability [-- --quick] [-- --only fuzz,authz]`: the reliability checks against the running service,
// one after another; each starts and stops its own service. Prints a line per figure as checks finish, then a
// summary table; writes the results to test/reliability/results/; exits 1 when any expectation fails.
//
// A check module (checks/<name>.mjs) exports `check({ quick, log })` resolving to
// `{ name, ok, figures: { label: value | { value, expected, ok } }, notes: [] }`: a bare value is reported as it
// is; the object form states what was expected and whether it was met (lib.mjs expectEq/expectMax/expectMin).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ORDER = ["fuzz", "authz", "privacy", "concurrency", "crash", "webhooks", "ssrf", "files", "audit"];

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(",").filter(Boolean) : ORDER;
const unknown = only.filter((n) => !ORDER.includes(n));
if (unknown.length > 0) {
  console.error(`Unknown check(s): ${unknown.join(", ")}; known: ${ORDER.join(", ")}`);
  process.exit(2);
}

const dir = import.meta.dirname;
const startedAt = new Date();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = [];

for (const name of ORDER.filter((n) => only.includes(n))) {
  const file = join(dir, "checks", `${name}.mjs`);
  if (!existsSync(file)) {
    console.log(`\n== ${name}: skipped (checks/${name}.mjs does not exist yet)`);
    results.push({ name, skipped: true, ok: true, figures: {}, notes: ["not written yet"], ms: 0 });
    continue;
  }
  console.log(`\n== ${name}${quick ? " (quick)" : ""}`);
  const t = Date.now();
  const log = (msg) => console.log(`   [${name} ${seconds(Date.now() - t)}] ${msg}`);
  let result;
  try {
    const mod = await import(pathToFileURL(file).href);
    result = await mod.check({ quick, log });
  } catch (e) {
    result = { name, ok: false, figures: {}, notes: [`failed: ${e instanceof Error ? (e.stack ?? e.message) : e}`] };
  }
  result = { ...result, name, ms: Date.now() - t };
  // A figure stating an expectation that is not met fails its check, whatever the check said.
  for (const f of Object.values(result.figures ?? {})) if (isExpectation(f) && !f.ok) result.ok = false;
  results.push(result);
  for (const [label, f] of Object.entries(result.figures ?? {})) console.log(`   ${label}: ${describe(f)}`);
  for (const note of result.notes ?? []) console.log(`   note: ${note}`);
  console.log(`   ${result.ok ? "✓" : "✗"} ${name} in ${seconds(result.ms)}`);
}

function isExpectation(f) {
  return f !== null && typeof f === "object" && "value" in f;
}
function show(v) {
  return typeof v === "number" ? v.toLocaleString("en-US") : String(v);
}
function describe(f) {
  return isExpectation(f) ? `${show(f.value)} (expected ${f.expected}) ${f.ok ? "✓" : "✗"}` : show(f);
}

// The summary table.
const rows = [["check", "figure", "value", "expected", ""]];
for (const r of results) {
  if (r.skipped) {
    rows.push([r.name, "(skipped: not written yet)", "", "", ""]);
    continue;
  }
  const figures = Object.entries(r.figures ?? {});
  if (figures.length === 0) rows.push([r.name, "(no figures)", "", "", r.ok ? "✓" : "✗"]);
  for (const [label, f] of figures) {
    rows.push(
      isExpectation(f)
        ? [r.name, label, show(f.value), f.expected, f.ok ? "✓" : "✗"]
        : [r.name, label, show(f), "", r.ok ? "" : "✗"],
    );
  }
  rows.push([r.name, "time", seconds(r.ms), "", r.ok ? "✓" : "✗"]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
const line = (row) => row.map((cell, i) => cell + " ".repeat(widths[i] - [...cell].length)).join("  ");
console.log(`\nReliability (${quick ? "quick" : "full"}), ${seconds(Date.now() - startedAt.getTime())}\n`);
console.log(line(rows[0]));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows.slice(1)) console.log(line(row));

const failed = results.filter((r) => !r.ok);
const out = join(dir, "results");
mkdirSync(out, { recursive: true });
const file = join(out, `reliability-${quick ? "quick" : "full"}-${startedAt.toISOString().replaceAll(":", "-")}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      mode: quick ? "quick" : "full",
      startedAt,
      ms: Date.now() - startedAt.getTime(),
      ok: failed.length === 0,
      results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\n${failed.length === 0 ? "All checks passed" : `Failed: ${failed.map((r) => r.name).join(", ")}`}`);
console.log(`Results: ${file}`);
// Checks may leave handles (timers, sockets) behind; the run is over.
process.exit(failed.length === 0 ? 0 : 1);
