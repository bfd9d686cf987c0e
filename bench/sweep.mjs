// `npm run bench:sweep`: the deadline sweep alone, over a large imported catalogue on the local D1 under wrangler
// dev (`npm run bench` runs the same sweep among its other cases). Seeds N listed apps (default 1,000,000; 70 % of
// them with an active registration), triggers the scheduled handler run after run until every unfiled app is
// delisted, then does the same chunks with node:sqlite on a copy of the seeded database. Prints time, rows per
// second, queries per run and runs needed.
// Usage: npm run bench:sweep [-- --apps 200000] [--keep]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDevVars, root } from "../scripts/lib.mjs";
import { startService } from "../scripts/service.mjs";
import { benchConfig } from "./lib/serve.mjs";
import { copyDatabase, driveSweep, nodeSqliteSweep, seedSweep } from "./lib/sweep.mjs";

const args = process.argv.slice(2);
const apps = Number(args[args.indexOf("--apps") + 1] || 1_000_000);
const keep = args.includes("--keep");
const port = 8800 + Math.floor(Math.random() * 100);
const state = mkdtempSync(join(tmpdir(), "beian-sweep-"));
const seconds = (s) => `${s.toFixed(1)} s`;
const admin = readDevVars().ADMIN_BOOTSTRAP_KEY ?? "bk_dev_admin_6Yo4STEdZc13uO2IgI9GmQ";

let service;
process.on("exit", () => {
  if (!keep) rmSync(state, { recursive: true, force: true });
});
try {
  console.log(`Seeding ${apps.toLocaleString()} apps (70 % registered) into ${state}…`);
  let t = Date.now();
  const { unfiled } = await seedSweep(state, apps);
  const copy = copyDatabase(state, join(state, "node-sqlite.sqlite"));
  console.log(`Seeded in ${seconds((Date.now() - t) / 1000)}.`);

  service = await startService({ state, port, config: benchConfig(state) });
  const beian = await driveSweep(service.url, admin, {
    log: (r, n) =>
      console.log(
        `run ${n}: ${r.delisted.toLocaleString()} delisted, ${r.eventsDispatched.toLocaleString()} events handed on, ${r.queries} queries, ${seconds(r.workerMs / 1000)}, ${r.completed ? "finished" : "stopped at its budget"}`,
      ),
  });
  await service.stop();
  service = undefined;
  t = Date.now();
  const node = await nodeSqliteSweep(copy, { dispatch: beian.eventsDispatched });
  console.log(
    `\nbeian swept ${apps.toLocaleString()} apps: ${beian.delisted.toLocaleString()} of ${unfiled.toLocaleString()} unfiled delisted in ${beian.runs} runs, ${seconds(beian.workerSeconds)} in the Worker (${seconds(beian.wallSeconds)} wall, ${beian.rowsPerSecond.toLocaleString()} rows/s), at most ${beian.maxQueriesPerRun} queries a run.`,
  );
  console.log(
    `node:sqlite, same chunks: ${node.delisted.toLocaleString()} delisted in ${seconds(node.seconds)} (${node.rowsPerSecond.toLocaleString()} rows/s); beian ÷ node:sqlite = ${(beian.workerSeconds / node.seconds).toFixed(2)}× the time.`,
  );
  const out = join(root, "bench", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `sweep-${Date.now()}.json`), JSON.stringify({ apps, unfiled, beian, node }, null, 2));
  if (beian.delisted !== unfiled) {
    console.error(`Expected ${unfiled} delisted, got ${beian.delisted}`);
    process.exitCode = 1;
  }
} finally {
  await service?.stop("SIGKILL");
}
process.exit();
