import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { canonicalJson, sha256Hex } from "../../src/lib/crypto";
import { anchorAuditHeads } from "../../src/repositories/audit-anchors";
import { adminKey, callJson, newAccount } from "../support/api";

type Row = {
  subject: string;
  seq: number;
  action: string;
  actor_account_id: string;
  at: string;
  data: string;
  prev_hash: string;
  hash: string;
  key_id: string | null;
};

const bucket = () => env.MATERIALS as R2Bucket;

/** A developer's account chain: account.created, key.created (newAccount makes both). */
async function chainOf(): Promise<{ subject: string; rows: Row[] }> {
  const account = await newAccount("developer");
  const subject = `account:${account.id}`;
  // A third row, so there is a tail to cut.
  const revoke = await callJson(`/v1/admin/accounts/${account.id}/keys`, { key: adminKey(), method: "POST", body: {} });
  expect(revoke.status).toBe(201);
  return { subject, rows: await rowsOf(subject) };
}

async function rowsOf(subject: string): Promise<Row[]> {
  const { results } = await env.DB.prepare("select * from audit_log where subject = ? order by seq")
    .bind(subject)
    .all<Row>();
  return results;
}

async function verify() {
  const res = await callJson("/v1/admin/audit/verify", { key: adminKey() });
  expect(res.status).toBe(200);
  return res.body as {
    ok: boolean;
    anchors: number;
    anchoredAt: string | null;
    broken: { subject: string; seq: number; reason: string }[];
  };
}

const brokenOf = async (subject: string) => (await verify()).broken.filter((b) => b.subject === subject);

/** What someone with write access to D1 but not the key would store: the plain SHA-256 the chain once used. */
async function unkeyedHash(prevHash: string, row: Row) {
  const body = canonicalJson({
    subject: row.subject,
    seq: row.seq,
    action: row.action,
    actor: row.actor_account_id,
    at: row.at,
    data: row.data,
  });
  return sha256Hex(`${prevHash}\n${body}`);
}

async function restore(rows: Row[]) {
  for (const r of rows) {
    await env.DB.prepare(
      `insert or replace into audit_log (subject, seq, action, actor_account_id, at, data, prev_hash, hash, key_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
      .bind(r.subject, r.seq, r.action, r.actor_account_id, r.at, r.data, r.prev_hash, r.hash, r.key_id)
      .run();
  }
}

describe("a keyed, anchored audit chain", () => {
  it("signs each row with an HMAC under the audit key, naming the key id", async () => {
    const { rows } = await chainOf();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.key_id).toBe("a1");
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.hash).not.toBe(await unkeyedHash(row.prev_hash, row));
    }
    expect((await verify()).broken).toEqual([]);
  });

  it("reports a tail rewritten with recomputed hashes, keyed or not", async () => {
    const { subject, rows } = await chainOf();
    const last = rows[2] as Row;
    const forged = { ...last, data: last.data.replace("}", ',"note":"forged"}') };
    // Recomputed as the unkeyed chain was: the row then claims no key, after keyed rows.
    const plain = await unkeyedHash(forged.prev_hash, forged);
    await env.DB.prepare("update audit_log set data = ?, hash = ?, key_id = null where subject = ? and seq = 3")
      .bind(forged.data, plain, subject)
      .run();
    expect(await brokenOf(subject)).toEqual([{ subject, seq: 3, reason: "unkeyed" }]);
    // The same with the key id kept: the HMAC does not follow.
    await env.DB.prepare("update audit_log set key_id = 'a1' where subject = ? and seq = 3").bind(subject).run();
    expect(await brokenOf(subject)).toEqual([{ subject, seq: 3, reason: "hash" }]);
    await restore(rows);
    expect(await brokenOf(subject)).toEqual([]);
  });

  it("anchors the day's chain heads in R2 as one signed object, and reports a truncated or deleted chain", async () => {
    const truncated = await chainOf();
    const deleted = await chainOf();
    const db = createDb(env.DB, env);
    expect(await anchorAuditHeads(db, bucket(), new Date())).toBeGreaterThanOrEqual(2);
    const day = new Date().toISOString().slice(0, 10);
    const object = await bucket().get(`audit/anchors/day-${day}.json`);
    const anchor = JSON.parse((await object?.text()) ?? "{}");
    expect(anchor).toMatchObject({ version: 1, scope: day, keyId: "a1", mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const last = truncated.rows[2] as Row;
    expect(anchor.heads).toContainEqual({ subject: truncated.subject, seq: 3, hash: last.hash });
    const verified = await verify();
    expect(verified).toMatchObject({ ok: true, anchoredAt: expect.any(String) });
    expect(verified.anchors).toBeGreaterThanOrEqual(1);

    // Every row left is valid, yet the chain ends before its anchored head.
    await env.DB.prepare("delete from audit_log where subject = ? and seq = 3").bind(truncated.subject).run();
    expect(await brokenOf(truncated.subject)).toEqual([{ subject: truncated.subject, seq: 3, reason: "truncated" }]);
    await env.DB.prepare("delete from audit_log where subject = ?").bind(deleted.subject).run();
    expect(await brokenOf(deleted.subject)).toEqual([{ subject: deleted.subject, seq: 1, reason: "deleted" }]);

    // A rewritten head the anchor recorded, rehashed under the key (as someone holding the key could), still shows.
    await restore(truncated.rows);
    await env.DB.prepare("update audit_log set hash = ? where subject = ? and seq = 3")
      .bind("f".repeat(64), truncated.subject)
      .run();
    expect((await brokenOf(truncated.subject))[0]).toMatchObject({ seq: 3 });
    await restore([...truncated.rows, ...deleted.rows]);
    expect((await verify()).ok).toBe(true);
  });

  it("reports an anchor whose signature does not verify", async () => {
    await chainOf();
    await anchorAuditHeads(createDb(env.DB, env), bucket(), new Date());
    const key = `audit/anchors/day-${new Date().toISOString().slice(0, 10)}.json`;
    const original = (await (await bucket().get(key))?.text()) as string;
    const anchor = JSON.parse(original);
    anchor.heads = anchor.heads.slice(1);
    await bucket().put(key, JSON.stringify(anchor));
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.broken).toContainEqual({ subject: `anchor:${key}`, seq: 0, reason: "anchor" });
    await bucket().put(key, original);
    expect((await verify()).ok).toBe(true);
  });

  it("verifies rows of a rotated key while it is listed in AUDIT_OLD_KEYS, and unkeyed rows only as a chain's start", async () => {
    const { subject, rows } = await chainOf();
    const oldKey = "a0:MF4cr6KW8gDobFP9EEZakaseyvB6zWZzAbO+EnH49ZQ=";
    const before = createDb(env.DB, { AUDIT_KEY: oldKey });
    const after = createDb(env.DB, { AUDIT_KEY: env.AUDIT_KEY, AUDIT_OLD_KEYS: oldKey });
    const { verifyAuditChains } = await import("../../src/repositories/audit");
    // Re-sign the chain under the old key, as it would have been written before the rotation.
    let prev = "0".repeat(64);
    for (const row of rows) {
      const hash = await before
        .auditKeys()
        .mac(
          `${prev}\n${canonicalJson({ subject, seq: row.seq, action: row.action, actor: row.actor_account_id, at: row.at, data: row.data })}`,
        );
      await env.DB.prepare("update audit_log set prev_hash = ?, hash = ?, key_id = 'a0' where subject = ? and seq = ?")
        .bind(prev, hash, subject, row.seq)
        .run();
      prev = hash;
    }
    const mine = async (db: typeof after) => (await verifyAuditChains(db)).broken.filter((b) => b.subject === subject);
    expect(await mine(after)).toEqual([]);
    expect(await mine(createDb(env.DB, env))).toEqual([{ subject, seq: 1, reason: "unknown_key" }]);

    // Legacy rows (no key id, plain SHA-256) verify as the start of a chain.
    prev = "0".repeat(64);
    for (const row of rows) {
      const hash = await unkeyedHash(prev, { ...row, subject });
      await env.DB.prepare("update audit_log set prev_hash = ?, hash = ?, key_id = null where subject = ? and seq = ?")
        .bind(prev, hash, subject, row.seq)
        .run();
      prev = hash;
    }
    expect(await mine(after)).toEqual([]);
    await restore(rows);
  });
});
