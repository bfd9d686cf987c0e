import { sql } from "drizzle-orm";
import { sqlNewId } from "../db/sql";

/**
 * The predicates the deadline jobs share, written once: an app a policy covers (listed, listed before its cutoff)
 * that has no active registration. `a` is the apps row.
 */
export function coveredAndUnfiled(listedBefore: string) {
  return sql`a.listing_status = 'listed' and a.listed_at is not null and a.listed_at < ${listedBefore}
    and not exists (select 1 from registrations r where r.app_id = a.app_id and r.status = 'active')`;
}

/** A fresh event id made inside SQL, for events inserted many rows at a time. */
export const sqlEventId = sqlNewId("evt");
