import type { Db } from "../db/client";
import type { Env } from "../types";
import { dispatchOutbox } from "../webhooks/outbox";
import type { Budget } from "./budget";

/**
 * The outbox's safety net: events committed more than a minute ago that never reached the queue (the Worker
 * stopped between commit and send) are sent now. Fresh ones are left to the request that wrote them.
 */
export async function resendOutbox(env: Env, db: Db, budget: Budget): Promise<number> {
  const olderThan = new Date(Date.now() - 60_000).toISOString();
  let total = 0;
  while (budget.allows(3)) {
    const sent = await dispatchOutbox(env, db, { limit: 500, olderThan });
    budget.spend(2);
    total += sent;
    if (sent < 500) break;
  }
  return total;
}
