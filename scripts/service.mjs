// The service as `npm start` runs it (wrangler dev on a local D1), for the scripts that drive it from outside:
// the benchmarks and the reliability runs. Each gets its own state directory and port, so they never touch the
// developer's data, and can stop the server gently or kill it outright and start it again on the same state.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevVars, root, run, startWrangler, waitForHealth } from "./lib.mjs";
import { seedDatabase } from "./seed.mjs";

export { ensureDevVars };

/**
 * A fresh state directory with the migrations applied and, unless `seed` is false, the demo accounts seeded.
 * Applying the migrations takes wrangler half a minute, so they are applied once per set of migrations (and
 * wrangler version) into a template under node_modules/.cache/beian-state/, and a new state is a copy of it; the
 * demo accounts are seeded once per process into a copy of that, and copied from there. A `state` given that
 * already holds a local D1 has the migrations applied and the accounts seeded in place.
 */
export async function prepareState({ state = mkdtempSync(join(tmpdir(), "beian-")), seed = true } = {}) {
  ensureDevVars();
  mkdirSync(state, { recursive: true });
  if (existsSync(join(state, "v3", "d1"))) {
    await applyMigrations(state);
    if (seed) await seedDatabase(state);
    return state;
  }
  cpSync(seed ? await seededTemplate() : await migratedTemplate(), state, { recursive: true });
  return state;
}

/**
 * The migrations applied to the local D1 under `state` (a `--persist-to` directory): one that has none yet gets a
 * copy of the migrated template's; an existing one is brought up to date by `wrangler d1 migrations apply`.
 */
export async function applyMigrations(state) {
  const d1 = join(state, "v3", "d1");
  if (existsSync(d1)) {
    await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { quiet: true });
    return;
  }
  cpSync(join(await migratedTemplate(), "v3", "d1"), d1, { recursive: true });
}

/** What the migrated template depends on: wrangler's version, its config, every migration. */
function migrationsKey() {
  const hash = createHash("sha256");
  hash.update(JSON.parse(readFileSync(join(root, "node_modules", "wrangler", "package.json"), "utf8")).version);
  hash.update(readFileSync(join(root, "wrangler.toml")));
  const dir = join(root, "drizzle");
  const migrations = readdirSync(dir).filter((f) => f.endsWith(".sql"));
  for (const file of migrations.sort()) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(join(dir, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * The state with the migrations applied and nothing else, built once: in a directory of its own, renamed into
 * place when complete, so a process that finds it finds it whole (two building at once keep the first).
 */
export async function migratedTemplate() {
  const cache = join(root, "node_modules", ".cache", "beian-state");
  const dir = join(cache, migrationsKey());
  if (existsSync(dir)) return dir;
  mkdirSync(cache, { recursive: true });
  const building = mkdtempSync(join(cache, "building-"));
  try {
    await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", building], { quiet: true });
    renameSync(building, dir);
  } catch (e) {
    if (!existsSync(dir)) throw e;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/** The migrated template with the demo accounts seeded, once per process (the seed's timestamps are its own). */
let seeded;
function seededTemplate() {
  seeded ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "beian-seeded-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    cpSync(await migratedTemplate(), dir, { recursive: true });
    await seedDatabase(dir);
    return dir;
  })();
  return seeded;
}

/**
 * Starts wrangler dev on `state` at 127.0.0.1:`port`. `vars` override wrangler.toml/.dev.vars values
 * (`--var`; `SUBMISSIONS_PER_DAY` is raised to 999999 unless given), `config` names another wrangler config; `quiet` (the default) drops wrangler's output.
 * Resolves once /health answers. A wrangler that exits before it answers (now and then it does on a busy machine)
 * is started once more; a second such exit is an error, with what wrangler last wrote to its error output.
 */
export async function startService(options) {
  try {
    return await launch(options);
  } catch (e) {
    if (!(e instanceof EarlyExit)) throw e;
    return launch(options);
  }
}

class EarlyExit extends Error {}

async function launch({ state, port, vars = {}, config, args = [], quiet = true, timeoutMs = 120_000 }) {
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
  const onSignal = () => {
    killTree();
    process.exit(130);
  };
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, onSignal);
  // Once it has ended there is nothing left to end (a script starting many servers keeps no listener per server).
  exited.then(() => {
    process.off("exit", killTree);
    for (const signal of ["SIGINT", "SIGTERM"]) process.off(signal, onSignal);
  });
  await Promise.race([
    waitForHealth(url, timeoutMs),
    exited.then((code) => {
      const said = child.errorTail().trim();
      throw new EarlyExit(`wrangler dev exited (${code}) before ${url} answered${said ? `:\n${said}` : ""}`);
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
