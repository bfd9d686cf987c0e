import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";
import { canonicalJson, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { nextAuditRow } from "../repositories/audit";
import type { Env } from "../types";
import type { Budget } from "./budget";

/**
 * The shape every enforcement job shares (docs/rules.md#enforcement): pick up to CHUNK_SIZE rows not handled yet, then handle them
 * in one db.batch() — the action rows (whose unique key makes a rerun a no-op), the change itself, its outbox
 * events and one audit row holding a digest of the chunk. A chunk either happens whole or not at all, so a run
 * that stops anywhere (budget, crash, injected failure) leaves only whole chunks behind, and the next run picks
 * up exactly what is left.
 */
export const CHUNK_SIZE = 500;

export type Chunk = {
  /** Identifies the chunk's action rows, so the statements after the first can select them. */
  id: string;
  runId: string;
  /** The scheduled time of the run, ISO 8601: every job's "now". */
  now: string;
  /**
   * The candidates, as one JSON array bound as a single parameter (a bound list is capped at 100). Statements
   * read it with `from json_each(keys) k cross join …`: CROSS JOIN keeps the 500 keys as the outer loop, where the
   * planner would otherwise walk the whole table and probe the keys for each row.
   */
  keys: string;
};

export type SweepJob = {
  /** The action name recorded in the run's counts and the audit row. */
  name: string;
  /** Up to `limit` unhandled candidates after `cursor` (exclusive), in a stable order, with the next cursor. */
  candidates(
    db: Db,
    now: string,
    cursor: string | null,
    limit: number,
  ): Promise<{ keys: unknown[]; cursor: string | null }>;
  /**
   * The chunk's statements. The first inserts the action rows (guarded by the same predicate as `candidates`, so a
   * row that stopped qualifying meanwhile is skipped); the rest act on the rows it inserted.
   */
  statements(db: Db, chunk: Chunk): BatchItem<"sqlite">[];
  /** Work outside D1 that must precede the batch (and be safe to repeat), e.g. deleting R2 objects. */
  beforeBatch?(env: Env, keys: string[]): Promise<void>;
};

export type SweepContext = {
  env: Env;
  db: Db;
  runId: string;
  now: string;
  budget: Budget;
  counts: Record<string, number>;
  audit: { seq: number; hash: string } | null;
  chunksDone: number;
  /**
   * Tests: the chunk after this many gets a statement that fails inside its batch, so the whole chunk — action rows,
   * change, events, audit row — must roll back, and a rerun must end where a clean run does.
   */
  failAfterChunks?: number;
  chunkSize: number;
};

/** Runs `job` until nothing is left ("done") or the budget is spent ("budget"). */
export async function runSweep(ctx: SweepContext, job: SweepJob): Promise<"done" | "budget"> {
  let cursor: string | null = null;
  for (;;) {
    // A chunk costs its candidate read plus its batch; stop before one that might not fit.
    if (!ctx.budget.allows(12)) return "budget";
    const picked = await job.candidates(ctx.db, ctx.now, cursor, ctx.chunkSize);
    ctx.budget.spend(1);
    if (picked.keys.length === 0) return "done";
    // Unique per attempt, not per position: a resumed run must never select an earlier attempt's action rows.
    const chunk: Chunk = {
      id: newId("chk"),
      runId: ctx.runId,
      now: ctx.now,
      keys: JSON.stringify(picked.keys),
    };
    const statements = job.statements(ctx.db, chunk);
    const digest = await sha256Hex(canonicalJson(picked.keys));
    const audit = await nextAuditRow(
      {
        subject: `enforcement:${ctx.runId}`,
        action: `enforcement.${job.name}`,
        actorAccountId: "system",
        at: ctx.now,
        data: { chunk: chunk.id, candidates: picked.keys.length, digest },
      },
      ctx.audit,
      ctx.db.auditKeys(),
    );
    const batch: BatchItem<"sqlite">[] = [...statements, ctx.db.insert(auditLog).values(audit)];
    if (ctx.failAfterChunks !== undefined && ctx.chunksDone >= ctx.failAfterChunks) {
      // The same audit row twice: the batch fails on its own key after every other statement has run.
      batch.push(ctx.db.insert(auditLog).values(audit));
    }
    if (job.beforeBatch) await job.beforeBatch(ctx.env, picked.keys as string[]);
    const results = await ctx.db.batch(batch as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    ctx.budget.spend(statements.length + 1);
    ctx.audit = { seq: audit.seq ?? 0, hash: audit.hash };
    ctx.chunksDone++;
    const handled = (results[0] as { meta?: { changes?: number } } | undefined)?.meta?.changes ?? 0;
    ctx.counts[job.name] = (ctx.counts[job.name] ?? 0) + handled;
    cursor = picked.cursor;
    // A short page means the end; so does a cursorless page that handled nothing (it would be picked again).
    if (picked.keys.length < ctx.chunkSize || (cursor === null && handled === 0)) return "done";
  }
}
