import type { Db } from "../db/client";
import { ApiError } from "../lib/errors";
import { type FilingRow, type TransitionInput, transitionFiling } from "../repositories/filings";

/**
 * Moves a filing and answers for the lifecycle: a move the filing's status does not allow, or one that lost a race
 * with another move, is 409 INVALID_TRANSITION (docs/rules.md#lifecycle).
 */
export async function moveFiling(db: Db, input: TransitionInput): Promise<FilingRow> {
  const outcome = await transitionFiling(db, input);
  switch (outcome.kind) {
    case "moved":
      return outcome.filing;
    case "refused":
      throw new ApiError("INVALID_TRANSITION", `A filing in ${outcome.status} cannot be moved by ${outcome.action}`);
    case "raced":
      throw new ApiError("INVALID_TRANSITION", "The filing changed meanwhile; read it again");
  }
}
