import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { appGrants, apps, filingPeople, filings, idempotencyKeys, organizers, registrations } from "../db/schema";
import type { FilingFacts } from "../domain/filing-request";
import { serviceNameKey } from "../domain/filing-request";
import { IN_FLIGHT } from "../domain/filing-state";
import { materialFits } from "../domain/materials";
import { type Problem, problem } from "../domain/problems";
import type { Vault } from "../lib/crypto";
import { findMaterials } from "./materials";

/**
 * The pre-flight rules of SPEC §4 and §11, which need stored data. Every read they need goes to D1 in
 * one batch (one round trip), whatever the request contains.
 */

export type Quotas = { individual: number; organization: number };

export type BlindFacts = {
  organizer?: string;
  people: { path: string; certificate?: string; mobile?: string }[];
};

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
    })),
  );
  return { organizer, people };
}

export type PreflightResult = {
  app?: { appId: string; name: string; ownerAccountId: string; granted: boolean };
  inFlight?: { id: string; status: string };
  registration?: { number: string; organizerId: string; organizerBlind: string; province: string };
  idempotency?: { requestHash: string; responseStatus: number; responseBody: string };
  /** State conflicts, each also an entry at `appId` in a dry run. */
  conflicts: ("FILING_IN_PROGRESS" | "REGISTRATION_EXISTS" | "REGISTRATION_REQUIRED")[];
  problems: Problem[];
};

const NO_ROW = sql`0`;

export async function runPreflight(
  db: Db,
  input: {
    accountId: string;
    facts: FilingFacts;
    blind: BlindFacts;
    quotas: Quotas;
    now: string;
    idempotencyKey?: string;
  },
): Promise<PreflightResult> {
  const { facts, blind, accountId } = input;
  const appId = facts.appId ?? "";
  const organizerBlind = blind.organizer ?? "";
  const nameKey = facts.serviceName ? serviceNameKey(facts.serviceName) : "";
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
  ] = await db.batch([
    db
      .select({
        appId: apps.appId,
        name: apps.name,
        ownerAccountId: apps.ownerAccountId,
        // Qualified by hand: drizzle leaves select-list columns of a single-table query unqualified.
        granted: sql<number>`exists (select 1 from "app_grants" where "app_grants"."app_id" = "apps"."app_id" and "app_grants"."account_id" = ${accountId})`,
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
    // A service name held by another organizer, through an active registration or an open filing.
    db
      .select({ appId: registrations.appId })
      .from(registrations)
      .innerJoin(organizers, eq(organizers.id, registrations.organizerId))
      .where(
        and(
          eq(registrations.serviceNameKey, nameKey),
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
              eq(filings.serviceNameKey, nameKey),
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
  ]);

  const result: PreflightResult = { conflicts: [], problems: [] };
  const app = appRows[0];
  if (app) result.app = { ...app, granted: Boolean(app.granted) };
  result.inFlight = inFlightRows[0];
  result.registration = registrationRows[0];
  const idem = idemRows[0];
  if (idem && idem.expiresAt > input.now) result.idempotency = idem;

  // An open cancellation of the whole organizer holds every one of its apps.
  const organizerCancel = organizerFilingRows.some((f) => f.type === "cancel" && f.scope === "organizer");
  if (result.inFlight || organizerCancel) result.conflicts.push("FILING_IN_PROGRESS");
  if (facts.type === "new" && result.registration) result.conflicts.push("REGISTRATION_EXISTS");
  if ((facts.type === "change" || facts.type === "cancel") && !result.registration) {
    result.conflicts.push("REGISTRATION_REQUIRED");
  }

  const province = facts.organizer?.province;
  const known = organizerRows[0];
  const provincePath = "organizer.region.province";
  if (
    facts.type === "change" &&
    result.registration &&
    province &&
    province.slice(0, 2) !== result.registration.province
  ) {
    result.problems.push(problem(provincePath, "PROVINCE_CHANGE"));
  } else if (facts.type === "new" && province) {
    const elsewhere =
      (known && known.province !== province.slice(0, 2) && known.province) ||
      organizerFilingRows.find((f) => f.province && f.province !== province.slice(0, 2))?.province;
    if (elsewhere)
      result.problems.push(problem(provincePath, "ORGANIZER_PROVINCE_CONFLICT", { province: `${elsewhere}0000` }));
  }
  if (facts.type === "new" && known && facts.organizer) {
    const differing = [
      facts.organizer.nature !== undefined && facts.organizer.nature !== known.nature ? "nature" : null,
      facts.organizer.name !== undefined && facts.organizer.name !== known.name ? "name" : null,
    ].filter((f): f is string => f !== null);
    if (differing.length > 0)
      result.problems.push(problem("organizer", "ORGANIZER_MISMATCH", { fields: differing.join(", ") }));
  }
  if (nameKey && nameRows.length > 0) result.problems.push(problem("service.name", "SERVICE_NAME_TAKEN"));

  if (facts.type === "new" && facts.organizer) {
    const limit = facts.organizer.nature === "individual" ? input.quotas.individual : input.quotas.organization;
    const openNew = new Set(
      organizerFilingRows.filter((f) => f.type === "new" && f.appId !== appId).map((f) => f.appId),
    );
    const used = Number(activeCountRows[0]?.count ?? 0) + openNew.size;
    if (used + 1 > limit) result.problems.push(problem("organizer", "ORGANIZER_QUOTA_EXCEEDED", { limit }));
  }

  // Each referenced material must exist, belong to the caller or the app's owner, and be for this very field
  // (and show the certificate type the request declares there).
  const byId = new Map(materialRows.map((m) => [m.id, m]));
  for (const ref of facts.materials) {
    const row = byId.get(ref.mediaId);
    const holders = [accountId, result.app?.ownerAccountId];
    if (!row || row.deletedAt || !holders.includes(row.ownerAccountId)) {
      result.problems.push(problem(ref.path, "MEDIA_NOT_FOUND"));
    } else if (!materialFits(row.field, ref.path)) {
      result.problems.push(problem(ref.path, "MEDIA_FIELD_MISMATCH", { field: row.field }));
    } else if (ref.certificateType && row.certificateType && row.certificateType !== ref.certificateType) {
      result.problems.push(problem(ref.path, "MEDIA_CERTIFICATE_MISMATCH", { certificateType: row.certificateType }));
    }
  }

  for (const person of blind.people) {
    if (!person.mobile || !person.certificate) continue;
    if (mobileRows.some((r) => r.mobile === person.mobile && r.certificate !== person.certificate)) {
      result.problems.push(problem(`${person.path}.mobile`, "MOBILE_SHARED"));
    }
  }
  return result;
}

/**
 * For a cancellation of a whole organizer (SPEC §4): every app with an active registration of that organizer,
 * whether the caller may file for it, and whether it has a filing open.
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
