// The deadline sweep over a large imported catalogue: seeding (set-based SQL straight into the local D1), driving
// the scheduled handler run after run as the cron would, and the same per-chunk work done by Node's built-in
// SQLite on a copy of the same database file, as the floor the sweep is measured against.
import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../scripts/lib.mjs";
import { d1File } from "../../scripts/service.mjs";

/** Share of the catalogue with an active registration; the rest is unfiled and gets delisted. */
export const REGISTERED_SHARE = 0.7;
/** The first scheduled time the sweep runs at (after the 2023 notice's deadline); runs follow ten minutes apart. */
export const FIRST_RUN = Date.parse("2026-01-01T00:00:00Z");
const CHUNK_SIZE = 500;

/**
 * A fresh state with the migrations applied and `apps` listed apps, all listed before the 2023 notice's cutoff;
 * the first 70 % hold an active registration of one organizer.
 */
export async function seedSweep(state, apps) {
  const local = ["--local", "--persist-to", state];
  await run("wrangler", ["d1", "migrations", "apply", "DB", ...local], { quiet: true });
  const registered = Math.floor(apps * REGISTERED_SHARE);
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
  const file = join(state, "sweep-seed.sql");
  writeFileSync(file, seed);
  await run("wrangler", ["d1", "execute", "DB", ...local, "--file", file], { quiet: true });
  return { apps, unfiled: apps - registered };
}

/** Copies the D1 file (and its WAL, if any) to `to`: an identical database for the node:sqlite run. */
export function copyDatabase(state, to) {
  const from = d1File(state);
  copyFileSync(from, to);
  for (const ext of ["-wal", "-shm"]) if (existsSync(from + ext)) copyFileSync(from + ext, to + ext);
  return to;
}

/**
 * Triggers the scheduled handler, one scheduled time per run, until a run reports it finished. `log` gets a line
 * per run. The Worker's own time is the sum of the runs' startedAt → finishedAt; wall time adds the triggering.
 */
export async function driveSweep(url, adminKey, { log = () => {}, maxRuns = 200 } = {}) {
  const perRun = [];
  const started = Date.now();
  for (let scheduled = FIRST_RUN; perRun.length < maxRuns; scheduled += 600_000) {
    const t = Date.now();
    const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=*/10+*+*+*+*&time=${scheduled}`);
    if (!res.ok) throw new Error(`scheduled: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    // The handler finishes its work in waitUntil; its record says when it is done.
    let record;
    for (;;) {
      const list = await (
        await fetch(`${url}/v1/admin/enforcement/runs?limit=1`, { headers: { authorization: `Bearer ${adminKey}` } })
      ).json();
      record = list.items[0];
      if (record?.finishedAt && record.scheduledTime === new Date(scheduled).toISOString()) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const entry = {
      wallMs: Date.now() - t,
      workerMs: Date.parse(record.finishedAt) - Date.parse(record.startedAt),
      delisted: record.counts.delist_deadline ?? 0,
      eventsDispatched: record.counts.events_resent ?? 0,
      queries: record.counts.queries,
      completed: record.completed,
      error: record.error ?? null,
    };
    perRun.push(entry);
    log(entry, perRun.length);
    if (record.error) throw new Error(`run ${perRun.length}: ${record.error}`);
    if (record.completed) break;
  }
  const sum = (k) => perRun.reduce((s, r) => s + r[k], 0);
  const workerSeconds = sum("workerMs") / 1000;
  return {
    runs: perRun.length,
    delisted: sum("delisted"),
    eventsDispatched: sum("eventsDispatched"),
    workerSeconds,
    wallSeconds: (Date.now() - started) / 1000,
    rowsPerSecond: Math.round(sum("delisted") / workerSeconds),
    maxQueriesPerRun: Math.max(...perRun.map((r) => r.queries)),
    perRun,
  };
}

/** node:sqlite announces itself as experimental on import; the benchmark's output has no use for that line. */
function quietSqliteWarning() {
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) =>
    String(warning).includes("SQLite") ? undefined : emit.call(process, warning, ...rest);
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
/** Sorted-key JSON, as beian's audit chain hashes it (flat objects of strings and numbers are all it needs here). */
const canonical = (o) =>
  `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(o[k])}`)
    .join(",")}}`;

/**
 * The delist-deadline sweep done by node:sqlite (Node's built-in, synchronous, in-process SQLite: the same access
 * better-sqlite3 gives, which cannot be installed here — see bench/run.mjs) on a copy of the seeded database: per
 * chunk of 500 the same candidate read, then in one transaction the same action-row INSERT … SELECT, apps UPDATE,
 * outbox events INSERT … SELECT and hash-chained audit row as src/jobs/delist-deadline.ts and src/jobs/sweep.ts;
 * then the outbox hand-off (select 500 undispatched, mark them dispatched) for `dispatch` events, as the run's
 * resend does. What a run does besides (claiming its scheduled time, three jobs finding nothing, its record) is a
 * few queries per run and is left out.
 */
export async function nodeSqliteSweep(file, { now = new Date(FIRST_RUN).toISOString(), dispatch = 0 } = {}) {
  quietSqliteWarning();
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(file);
  const runId = `run_${randomUUID()}`;
  const covered = `a.listing_status = 'listed' and a.listed_at is not null and a.listed_at < ?
    and not exists (select 1 from registrations r where r.app_id = a.app_id and r.status = 'active')`;
  const candidates = db.prepare(
    `select a.app_id from apps a where ${covered} and a.app_id > ? order by a.app_id limit ${CHUNK_SIZE}`,
  );
  const insertActions = db.prepare(
    `insert into enforcement_actions (id, run_id, chunk, app_id, filing_id, policy_id, action, offset_days, detail, at)
     select null, ?, ?, a.app_id, '', ?, 'delist_deadline', 0, '', ?
     from json_each(?) k cross join apps a on a.app_id = k.value
     where ${covered} on conflict do nothing`,
  );
  const delist = db.prepare(
    `update apps set listing_status = 'delisted', delisted_at = ?, delist_reason = 'deadline', updated_at = ?
     where app_id in (select app_id from enforcement_actions where chunk = ?) and listing_status = 'listed'`,
  );
  const insertEvents = db.prepare(
    `insert into events (seq, id, account_id, type, data, created_at, dispatched_at)
     select null, 'evt_' || lower(hex(randomblob(13))), a.owner_account_id, 'app.delisted',
       json_object('appId', a.app_id, 'reason', 'deadline', 'policyId', ?, 'deadline', ?), ?, null
     from enforcement_actions ea join apps a on a.app_id = ea.app_id where ea.chunk = ?`,
  );
  const insertAudit = db.prepare(
    `insert into audit_log (subject, seq, action, actor_account_id, at, data, prev_hash, hash)
     values (?, ?, ?, 'system', ?, ?, ?, ?)`,
  );
  const pickOutbox = db.prepare(`select e.seq, e.id,
      exists (select 1 from webhook_endpoints w where w.account_id = e.account_id and w.disabled_at is null) as hooked
    from events e where e.dispatched_at is null and e.created_at < ? order by e.seq limit 500`);
  const markDispatched = db.prepare(
    "update events set dispatched_at = ? where seq in (select value from json_each(?)) and dispatched_at is null",
  );
  const policies = db.prepare("select * from policies where active = 1 and deadline <= ? order by deadline").all(now);

  const started = performance.now();
  const subject = `enforcement:${runId}`;
  let head = { seq: 0, hash: "0".repeat(64) };
  let delisted = 0;
  for (const policy of policies) {
    let cursor = "";
    for (;;) {
      const keys = candidates.all(policy.listed_before, cursor).map((r) => r.app_id);
      if (keys.length === 0) break;
      const chunk = `chk_${randomUUID()}`;
      const keysJson = JSON.stringify(keys);
      const data = canonical({ chunk, candidates: keys.length, digest: sha256(keysJson) });
      const seq = head.seq + 1;
      const action = "enforcement.delist_deadline";
      const hash = sha256(`${head.hash}\n${canonical({ subject, seq, action, actor: "system", at: now, data })}`);
      db.exec("begin");
      try {
        delisted += Number(insertActions.run(runId, chunk, policy.id, now, keysJson, policy.listed_before).changes);
        delist.run(now, now, chunk);
        insertEvents.run(policy.id, policy.deadline, now, chunk);
        insertAudit.run(subject, seq, action, now, data, head.hash, hash);
        db.exec("commit");
      } catch (e) {
        db.exec("rollback");
        throw e;
      }
      head = { seq, hash };
      cursor = keys.at(-1);
      if (keys.length < CHUNK_SIZE) break;
    }
  }
  let dispatched = 0;
  const olderThan = new Date(Date.now() - 60_000).toISOString();
  while (dispatched < dispatch) {
    const rows = pickOutbox.all(olderThan);
    if (rows.length === 0) break;
    markDispatched.run(new Date().toISOString(), JSON.stringify(rows.map((r) => r.seq)));
    dispatched += rows.length;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { seconds, delisted, eventsDispatched: dispatched, rowsPerSecond: Math.round(delisted / seconds) };
}
