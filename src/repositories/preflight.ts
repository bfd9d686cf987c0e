import { and, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { appGrants, apps, filingPeople, filings, idempotencyKeys, organizers, registrations } from "../db/schema";
import { type FilingFacts, serviceNameKey } from "../domain/filing-request";
import { IN_FLIGHT } from "../domain/filing-state";
import { nameSkeleton } from "../domain/name-skeleton";
import type { BlindFacts, StoredFacts } from "../domain/preflight";
import type { Vault } from "../lib/crypto";
import { grantedTo } from "./apps";
import { findMaterials } from "./materials";
import { nameIndex, verificationsForCheck } from "./verifications";

/**
 * The stored data the pre-flight rules (src/domain/preflight.ts, docs/rules.md#preflight) judge. Every read they
 * need goes to D1 in one batch (one round trip), whatever the request contains.
 */

/** The request's certificates and mobiles as blind indexes (keyed by the vault, so not a domain rule). */
export async function blindFacts(vault: Vault, facts: FilingFacts): Promise<BlindFacts> {
  const organizer = facts.organizer
    ? await vault.blindIndex("certificate", `${facts.organizer.certificateType}:${facts.organizer.certificate}`)
    : undefined;
  const people = await Promise.all(
    facts.people.map(async (p) => ({
      path: p.path,
      certificate: p.certificate
        ? await vault.blindIndex("certificate", `${p.certificateType}:${p.certificate}`)
        : undefined,
      mobile: p.mobile ? await vault.blindIndex("mobile", p.mobile) : undefined,
      name: p.name ? await nameIndex(vault, p.name) : undefined,
    })),
  );
  return { organizer, people };
}

const NO_ROW = sql`0`;

export async function readPreflightFacts(
  db: Db,
  input: {
    accountId: string;
    facts: FilingFacts;
    blind: BlindFacts;
    idempotencyKey?: string;
    /** A resubmission's ended filing: the verifications it used are the new filing's to use again. */
    resubmitOf?: string;
  },
): Promise<StoredFacts> {
  const { facts, blind, accountId } = input;
  const appId = facts.appId ?? "";
  const organizerBlind = blind.organizer ?? "";
  const nameKey = facts.serviceName ? serviceNameKey(facts.serviceName) : "";
  const skeleton = facts.serviceName ? nameSkeleton(facts.serviceName) : "";
  const mobiles = [...new Set(blind.people.map((p) => p.mobile).filter((m): m is string => !!m))];

  const [
    appRows,
    inFlightRows,
    registrationRows,
    organizerRows,
    organizerFilingRows,
    activeCountRows,
    nameRows,
    mobileRows,
    idemRows,
    materialRows,
    verificationRows,
  ] = await db.batch([
    db
      .select({
        appId: apps.appId,
        name: apps.name,
        ownerAccountId: apps.ownerAccountId,
        granted: grantedTo(accountId),
      })
      .from(apps)
      .where(eq(apps.appId, appId)),
    db
      .select({ id: filings.id, status: filings.status })
      .from(filings)
      .where(and(eq(filings.appId, appId), inArray(filings.status, [...IN_FLIGHT])))
      .limit(1),
    db
      .select({
        number: registrations.number,
        organizerId: registrations.organizerId,
        organizerBlind: organizers.certificateBlind,
        province: organizers.province,
      })
      .from(registrations)
      .innerJoin(organizers, eq(organizers.id, registrations.organizerId))
      .where(and(eq(registrations.appId, appId), eq(registrations.status, "active")))
      .limit(1),
    db
      .select({ id: organizers.id, province: organizers.province, nature: organizers.nature, name: organizers.name })
      .from(organizers)
      .where(eq(organizers.certificateBlind, organizerBlind))
      .limit(1),
    db
      .select({
        appId: filings.appId,
        type: filings.type,
        scope: filings.cancelScope,
        province: filings.organizerProvince,
      })
      .from(filings)
      .where(
        and(
          // A cancellation names no organizer: it is the organizer of the app's active registration.
          // (Qualified by hand, like `granted` above.)
          facts.type === "cancel"
            ? sql`"filings"."organizer_blind" = (select "organizers"."certificate_blind" from "registrations"
                  inner join "organizers" on "organizers"."id" = "registrations"."organizer_id"
                  where "registrations"."app_id" = ${appId} and "registrations"."status" = 'active' limit 1)`
            : eq(filings.organizerBlind, organizerBlind),
          inArray(filings.status, [...IN_FLIGHT]),
        ),
      )
      .limit(100),
    db
      .select({ count: sql<number>`count(*)` })
      .from(registrations)
      .innerJoin(organizers, eq(organizers.id, registrations.organizerId))
      .where(and(eq(organizers.certificateBlind, organizerBlind), eq(registrations.status, "active"))),
    // A service name held by another organizer, through an active registration or an open filing, compared by
    // skeleton; a row written before skeletons were stored (until the cron fills it) by its key, as it was then.
    db
      .select({ appId: registrations.appId })
      .from(registrations)
      .innerJoin(organizers, eq(organizers.id, registrations.organizerId))
      .where(
        and(
          or(
            eq(registrations.serviceNameSkeleton, skeleton),
            and(isNull(registrations.serviceNameSkeleton), eq(registrations.serviceNameKey, nameKey)),
          ),
          eq(registrations.status, "active"),
          ne(organizers.certificateBlind, organizerBlind),
          ne(registrations.appId, appId),
        ),
      )
      .union(
        db
          .select({ appId: filings.appId })
          .from(filings)
          .where(
            and(
              or(
                eq(filings.serviceNameSkeleton, skeleton),
                and(isNull(filings.serviceNameSkeleton), eq(filings.serviceNameKey, nameKey)),
              ),
              inArray(filings.status, [...IN_FLIGHT]),
              ne(filings.organizerBlind, organizerBlind),
              ne(filings.appId, appId),
            ),
          ),
      )
      .limit(1),
    // Holders of these mobiles in open filings and in the filings behind active registrations.
    db
      .select({ mobile: filingPeople.mobileBlind, certificate: filingPeople.certificateBlind })
      .from(filingPeople)
      .innerJoin(filings, eq(filings.id, filingPeople.filingId))
      .where(
        and(
          mobiles.length > 0 ? inArray(filingPeople.mobileBlind, mobiles) : NO_ROW,
          ne(filings.appId, appId),
          sql`(${inArray(filings.status, [...IN_FLIGHT])} or exists (
              select 1 from ${registrations} where ${registrations.filingId} = ${filings.id} and ${registrations.status} = 'active'))`,
        ),
      )
      .limit(20),
    db
      .select({
        requestHash: idempotencyKeys.requestHash,
        responseStatus: idempotencyKeys.responseStatus,
        responseBody: idempotencyKeys.responseBody,
        expiresAt: idempotencyKeys.expiresAt,
      })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, input.idempotencyKey ?? "")))
      .limit(1),
    findMaterials(
      db,
      facts.materials.map((m) => m.mediaId),
    ),
    verificationsForCheck(
      db,
      facts.people.flatMap((p) => (p.verificationId ? [p.verificationId] : [])),
      input.resubmitOf,
    ),
  ]);

  const app = appRows[0];
  return {
    app: app ? { ...app, granted: Boolean(app.granted) } : undefined,
    inFlight: inFlightRows[0],
    registration: registrationRows[0],
    knownOrganizer: organizerRows[0],
    organizerFilings: organizerFilingRows,
    activeRegistrations: Number(activeCountRows[0]?.count ?? 0),
    // A registration imported without its app holds no app's name.
    serviceNameHolders: nameRows.flatMap((r) => (r.appId === null ? [] : [{ appId: r.appId }])),
    mobileHolders: mobileRows,
    idempotency: idemRows[0],
    materials: materialRows,
    verifications: verificationRows.map((v) => ({ ...v, used: Boolean(v.used) })),
  };
}

/**
 * For a cancellation of a whole organizer (docs/rules.md#permissions): every app with an active registration of that
 * organizer, as it stands to the caller (its owner, whether the caller holds a grant), and whether it has a filing
 * open.
 */
export async function organizerAppsForCancel(db: Db, organizerId: string, accountId: string) {
  const rows = await db
    .select({
      appId: registrations.appId,
      ownerAccountId: apps.ownerAccountId,
      granted: sql<number>`exists (select 1 from ${appGrants} where ${appGrants.appId} = ${apps.appId} and ${appGrants.accountId} = ${accountId})`,
      inFlight: sql<number>`exists (select 1 from ${filings} where ${filings.appId} = ${apps.appId}
        and ${inArray(filings.status, [...IN_FLIGHT])})`,
    })
    .from(registrations)
    .innerJoin(apps, eq(apps.appId, registrations.appId))
    .where(and(eq(registrations.organizerId, organizerId), eq(registrations.status, "active")));
  return rows.map((r) => ({ ...r, granted: Boolean(r.granted), inFlight: Boolean(r.inFlight) }));
}
