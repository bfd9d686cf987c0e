// `npm run bench`: beian's hot paths side by side with the runtime's own ceiling, as ratios (absolute numbers drift
// on a shared machine; ratios taken in the same run hold).
//
// - Volume goes straight into a fresh local D1 with set-based SQL (registrations with their public records, apps,
//   a pool of apps for submissions); a few filings go through the API, and a lookup of each kind of number must
//   answer the same shape.
// - Each round serves the baseline Worker (bench/baseline: one raw prepared statement per case, behind the same
//   static-assets router as beian) and then beian, on the same state, twice over: under `wrangler dev` as
//   `npm start` runs it, and under miniflare directly (the same workerd without wrangler's dev proxy). autocannon
//   drives each case at 10 and 50 connections. The baseline's point read and prefix search also run with the Rate
//   Limiting binding asked beside them, as beian's public routes must ask it: those rows show what the limiter
//   alone costs on this runtime.
// - The batch lookup (`POST /v1/public/registrations/lookup`, 50 distinct cold numbers a request) is set against
//   single cold lookups in numbers per second: the ratio `lookup_batch` is its requests/s × 50 ÷ lookup_cold's.
// - The deadline sweep runs over its own catalogue (1,000,000 listed apps, 30 % unfiled) and is compared with the
//   same chunks done by Node's built-in SQLite on a copy of the same database file.
//   The in-process comparison uses `node:sqlite` (DatabaseSync) rather than better-sqlite3: both are synchronous
//   in-process SQLite, but better-sqlite3 cannot download its prebuilt binary here, building it from source adds
//   ~110 s to every `npm ci`, and it would be compiled against the system Node 20 headers while npm scripts run
//   Node 22 (an ABI mismatch). node:sqlite ships with Node 22.
// - Bundle size is that of `wrangler deploy --dry-run --minify`; startup is measured in miniflare (see `startup`).
//
// The public lookup's rate limit (120 a minute per client) is raised for the run in a generated copy of
// wrangler.toml inside the state directory: the limiter still runs on every request that reaches storage, it just
// never refuses.
//
// Usage: npm run bench [-- --quick] [--keep]
//   --quick  3 s per case, one round, 20,000 registrations and a 100,000-app sweep: a few minutes.
//   --keep   leave the state directories (their paths are printed) instead of deleting them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDevVars, root, run } from "../scripts/lib.mjs";
import { prepareState, startService } from "../scripts/service.mjs";
import { measure } from "./lib/load.mjs";
import {
  checkPathsAgree,
  developerKey,
  filingBody,
  nameQuery,
  seededNumber,
  seededOrganizerNumber,
  seedThroughApi,
  seedVolume,
  uploadMaterials,
  VALIDATE_APP,
} from "./lib/seed.mjs";
import {
  baselineConfig,
  benchConfig,
  bundle,
  freePort,
  startMiniflare,
  startupProfile,
  startWranglerDev,
} from "./lib/serve.mjs";
import { copyDatabase, driveSweep, nodeSqliteSweep, seedSweep } from "./lib/sweep.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const keep = args.includes("--keep");
const settings = quick
  ? { duration: 3, rounds: 1, registrations: 20_000, sweepApps: 100_000, pool: 8_000 }
  : { duration: 10, rounds: 2, registrations: 100_000, sweepApps: 1_000_000, pool: 40_000 };
const CONNECTIONS = [10, 50];
const API_FILINGS = 20;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const say = (text) => console.error(`[${elapsed()}] ${text}`);

// Whatever ends the run, nothing it started is left behind.
const cleanups = [];
const dirs = [];
async function cleanUp() {
  for (const stop of cleanups.splice(0).reverse()) await stop().catch(() => {});
  for (const dir of dirs.splice(0)) {
    if (keep) console.error(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await cleanUp();
    process.exit(130);
  });
}
/** Starts a server and registers its stop; returns it with a `stop` that also unregisters it. */
async function serve(start) {
  const server = await start();
  const stop = async () => {
    const i = cleanups.indexOf(stop);
    if (i >= 0) cleanups.splice(i, 1);
    await server.stop();
  };
  cleanups.push(stop);
  return { ...server, stop };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

try {
  // ---- state, volume, bundles ----
  await run("node", [join(root, "scripts", "build-assets.mjs")], { quiet: true });
  const state = await prepareState({ state: mkdtempSync(join(tmpdir(), "beian-bench-")) });
  dirs.push(state);
  say(`state ${state}: seeding ${settings.registrations.toLocaleString()} registrations by SQL…`);
  await seedVolume(state, { registrations: settings.registrations, pool: settings.pool });
  const config = benchConfig(state);
  say("bundling beian and the baseline (wrangler deploy --dry-run --minify)…");
  const beianBundle = await bundle(config, join(state, "bundle-beian"));
  const baselineBundle = await bundle(baselineConfig, join(state, "bundle-baseline"));

  // ---- the API share, and the startup figures (miniflare) ----
  let server = await serve(() => startMiniflare({ config, script: beianBundle.script, state }));
  const media = await uploadMaterials(server.url);
  say(`${API_FILINGS} filings through the API (submit, review, SMS, bureau approval)…`);
  const apiNumbers = await seedThroughApi(server.url, media, { first: 1, count: API_FILINGS });
  const agree = await checkPathsAgree(server.url, apiNumbers[0], seededNumber(1));
  const validateBody = JSON.stringify(filingBody(0, media, VALIDATE_APP));
  const dryRun = await (
    await fetch(`${server.url}/v1/filings/validate`, {
      method: "POST",
      headers: { authorization: `Bearer ${developerKey}`, "content-type": "application/json" },
      body: validateBody,
    })
  ).json();
  if (!dryRun.valid) throw new Error(`the validate case's body is not valid: ${JSON.stringify(dryRun.errors)}`);
  const beianReload = [];
  for (let i = 0; i < 5; i++) beianReload.push(await server.reloadMs());
  await server.stop();
  server = await serve(() => startMiniflare({ config: baselineConfig, script: baselineBundle.script, state }));
  const baselineReload = [];
  for (let i = 0; i < 5; i++) baselineReload.push(await server.reloadMs());
  await server.stop();
  const startup = {
    what: "miniflare setOptions → first /health answered, median of 5 (the bundle loaded into a fresh isolate)",
    beianMs: median(beianReload),
    baselineMs: median(baselineReload),
  };
  startup.scriptMs = startup.beianMs - startup.baselineMs;
  startup.profile = await startupProfile(config, join(state, "startup.cpuprofile"));

  // ---- request streams ----
  // A permutation of the seeded registrations (7919 is prime and does not divide their count): consecutive requests
  // read numbers far apart, and none repeats until all have been read, so no cold lookup hits a cache.
  const R = settings.registrations;
  const stream = () => {
    let k = Math.floor(Math.random() * R);
    return () => ((k++ * 7919) % R) + 1;
  };
  const coldNumbers = stream();
  const batchNumbers = stream();
  const pointNumbers = stream();
  const organizerNumbers = stream();
  let nameK = 0;
  const nextName = () => {
    nameK++;
    return encodeURIComponent(nameQuery(nameK % 50, (nameK * 7) % 40));
  };
  let nextPool = API_FILINGS + 1;
  const json = { "content-type": "application/json" };
  const auth = { authorization: `Bearer ${developerKey}`, ...json };
  const insertBody = JSON.stringify(filingBody(1, media));

  const baselineCases = [
    { id: "baseline_health", label: "baseline GET /health", path: "/health" },
    {
      id: "baseline_point",
      label: "baseline point SELECT",
      next: () => ({ path: `/point?number=${encodeURIComponent(seededNumber(pointNumbers()))}` }),
    },
    {
      id: "baseline_point_limited",
      label: "baseline point SELECT + limiter",
      next: () => ({ path: `/point-limited?number=${encodeURIComponent(seededNumber(pointNumbers()))}` }),
    },
    { id: "baseline_search", label: "baseline prefix search", next: () => ({ path: `/search?q=${nextName()}` }) },
    {
      id: "baseline_search_limited",
      label: "baseline prefix search + limiter",
      next: () => ({ path: `/search-limited?q=${nextName()}` }),
    },
    {
      id: "baseline_insert",
      label: "baseline INSERT",
      method: "POST",
      headers: json,
      body: insertBody,
      path: "/insert",
    },
  ];
  const beianCases = [
    { id: "health", label: "beian GET /health", path: "/health" },
    {
      id: "lookup_cold",
      label: "lookup, cold (distinct numbers)",
      next: () => ({ path: `/v1/public/registrations/${encodeURIComponent(seededNumber(coldNumbers()))}` }),
    },
    {
      // 50 distinct cold numbers a request, from the same permutation as lookup_cold's (none repeats).
      id: "lookup_batch",
      label: "batch lookup, 50 cold numbers",
      // One request takes most of a second at 10 connections: 3 s would count the few that finish, or none at 50.
      minDuration: 10,
      method: "POST",
      headers: json,
      path: "/v1/public/registrations/lookup",
      next: () => ({
        body: Buffer.from(JSON.stringify({ numbers: Array.from({ length: 50 }, () => seededNumber(batchNumbers())) })),
      }),
    },
    {
      id: "lookup_warm",
      label: "lookup, warm (one number)",
      path: `/v1/public/registrations/${encodeURIComponent(seededNumber(1))}`,
    },
    {
      id: "search_number",
      label: "search, organizer number",
      next: () => ({
        path: `/v1/public/search?q=${encodeURIComponent(seededOrganizerNumber(organizerNumbers()))}`,
      }),
    },
    { id: "search_name", label: "search, name (4 chars)", next: () => ({ path: `/v1/public/search?q=${nextName()}` }) },
    {
      id: "submit",
      label: "submit filing",
      method: "POST",
      headers: auth,
      path: "/v1/filings",
      // A Buffer: autocannon takes a string's length in characters for Content-Length.
      next: () => ({ body: Buffer.from(JSON.stringify(filingBody(nextPool++, media))) }),
    },
    {
      id: "validate",
      label: "validate (dry run)",
      method: "POST",
      headers: auth,
      path: "/v1/filings/validate",
      body: validateBody,
    },
  ];

  const MODES = [
    {
      id: "wrangler",
      label: "wrangler dev",
      beian: () => startWranglerDev({ config, state }),
      baseline: () => startWranglerDev({ config: baselineConfig, state }),
    },
    {
      id: "miniflare",
      label: "miniflare",
      beian: () => startMiniflare({ config, script: beianBundle.script, state }),
      baseline: () => startMiniflare({ config: baselineConfig, script: baselineBundle.script, state }),
    },
  ];
  /** results[mode][case][connections] = one entry per round */
  const results = {};
  const record = (mode, id, conns, r) => {
    results[mode] ??= {};
    results[mode][id] ??= {};
    results[mode][id][conns] ??= [];
    results[mode][id][conns].push(r);
  };
  /**
   * Requests still in flight when autocannon stops keep the server busy: wait until /health answers promptly
   * (or 30 s pass), so one case's backlog is not measured as the next case's slowness.
   */
  const settle = async (url) => {
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const t = Date.now();
      const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok && Date.now() - t < 100) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const runCases = async (mode, url, cases) => {
    for (const spec of cases) {
      for (const connections of CONNECTIONS) {
        const duration = Math.max(settings.duration, spec.minDuration ?? 0);
        const r = await measure(url, spec, { connections, duration });
        record(mode.id, spec.id, connections, r);
        await settle(url);
        const bad = r.non2xx + r.errors + r.timeouts;
        say(
          `${mode.label.padEnd(12)} ${spec.label.padEnd(32)} c${connections}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${bad ? `, ${bad} not 2xx/failed (first: ${r.firstFailure})` : ""}`,
        );
      }
    }
  };
  for (let round = 1; round <= settings.rounds; round++) {
    for (const mode of MODES) {
      say(`round ${round}, ${mode.label}: baseline Worker…`);
      server = await serve(mode.baseline);
      await runCases(mode, server.url, baselineCases);
      await server.stop();
      say(`round ${round}, ${mode.label}: beian…`);
      server = await serve(mode.beian);
      await runCases(mode, server.url, beianCases);
      await server.stop();
    }
  }
  const submitted = nextPool - API_FILINGS - 1;
  const poolExhausted = submitted > settings.pool - API_FILINGS;

  // ---- the sweep ----
  const sweepState = mkdtempSync(join(tmpdir(), "beian-bench-sweep-"));
  dirs.push(sweepState);
  say(`sweep: seeding ${settings.sweepApps.toLocaleString()} listed apps (70 % registered)…`);
  const { unfiled } = await seedSweep(sweepState, settings.sweepApps);
  const copy = copyDatabase(sweepState, join(sweepState, "node-sqlite.sqlite"));
  server = await serve(async () =>
    startService({ state: sweepState, port: await freePort(), config: benchConfig(sweepState) }),
  );
  const admin = readDevVars().ADMIN_BOOTSTRAP_KEY;
  const sweep = await driveSweep(server.url, admin, {
    log: (r, n) =>
      say(
        `sweep run ${n}: ${r.delisted.toLocaleString()} delisted, ${r.eventsDispatched.toLocaleString()} events handed on, ${r.queries} queries, ${(r.workerMs / 1000).toFixed(1)} s`,
      ),
  });
  await server.stop();
  if (sweep.delisted !== unfiled) throw new Error(`sweep delisted ${sweep.delisted} of ${unfiled} unfiled apps`);
  const nodeSweep = await nodeSqliteSweep(copy, { dispatch: sweep.eventsDispatched });
  if (nodeSweep.delisted !== unfiled) throw new Error(`node:sqlite delisted ${nodeSweep.delisted} of ${unfiled}`);

  // ---- the table ----
  const avg = (mode, id, conns) => {
    const rounds = results[mode]?.[id]?.[conns];
    if (!rounds) return undefined;
    return {
      rps: mean(rounds.map((r) => r.rps)),
      p50: mean(rounds.map((r) => r.p50)),
      p99: mean(rounds.map((r) => r.p99)),
      bad: rounds.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0),
    };
  };
  const lines = [];
  const out = (s = "") => lines.push(s);
  const num = (n, w) => String(Math.round(n).toLocaleString("en-US")).padStart(w);
  const ms = (n, w) => (n < 10 ? n.toFixed(1) : String(Math.round(n))).padStart(w);
  out(
    `beian benchmark — ${quick ? "quick" : "full"}: ${settings.duration} s per case, ${settings.rounds} round(s), ${R.toLocaleString()} registrations, node ${process.version}`,
  );
  out();
  const caseW = 34;
  out(
    `${"case".padEnd(caseW)} conns │ ${MODES.map((m) => `${m.label.padStart(10)}  req/s   p50 ms  p99 ms`).join(" │ ")}`,
  );
  out("─".repeat(caseW + 7 + MODES.length * 40));
  for (const spec of [...baselineCases, ...beianCases]) {
    for (const conns of CONNECTIONS) {
      const cells = MODES.map((m) => {
        const a = avg(m.id, spec.id, conns);
        return a
          ? `${num(a.rps, 16)}  ${ms(a.p50, 6)}  ${ms(a.p99, 6)}${a.bad ? "!" : " "}`
          : `${"—".padStart(16)}  ${"".padStart(6)}  ${"".padStart(6)} `;
      });
      out(
        `${(conns === CONNECTIONS[0] ? spec.label : "").padEnd(caseW)} ${String(conns).padStart(5)} │ ${cells.join("│ ")}`,
      );
    }
  }
  out("(! = some answers were not 2xx, or failed; see the JSON)");
  out();
  const RATIOS = [
    {
      id: "lookup_cold",
      label: "lookup_cold ÷ raw point SELECT",
      num: "lookup_cold",
      den: "baseline_point",
      target: 0.85,
    },
    {
      id: "lookup_cold_limited",
      label: "  ÷ point SELECT + limiter",
      num: "lookup_cold",
      den: "baseline_point_limited",
      target: 0.85,
    },
    { id: "lookup_warm", label: "lookup_warm ÷ /health", num: "lookup_warm", den: "health", target: 0.7 },
    {
      // Numbers per second: a batch request answers 50, a single lookup one.
      id: "lookup_batch",
      label: "batch numbers/s ÷ 50 single lookups",
      num: "lookup_batch",
      numScale: 50,
      den: "lookup_cold",
      target: 2,
    },
    { id: "search", label: "search (name) ÷ raw search", num: "search_name", den: "baseline_search", target: 0.7 },
    {
      id: "search_limited",
      label: "  ÷ raw search + limiter",
      num: "search_name",
      den: "baseline_search_limited",
      target: 0.7,
    },
    { id: "submit", label: "submit ÷ raw INSERT", num: "submit", den: "baseline_insert", target: 0.3 },
  ];
  const ratios = {};
  out(
    `${"ratio (req/s)".padEnd(caseW)} target │ ${MODES.flatMap((m) => CONNECTIONS.map((c) => `${m.label} c${c}`.padStart(17))).join(" ")}`,
  );
  out("─".repeat(caseW + 10 + MODES.length * CONNECTIONS.length * 18));
  for (const ratio of RATIOS) {
    const cells = [];
    for (const m of MODES) {
      for (const c of CONNECTIONS) {
        const n = avg(m.id, ratio.num, c);
        const d = avg(m.id, ratio.den, c);
        const value = n && d ? (n.rps * (ratio.numScale ?? 1)) / d.rps : Number.NaN;
        ratios[ratio.id] ??= {};
        ratios[ratio.id][m.id] ??= {};
        ratios[ratio.id][m.id][c] = value;
        cells.push(`${value.toFixed(2)} ${value >= ratio.target ? "✓" : "✗"}`.padStart(17));
      }
    }
    out(`${ratio.label.padEnd(caseW)} ≥ ${ratio.target.toFixed(2)} │ ${cells.join(" ")}`);
  }
  const sweepRatio = sweep.workerSeconds / nodeSweep.seconds;
  ratios.sweep = sweepRatio;
  out(
    `${"sweep time ÷ node:sqlite".padEnd(caseW)} ≤ 3.00 │ ${`${sweepRatio.toFixed(2)} ${sweepRatio <= 3 ? "✓" : "✗"}`.padStart(17)}`,
  );
  out();
  out(
    `sweep: ${settings.sweepApps.toLocaleString()} listed apps, ${unfiled.toLocaleString()} unfiled → beian ${sweep.workerSeconds.toFixed(1)} s in the Worker over ${sweep.runs} runs (${sweep.rowsPerSecond.toLocaleString()} rows/s, ${sweep.wallSeconds.toFixed(1)} s wall, ≤ ${sweep.maxQueriesPerRun} queries a run, ${sweep.eventsDispatched.toLocaleString()} events handed on); node:sqlite ${nodeSweep.seconds.toFixed(1)} s (${nodeSweep.rowsPerSecond.toLocaleString()} rows/s)`,
  );
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const gzipOk = beianBundle.gzipBytes <= 140 * 1024;
  out(
    `bundle (wrangler deploy --dry-run --minify): beian ${kb(beianBundle.bytes)} raw, ${kb(beianBundle.gzipBytes)} gzip (target ≤ 140 KiB ${gzipOk ? "✓" : "✗"}); baseline ${kb(baselineBundle.gzipBytes)} gzip`,
  );
  out(
    `startup: wrangler check startup profile ${startup.profile.busyMs.toFixed(0)} ms running code of ${startup.profile.spanMs.toFixed(0)} ms profiled (target well under 100 ms ${startup.profile.busyMs < 100 ? "✓" : "✗"}); ${startup.what}: beian ${startup.beianMs.toFixed(0)} ms, baseline ${startup.baselineMs.toFixed(0)} ms (the difference is beian's script plus the bindings the baseline lacks: R2, queues)`,
  );
  out(
    `paths agree: ${API_FILINGS} API-made filings approved (e.g. ${apiNumbers[0]}); its lookup and that of SQL-made ${seededNumber(1)} have the same fields and types`,
  );
  out(
    `submissions: ${submitted.toLocaleString()} sent from a pool of ${(settings.pool - API_FILINGS).toLocaleString()} apps${poolExhausted ? " — POOL EXHAUSTED, later submissions failed" : ""}`,
  );
  out(`total time ${elapsed().trim()}`);
  const table = lines.join("\n");
  console.log(`\n${table}`);

  const resultsDir = join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replaceAll(":", "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        mode: quick ? "quick" : "full",
        settings,
        node: process.version,
        results,
        ratios,
        sweep: { apps: settings.sweepApps, unfiled, beian: sweep, nodeSqlite: nodeSweep },
        bundle: { beian: beianBundle, baseline: baselineBundle },
        startup,
        paths: { apiNumbers, apiRecord: agree.apiRecord, sqlRecord: agree.sqlRecord },
        submissions: { sent: submitted, pool: settings.pool - API_FILINGS, exhausted: poolExhausted },
        table,
      },
      null,
      2,
    ),
  );
  console.log(`\nresults: ${file}`);
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
process.exit();
