// The two ways the benchmark serves a Worker on a bench state directory: `wrangler dev`, as `npm start` does, and
// miniflare driven directly (the same runtime without wrangler's dev proxy in front). Both read the same local
// D1 (and R2) under `<state>/v3`.
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { root, run, waitForHealth } from "../../scripts/lib.mjs";
import { ensureDevVars, startService } from "../../scripts/service.mjs";

/** The public lookup's per-client limit while benchmarking: the limiter still runs on every request, never refuses. */
export const BENCH_RATE_LIMIT = 100_000_000;
/** The submission quota while benchmarking (docs/rules.md#submission-quota): its highest setting. */
export const BENCH_SUBMISSIONS_PER_DAY = 999_999;

/**
 * beian's wrangler.toml, copied into the state directory with its paths made absolute and the public rate limit
 * raised to BENCH_RATE_LIMIT and face verification off (see below); .dev.vars goes beside it (wrangler reads it from the config's directory).
 */
export function benchConfig(state) {
  ensureDevVars();
  const abs = (p) => join(root, p);
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8")
    .replace(/^main = "(.+)"$/m, (_, p) => `main = ${JSON.stringify(abs(p))}`)
    .replace(/^migrations_dir = "(.+)"$/m, (_, p) => `migrations_dir = ${JSON.stringify(abs(p))}`)
    .replace(/^directory = "(.+)"$/m, (_, p) => `directory = ${JSON.stringify(abs(p))}`)
    // [alias] entries: "module" = "./path"
    .replace(/^("[^"]+" = )"(\.\/.+)"$/gm, (_, lhs, p) => `${lhs}${JSON.stringify(abs(p))}`)
    .replace(/^(simple = \{ limit = )\d+/m, `$1${BENCH_RATE_LIMIT}`)
    // One account files every benchmark filing: the per-account daily allowance must not stop it.
    .replace(/^SUBMISSIONS_PER_DAY = "\d+"$/m, `SUBMISSIONS_PER_DAY = "${BENCH_SUBMISSIONS_PER_DAY}"`)
    // The submit case files thousands of pool apps as fast as it can, more than face verifications could be passed
    // for beforehand: the benchmark measures filing with the policy off (a named verification is still read).
    .replace(/^\[vars\]$/m, '[vars]\nFACE_VERIFICATION = "off"');
  if (!toml.includes(`limit = ${BENCH_RATE_LIMIT}`)) throw new Error("wrangler.toml: no [[ratelimits]] limit to raise");
  if (!toml.includes(`SUBMISSIONS_PER_DAY = "${BENCH_SUBMISSIONS_PER_DAY}"`)) {
    throw new Error("wrangler.toml: no SUBMISSIONS_PER_DAY to raise");
  }
  if (!toml.includes('FACE_VERIFICATION = "off"'))
    throw new Error("wrangler.toml: no [vars] to set FACE_VERIFICATION in");
  const file = join(state, "wrangler.toml");
  writeFileSync(file, toml);
  copyFileSync(join(root, ".dev.vars"), join(state, ".dev.vars"));
  return file;
}

/** A port nobody listens on right now (each server gets its own, so a slow release never collides). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The baseline Worker's config (bench/baseline), which binds the same D1 database id as beian. */
export const baselineConfig = join(root, "bench", "baseline", "wrangler.toml");

/** Bundles a Worker as a deployment would (`wrangler deploy --dry-run --minify`): its path and sizes. */
export async function bundle(config, outdir) {
  mkdirSync(outdir, { recursive: true });
  await run("wrangler", ["deploy", "--dry-run", "--minify", "--config", config, "--outdir", outdir], { quiet: true });
  const script = join(outdir, "index.js");
  const bytes = readFileSync(script);
  return { script, bytes: statSync(script).size, gzipBytes: gzipSync(bytes).length };
}

/** `wrangler dev` on the state directory, as `npm start` runs it. */
export async function startWranglerDev({ config, state, port }) {
  port ??= await freePort();
  const service = await startService({ state, port, config });
  return { url: service.url, stop: () => service.stop("SIGTERM") };
}

/**
 * miniflare directly: the bundle from `bundle()`, with the bindings, compatibility settings and secrets wrangler
 * derives from the same config (its `unstable_getMiniflareWorkerOptions`), persisted in the same state directory.
 * Resolves with the URL and the time from construction to the first answered /health.
 */
export async function startMiniflare({ config, script, state, port }) {
  port ??= await freePort();
  const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  // modulesRules describe how to bundle, which is done already: the bundle is one ES module.
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions(config).workerOptions;
  // wrangler gives options in miniflare's v4 shape; this miniflare converts them to its own.
  const options = convertV4MiniflareOptions({
    workers: [{ ...workerOptions, name: "bench", rootPath: join(script, ".."), modules: true, scriptPath: script }],
    host: "127.0.0.1",
    port,
    resourcePersistencePath: join(state, "v3"),
    unsafeTriggerHandlers: true,
  });
  const mf = new Miniflare(options);
  const url = (await mf.ready).origin;
  await waitForHealth(url);
  return {
    url,
    /** Milliseconds from setOptions (the script loaded anew into a fresh isolate) to the first answered /health. */
    async reloadMs() {
      const t = performance.now();
      await mf.setOptions(options);
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`/health after reload: ${res.status}`);
      return performance.now() - t;
    },
    stop: () => mf.dispose(),
  };
}

/**
 * `wrangler check startup`: a CPU profile of the Worker's startup phase (bundling, then evaluating the script in
 * workerd). Returns the profile's span and the part of it spent running code (samples not idle), in ms.
 */
export async function startupProfile(config, outfile) {
  await run("wrangler", ["check", "startup", "--config", config, "--outfile", outfile], { quiet: true });
  const profile = JSON.parse(readFileSync(outfile, "utf8"));
  const idle = new Set(
    profile.nodes.filter((n) => ["(idle)", "(program)"].includes(n.callFrame.functionName)).map((n) => n.id),
  );
  let busy = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) busy += profile.timeDeltas[i] ?? 0;
  });
  return { spanMs: (profile.endTime - profile.startTime) / 1000, busyMs: busy / 1000 };
}
