import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { findPublicRecords, type PublicRecord } from "../../src/repositories/public-records";
import { callJson, newAccount, newApp, unique, validFiling } from "../support/api";
import { approve, approveAtBureau, staff } from "../support/lifecycle";

const client = () => ({ "cf-connecting-ip": `198.18.${unique() % 250}.${unique() % 250}` });

type Change = { seq: number; change: string; at: string; record: PublicRecord };

async function page(after: string | null, limit: number) {
  const query = new URLSearchParams({ limit: String(limit), ...(after === null ? {} : { after }) });
  const res = await callJson(`/v1/public/changes?${query}`, { headers: client() });
  if (res.status !== 200) throw new Error(`changes: ${res.status} ${JSON.stringify(res.body)}`);
  return res as { status: number; body: { items: Change[]; nextCursor: string | null }; res: Response };
}

/** Every change after `after`, page by page. */
async function drain(after: string | null, limit = 500): Promise<{ items: Change[]; cursor: string | null }> {
  const items: Change[] = [];
  let cursor = after;
  for (;;) {
    const { body } = await page(cursor, limit);
    items.push(...body.items);
    if (body.items.length < limit) return { items, cursor: body.nextCursor };
    cursor = body.nextCursor;
  }
}

let keys: { reviewer: string; regulator: string };

beforeAll(async () => {
  keys = await staff();
});

async function register(dev: { key: string }) {
  const body = validFiling(await newApp(dev.key));
  const submitted = await callJson("/v1/filings", { key: dev.key, body });
  if (submitted.status !== 201) throw new Error(JSON.stringify(submitted.body));
  const approved = await approve(submitted.body.id, keys);
  return { number: approved.body.registrationNumber as string, appId: body.appId, body };
}

describe("GET /v1/public/changes", () => {
  it("names each change with the record as it was after it: issued, updated, cancelled, revoked", async () => {
    const { cursor: start } = await drain(null);
    const dev = await newAccount("developer");
    const a = await register(dev);
    const afterIssue = await callJson(`/v1/public/registrations/${encodeURIComponent(a.number)}`, {
      headers: client(),
    });
    // A change filing renames the service and the organizer: one change, with both.
    const renamed = { ...a.body, type: "change", service: { ...a.body.service, name: `改名小程序${unique()}` } };
    renamed.organizer = { ...renamed.organizer, name: `深圳市改名科技${unique()}有限公司` };
    const change = await callJson("/v1/filings", { key: dev.key, body: renamed });
    expect(change.status, JSON.stringify(change.body)).toBe(201);
    await approve(change.body.id, keys);
    const cancel = await callJson("/v1/filings", {
      key: dev.key,
      body: { type: "cancel", appId: a.appId, scope: "service", reason: "no_longer_operated" },
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201);
    expect((await approveAtBureau(cancel.body.id, keys)).status).toBe(200);
    const b = await register(dev);
    const revoked = await callJson(`/v1/regulator/registrations/${encodeURIComponent(b.number)}/revoke`, {
      key: keys.regulator,
      body: { reasons: [{ field: "", error: "主体已注销", suggest: "请重新备案" }] },
    });
    expect(revoked.status).toBe(200);

    const { items } = await drain(start);
    const of = (number: string) => items.filter((i) => i.record.serviceLicence === number);
    expect(of(a.number).map((i) => i.change)).toEqual(["issued", "updated", "cancelled"]);
    expect(of(b.number).map((i) => i.change)).toEqual(["issued", "revoked"]);
    const [issued, updated, cancelled] = of(a.number);
    expect(issued?.record).toEqual(afterIssue.body);
    expect(updated?.record).toMatchObject({
      serviceName: renamed.service.name,
      unitName: renamed.organizer.name,
      status: "active",
    });
    const now = await callJson(`/v1/public/registrations/${encodeURIComponent(a.number)}`, { headers: client() });
    expect(cancelled?.record).toEqual(now.body);
    expect(cancelled?.record).toMatchObject({ status: "cancelled", limitAccess: "是" });
    expect(of(b.number)[1]?.record).toMatchObject({ status: "revoked" });
    expect(Date.parse(issued?.at ?? "")).not.toBeNaN();
  }, 30_000);

  it("never skips or repeats a change under concurrent approvals, and a mirror built from it equals the records", async () => {
    // Many writers: filings taken to the bureau's step, then approved all at once.
    const devs = await Promise.all(Array.from({ length: 4 }, () => newAccount("developer")));
    const waiting: string[] = [];
    for (const dev of devs) {
      for (let i = 0; i < 3; i++) {
        const submitted = await callJson("/v1/filings", { key: dev.key, body: validFiling(await newApp(dev.key)) });
        const reviewed = await callJson(`/v1/review/filings/${submitted.body.id}/approve`, {
          key: keys.reviewer,
          method: "POST",
        });
        expect(reviewed.status).toBe(200);
        waiting.push(submitted.body.id);
      }
    }
    // One reader, polling with small pages while the writers run.
    const seen: Change[] = [];
    let cursor: string | null = null;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const { body } = await page(cursor, 3);
        seen.push(...body.items);
        cursor = body.nextCursor;
      }
    })();
    const approvals = await Promise.all(waiting.map((id) => approveAtBureau(id, keys)));
    writing = false;
    await reader;
    for (const a of approvals) expect(a.status, JSON.stringify(a.body)).toBe(200);
    const rest = await drain(cursor, 7);
    seen.push(...rest.items);

    const seqs = seen.map((c) => c.seq);
    const { results } = await env.DB.prepare("select seq from public_changes order by seq").all<{ seq: number }>();
    expect(seqs).toEqual(results.map((r) => r.seq));
    expect(new Set(seqs).size).toBe(seqs.length);

    // A mirror made only from the feed, applied in order, equals the public records.
    const mirror = new Map<string, PublicRecord>();
    for (const c of seen) mirror.set(c.record.serviceLicence, c.record);
    const numbers = (
      await env.DB.prepare("select service_licence from public_records").all<{ service_licence: string }>()
    ).results;
    expect(mirror.size).toBe(numbers.length);
    const records = await findPublicRecords(
      createDb(env.DB),
      numbers.map((n) => n.service_licence),
    );
    for (const record of records) expect(mirror.get(record.serviceLicence), record.serviceLicence).toEqual(record);
    for (const a of approvals) expect(mirror.get(a.body.registrationNumber)?.status).toBe("active");
  }, 60_000);

  it("marks a full page cacheable for good and the feed's end for 30 s; nextCursor stays when nothing is new", async () => {
    const full = await page(null, 1);
    expect(full.body.items).toHaveLength(1);
    expect(full.res.headers.get("cache-control")).toContain("immutable");
    const { cursor } = await drain(null);
    const end = await page(cursor, 500);
    expect(end.body).toEqual({ items: [], nextCursor: cursor });
    expect(end.res.headers.get("cache-control")).toBe("public, max-age=30");
    expect(end.res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("refuses a cursor that is no sequence number and a limit outside 1–500, at their paths", async () => {
    for (const [query, path] of [
      ["after=abc", "after"],
      ["after=-1", "after"],
      ["limit=0", "limit"],
      ["limit=501", "limit"],
    ]) {
      const res = await callJson(`/v1/public/changes?${query}`, { headers: client() });
      expect(res.status, query).toBe(422);
      expect(res.body.errors[0].path, query).toBe(path);
    }
  });
});
