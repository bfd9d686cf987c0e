// `npm run test:import [-- --full]`: `npm run import` end to end, as a user runs it (a child process).
//  1. registrations, against the fake import (test/import/fake-admin.mjs: the contract of
//     POST /v1/admin/registrations/import, with a 429 and 503s thrown in): one uninterrupted run, its rows/s; then a
//     run killed (SIGKILL) halfway and resumed with --resume, which must end with every valid row exactly once and
//     each bad row named once in <file>.errors.csv.
//  2. apps, against the service itself (wrangler dev on private state and its own port): the same kill and resume,
//     counted in D1; then the same file again in one run, every row an update; then registrations for those apps,
//     killed and resumed the same way and counted in D1, then again in one run, every row unchanged.
// Quick sizes (CI): 20,000 registrations and 5,000 apps. --full: 100,000 of each. Exits 1 when an expectation fails.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parse } from "csv-parse/sync";
import { readCheckpoint } from "../../scripts/catalogue-import.mjs";
import { root } from "../../scripts/lib.mjs";
import { writeCatalogue } from "../../scripts/sample-catalogue.mjs";
import { d1File, prepareState, startService } from "../../scripts/service.mjs";
import { ADMIN_BOOTSTRAP_KEY } from "../reliability/lib.mjs";
import { startFakeAdmin } from "./fake-admin.mjs";

const full = process.argv.includes("--full");
const REGISTRATIONS = full ? 100_000 : 20_000;
const APPS = full ? 100_000 : 5_000;
const BAD = 7;

const dir = mkdtempSync(join(tmpdir(), "beian-import-run-"));
const failures = [];
const expect = (label, actual, expected) => {
  const ok = actual === expected;
  console.log(`   ${ok ? "ok  " : "FAIL"} ${label}: ${actual}${ok ? "" : ` (expected ${expected})`}`);
  if (!ok) failures.push(label);
};

/** `npm run import -- <args>` as a child; resolves with { code, out } when it ends. */
function startImport(args) {
  const child = spawn(process.execPath, [join(root, "scripts", "import.mjs"), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const done = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, out })));
  return { child, done };
}

/**
 * Kills the import (SIGKILL: no chance to tidy up) once its checkpoint has passed `rows`, `delayMs` later (inside
 * the next call, most likely).
 */
async function killPast(file, rows, { child, done }, delayMs = 0) {
  const checkpoint = `${file}.checkpoint.json`;
  for (;;) {
    const c = existsSync(checkpoint) ? readCheckpoint(checkpoint) : undefined;
    if (c && c.rows >= rows) break;
    if (child.exitCode !== null) throw new Error(`the import ended before it was killed:\n${(await done).out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill("SIGKILL");
  await done;
  return readCheckpoint(checkpoint);
}

const rowsPerSecond = (out) => /([\d,]+) rows\/s\n/.exec(out.split("this run ").at(-1) ?? "")?.[1] ?? "?";
/** The rows named in the errors file, each once (a row with two problems has two lines). */
const rejectedRows = (file) => [
  ...new Set(parse(readFileSync(`${file}.errors.csv`), { columns: true }).map((e) => Number(e.row))),
];
/** Lines of the errors file written twice (a resumed run must not repeat what the killed one wrote). */
const linesTwice = (file) => {
  const lines = readFileSync(`${file}.errors.csv`, "utf8").trim().split("\n");
  return lines.length - new Set(lines).size;
};
const sameList = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// 1. registrations against the fake
{
  console.log(`\n== registrations: ${REGISTRATIONS.toLocaleString("en")} rows (${BAD} bad) against the fake import`);
  const file = join(dir, "registrations.csv");
  const spoiled = writeCatalogue("registrations", REGISTRATIONS, file, { bad: BAD });

  let fake = await startFakeAdmin();
  const one = await startImport(["registrations", file, "--url", fake.url, "--key", fake.key]).done;
  console.log(one.out.trim().replace(/^/gm, "   | "));
  expect("one run: exit status (2: finished, bad rows set aside)", one.code, 2);
  expect("one run: rows in the service", fake.store.size, REGISTRATIONS - BAD);
  expect("one run: bad rows named in the errors file", sameList(rejectedRows(file), spoiled), true);
  console.log(`   one run: ${rowsPerSecond(one.out)} rows/s`);
  await fake.close();

  // Faults: a 429 with Retry-After early on, a 503 every 7th call. The import is killed (SIGKILL) halfway, inside
  // a call: its rows stored, the answer never received, so the checkpoint is one batch behind the service.
  let importing;
  fake = await startFakeAdmin({
    fault: (n) => (n === 3 ? { status: 429, retryAfter: 1 } : n % 7 === 0 ? { status: 503 } : undefined),
    afterStore: (store) => {
      if (store.size >= REGISTRATIONS / 2 && importing.child.exitCode === null) importing.child.kill("SIGKILL");
    },
  });
  const args = ["registrations", file, "--url", fake.url, "--key", fake.key];
  importing = startImport(args);
  const killed = await importing.done;
  const at = readCheckpoint(`${file}.checkpoint.json`);
  console.log(
    `   killed (${killed.signal}) with ${fake.store.size} rows in the service, the checkpoint at row ${at.rows}`,
  );
  const resumed = await startImport([...args, "--resume"]).done;
  console.log(resumed.out.trim().replace(/^/gm, "   | "));
  const unchanged = Number(/([\d,]+) unchanged/.exec(resumed.out)?.[1]?.replaceAll(",", "") ?? 0);
  expect("resumed: rows sent again that were in already (stored, never acknowledged)", unchanged > 0, true);
  expect("resumed: exit status", resumed.code, 2);
  expect(
    "resumed: rows in the service (each number once: the store is keyed by it)",
    fake.store.size,
    REGISTRATIONS - BAD,
  );
  console.log(
    `   rows the fake received in all: ${fake.rowsReceived} (sent again after the kill, or resent without a batch's bad rows)`,
  );
  expect("resumed: each bad row named", sameList(rejectedRows(file), spoiled), true);
  expect("resumed: errors file lines written twice", linesTwice(file), 0);
  expect("resumed: checkpoint left", existsSync(`${file}.checkpoint.json`), false);
  await fake.close();
}

// 2. apps against the service
{
  console.log(`\n== apps: ${APPS.toLocaleString("en")} rows (${BAD} bad) against the service`);
  const state = await prepareState();
  const service = await startService({ state, port: await freePort() });
  try {
    const file = join(dir, "apps.csv");
    const spoiled = writeCatalogue("apps", APPS, file, { bad: BAD, owner: "acc_demo_developer" });
    const args = ["apps", file, "--url", service.url, "--key", ADMIN_BOOTSTRAP_KEY];
    const at = await killPast(file, APPS / 2, startImport(args), 150);
    console.log(`   killed at checkpoint row ${at.rows}`);
    const resumed = await startImport([...args, "--resume"]).done;
    console.log(resumed.out.trim().replace(/^/gm, "   | "));
    expect("resumed: exit status", resumed.code, 2);
    const db = new DatabaseSync(d1File(state), { readOnly: true });
    const { n, distinct } = db
      .prepare("SELECT count(*) AS n, count(DISTINCT app_id) AS \"distinct\" FROM apps WHERE app_id LIKE 'wx5a3c%'")
      .get();
    db.close();
    expect("resumed: apps in D1", n, APPS - BAD);
    expect("resumed: none twice", distinct, n);
    expect("resumed: each bad row named, in file order", sameList(rejectedRows(file), spoiled), true);
    expect("resumed: errors file lines written twice", linesTwice(file), 0);
    console.log(`   resumed run: ${rowsPerSecond(resumed.out)} rows/s`);

    // The same file again, in one run: every row an update, none added.
    const again = await startImport(args).done;
    console.log(again.out.trim().replace(/^/gm, "   | "));
    const appsAfter = new DatabaseSync(d1File(state), { readOnly: true });
    const { m } = appsAfter.prepare("SELECT count(*) AS m FROM apps WHERE app_id LIKE 'wx5a3c%'").get();
    appsAfter.close();
    expect("again: apps in D1", m, APPS - BAD);
    expect("again: updated", /([\d,]+) updated/.exec(again.out)?.[1], (APPS - BAD).toLocaleString("en"));
    console.log(`   again, one run: ${rowsPerSecond(again.out)} rows/s`);

    // Registrations against the service, for the apps just imported: killed halfway and resumed, every valid row
    // in D1 once and each bad row named once; then the same file again in one run, every row unchanged.
    const rfile = join(dir, "registrations-service.csv");
    const rspoiled = writeCatalogue("registrations", APPS, rfile, { bad: BAD });
    const rargs = ["registrations", rfile, "--url", service.url, "--key", ADMIN_BOOTSTRAP_KEY];
    const imported = () => {
      const d = new DatabaseSync(d1File(state), { readOnly: true });
      const row = d
        .prepare(
          "SELECT count(*) AS n, count(DISTINCT number) AS \"distinct\" FROM registrations WHERE source = 'imported'",
        )
        .get();
      d.close();
      return row;
    };
    const rat = await killPast(rfile, APPS / 2, startImport(rargs), 150);
    console.log(`   registrations killed at checkpoint row ${rat.rows}`);
    const rresumed = await startImport([...rargs, "--resume"]).done;
    console.log(rresumed.out.trim().replace(/^/gm, "   | "));
    expect("registrations resumed: exit status", rresumed.code, 2);
    const after = imported();
    expect("registrations resumed: imported registrations in D1", after.n, APPS - BAD);
    expect("registrations resumed: none twice", after.distinct, after.n);
    expect("registrations resumed: each bad row named, in file order", sameList(rejectedRows(rfile), rspoiled), true);
    expect("registrations resumed: errors file lines written twice", linesTwice(rfile), 0);
    console.log(`   registrations, resumed run: ${rowsPerSecond(rresumed.out)} rows/s`);

    const ragain = await startImport(rargs).done;
    console.log(ragain.out.trim().replace(/^/gm, "   | "));
    expect("registrations again: imported registrations in D1", imported().n, APPS - BAD);
    expect(
      "registrations again: unchanged",
      /([\d,]+) unchanged/.exec(ragain.out)?.[1],
      (APPS - BAD).toLocaleString("en"),
    );
    console.log(`   registrations again, one run: ${rowsPerSecond(ragain.out)} rows/s`);
  } finally {
    await service.stop();
  }
}

console.log(failures.length === 0 ? "\nimport: all expectations met" : `\nimport: FAILED ${failures.join("; ")}`);
process.exit(failures.length === 0 ? 0 : 1);
