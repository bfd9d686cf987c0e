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

  it("keeps what an open filing uses; deletes a withdrawn filing's materials 180 days after, and its history says so", async () => {
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

    await runEnforcement(env, new Date(withdrawnAt + 181 * DAY));
    expect((await row(letter))?.deleted_at).not.toBeNull();
    expect(await env.MATERIALS.head(`materials/${letter}`)).toBeNull();
    const history = await callJson(`/v1/filings/${submitted.body.id}/history`, { key: dev.key });
    const last = history.body.items.at(-1);
    expect(last).toMatchObject({ from: "withdrawn", to: "withdrawn", actor: { role: "system" } });
    const note = await env.DB.prepare("select note from filing_history where filing_id = ? order by seq desc limit 1")
      .bind(submitted.body.id)
      .first<{ note: string }>();
    expect(note?.note).toBe("materials_deleted");
  });
});
