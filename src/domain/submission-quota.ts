import { BEIJING_OFFSET_MS } from "./time";

/**
 * The submission quota (docs/rules.md#submission-quota): at most `SUBMISSIONS_PER_DAY` filings per account per
 * Beijing day, an anti-abuse meter as WeChat meters its apply calls. Idempotent replays and dry runs make no filing,
 * so they do not count; every filing made does, a resubmission included.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant the Beijing day of `now` began (00:00 UTC+8). */
export function beijingDayStart(now: Date): Date {
  const local = now.getTime() + BEIJING_OFFSET_MS;
  return new Date(local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - BEIJING_OFFSET_MS);
}

/** Whole seconds from `now` to the next Beijing midnight, at least 1: what `Retry-After` says. */
export function secondsToNextBeijingDay(now: Date): number {
  const next = beijingDayStart(now).getTime() + DAY_MS;
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/** Whether an account that made `made` filings today may make one more under a limit of `perDay`. */
export function quotaAllows(made: number, perDay: number): boolean {
  return made < perDay;
}
