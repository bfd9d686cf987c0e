import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type AuditKeyring, canonicalJson } from "../lib/crypto";
import type { AnchoredHead, BrokenChain } from "./audit";

/**
 * Anchors of the audit chain (docs/rules.md#integrity): signed objects in R2 holding chain heads, so that a chain
 * cut short or removed in D1 — which leaves every remaining row valid — still shows. The cron writes the heads of
 * every chain written on a UTC day (`audit/anchors/day-<YYYY-MM-DD>.json`, rewritten by each run of that day and of
 * the day after, so the last rows of a day are anchored too) and, once, the head of every chain there is
 * (`audit/anchors/base.json`, which covers chains from before anchoring began). Each object is signed with an
 * HMAC under the audit key and names the key id.
 */
export const ANCHOR_PREFIX = "audit/anchors/";
const BASE_KEY = `${ANCHOR_PREFIX}base.json`;
const dayKey = (day: string) => `${ANCHOR_PREFIX}day-${day}.json`;

type AnchorBody = { version: 1; scope: string; writtenAt: string; keyId: string; heads: AnchoredHead[] };
type AnchorObject = AnchorBody & { mac: string };

async function sign(keys: AuditKeyring, body: Omit<AnchorBody, "keyId">): Promise<AnchorObject> {
  const full: AnchorBody = { ...body, keyId: keys.currentKeyId };
  return { ...full, mac: await keys.mac(canonicalJson(full)) };
}

/** The heads, at the end of [from, to), of the chains that have a row written in that span (or all chains). */
async function headsWritten(db: Db, span: { from: string; to: string } | null): Promise<AnchoredHead[]> {
  const where = span ? sql`where at >= ${span.from} and at < ${span.to}` : sql``;
  return db.all<AnchoredHead>(
    sql`select l.subject, l.seq, l.hash from audit_log l
      join (select subject, max(seq) as seq from audit_log ${where} group by subject) h
        on h.subject = l.subject and h.seq = l.seq
      order by l.subject`,
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Writes the anchors for the day of `now` and the day before, and the base anchor when there is none yet; answers
 * how many heads were written. Called by the cron after its jobs.
 */
export async function anchorAuditHeads(db: Db, bucket: R2Bucket, now: Date): Promise<number> {
  const keys = db.auditKeys();
  const writtenAt = now.toISOString();
  let written = 0;
  if ((await bucket.head(BASE_KEY)) === null) {
    const heads = await headsWritten(db, null);
    await bucket.put(BASE_KEY, JSON.stringify(await sign(keys, { version: 1, scope: "base", writtenAt, heads })));
    written += heads.length;
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (const start of [today - DAY_MS, today]) {
    const day = new Date(start).toISOString().slice(0, 10);
    const span = { from: new Date(start).toISOString(), to: new Date(start + DAY_MS).toISOString() };
    const heads = await headsWritten(db, span);
    if (heads.length === 0) continue;
    await bucket.put(dayKey(day), JSON.stringify(await sign(keys, { version: 1, scope: day, writtenAt, heads })));
    written += heads.length;
  }
  return written;
}

/**
 * Every anchor's heads merged, the highest anchored sequence per subject, with the anchors whose signature does not
 * verify (or that do not parse) reported as broken (`anchor:<object key>`, sequence 0) and left out.
 */
export async function readAnchoredHeads(
  bucket: R2Bucket,
  keys: AuditKeyring,
): Promise<{ heads: AnchoredHead[]; anchors: number; latest: string | null; broken: BrokenChain[] }> {
  const objectKeys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: ANCHOR_PREFIX, cursor });
    objectKeys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const bySubject = new Map<string, AnchoredHead>();
  const broken: BrokenChain[] = [];
  let latest: string | null = null;
  for (const key of objectKeys) {
    const object = await bucket.get(key);
    if (!object) continue;
    let anchor: AnchorObject;
    try {
      anchor = JSON.parse(await object.text()) as AnchorObject;
      const { mac, ...body } = anchor;
      if (!keys.has(body.keyId) || (await keys.mac(canonicalJson(body), body.keyId)) !== mac) throw new Error("mac");
    } catch {
      broken.push({ subject: `anchor:${key}`, seq: 0, reason: "anchor" });
      continue;
    }
    if (latest === null || anchor.writtenAt > latest) latest = anchor.writtenAt;
    for (const head of anchor.heads) {
      const known = bySubject.get(head.subject);
      if (!known || head.seq > known.seq) bySubject.set(head.subject, head);
    }
  }
  return { heads: [...bySubject.values()], anchors: objectKeys.length, latest, broken };
}
