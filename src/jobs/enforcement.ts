import { and, desc, eq, lt, sql } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { enforcementRuns } from "../db/schema";
import { newId } from "../lib/ids";
import { chainHead } from "../repositories/audit";
import { anchorAuditHeads } from "../repositories/audit-anchors";
import { hasCoverageDay, recordCoverageDay } from "../repositories/coverage";
import { activePolicies } from "../repositories/policies";
import type { Env } from "../types";
import { Budget, type BudgetLimits, DEFAULT_LIMITS } from "./budget";
import { delistDeadlineJob } from "./delist-deadline";
import { delistEndedJob } from "./delist-ended";
import { expireVerificationsJob } from "./expire-verifications";
import { exportRegistry } from "./export-registry";
import { fillNameSkeletons } from "./name-skeletons";
import { purgeMaterialsJob } from "./purge-materials";
import { dueReminderOffset, reminderJob } from "./reminders";
import { resendOutbox } from "./resend-outbox";
import { CHUNK_SIZE, runSweep, type SweepContext, type SweepJob } from "./sweep";

/** How long a run holds its scheduled time before another delivery may take the work over. */
const LEASE_MS = 5 * 60 * 1000;

export type RunOptions = {
  limits?: BudgetLimits;
  /** Tests: fail inside the batch of the chunk after this many (see SweepContext). */
  failAfterChunks?: number;
  /** Rows per chunk; CHUNK_SIZE unless a test wants many small chunks. */
  chunkSize?: number;
};

export type RunOutcome =
  | { ran: false; reason: "finished" | "leased" }
  | { ran: true; runId: string; completed: boolean; counts: Record<string, number>; error?: string };

/**
 * Claims the scheduled time: the first delivery inserts its run; a duplicate finds it finished or leased and does
 * nothing; a delivery arriving after a crashed run's lease lapsed takes that run over (its chunks are whole, so
 * the rest is simply what is left).
 */
async function claim(
  db: Db,
  scheduledTime: string,
  owner: string,
): Promise<{ id: string } | { skipped: "finished" | "leased" }> {
  const wallNow = new Date();
  const expires = new Date(wallNow.getTime() + LEASE_MS).toISOString();
  const inserted = await db
    .insert(enforcementRuns)
    .values({
      id: newId("run"),
      scheduledTime,
      leaseOwner: owner,
      leaseExpiresAt: expires,
      startedAt: wallNow.toISOString(),
    })
    .onConflictDoNothing()
    .returning({ id: enforcementRuns.id });
  if (inserted[0]) return inserted[0];
  const taken = await db
    .update(enforcementRuns)
    .set({ leaseOwner: owner, leaseExpiresAt: expires, error: null })
    .where(
      and(
        eq(enforcementRuns.scheduledTime, scheduledTime),
        sql`(${enforcementRuns.finishedAt} is null or ${enforcementRuns.completed} = 0)`,
        lt(enforcementRuns.leaseExpiresAt, wallNow.toISOString()),
      ),
    )
    .returning({ id: enforcementRuns.id, finishedAt: enforcementRuns.finishedAt });
  if (taken[0]) return { id: taken[0].id };
  const [existing] = await db
    .select({ finishedAt: enforcementRuns.finishedAt, completed: enforcementRuns.completed })
    .from(enforcementRuns)
    .where(eq(enforcementRuns.scheduledTime, scheduledTime))
    .limit(1);
  return { skipped: existing?.finishedAt && existing.completed ? "finished" : "leased" };
}

/** The jobs due at `now`, in the order they run. */
async function jobsFor(db: Db, now: string): Promise<SweepJob[]> {
  const jobs: SweepJob[] = [expireVerificationsJob, delistEndedJob, purgeMaterialsJob];
  for (const policy of await activePolicies(db)) {
    if (policy.deadline <= now) jobs.push(delistDeadlineJob(policy));
    const offset = dueReminderOffset(policy, now);
    if (offset !== null) jobs.push(reminderJob(policy, offset));
  }
  return jobs;
}

/**
 * One enforcement run for the cron's scheduled time (docs/rules.md#enforcement): every job takes "now" from that time, works in
 * whole chunks and stops at the invocation's budget; the run is recorded with its counts and whether it finished.
 */
export async function runEnforcement(env: Env, scheduledTime: Date, options: RunOptions = {}): Promise<RunOutcome> {
  const db = createDb(env.DB, env);
  const now = scheduledTime.toISOString();
  const owner = crypto.randomUUID();
  const claimed = await claim(db, now, owner);
  if ("skipped" in claimed) return { ran: false, reason: claimed.skipped };
  const runId = claimed.id;
  const budget = new Budget(options.limits ?? DEFAULT_LIMITS);
  budget.spend(3);
  const ctx: SweepContext = {
    env,
    db,
    runId,
    now,
    budget,
    counts: {},
    audit: await chainHead(db, `enforcement:${runId}`),
    chunksDone: 0,
    failAfterChunks: options.failAfterChunks,
    chunkSize: options.chunkSize ?? CHUNK_SIZE,
  };
  let completed = true;
  let error: string | undefined;
  try {
    for (const job of await jobsFor(db, now)) {
      if ((await runSweep(ctx, job)) === "budget") {
        completed = false;
        break;
      }
    }
    if (completed) ctx.counts.name_skeletons = await fillNameSkeletons(db, budget);
    if (completed && env.DELIVERY_QUEUE) {
      ctx.counts.events_resent = await resendOutbox(env, db, budget);
    }
    // The heads of the chains written today and yesterday, signed, to R2 (docs/rules.md#integrity).
    if (completed && env.MATERIALS) {
      ctx.counts.audit_heads_anchored = await anchorAuditHeads(db, env.MATERIALS, scheduledTime);
      budget.spend(3);
    }
    // Once a UTC day, the deadline dashboard's counts (docs/rules.md#enforcement): the first finished run keeps them.
    if (completed && budget.allows(3)) {
      const day = now.slice(0, 10);
      budget.spend(1);
      if (!(await hasCoverageDay(db, day))) {
        budget.spend(2);
        await db.batch(recordCoverageDay(db, day, now));
        ctx.counts.coverage_day = 1;
      }
    }
    // The registry's export gets what the run has left; it goes on in the next run where it stopped.
    if (completed) {
      const exported = await exportRegistry(env, db, budget, scheduledTime);
      if (exported && exported.rows > 0) ctx.counts.export_rows = exported.rows;
    }
  } catch (e) {
    completed = false;
    error = e instanceof Error ? e.message : String(e);
  }
  ctx.counts.queries = budget.queries;
  await db
    .update(enforcementRuns)
    .set({
      finishedAt: new Date().toISOString(),
      completed,
      counts: JSON.stringify(ctx.counts),
      error: error ?? null,
      // A run that stopped early gives its lease up, so the next delivery can continue at once.
      leaseExpiresAt: completed ? sql`${enforcementRuns.leaseExpiresAt}` : new Date(0).toISOString(),
    })
    .where(and(eq(enforcementRuns.id, runId), eq(enforcementRuns.leaseOwner, owner)));
  return { ran: true, runId, completed, counts: ctx.counts, ...(error ? { error } : {}) };
}

export async function listRuns(db: Db, opts: { limit: number; cursor?: string }) {
  return db
    .select()
    .from(enforcementRuns)
    .where(opts.cursor ? lt(enforcementRuns.id, opts.cursor) : undefined)
    .orderBy(desc(enforcementRuns.id))
    .limit(opts.limit + 1);
}
