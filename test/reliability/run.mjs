// `npm run reliability [-- --quick] [-- --only fuzz,authz]`: the reliability checks against the running service,
// one after another. In the full run each starts and stops its own service on a state of its own. In the quick run
// (CI's) the checks of SHARED run on one service, started once on one seeded state, one after another: each only
// adds data of its own (its own accounts, apps, uploads) and reads what it made or what the demo seed made, so
// what one leaves does not change what another finds; the other checks keep a service of their own (see SHARED).
// Prints a line per figure as checks finish, then a summary table; writes the results to
// test/reliability/results/; exits 1 when any expectation fails.
//
// A check module (checks/<name>.mjs) exports `check({ quick, log, shared })` resolving to
// `{ name, ok, figures: { label: value | { value, expected, ok } }, notes: [] }`: a bare value is reported as it
// is; the object form states what was expected and whether it was met (lib.mjs expectEq/expectMax/expectMin).
// `shared` is the shared service when the runner hands one over (lib.mjs serviceFor); a module may export
// `serviceVars`, the settings its service needs, which the shared service is then started with.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ownService } from "./lib.mjs";

const ORDER = ["fuzz", "privacy", "concurrency", "crash", "webhooks", "ssrf", "files", "authz", "audit"];

/**
 * The quick checks that share one service, in ORDER (audit last: it stops the service, tampers with the audit log
 * and starts it again; the chains the others wrote must still verify). Not here, each with a service of its own:
 * fuzz (its requests carry every role's key and may revoke the demo registrations, withdraw filings and add
 * policies, which would change what authz and audit find), privacy (the nightly export it reads must be the day's
 * first, written after its filings, and it stops the service to scan every file of the state for its values),
 * concurrency (counts and timing of a burst are read on a state of its own), crash (kills the service) and
 * webhooks (a short retry schedule and attempt timeout, and a sweep at a fixed time).
 */
const SHARED = ["ssrf", "files", "authz", "audit"];
const SHARED_PORT = 8930;

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
const selected = ORDER.filter((n) => only.includes(n));
const sharing = quick ? selected.filter((n) => SHARED.includes(n) && existsSync(join(dir, "checks", `${n}.mjs`))) : [];
let shared;

for (const name of selected) {
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
    if (sharing.includes(name)) {
      shared ??= await startShared(log);
      // A check that failed with the service stopped leaves it for the next one to start again.
      if (!shared.running) await shared.start();
    }
    result = await mod.check({ quick, log, shared: sharing.includes(name) ? shared : undefined });
  } catch (e) {
    result = { name, ok: false, figures: {}, notes: [`failed: ${e instanceof Error ? (e.stack ?? e.message) : e}`] };
  }
  if (shared && name === sharing.at(-1)) await shared.close();
  result = { ...result, name, ms: Date.now() - t };
  // A figure stating an expectation that is not met fails its check, whatever the check said.
  for (const f of Object.values(result.figures ?? {})) if (isExpectation(f) && !f.ok) result.ok = false;
  results.push(result);
  for (const [label, f] of Object.entries(result.figures ?? {})) console.log(`   ${label}: ${describe(f)}`);
  for (const note of result.notes ?? []) console.log(`   note: ${note}`);
  console.log(`   ${result.ok ? "✓" : "✗"} ${name} in ${seconds(result.ms)}`);
}

/** The shared service, with the settings every sharing check asks for (two asking for different values is an error). */
async function startShared(log) {
  const vars = {};
  for (const name of sharing) {
    const mod = await import(pathToFileURL(join(dir, "checks", `${name}.mjs`)).href);
    for (const [key, value] of Object.entries(mod.serviceVars ?? {})) {
      if (key in vars && vars[key] !== value) throw new Error(`${name} needs ${key}=${value}, another ${vars[key]}`);
      vars[key] = value;
    }
  }
  const t = Date.now();
  const service = await ownService({ port: SHARED_PORT, vars });
  log(`shared service for ${sharing.join(", ")} on ${service.url} (${seconds(Date.now() - t)} to start)`);
  return service;
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
