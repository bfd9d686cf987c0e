// `npm run bench:sweep`: the deadline sweep over a large imported catalogue, on the local D1 under wrangler dev.
// Seeds N listed apps (default 1,000,000; 70 % of them with an active registration) straight into a fresh local
// D1 with set-based SQL, then triggers the scheduled handler run after run, as the cron would, until the sweep
// has delisted every unfiled app. Prints time, rows per second, queries per run and runs needed.
// Usage: npm run bench:sweep [-- --apps 200000]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDevVars, root, run, startWrangler, waitForHealth } from "../scripts/lib.mjs";

const args = process.argv.slice(2);
const apps = Number(args[args.indexOf("--apps") + 1] || 1_000_000);
const registeredShare = 0.7;
const port = 8800 + Math.floor(Math.random() * 100);
const url = `http://127.0.0.1:${port}`;
const state = mkdtempSync(join(tmpdir(), "beian-sweep-"));
const local = ["--local", "--persist-to", state];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const admin = readDevVars().ADMIN_BOOTSTRAP_KEY ?? "bk_dev_admin_6Yo4STEdZc13uO2IgI9GmQ";

console.log(`Seeding ${apps.toLocaleString()} apps (${registeredShare * 100} % registered) into ${state}…`);
let t = Date.now();
await run("wrangler", ["d1", "migrations", "apply", "DB", ...local], { quiet: true });
const registered = Math.floor(apps * registeredShare);
// Every app listed before the 2023 notice's cutoff; the first 70 % hold an active registration of one organizer.
const seed = `
INSERT OR IGNORE INTO accounts (id, name, role, created_at) VALUES ('acc_bench', 'bench', 'developer', '2023-01-01T00:00:00Z');
INSERT OR IGNORE INTO organizers (id, certificate_blind, nature, name, province, data_sealed, last_sequence, created_at, updated_at)
  VALUES ('org_bench', 'bench', 'enterprise', 'bench', '44', 'x', 0, '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${apps})
INSERT INTO apps (app_id, name, owner_account_id, listing_status, listed_at, created_at, updated_at)
  SELECT printf('wxbench%09d', i), 'bench ' || i, 'acc_bench', 'listed', '2023-05-01T00:00:00.000Z', '2023-05-01T00:00:00Z', '2023-05-01T00:00:00Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${registered})
INSERT INTO registrations (number, app_id, organizer_id, filing_id, status, service_name, service_name_key, sequence, version, approved_at, updated_at)
  SELECT printf('粤ICP备2024%06d号-1X', i), printf('wxbench%09d', i), 'org_bench', 'fil_bench', 'active', 'b' || i, 'b' || i, NULL, 1,
    '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM n;
`;
const seedFile = join(state, "seed.sql");
writeFileSync(seedFile, seed);
await run("wrangler", ["d1", "execute", "DB", ...local, "--file", seedFile], { quiet: true });
console.log(`Seeded in ${seconds(Date.now() - t)}.`);

const server = startWrangler([
  "dev",
  ...local,
  "--port",
  String(port),
  "--ip",
  "127.0.0.1",
  "--test-scheduled",
  "--show-interactive-dev-session=false",
]);
const stop = () => server.kill("SIGTERM");
process.on("exit", () => {
  stop();
  rmSync(state, { recursive: true, force: true });
});
await waitForHealth(url, 120_000);

const unfiled = apps - registered;
let delisted = 0;
let runs = 0;
const perRun = [];
t = Date.now();
// One scheduled time per run, ten minutes apart, all after the 2023 notice's deadline.
for (let scheduled = Date.parse("2026-01-01T00:00:00Z"); runs < 200; scheduled += 600_000) {
  const started = Date.now();
  const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=*/10+*+*+*+*&time=${scheduled}`);
  if (!res.ok) throw new Error(`scheduled: ${res.status} ${await res.text()}`);
  runs++;
  // The handler finishes its work in waitUntil; its record says when it is done.
  let record;
  for (;;) {
    const list = await (
      await fetch(`${url}/v1/admin/enforcement/runs?limit=1`, { headers: { authorization: `Bearer ${admin}` } })
    ).json();
    record = list.items[0];
    if (record?.finishedAt && record.scheduledTime === new Date(scheduled).toISOString()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const handled = record.counts.delist_deadline ?? 0;
  delisted += handled;
  perRun.push({ ms: Date.now() - started, handled, queries: record.counts.queries, completed: record.completed });
  console.log(
    `run ${runs}: ${handled.toLocaleString()} delisted, ${record.counts.queries} queries, ${seconds(Date.now() - started)}, ${record.completed ? "finished" : "stopped at its budget"}`,
  );
  if (record.completed) break;
}
const total = Date.now() - t;
const result = {
  apps,
  unfiled,
  delisted,
  runs,
  seconds: total / 1000,
  rowsPerSecond: Math.round(delisted / (total / 1000)),
  maxQueriesPerRun: Math.max(...perRun.map((r) => r.queries)),
  perRun,
};
console.log(
  `\nSwept ${apps.toLocaleString()} apps: ${delisted.toLocaleString()} of ${unfiled.toLocaleString()} unfiled delisted in ${runs} runs, ${seconds(total)} (${result.rowsPerSecond.toLocaleString()} rows/s), at most ${result.maxQueriesPerRun} queries a run.`,
);
const out = join(root, "bench", "results");
await run("node", ["-e", `require("node:fs").mkdirSync(${JSON.stringify(out)}, { recursive: true })`], { quiet: true });
writeFileSync(join(out, `sweep-${Date.now()}.json`), JSON.stringify(result, null, 2));
if (delisted !== unfiled) {
  console.error(`Expected ${unfiled} delisted, got ${delisted}`);
  process.exitCode = 1;
}
process.exit();
