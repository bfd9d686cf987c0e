// The service as `npm start` runs it (wrangler dev on a local D1), for the scripts that drive it from outside:
// the benchmarks and the reliability runs. Each gets its own state directory and port, so they never touch the
// developer's data, and can stop the server gently or kill it outright and start it again on the same state.
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevVars, run, startWrangler, waitForHealth } from "./lib.mjs";
import { seedDatabase } from "./seed.mjs";

export { ensureDevVars };

/** A fresh state directory with the migrations applied and, unless `seed` is false, the demo accounts seeded. */
export async function prepareState({ state = mkdtempSync(join(tmpdir(), "beian-")), seed = true } = {}) {
  ensureDevVars();
  mkdirSync(state, { recursive: true });
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { quiet: true });
  if (seed) await seedDatabase(state);
  return state;
}

/**
 * Starts wrangler dev on `state` at 127.0.0.1:`port`. `vars` override wrangler.toml/.dev.vars values
 * (`--var`; `SUBMISSIONS_PER_DAY` is raised to 999999 unless given), `config` names another wrangler config; `quiet` (the default) drops wrangler's output.
 * Resolves once /health answers.
 */
export async function startService({ state, port, vars = {}, config, args = [], quiet = true, timeoutMs = 120_000 }) {
  const url = `http://127.0.0.1:${port}`;
  // Something already answering there would be mistaken for this server.
  const taken = await fetch(`${url}/health`).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`${url} is already in use`);
  const child = startWrangler(
    [
      "dev",
      ...(config ? ["--config", config] : []),
      "--local",
      "--persist-to",
      state,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      // The checks file hundreds of filings from one demo account: the daily allowance is raised unless asked for.
      ...Object.entries({ SUBMISSIONS_PER_DAY: "999999", ...vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      ...args,
    ],
    { detached: true, quiet },
  );
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const service = {
    url,
    child,
    exited,
    /** Ends the server and waits for it. */
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        // wrangler runs workerd as its child: signal the whole group so nothing is left holding the port.
        try {
          process.kill(-child.pid, signal);
        } catch {
          child.kill(signal);
        }
      }
      await exited;
    },
  };
  const killTree = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.on("exit", killTree);
  // A signal ends the driving script without running "exit" handlers: end the server first.
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      killTree();
      process.exit(130);
    });
  }
  await Promise.race([
    waitForHealth(url, timeoutMs),
    exited.then((code) => {
      throw new Error(`wrangler dev exited (${code}) before ${url} answered`);
    }),
  ]);
  return service;
}

/** The local D1's SQLite file under a state directory (wrangler dev and miniflare keep it there). */
export function d1File(state) {
  const dir = join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.length}`);
  return join(dir, files[0]);
}
