// Audit tampering: someone with write access to the local D1 (and not the audit key) changes the audit log
// directly, with the service stopped, and `GET /v1/admin/audit/verify` names each change:
// - a chain's tail rewritten and its hash recomputed as the unkeyed chain computed it (plain SHA-256);
// - a chain truncated (its last row deleted: every remaining row is still valid);
// - a subject deleted whole.
// The cron runs first, so the day's chain heads are anchored in R2.
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import {
  ADMIN_BOOTSTRAP_KEY,
  d1File,
  expectEq,
  must,
  newAccount,
  serviceFor,
  triggerCron,
  waitForRun,
} from "../lib.mjs";

const PORT = 8954;

/** Runs SQL on the stopped service's local D1 file, as anyone who can write that file could; the rows of a select. */
function sql(state, command) {
  const db = new DatabaseSync(d1File(state));
  try {
    const statement = db.prepare(command);
    if (/^\s*select\b/i.test(command)) return statement.all();
    statement.run();
    return [];
  } finally {
    db.close();
  }
}

const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** The hash the unkeyed chain used: SHA-256 of the previous hash and the row's canonical JSON (keys sorted). */
function unkeyedHash(prevHash, row) {
  const canonical = JSON.stringify({
    action: row.action,
    actor: row.actor_account_id,
    at: row.at,
    data: row.data,
    seq: row.seq,
    subject: row.subject,
  });
  return createHash("sha256").update(`${prevHash}\n${canonical}`).digest("hex");
}

export async function check({ quick, log, shared }) {
  const notes = [];
  const service = await serviceFor(shared, { port: PORT });
  const state = service.state;
  try {
    // Accounts, each a chain of two rows (account.created, key.created): three are tampered with, the rest stay intact.
    const accounts = [];
    for (let i = 0; i < (quick ? 5 : 20); i++) accounts.push(await newAccount(service.url, "developer"));
    const scheduled = Date.now();
    await triggerCron(service.url, scheduled);
    await waitForRun(service.url, scheduled);
    const before = await must(service.url, "/v1/admin/audit/verify", { key: ADMIN_BOOTSTRAP_KEY }, 200);
    log(`before: ok ${before.ok}, ${before.rows} rows, ${before.anchors} anchors`);
    await service.stop();

    const [rewritten, truncated, deleted] = accounts.map((a) => `account:${a.id}`);
    // Rewrite the tail: another action, its hash recomputed the unkeyed way, no key id (an attacker has none).
    const [tail] = await sql(
      state,
      `select * from audit_log where subject = ${quote(rewritten)} order by seq desc limit 1`,
    );
    const forged = { ...tail, action: "key.revoked" };
    await sql(
      state,
      `update audit_log set action = 'key.revoked', hash = ${quote(unkeyedHash(tail.prev_hash, forged))}, key_id = null
       where subject = ${quote(rewritten)} and seq = ${tail.seq}`,
    );
    const [last] = await sql(state, `select max(seq) as seq from audit_log where subject = ${quote(truncated)}`);
    await sql(state, `delete from audit_log where subject = ${quote(truncated)} and seq = ${last.seq}`);
    await sql(state, `delete from audit_log where subject = ${quote(deleted)}`);

    await service.start();
    const after = await must(service.url, "/v1/admin/audit/verify", { key: ADMIN_BOOTSTRAP_KEY }, 200);
    const found = (subject) => after.broken.find((b) => b.subject === subject);
    log(`after: ${JSON.stringify(after.broken)}`);
    const others = after.broken.filter((b) => ![rewritten, truncated, deleted].includes(b.subject));
    if (others.length > 0) notes.push(`also reported: ${JSON.stringify(others)}`);
    return {
      name: "audit",
      ok: true,
      figures: {
        "intact before tampering": expectEq(before.ok, true),
        "anchors written by the cron": expectEq(before.anchors >= 1, true),
        "rewritten tail reported at its sequence": expectEq(found(rewritten)?.seq, tail.seq),
        "truncated chain reported at the first missing sequence": expectEq(
          `${found(truncated)?.reason}@${found(truncated)?.seq}`,
          `truncated@${last.seq}`,
        ),
        "deleted subject reported": expectEq(`${found(deleted)?.reason}@${found(deleted)?.seq}`, "deleted@1"),
        "nothing else reported": expectEq(others.length, 0),
      },
      notes,
    };
  } finally {
    await service.close();
  }
}
