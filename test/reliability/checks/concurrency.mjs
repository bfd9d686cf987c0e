// Concurrency: many submissions at once, each Idempotency-Key sent several times at the same moment, must create
// exactly one filing per key, acknowledge only filings that exist, and never fail with a 5xx; approvals at once,
// several under one organizer, must never hand out a registration number twice or skip a service sequence.
import { rmSync } from "node:fs";
import { prepareState, startService } from "../../../scripts/service.mjs";
import {
  approve,
  call,
  developerWithApps,
  expectEq,
  filingBody,
  listAll,
  openD1,
  organizer,
  pool,
  regulatorApprove,
  reviewerApprove,
} from "../lib.mjs";

const PORT = 8934;

export async function check({ quick, log }) {
  const keys = quick ? 40 : 200;
  const copies = 5;
  const approvals = quick ? 20 : 50;
  const perOrganizer = 5;
  const notes = [];

  const state = await prepareState();
  const service = await startService({ state, port: PORT });
  const url = service.url;
  try {
    log(`service on ${url}; ${keys} apps and their materials…`);
    const dev = await developerWithApps(url, keys);
    // One organizer per five apps, so approvals race for the same organizer's next sequence.
    const organizers = Array.from({ length: Math.ceil(keys / perOrganizer) }, () => organizer());
    const bodies = dev.appIds.map((appId, i) => filingBody(appId, dev.media, organizers[Math.floor(i / perOrganizer)]));

    // Every copy of every key at once: `copies` identical requests per key, interleaved.
    log(`${keys * copies} submissions, ${keys} Idempotency-Keys, all at once…`);
    const requests = [];
    for (let c = 0; c < copies; c++) {
      for (const [k, body] of bodies.entries()) requests.push({ k, body });
    }
    const started = Date.now();
    const answers = await Promise.all(
      requests.map(({ k, body }) =>
        call(url, "/v1/filings", { key: dev.key, body, headers: { "idempotency-key": `concurrency-${k}` } }).then(
          (res) => ({ k, res }),
        ),
      ),
    );
    const submitMs = Date.now() - started;
    const statuses = {};
    for (const { res } of answers) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    log(`answered in ${(submitMs / 1000).toFixed(1)} s: ${JSON.stringify(statuses)}`);
    const serverErrors = answers.filter(({ res }) => res.status >= 500).length;
    const connectionErrors = answers.filter(({ res }) => res.status === 0).length;
    const acknowledged = answers.filter(({ res }) => (res.status === 201 || res.status === 200) && res.body?.id);
    const idsPerKey = new Map();
    for (const { k, res } of acknowledged) idsPerKey.set(k, new Set([...(idsPerKey.get(k) ?? []), res.body.id]));
    const keysWithTwoIds = [...idsPerKey.values()].filter((ids) => ids.size > 1).length;
    const replays = acknowledged.filter(({ res }) => res.headers.get("idempotent-replayed") === "true").length;
    const unexpected = answers.filter(
      ({ res }) =>
        res.status !== 0 &&
        res.status < 500 &&
        !(res.status === 201 || res.status === 200) &&
        res.body?.code !== "IDEMPOTENCY_IN_PROGRESS" &&
        res.body?.code !== "FILING_IN_PROGRESS",
    );
    for (const { res } of unexpected.slice(0, 3)) notes.push(`unexpected answer ${res.status}: ${res.text}`);

    // Keys answered only with "in progress" are retried once, as a client would: the filing must be there.
    const unanswered = bodies.map((_, k) => k).filter((k) => !idsPerKey.has(k));
    for (const k of unanswered) {
      const res = await call(url, "/v1/filings", {
        key: dev.key,
        body: bodies[k],
        headers: { "idempotency-key": `concurrency-${k}` },
      });
      if ((res.status === 201 || res.status === 200) && res.body?.id) idsPerKey.set(k, new Set([res.body.id]));
    }

    const ackIds = [...new Set(acknowledged.map(({ res }) => res.body.id))];
    const unreadable = (
      await pool(
        16,
        ackIds.map((id) => () => call(url, `/v1/filings/${id}`, { key: dev.key })),
      )
    ).filter((r) => r.status !== 200).length;
    const listed = await listAll(url, "/v1/filings", dev.key);
    const db = openD1(state);
    const inDb = db.prepare("select count(*) as n from filings where submitter_account_id = ?").get(dev.id).n;
    const appsWithTwo = db
      .prepare(
        "select count(*) as n from (select app_id from filings where submitter_account_id = ? group by app_id having count(*) > 1)",
      )
      .get(dev.id).n;
    db.close();
    log(`${listed.length} filings listed, ${inDb} in D1; ${unreadable} acknowledged but unreadable`);

    // Approvals at once: reviewer, then SMS + regulator, `approvals` filings, five per organizer.
    const toApprove = dev.appIds
      .slice(0, approvals)
      .map((_, k) => [...(idsPerKey.get(k) ?? [])][0])
      .filter(Boolean);
    log(`${toApprove.length} approvals at once (reviewer, then regulator)…`);
    const reviewed = await Promise.all(toApprove.map((id) => reviewerApprove(url, id)));
    const bureau = await Promise.all(toApprove.map((id) => regulatorApprove(url, id)));
    const approvalAnswers = [...reviewed, ...bureau];
    const approvalErrors = approvalAnswers.filter((r) => r.status >= 500 || r.status === 0).length;
    const refused = approvalAnswers.filter((r) => r.status !== 200 && r.status < 500 && r.status !== 0);
    for (const r of refused.slice(0, 3)) notes.push(`approval answered ${r.status}: ${r.text}`);
    // A refused approval (a lost race answered 409) may be repeated; it must then succeed.
    const retried = [];
    for (const [i, r] of bureau.entries()) {
      if (r.status !== 200) retried.push(await approve(url, toApprove[i]).catch((e) => String(e)));
    }
    const numbers = bureau.filter((r) => r.status === 200).map((r) => r.body.registrationNumber);
    numbers.push(...retried.filter((n) => typeof n === "string" && n.includes("ICP")));

    const check = openD1(state);
    const regs = check
      .prepare(
        `select r.number, r.organizer_id as organizer, r.sequence, o.organizer_number as organizerNumber
         from registrations r join organizers o on o.id = r.organizer_id
         where r.filing_id in (select value from json_each(?))`,
      )
      .all(JSON.stringify(toApprove));
    const orgNumbers = check
      .prepare(
        "select organizer_number as n, count(*) as c from organizers where organizer_number is not null group by organizer_number having c > 1",
      )
      .all();
    check.close();
    const duplicates = numbers.length - new Set(numbers).size + orgNumbers.length;
    const byOrganizer = new Map();
    for (const r of regs) byOrganizer.set(r.organizer, [...(byOrganizer.get(r.organizer) ?? []), r.sequence]);
    let gaps = 0;
    for (const seqs of byOrganizer.values()) {
      seqs.sort((a, b) => a - b);
      seqs.forEach((s, i) => {
        if (s !== i + 1) gaps++;
      });
    }
    const organizersUsed = byOrganizer.size;
    const mismatched = regs.filter((r) => !r.number.startsWith(`${r.organizerNumber}-`)).length;

    const figures = {
      submissions: answers.length,
      "distinct keys": keys,
      "submit burst seconds": Number((submitMs / 1000).toFixed(1)),
      "filings created (D1)": expectEq(inDb, keys),
      "filings listed (API)": expectEq(listed.length, keys),
      "keys answered with two filing ids": expectEq(keysWithTwoIds, 0),
      "apps with two filings": expectEq(appsWithTwo, 0),
      acknowledged: acknowledged.length,
      "replays (same id)": replays,
      "acknowledged but unreadable": expectEq(unreadable, 0),
      "responses ≥500": expectEq(serverErrors, 0),
      "connection errors": expectEq(connectionErrors, 0),
      "unexpected 4xx": expectEq(unexpected.length, 0),
      "concurrent approvals": toApprove.length,
      "approval answers ≥500": expectEq(approvalErrors, 0),
      "numbers allocated": expectEq(regs.length, toApprove.length),
      organizers: organizersUsed,
      "duplicate numbers": expectEq(duplicates, 0),
      "sequence gaps": expectEq(gaps, 0),
      "numbers not under their organizer": expectEq(mismatched, 0),
    };
    notes.push(`submission answers by status: ${JSON.stringify(statuses)}`);
    if (refused.length > 0) notes.push(`${refused.length} approval steps refused at first, repeated`);
    return { name: "concurrency", ok: true, figures, notes };
  } finally {
    await service.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
