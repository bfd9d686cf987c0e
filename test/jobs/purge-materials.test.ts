import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runEnforcement } from "../../src/jobs/enforcement";
import { callJson, newAccount, newApp, validFiling } from "../support/api";
import { uploadMaterial } from "../support/materials";

const DAY = 24 * 60 * 60 * 1000;

async function row(id: string) {
  return env.DB.prepare("select deleted_at from materials where id = ?")
    .bind(id)
    .first<{ deleted_at: string | null }>();
}

async function createdAt(id: string): Promise<number> {
  const r = await env.DB.prepare("select created_at from materials where id = ?")
    .bind(id)
    .first<{ created_at: string }>();
  return Date.parse(r?.created_at ?? "");
}

describe("material clean-up", () => {
  it("deletes an upload no filing references after 7 days, from R2 and for its owner", async () => {
    const dev = await newAccount("developer");
    const id = await uploadMaterial(dev.key, "commitment.letter", { kind: "pdf" });
    const t0 = await createdAt(id);
    await runEnforcement(env, new Date(t0 + 6 * DAY));
    expect((await row(id))?.deleted_at).toBeNull();
    expect(await env.MATERIALS.head(`materials/${id}`)).not.toBeNull();

    await runEnforcement(env, new Date(t0 + 8 * DAY));
    expect((await row(id))?.deleted_at).not.toBeNull();
    expect(await env.MATERIALS.head(`materials/${id}`)).toBeNull();
    expect((await callJson(`/v1/materials/${id}`, { key: dev.key })).status).toBe(404);
    const actions = await env.DB.prepare(
      "select count(*) as n from enforcement_actions where action = 'purge_material' and detail = ?",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(actions?.n).toBe(1);
  });

  it("keeps what an open filing uses; deletes a withdrawn filing's materials 180 days after, and tells its owner", async () => {
    const dev = await newAccount("developer");
    const appId = await newApp(dev.key);
    const letter = await uploadMaterial(dev.key, "commitment.letter", { kind: "pdf" });
    const body = validFiling(appId);
    const submitted = await callJson("/v1/filings", {
      key: dev.key,
      body: { ...body, commitment: { accepted: true, letter } },
    });
    expect(submitted.status).toBe(201);
    const t0 = await createdAt(letter);

    await runEnforcement(env, new Date(t0 + 30 * DAY));
    expect((await row(letter))?.deleted_at).toBeNull();

    await callJson(`/v1/filings/${submitted.body.id}/withdraw`, { key: dev.key, method: "POST" });
    const withdrawnAt = Date.parse(
      (await callJson(`/v1/filings/${submitted.body.id}`, { key: dev.key })).body.updatedAt,
    );
    await runEnforcement(env, new Date(withdrawnAt + 179 * DAY));
    expect((await row(letter))?.deleted_at).toBeNull();
    expect(await deletionEvents(dev.key, submitted.body.id)).toEqual([]);

    await runEnforcement(env, new Date(withdrawnAt + 181 * DAY));
    expect((await row(letter))?.deleted_at).not.toBeNull();
    expect(await env.MATERIALS.head(`materials/${letter}`)).toBeNull();
    // The owner is told by an event naming the materials; the history keeps only the filing's moves.
    expect(await deletionEvents(dev.key, submitted.body.id)).toEqual([
      {
        type: "filing.materials_deleted",
        data: {
          filingId: submitted.body.id,
          appId,
          type: "new",
          materials: await materialsOf(submitted.body.id),
        },
      },
    ]);
    // No webhook when it was written: born dispatched, never in the outbox (docs/rules.md#webhooks).
    const undispatched = await env.DB.prepare(
      "select count(*) as n from events where type = 'filing.materials_deleted' and data ->> 'filingId' = ? and dispatched_at is not created_at",
    )
      .bind(submitted.body.id)
      .first<{ n: number }>();
    expect(undispatched?.n).toBe(0);
    const history = await callJson(`/v1/filings/${submitted.body.id}/history`, { key: dev.key });
    expect(history.body.items.map((h: { from: string | null; to: string }) => [h.from, h.to])).toEqual([
      [null, "platform_review"],
      ["platform_review", "withdrawn"],
    ]);

    await runEnforcement(env, new Date(withdrawnAt + 200 * DAY));
    expect(await deletionEvents(dev.key, submitted.body.id)).toHaveLength(1);
  });

  it("tells both the provider who filed and the app's owner, once each", async () => {
    const owner = await newAccount("developer");
    const provider = await newAccount("provider");
    const appId = await newApp(owner.key);
    const granted = await callJson(`/v1/apps/${appId}/grants`, { key: owner.key, body: { accountId: provider.id } });
    expect(granted.status).toBe(201);
    const { filingId, letter, withdrawnAt } = await withdrawnFilingWithLetter(provider.key, appId);

    await runEnforcement(env, new Date(withdrawnAt + 181 * DAY));
    expect((await row(letter))?.deleted_at).not.toBeNull();
    for (const key of [owner.key, provider.key]) {
      const seen = await deletionEvents(key, filingId);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.data.materials).toEqual(await materialsOf(filingId));
      expect(seen[0]?.data.materials).toContainEqual({ mediaId: letter, path: "commitment.letter" });
    }
  });

  it("writes history rows only for moves: no row goes from a status to the same status", async () => {
    const dev = await newAccount("developer");
    const { filingId, letter, withdrawnAt } = await withdrawnFilingWithLetter(dev.key, await newApp(dev.key));
    await runEnforcement(env, new Date(withdrawnAt + 181 * DAY));
    expect((await row(letter))?.deleted_at).not.toBeNull();

    const mine = await env.DB.prepare("select count(*) as n from filing_history where filing_id = ?")
      .bind(filingId)
      .first<{ n: number }>();
    expect(mine?.n).toBe(2);
    const still = await env.DB.prepare(
      "select filing_id, seq, from_status, to_status from filing_history where from_status is to_status",
    ).all();
    expect(still.results).toEqual([]);
  });
});

/** A filing using a fresh commitment letter, submitted with `key` and withdrawn at once. */
async function withdrawnFilingWithLetter(key: string, appId: string) {
  const letter = await uploadMaterial(key, "commitment.letter", { kind: "pdf" });
  const submitted = await callJson("/v1/filings", {
    key,
    body: { ...validFiling(appId), commitment: { accepted: true, letter } },
  });
  expect(submitted.status).toBe(201);
  const withdrawn = await callJson(`/v1/filings/${submitted.body.id}/withdraw`, { key, method: "POST" });
  expect(withdrawn.status).toBe(200);
  return { filingId: submitted.body.id as string, letter, withdrawnAt: Date.parse(withdrawn.body.updatedAt) };
}

/** Every material `filingId` used, by path, as `filing.materials_deleted` names them. */
async function materialsOf(filingId: string) {
  const rows = await env.DB.prepare(
    "select media_id as mediaId, path from filing_materials where filing_id = ? order by path",
  )
    .bind(filingId)
    .all<{ mediaId: string; path: string }>();
  expect(rows.results.length).toBeGreaterThan(1);
  return rows.results;
}

async function deletionEvents(key: string, filingId: string) {
  const res = await callJson("/v1/events?limit=200", { key });
  expect(res.status).toBe(200);
  return (res.body.items as { type: string; data: Record<string, unknown> }[])
    .filter((e) => e.type === "filing.materials_deleted" && e.data.filingId === filingId)
    .map(({ type, data }) => ({ type, data }));
}
