// Privacy: personal data is encrypted at rest and never leaves through a public route (docs/rules.md#privacy).
// A flow plants known values — certificate numbers, mobiles, emergency contacts, emails, several filings of
// enterprises and individuals, some approved (so public records exist), some in review, one rejected, with the
// values also written inside an uploaded letter — then (a) every file under the service's state directory (the
// local D1 database and its WAL, the R2 blobs, caches) is scanned for the plaintext bytes of every value, and
// (b) every public answer (JSON lookups and searches, the search and record pages, badges) is scanned for them;
// face verifications' people (names and numbers) are looked for on disk and in every answer about them; and (e)
// every developer console page the owner can reach is scanned, and refused to a caller without a session.
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { pdf, png, uploadMaterial as upload } from "../../../scripts/material-files.mjs";
import { prepareState, startService } from "../../../scripts/service.mjs";
import {
  approve,
  call,
  developerWithApps,
  expectEq,
  expectMin,
  filingBody,
  KEYS,
  must,
  person,
  residentId,
  signInToConsole,
  submit,
  triggerCron,
  unique,
  waitForRun,
} from "../lib.mjs";

const PORT = 8933;

/** An individual's `new` filing: the person is organizer and both principals. */
function individualFiling(appId, media, name) {
  const self = person(name);
  self.certificate = { ...self.certificate, front: media.front, back: media.back };
  return {
    type: "new",
    appId,
    organizer: {
      nature: "individual",
      name,
      certificate: {
        type: "resident_id",
        number: self.certificate.number,
        validFrom: "2020-01-01",
        validTo: "long_term",
      },
      region: { province: "440000", city: "440300", district: "440305" },
      certificateAddress: "深圳市南山区粤海街道科技园路88号",
      address: "粤海街道科技园路88号",
      principal: self,
    },
    service: {
      name: `隐私检查个人服务${unique()}`,
      serviceContentTypes: ["life.bill_payment"],
      preApprovals: [],
      languages: ["zh-Hans"],
      description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。",
      principal: self,
    },
    commitment: { accepted: true, letter: media.letter },
  };
}

/** The personal values a filing carries: certificate numbers, mobiles, emergency contacts, emails. */
function personalValues(body) {
  const out = new Set();
  const org = body.organizer;
  out.add(org.certificate.number);
  for (const p of [org.principal, body.service.principal]) {
    out.add(p.certificate.number);
    out.add(p.mobile);
    out.add(p.emergencyContact);
    out.add(p.email);
  }
  return out;
}

/** Every file under `dir`. */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** `{value, where}` for every planted value found in `text` (a Buffer or a string). */
function hitsIn(haystack, values, where) {
  const hits = [];
  for (const v of values) if (haystack.indexOf(v) >= 0) hits.push({ value: v, where });
  return hits;
}

export async function check({ quick, log }) {
  const enterprises = quick ? 4 : 10;
  const individuals = quick ? 2 : 4;
  const state = await prepareState();
  log(`state ${state}`);
  const service = await startService({ state, port: PORT });
  const url = service.url;
  const planted = new Set();
  const names = new Set();
  const approved = [];
  const hidden = [];
  const ids = [];
  let stopped = false;
  try {
    const dev = await developerWithApps(url, enterprises + individuals);
    // The letters carry personal values in their text: sealed at rest, they must not show on disk either.
    const letterId = residentId();
    const letterMobile = `139${String(unique()).padStart(8, "0").slice(-8)}`;
    planted.add(letterId);
    planted.add(letterMobile);
    const card = png(1280, 720);
    const media = {
      ...dev.media,
      letter: await upload(url, dev.key, "commitment.letter", pdf(`承诺书 ${letterId} ${letterMobile}`), "c.pdf"),
    };
    const personal = {
      front: await upload(url, dev.key, "organizer.principal.certificate.front", card, "f.png", "resident_id"),
      back: await upload(url, dev.key, "organizer.principal.certificate.back", card, "b.png", "resident_id"),
      letter: media.letter,
    };

    const bodies = [
      ...dev.appIds.slice(0, enterprises).map((appId) => filingBody(appId, media)),
      ...dev.appIds
        .slice(enterprises)
        .map((appId, i) => individualFiling(appId, personal, `隐私${"甲乙丙丁戊己"[i % 6]}${unique()}`)),
    ];
    for (const [i, body] of bodies.entries()) {
      for (const v of personalValues(body)) planted.add(v);
      if (body.organizer.nature === "individual") names.add(body.organizer.name);
      names.add(body.organizer.principal.name);
      const res = await submit(url, dev.key, body, `privacy-${i}-${unique()}`);
      if (res.status !== 201) throw new Error(`filing ${i}: ${res.status} ${res.text}`);
      const id = res.body.id;
      // Two in three approved; of the rest, one rejected and the others left in review.
      if (i === 0) {
        // One filing confirmed person by person (docs/rules.md#sms-confirmation), so the SMS steps and their
        // events are among the answers scanned below.
        const reviewed = await must(url, `/v1/review/filings/${id}/approve`, { key: KEYS.reviewer, method: "POST" });
        for (const { role } of reviewed.smsVerifications) {
          for (const result of ["resent", "wrong_code", "verified"]) {
            await must(url, `/v1/regulator/filings/${id}/sms-verifications`, {
              key: KEYS.regulator,
              body: { role, result },
            });
          }
        }
        const done = await must(url, `/v1/regulator/filings/${id}/approve`, { key: KEYS.regulator, body: {} });
        approved.push({ number: done.registrationNumber, body });
        ids.push(id);
      } else if (i % 3 !== 2) {
        approved.push({ number: await approve(url, id), body });
        ids.push(id);
      } else {
        if (hidden.length === 0) {
          await must(url, `/v1/review/filings/${id}/reject`, {
            key: KEYS.reviewer,
            body: { reasons: [{ field: "service.name", error: "名称不规范", suggest: "请修改" }] },
          });
        }
        hidden.push(body);
      }
    }
    log(`${bodies.length} filings, ${approved.length} approved, ${planted.size} personal values planted`);

    // Face verifications (docs/rules.md#verifications): people of their own, with names no other data has, one
    // passed on the simulator page and one failed. Their names and numbers must show only masked in every answer
    // about them (the start, the read, the page, the events), and nowhere on disk.
    const verifiedValues = new Set();
    const verificationHits = [];
    let verificationAnswers = 0;
    const scanned = (text, where) => {
      verificationAnswers++;
      verificationHits.push(...hitsIn(text ?? "", verifiedValues, where));
    };
    for (const result of ["passed", "failed"]) {
      const who = { name: `核验${"甲乙"[result === "passed" ? 0 : 1]}${unique()}`, number: residentId() };
      verifiedValues.add(who.name);
      verifiedValues.add(who.number);
      planted.add(who.number);
      const started = await call(url, "/v1/verifications", {
        key: dev.key,
        body: {
          appId: dev.appIds[0],
          person: { name: who.name, certificate: { type: "resident_id", number: who.number } },
        },
      });
      if (started.status !== 201) throw new Error(`verification: ${started.status} ${started.text}`);
      scanned(started.text, "POST /v1/verifications");
      const page = new URL(started.body.url).pathname;
      scanned((await call(url, page)).text, page);
      const pressed = await call(url, page, { method: "POST", raw: new URLSearchParams({ result }) });
      scanned(pressed.text, `POST ${page}`);
      scanned(
        (await call(url, `/v1/verifications/${started.body.id}`, { key: dev.key })).text,
        "GET /v1/verifications",
      );
    }
    scanned((await call(url, "/v1/events?limit=200", { key: dev.key })).text, "GET /v1/events");
    log(`${verificationAnswers} verification answers scanned`);

    // (b) Every public answer.
    const publicHits = [];
    const hiddenVisible = [];
    let responses = 0;
    let controlsInPublic = 0;
    const controlNames = approved.map((a) => a.body.service.name);
    const fetchPublic = async (path, opts = {}) => {
      const res = await call(url, path, {
        ...opts,
        headers: { "cf-connecting-ip": `10.9.${unique() % 250}.${unique() % 250}` },
      });
      responses++;
      if (res.status >= 500 || res.status === 0) throw new Error(`${path}: ${res.status} ${res.text ?? res.error}`);
      publicHits.push(...hitsIn(res.text ?? "", [...planted, ...names], path));
      controlsInPublic += hitsIn(res.text ?? "", controlNames, path).length;
      return res;
    };
    const enc = encodeURIComponent;
    await fetchPublic("/");
    for (const { number, body } of approved) {
      const record = await fetchPublic(`/v1/public/registrations/${enc(number)}`);
      if (record.status !== 200) throw new Error(`public record ${number}: ${record.status}`);
      await fetchPublic(`/r/${enc(number)}`);
      await fetchPublic(`/badge/${enc(number)}.svg`);
      for (const q of [number, record.body.mainLicence, body.service.name]) {
        await fetchPublic(`/v1/public/search?q=${enc(q)}`);
        await fetchPublic(`/?q=${enc(q)}`);
      }
      if (body.organizer.nature !== "individual") {
        await fetchPublic(`/v1/public/search?q=${enc(body.organizer.name)}`);
        await fetchPublic(`/?q=${enc(body.organizer.name)}`);
      }
    }
    // The batch lookup, 50 numbers a request.
    for (let i = 0; i < approved.length; i += 50) {
      const numbers = approved.slice(i, i + 50).map((a) => a.number);
      const batch = await fetchPublic("/v1/public/registrations/lookup", { body: { numbers } });
      if (batch.status !== 200) throw new Error(`batch lookup: ${batch.status}`);
    }
    // The change feed, whole.
    for (let after = null; ; ) {
      const feed = await fetchPublic(`/v1/public/changes?limit=500${after === null ? "" : `&after=${after}`}`);
      if (feed.status !== 200) throw new Error(`change feed: ${feed.status}`);
      if (feed.body.items.length < 500) break;
      after = feed.body.nextCursor;
    }
    // The nightly export, written by the cron, read whole.
    const cronAt = Date.now() - (Date.now() % 600_000);
    await triggerCron(url, cronAt);
    await waitForRun(url, cronAt);
    const exported = await fetchPublic("/v1/public/export");
    if (exported.status !== 200) throw new Error(`export: ${exported.status}`);
    const file = await fetch(`${url}${exported.body.url}`, { headers: { "cf-connecting-ip": "10.8.0.1" } });
    const csv = gunzipSync(Buffer.from(await file.arrayBuffer())).toString("utf8");
    responses++;
    publicHits.push(...hitsIn(csv, [...planted, ...names], exported.body.url));
    controlsInPublic += hitsIn(csv, controlNames, exported.body.url).length;
    for (const q of ["可靠性", "隐私检查", "深圳市可靠性科技有限公司"]) {
      for (let page = 1; page <= 3; page++) {
        await fetchPublic(`/v1/public/search?q=${enc(q)}&page=${page}&pageSize=50`);
        await fetchPublic(`/?q=${enc(q)}&page=${page}`);
      }
    }
    // Filings in review or rejected are never public: searching their service names finds nothing.
    for (const body of hidden) {
      const res = await fetchPublic(`/v1/public/search?q=${enc(body.service.name)}`);
      if (res.body?.total !== 0) hiddenVisible.push(body.service.name);
    }
    log(`${responses} public responses scanned`);

    // (c) The filing status an owner reads holds state, never the filing's personal data.
    const statusHits = [];
    for (const appId of dev.appIds.slice(0, bodies.length)) {
      const res = await must(url, `/v1/apps/${appId}/filing-status`, { key: dev.key }, 200);
      statusHits.push(...hitsIn(JSON.stringify(res), [...planted, ...names], `filing-status ${appId}`));
    }
    // (d) The registration an owner reads back: the approved request, its personal data masked (names are shown,
    // as in the filing's own request).
    const readBackHits = [];
    for (const { body } of approved) {
      const res = await must(url, `/v1/apps/${body.appId}/registration`, { key: dev.key }, 200);
      readBackHits.push(...hitsIn(JSON.stringify(res), planted, `registration ${body.appId}`));
    }

    // (d) What the owner reads of its filings and its events: personal data only masked, the SMS confirmations
    // (`smsVerifications`, `filing.sms_updated`) included. Names are the owner's to see; numbers are not.
    const ownerHits = [];
    let maskedMobiles = 0;
    for (const id of ids) {
      const res = await must(url, `/v1/filings/${id}`, { key: dev.key }, 200);
      ownerHits.push(...hitsIn(JSON.stringify(res), planted, `filing ${id}`));
      maskedMobiles += (res.smsVerifications ?? []).filter((v) => /^1\d{2}\*{4}\d{4}$/.test(v.mobile)).length;
    }
    let smsEvents = 0;
    for (let after = undefined, more = true; more; ) {
      const page = await must(url, `/v1/events?limit=200${after ? `&after=${after}` : ""}`, { key: dev.key }, 200);
      ownerHits.push(...hitsIn(JSON.stringify(page), planted, "events"));
      smsEvents += page.items.filter((e) => e.type === "filing.sms_updated").length;
      more = page.items.length === 200;
      after = page.nextCursor;
    }

    // (e) The developer's console: every page it can reach from its apps, events, webhook and filing pages, each
    // one scanned. Pages show what the API shows the owner (masked); the uploaded files themselves are the owner's
    // own bytes (the letters carry planted values on purpose) and are not pages, so they are not followed.
    const consoleHits = [];
    const session = await signInToConsole(url, dev.key);
    const seen = new Set();
    let consolePages = 0;
    const queue = ["/console", "/console/events", "/console/webhook", ...ids.map((id) => `/console/filings/${id}`)];
    const consoleLimit = quick ? 120 : 400;
    while (queue.length > 0 && seen.size < consoleLimit) {
      const path = queue.shift();
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await fetch(`${url}${path}`, { headers: { cookie: session.cookie }, redirect: "manual" });
      const html = await res.text();
      if (res.status >= 500) throw new Error(`console ${path}: ${res.status}`);
      if (res.status === 200) consolePages++;
      consoleHits.push(...hitsIn(html, planted, `console ${path}`));
      if (!/text\/html/.test(res.headers.get("content-type") ?? "")) continue;
      for (const [, href] of html.matchAll(/href="(\/console[^"#]*)"/g)) {
        const link = href.replaceAll("&amp;", "&");
        // Not pages: the files, the other language, sign-out, exports and the stylesheet and scripts (public assets).
        if (/\/materials\/|[?&]lang=|\/logout|\.csv|\.(css|js)(\?|$)|\/assets\//.test(link)) continue;
        if (!seen.has(link)) queue.push(link);
      }
    }
    // And nobody without a session reads any of those pages.
    let consoleOpenToPublic = 0;
    for (const path of [...seen].slice(0, 40)) {
      const res = await fetch(`${url}${path}`, { redirect: "manual" });
      await res.arrayBuffer();
      if (res.status !== 303) consoleOpenToPublic++;
    }
    log(`${consolePages} console pages scanned (${seen.size} addresses tried)`);

    // (f) The operator's dashboard (docs/rules.md#operator-dashboard): counts, runs, dead deliveries, the audit check,
    // accounts and keys, each CSV export, and the admin answers behind them hold no personal value.
    const operatorHits = [];
    let operatorAnswers = 0;
    const operator = await signInToConsole(url, KEYS.admin);
    const operatorPaths = [
      "/console/admin",
      "/console/admin/audit",
      "/console/admin/accounts",
      ...["coverage", "runs", "deliveries", "accounts", "audit"].map((t) => `/console/admin/export/${t}.csv`),
    ];
    for (const path of operatorPaths) {
      const res = await fetch(`${url}${path}`, { headers: { cookie: operator.cookie }, redirect: "manual" });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`operator ${path}: ${res.status}`);
      operatorAnswers++;
      operatorHits.push(...hitsIn(text, planted, `operator ${path}`));
    }
    for (const path of ["/v1/admin/coverage?days=366", "/v1/admin/webhook-deliveries?limit=200"]) {
      operatorHits.push(...hitsIn(JSON.stringify(await must(url, path, { key: KEYS.admin }, 200)), planted, path));
      operatorAnswers++;
    }

    // (a) Every file of the state directory, with the server stopped so the WAL is as it left it.
    await service.stop();
    stopped = true;
    const diskHits = [];
    // Controls: the approved service names are stored and shown in plaintext, so a scan that reads the files
    // (and the answers) finds them; zero would mean the scan itself is blind.
    const controls = approved.map((a) => a.body.service.name);
    let controlsOnDisk = 0;
    let files = 0;
    let bytes = 0;
    for (const file of filesUnder(state)) {
      if (file.endsWith("seed.sql")) continue; // the demo accounts' seed, written before the server started
      const data = readFileSync(file);
      files++;
      bytes += statSync(file).size;
      diskHits.push(...hitsIn(data, [...planted, ...verifiedValues], file.slice(state.length + 1)));
      controlsOnDisk += hitsIn(data, controls, file).length;
    }
    log(`${files} files (${(bytes / 1e6).toFixed(1)} MB) scanned`);

    const show = (hits) => hits.slice(0, 8).map((h) => `${h.value} in ${h.where}`);
    return {
      name: "privacy",
      ok:
        diskHits.length === 0 &&
        publicHits.length === 0 &&
        statusHits.length === 0 &&
        ownerHits.length === 0 &&
        consoleHits.length === 0 &&
        consolePages >= ids.length + 3 &&
        consoleOpenToPublic === 0 &&
        operatorHits.length === 0 &&
        operatorAnswers === 10 &&
        maskedMobiles > 0 &&
        smsEvents > 0 &&
        readBackHits.length === 0 &&
        verificationHits.length === 0 &&
        hiddenVisible.length === 0 &&
        controlsOnDisk > 0 &&
        controlsInPublic > 0,
      figures: {
        "values planted": expectMin(planted.size, 20),
        "filings (approved)": `${bodies.length} (${approved.length})`,
        "files scanned": files,
        "hits on disk": expectEq(diskHits.length, 0),
        "public responses scanned": responses,
        "hits in public responses": expectEq(publicHits.length, 0),
        "hits in filing statuses": expectEq(statusHits.length, 0),
        "hits in the owner's filings and events": expectEq(ownerHits.length, 0),
        "control: masked SMS mobiles in the owner's filings": expectMin(maskedMobiles, 1),
        "developer console pages scanned (200)": expectMin(consolePages, ids.length + 3),
        "hits in developer console pages": expectEq(consoleHits.length, 0),
        "console pages answered without a session": expectEq(consoleOpenToPublic, 0),
        "operator pages, exports and admin answers scanned": expectEq(operatorAnswers, 10),
        "hits in the operator's pages and exports": expectEq(operatorHits.length, 0),
        "control: filing.sms_updated events read": expectMin(smsEvents, 1),
        "hits in registrations read back": expectEq(readBackHits.length, 0),
        "verification answers scanned": expectMin(verificationAnswers, 9),
        "hits in verification answers": expectEq(verificationHits.length, 0),
        "in-review or rejected filings found publicly": expectEq(hiddenVisible.length, 0),
        "control: public service names found on disk": expectMin(controlsOnDisk, 1),
        "control: public service names found in public responses": expectMin(controlsInPublic, 1),
      },
      notes: [
        ...show(diskHits),
        ...show(publicHits),
        ...show(statusHits),
        ...show(ownerHits),
        ...show(consoleHits),
        ...show(operatorHits),
        ...show(readBackHits),
        ...show(verificationHits),
        ...hiddenVisible.map((n) => `visible: ${n}`),
      ],
    };
  } finally {
    if (!stopped) await service.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
