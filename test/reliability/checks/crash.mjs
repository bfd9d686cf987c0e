// Crash: the server killed outright (SIGKILL to wrangler and workerd) must lose nothing it acknowledged.
// (a) In the middle of a burst of submissions: after a restart on the same state, every filing answered with 201
//     exists whole (its history row and audit row with it) and is readable.
// (b) In the middle of a deadline sweep over a large catalogue: runs at later scheduled times finish the work, and
//     the end state equals that of an uninterrupted run on an identical seed — the same apps delisted, the same
//     number of enforcement actions, one event per app and action — and every audit chain still verifies.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { prepareState, startService } from "../../../scripts/service.mjs";
import {
  ADMIN_BOOTSTRAP_KEY,
  call,
  d1File,
  developerWithApps,
  enforcementRuns,
  expectEq,
  filingBody,
  must,
  openD1,
  pool,
  sleep,
  triggerCron,
} from "../lib.mjs";

const PORT = 8935;
const TEN_MINUTES = 600_000;
const FIRST_RUN = Date.parse("2026-01-01T00:00:00Z");

export async function check({ quick, log }) {
  const notes = [];
  const burst = await submissionBurst({ quick, log, notes });
  const sweep = await sweepCrash({ quick, log, notes });
  return { name: "crash", ok: true, figures: { ...burst, ...sweep }, notes };
}

/** (a) SIGKILL during a burst of submissions, then a restart on the same state. */
async function submissionBurst({ quick, log, notes }) {
  const inFlight = quick ? 150 : 300;
  const killAfter = quick ? 30 : 100;
  const concurrent = 24;
  const state = await prepareState();
  let service = await startService({ state, port: PORT });
  const url = service.url;
  log(`burst: ${inFlight} apps and materials…`);
  const dev = await developerWithApps(url, inFlight);
  const acknowledged = [];
  let answered = 0;
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    log(`SIGKILL after ${acknowledged.length} acknowledged`);
    service.stop("SIGKILL");
  };
  // At most `concurrent` submissions in flight at a time, so the kill always lands while some are open and others
  // not yet sent, however fast the service answers.
  log(`burst: ${inFlight} submissions, ${concurrent} at a time, SIGKILL after ${killAfter} acknowledged…`);
  await pool(
    concurrent,
    dev.appIds.map((appId, i) => async () => {
      const res = await call(url, "/v1/filings", {
        key: dev.key,
        body: filingBody(appId, dev.media),
        headers: { "idempotency-key": `crash-${i}` },
      });
      answered++;
      if (res.status === 201 && res.body?.id) acknowledged.push(res.body.id);
      if (acknowledged.length >= killAfter) kill();
    }),
  );
  kill();
  await service.exited;
  log(`${acknowledged.length} acknowledged of ${inFlight} sent (${answered} answered in any way); restarting…`);

  service = await startService({ state, port: PORT });
  try {
    const db = openD1(state);
    const whole = db.prepare(
      `select (select count(*) from filings where id = ?1) as filing,
              (select count(*) from filing_history where filing_id = ?1) as history,
              (select count(*) from audit_log where subject = 'filing:' || ?1) as audit,
              (select count(*) from events where type = 'filing.submitted' and json_extract(data, '$.filingId') = ?1) as events`,
    );
    let found = 0;
    let incomplete = 0;
    for (const id of acknowledged) {
      const r = whole.get(id);
      if (r.filing === 1) found++;
      if (r.filing === 1 && (r.history < 1 || r.audit < 1 || r.events < 1)) incomplete++;
    }
    const stored = db.prepare("select count(*) as n from filings where submitter_account_id = ?").get(dev.id).n;
    const partial = db
      .prepare(
        `select count(*) as n from filings f where f.submitter_account_id = ?
         and (not exists (select 1 from filing_history h where h.filing_id = f.id)
              or not exists (select 1 from audit_log a where a.subject = 'filing:' || f.id))`,
      )
      .get(dev.id).n;
    db.close();
    const readable = (
      await pool(
        16,
        acknowledged.map((id) => () => call(url, `/v1/filings/${id}`, { key: dev.key })),
      )
    ).filter((r) => r.status === 200).length;
    const audit = await must(url, "/v1/admin/audit/verify", { key: ADMIN_BOOTSTRAP_KEY }, 200);
    log(`after restart: ${found} of ${acknowledged.length} acknowledged found, ${stored} stored in all`);
    if (stored > acknowledged.length) {
      notes.push(`${stored - acknowledged.length} filings were stored but their answer was cut off by the kill`);
    }
    return {
      "burst: sent": inFlight,
      "burst: in flight at a time": concurrent,
      "burst: acknowledged": acknowledged.length,
      "burst: killed before every answer": {
        value: acknowledged.length < inFlight ? "yes" : "no",
        expected: "yes",
        ok: acknowledged.length < inFlight,
      },
      "burst: found after restart": found,
      "burst: lost": expectEq(acknowledged.length - found, 0),
      "burst: unreadable after restart": expectEq(acknowledged.length - readable, 0),
      "burst: incomplete (no history/audit/event)": expectEq(incomplete + partial, 0),
      "burst: stored (acknowledged or cut off)": stored,
      "burst: broken audit chains": expectEq(audit.broken.length, 0),
    };
  } finally {
    await service.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

/**
 * A catalogue of `apps` listed before the 2023 notice's cutoff, `registered` of them with an active registration:
 * straight into the stopped service's D1 file with set-based SQL, as bench/sweep.mjs does.
 */
function seedCatalogue(state, apps, registered) {
  const sql = `
INSERT OR IGNORE INTO accounts (id, name, role, created_at) VALUES ('acc_catalogue', 'catalogue', 'developer', '2023-01-01T00:00:00Z');
INSERT OR IGNORE INTO organizers (id, certificate_blind, nature, name, province, data_sealed, last_sequence, created_at, updated_at)
  VALUES ('org_catalogue', 'catalogue', 'enterprise', 'catalogue', '44', 'x', 0, '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${apps})
INSERT INTO apps (app_id, name, owner_account_id, listing_status, listed_at, created_at, updated_at)
  SELECT printf('wxcrash%09d', i), 'catalogue ' || i, 'acc_catalogue', 'listed', '2023-05-01T00:00:00.000Z', '2023-05-01T00:00:00Z', '2023-05-01T00:00:00Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${registered})
INSERT INTO registrations (number, app_id, organizer_id, filing_id, status, service_name, service_name_key, sequence, version, approved_at, updated_at)
  SELECT printf('粤ICP备2024%06d号-1X', i), printf('wxcrash%09d', i * ${Math.floor(apps / Math.max(registered, 1))}), 'org_catalogue', 'fil_catalogue', 'active', 'c' || i, 'c' || i, NULL, 1,
    '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM n;
`;
  const db = new DatabaseSync(d1File(state));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** Triggers runs at successive scheduled times until one reports it completed; the scheduled times used. */
async function sweepToCompletion(url, firstScheduled, log, label) {
  const times = [];
  const records = [];
  for (let t = firstScheduled; times.length < 20; t += TEN_MINUTES) {
    times.push(t);
    const status = await triggerCron(url, t);
    if (status !== 200) throw new Error(`scheduled ${new Date(t).toISOString()}: ${status}`);
    const record = await waitForRecord(url, t);
    records.push(record);
    log(
      `${label}: run ${new Date(t).toISOString()} ${record.completed ? "completed" : "stopped"}, ${JSON.stringify(record.counts)}`,
    );
    if (record.completed) return { times, records };
  }
  throw new Error(`${label}: no run completed in 20 scheduled times`);
}

/** The finished record of the run of scheduled time `t`, or null when that time was skipped (leased). */
async function waitForRecord(url, t, timeoutMs = 300_000) {
  const iso = new Date(t).toISOString();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const record = (await enforcementRuns(url)).find((r) => r.scheduledTime === iso);
    if (record?.finishedAt) return record;
    await sleep(200);
  }
  throw new Error(`run ${iso} did not finish within ${timeoutMs / 1000} s`);
}

/** What the sweep leaves behind, compared between the two runs. */
function endState(state) {
  const db = openD1(state);
  const delisted = db
    .prepare("select app_id from apps where listing_status = 'delisted' and delist_reason = 'deadline' order by app_id")
    .all()
    .map((r) => r.app_id);
  const actions = db.prepare("select count(*) as n from enforcement_actions where action = 'delist_deadline'").get().n;
  const events = db.prepare("select count(*) as n from events where type = 'app.delisted'").get().n;
  const duplicateEvents = db
    .prepare(
      `select coalesce(sum(n - 1), 0) as n from (select count(*) as n from events where type = 'app.delisted'
       group by json_extract(data, '$.appId'), json_extract(data, '$.policyId') having count(*) > 1)`,
    )
    .get().n;
  const duplicateActions = db
    .prepare(
      `select coalesce(sum(n - 1), 0) as n from (select count(*) as n from enforcement_actions
       group by action, policy_id, app_id having count(*) > 1)`,
    )
    .get().n;
  const stillListed = db
    .prepare(
      `select count(*) as n from apps a where a.listing_status = 'listed' and a.app_id like 'wxcrash%'
       and not exists (select 1 from registrations r where r.app_id = a.app_id and r.status = 'active')`,
    )
    .get().n;
  db.close();
  return { delisted, actions, events, duplicateEvents, duplicateActions, stillListed };
}

/** (b) SIGKILL during a sweep, restart, finish; compared with an uninterrupted sweep of the same seed. */
async function sweepCrash({ quick, log, notes }) {
  const apps = quick ? 50_000 : 200_000;
  const registered = Math.floor(apps * 0.3);

  // The reference: the same seed (a copy of the seeded state), swept without interruption.
  const reference = await prepareState({ seed: false });
  log(`sweep: seeding ${apps.toLocaleString()} apps…`);
  seedCatalogue(reference, apps, registered);
  const crashed = mkdtempSync(join(tmpdir(), "beian-crash-"));
  cpSync(reference, crashed, { recursive: true });

  let service = await startService({ state: reference, port: PORT });
  let t0 = Date.now();
  const { times: referenceTimes, records } = await sweepToCompletion(service.url, FIRST_RUN, log, "uninterrupted");
  // The first run's own duration (the trigger's answer may wait for the run, so it is no clock to kill by).
  const firstRunMs = Date.parse(records[0].finishedAt) - Date.parse(records[0].startedAt) || 1000;
  const referenceMs = Date.now() - t0;
  await service.stop();
  const expected = endState(reference);
  log(
    `uninterrupted: ${expected.delisted.length} delisted in ${referenceTimes.length} runs, first run ${firstRunMs} ms`,
  );

  // The same sweep, killed part of the way through: once a few chunks are committed (when the file can be read
  // while the sweep writes) or a third of the uninterrupted time in, whichever comes first.
  service = await startService({ state: crashed, port: PORT });
  const watch = openD1(crashed);
  const progress = watch.prepare("select count(*) as n from enforcement_actions");
  t0 = Date.now();
  // Not awaited: under wrangler dev the trigger answers only once the run is over.
  const triggered = triggerCron(service.url, FIRST_RUN).catch(() => 0);
  const killAt = Math.min(5_000, Math.floor(expected.actions / 4));
  const killBy = t0 + firstRunMs / 3;
  for (;;) {
    let committed = 0;
    try {
      committed = progress.get().n;
    } catch {
      // the sweep holds the write lock for a moment
    }
    if (committed >= killAt || Date.now() >= killBy) break;
    await sleep(20);
  }
  await service.stop("SIGKILL");
  await triggered;
  watch.close();
  const afterKill = openD1(crashed);
  const committedAtKill = afterKill.prepare("select count(*) as n from enforcement_actions").get().n;
  const runAtKill = afterKill
    .prepare("select finished_at from enforcement_runs order by started_at desc limit 1")
    .get();
  afterKill.close();
  const midRun = committedAtKill < expected.actions && !runAtKill?.finished_at;
  log(
    `SIGKILL ${Date.now() - t0} ms into the sweep: ${committedAtKill} of ${expected.actions} actions committed, run ${midRun ? "unfinished" : "had finished"}`,
  );

  service = await startService({ state: crashed, port: PORT });
  // The same scheduled time again: its run is still leased by the killed invocation, so it must not run twice.
  const again = await triggerCron(service.url, FIRST_RUN);
  await sleep(1000);
  const sameTime = (await enforcementRuns(service.url)).filter(
    (r) => r.scheduledTime === new Date(FIRST_RUN).toISOString(),
  );
  log(
    `same scheduled time again: ${again}, ${sameTime.length} run record(s) for it, finished: ${!!sameTime[0]?.finishedAt}`,
  );
  const { times: resumedTimes } = await sweepToCompletion(service.url, FIRST_RUN + TEN_MINUTES, log, "after restart");
  const audit = await must(service.url, "/v1/admin/audit/verify", { key: ADMIN_BOOTSTRAP_KEY }, 200);
  await service.stop();
  const actual = endState(crashed);
  for (const dir of [reference, crashed]) rmSync(dir, { recursive: true, force: true });

  const expectedSet = new Set(expected.delisted);
  const actualSet = new Set(actual.delisted);
  const diff =
    expected.delisted.filter((a) => !actualSet.has(a)).length +
    actual.delisted.filter((a) => !expectedSet.has(a)).length +
    Math.abs(expected.actions - actual.actions) +
    Math.abs(expected.events - actual.events);
  if (!midRun) notes.push("the sweep finished before the kill landed: (b) did not interrupt a run");
  return {
    "sweep: catalogue apps": apps,
    "sweep: unfiled (to delist)": apps - registered,
    "sweep: uninterrupted seconds": Number((referenceMs / 1000).toFixed(1)),
    "sweep: first run seconds": Number((firstRunMs / 1000).toFixed(1)),
    "sweep: uninterrupted runs": referenceTimes.length,
    "sweep: actions committed at kill": committedAtKill,
    "sweep: killed mid-run": { value: midRun ? "yes" : "no", expected: "yes", ok: midRun },
    "sweep: runs after restart": resumedTimes.length,
    "sweep: killed time rerun while leased": expectEq(sameTime.filter((r) => r.finishedAt).length, 0),
    "sweep: delisted (uninterrupted)": expected.delisted.length,
    "sweep: delisted (killed + rerun)": actual.delisted.length,
    "sweep: end-state diff": expectEq(diff, 0),
    "sweep: unfiled apps left listed": expectEq(actual.stillListed, 0),
    "sweep: duplicate events": expectEq(actual.duplicateEvents + expected.duplicateEvents, 0),
    "sweep: duplicate actions": expectEq(actual.duplicateActions, 0),
    "sweep: broken audit chains": expectEq(audit.broken.length, 0),
  };
}
