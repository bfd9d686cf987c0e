import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { apps, filings, registrations } from "../db/schema";
import { IN_FLIGHT } from "../domain/filing-state";
import type { Reason } from "../domain/filing-view";
import { grantedTo } from "./apps";
import { selectDeadlinesOfApp } from "./policies";

/**
 * What an app's filing status (docs/rules.md#filing-status) is read from, in one batch: the app, its filing in
 * flight, its registration (the active one, else the latest), whether its organizer's services are all being
 * cancelled, and the deadlines that apply to it.
 */
export async function readFilingStatusFacts(db: Db, appId: string, accountId: string) {
  const [appRows, inFlightRows, registrationRows, organizerCancelRows, deadlineRows] = await db.batch([
    db
      .select({
        appId: apps.appId,
        ownerAccountId: apps.ownerAccountId,
        listingStatus: apps.listingStatus,
        listedAt: apps.listedAt,
        delistReason: apps.delistReason,
        granted: grantedTo(accountId),
      })
      .from(apps)
      .where(eq(apps.appId, appId)),
    db
      .select({
        id: filings.id,
        type: filings.type,
        status: filings.status,
        smsDeadline: filings.smsDeadline,
        reasons: filings.reasons,
      })
      .from(filings)
      .where(and(eq(filings.appId, appId), inArray(filings.status, [...IN_FLIGHT])))
      .limit(1),
    db
      .select({
        number: registrations.number,
        status: registrations.status,
        approvedAt: registrations.approvedAt,
        // Issued here, or taken in from the platform's catalogue (docs/rules.md#registration-import).
        source: registrations.source,
      })
      .from(registrations)
      .where(eq(registrations.appId, appId))
      .orderBy(desc(sql`${registrations.status} = 'active'`), desc(registrations.approvedAt))
      .limit(1),
    // A cancellation of all the organizer's services, in flight, holds every app of the organizer.
    db
      .select({ id: filings.id })
      .from(filings)
      .where(
        and(
          eq(filings.type, "cancel"),
          eq(filings.cancelScope, "organizer"),
          inArray(filings.status, [...IN_FLIGHT]),
          sql`"filings"."organizer_blind" = (select "organizers"."certificate_blind" from "registrations"
              inner join "organizers" on "organizers"."id" = "registrations"."organizer_id"
              where "registrations"."app_id" = ${appId} and "registrations"."status" = 'active' limit 1)`,
        ),
      )
      .limit(1),
    selectDeadlinesOfApp(db, appId),
  ]);
  const app = appRows[0];
  if (!app) return undefined;
  const inFlight = inFlightRows[0];
  return {
    app: { ...app, granted: Boolean(app.granted) },
    inFlight: inFlight && { ...inFlight, reasons: JSON.parse(inFlight.reasons) as Reason[] },
    registration: registrationRows[0],
    organizerCancellationOpen: organizerCancelRows.length > 0,
    deadlines: deadlineRows,
  };
}
