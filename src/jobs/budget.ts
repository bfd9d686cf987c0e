/**
 * What one scheduled invocation may spend. Production D1 allows 1,000 queries per invocation (every statement of a
 * batch counts) and the Worker has a CPU budget; local D1 enforces neither, so the run counts for itself and stops
 * cleanly before either runs out, leaving the rest to the next run.
 */
export type BudgetLimits = { maxQueries: number; maxMillis: number };

export const DEFAULT_LIMITS: BudgetLimits = { maxQueries: 900, maxMillis: 20_000 };

export class Budget {
  queries = 0;
  private readonly started = Date.now();

  constructor(private readonly limits: BudgetLimits = DEFAULT_LIMITS) {}

  /** Records `n` queries about to be sent. */
  spend(n: number): void {
    this.queries += n;
  }

  /** Whether `n` more queries (one chunk's worth) still fit in both limits. */
  allows(n: number): boolean {
    return this.queries + n <= this.limits.maxQueries && Date.now() - this.started < this.limits.maxMillis;
  }

  get elapsedMillis(): number {
    return Date.now() - this.started;
  }
}
