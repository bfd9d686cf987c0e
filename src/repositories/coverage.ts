import { and, asc, eq, gte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { coverageDays } from "../db/schema";

/**
 * How far the deadline policies have got (docs/rules.md#enforcement): for the whole catalogue and for each policy,
 * how many apps it covers, how many of them are filed and unfiled, reminded, delisted for the deadline and listed
 * again. Counted in SQL over every app at once (one statement for the catalogue, one for all policies), never app by
 * app; the cron keeps one row a day of the same counts (`coverage_days`) so the dashboard can show how they moved.
 */
export const COVERAGE_COUNTS = ["covered", "filed", "unfiled", "reminded", "delisted", "relisted"] as const;
export type CoverageCounts = Record<(typeof COVERAGE_COUNTS)[number], number>;

/** The scope of the whole catalogue in `coverage_days`; a policy's scope is its id. */
export const CATALOGUE_SCOPE = "*";

const activeRegistration = sql`exists (select 1 from registrations r where r.app_id = a.app_id and r.status = 'active')`;
const actionOf = (action: string, policy: SQL) =>
  sql`exists (select 1 from enforcement_actions ea where ea.action = ${action} and ea.policy_id = ${policy} and ea.app_id = a.app_id)`;
const anyActionOf = (action: string) =>
  sql`exists (select 1 from enforcement_actions ea where ea.action = ${action} and ea.app_id = a.app_id)`;

/** The sums of per-app flags `f` as the six counts (zero, not null, over no app). */
const sums = sql`count(f.app_id) as covered, coalesce(sum(f.filed), 0) as filed,
  coalesce(sum(1 - f.filed), 0) as unfiled, coalesce(sum(f.reminded), 0) as reminded,
  coalesce(sum(f.delisted), 0) as delisted, coalesce(sum(f.relisted), 0) as relisted`;

/**
 * The catalogue: every app; filed = an active registration; reminded = reminded under any policy; delisted = delisted
 * for a deadline now; relisted = delisted for a deadline once and listed now.
 */
const catalogueCounts = sql`select ${CATALOGUE_SCOPE} as scope, ${sums} from (
  select a.app_id, ${activeRegistration} as filed, ${anyActionOf("reminder")} as reminded,
    (a.listing_status = 'delisted' and a.delist_reason = 'deadline') as delisted,
    (a.listing_status = 'listed' and ${anyActionOf("delist_deadline")}) as relisted
  from apps a) f`;

/**
 * Each policy (`which` chooses them, over the alias it is given): the apps listed before its cutoff that are listed
 * now, or that it delisted and that are still delisted for the deadline. Apps that left otherwise (unlisted by their
 * owner, delisted because a registration ended) are no longer covered. Filed = an active registration; reminded =
 * reminded under this policy; delisted = delisted by it and still so; relisted = delisted by it once, listed now.
 */
function policyCounts(which: (alias: SQL) => SQL) {
  const delistedBy = actionOf("delist_deadline", sql`p2.id`);
  return sql`select p.id as scope, ${sums} from policies p left join (
      select p2.id as policy_id, a.app_id, ${activeRegistration} as filed, ${actionOf("reminder", sql`p2.id`)} as reminded,
        (a.listing_status = 'delisted') as delisted, (a.listing_status = 'listed' and ${delistedBy}) as relisted
      from policies p2 join apps a on a.listed_at is not null and a.listed_at < p2.listed_before
      where ${which(sql`p2`)}
        and (a.listing_status = 'listed' or (a.listing_status = 'delisted' and a.delist_reason = 'deadline' and ${delistedBy}))
    ) f on f.policy_id = p.id
    where ${which(sql`p`)} group by p.id`;
}

type CountsRow = CoverageCounts & { scope: string };

const toCounts = (row: CountsRow | undefined): CoverageCounts =>
  Object.fromEntries(COVERAGE_COUNTS.map((k) => [k, Number(row?.[k] ?? 0)])) as CoverageCounts;

/** The counts now: the catalogue's and every policy's (by policy id), two statements. */
export async function coverageNow(
  db: Db,
): Promise<{ catalogue: CoverageCounts; policies: Map<string, CoverageCounts> }> {
  const [catalogue, policies] = await Promise.all([
    db.all<CountsRow>(catalogueCounts),
    db.all<CountsRow>(policyCounts(() => sql`1`)),
  ]);
  return {
    catalogue: toCounts(catalogue[0]),
    policies: new Map(policies.map((row) => [row.scope, toCounts(row)])),
  };
}

export type CoverageDay = CoverageCounts & { scope: string; day: string };

/** The daily counts kept since `fromDay` (YYYY-MM-DD), oldest first. */
export async function coverageHistory(db: Db, fromDay: string): Promise<CoverageDay[]> {
  const rows = await db
    .select()
    .from(coverageDays)
    .where(gte(coverageDays.day, fromDay))
    .orderBy(asc(coverageDays.day), asc(coverageDays.scope));
  return rows.map(({ at: _, ...row }) => row);
}

/** Whether `day` (YYYY-MM-DD) has its counts already. */
export async function hasCoverageDay(db: Db, day: string): Promise<boolean> {
  const [row] = await db
    .select({ day: coverageDays.day })
    .from(coverageDays)
    .where(and(eq(coverageDays.scope, CATALOGUE_SCOPE), eq(coverageDays.day, day)))
    .limit(1);
  return row !== undefined;
}

/**
 * The statements that keep `day`'s counts: the catalogue's and each active policy's, computed in SQL and inserted
 * once (a second run the same day changes nothing).
 */
export function recordCoverageDay(db: Db, day: string, at: string) {
  const keep = (counts: SQL) =>
    db
      .insert(coverageDays)
      .select(
        sql`select c.scope, ${day}, ${sql.raw(COVERAGE_COUNTS.map((k) => `c.${k}`).join(", "))}, ${at} from (${counts}) c
          where true`, // SQLite reads "on conflict" after a bare select's from as a join constraint
      )
      .onConflictDoNothing();
  return [keep(catalogueCounts), keep(policyCounts((alias) => sql`${alias}.active = 1`))] as const;
}
