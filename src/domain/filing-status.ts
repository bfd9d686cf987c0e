import { FILING_TYPES, type FilingType } from "./filing-state";
import { type StateConflict, type StateFacts, stateConflicts } from "./preflight";

/**
 * An app's filing status (docs/rules.md#filing-status): what its owner or a granted provider may file now, and why
 * not. The answer is the submission's own state rules (`stateConflicts`) asked for every filing type, so a type is
 * allowed here exactly when a submission of it would pass them.
 */

/** A filing type the app's state refuses, with the code a submission of it would answer. */
export type Blocker = { type: FilingType; code: StateConflict };

export function filingOptions(state: StateFacts): { allowed: FilingType[]; blockers: Blocker[] } {
  const allowed: FilingType[] = [];
  const blockers: Blocker[] = [];
  for (const type of FILING_TYPES) {
    const conflicts = stateConflicts(type, state);
    if (conflicts.length === 0) allowed.push(type);
    for (const code of conflicts) blockers.push({ type, code });
  }
  return { allowed, blockers };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whole days from `now` until `deadline` (both ISO 8601), rounded up: 1 on the last day, 0 at the deadline itself,
 * negative once it has passed. Reminders name their offsets in the same days (docs/rules.md#enforcement).
 */
export function daysLeft(deadline: string, now: string): number {
  const days = Math.ceil((Date.parse(deadline) - Date.parse(now)) / DAY_MS);
  // Math.ceil of a small negative fraction is -0.
  return days === 0 ? 0 : days;
}
