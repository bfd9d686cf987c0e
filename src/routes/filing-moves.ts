import type { Db } from "../db/client";
import { ApiError } from "../lib/errors";
import {
  type FilingRow,
  type TransitionInput,
  type TransitionOutcome,
  transitionFiling,
} from "../repositories/filings";

/**
 * The answer to a move that did not happen: refused by the lifecycle, or lost to a concurrent move. Both are 409
 * INVALID_TRANSITION (docs/rules.md#lifecycle).
 */
export function lifecycleConflict(outcome: Exclude<TransitionOutcome, { kind: "moved" }>): ApiError {
  return outcome.kind === "refused"
    ? new ApiError("INVALID_TRANSITION", `A filing in ${outcome.status} cannot be moved by ${outcome.action}`)
    : new ApiError("INVALID_TRANSITION", "The filing changed meanwhile; read it again");
}

/** Moves a filing, or answers why it did not move. */
export async function moveFiling(db: Db, input: TransitionInput): Promise<FilingRow> {
  const outcome = await transitionFiling(db, input);
  if (outcome.kind === "moved") return outcome.filing;
  throw lifecycleConflict(outcome);
}
