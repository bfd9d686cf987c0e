import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { apps, events, organizers, publicRecords, registrations, registrationVersions } from "../db/schema";
import type { FilingSubmission } from "../domain/filing-request";
import { serviceNameKey } from "../domain/filing-request";
import { maskName } from "../domain/masking";
import { NATURES, PRE_APPROVAL_TYPES } from "../domain/reference";
import { type ParsedNumber, provinceAbbreviation } from "../domain/registration-number";
import { beijingDateTime } from "../domain/time";
import { canonicalJson, type Vault } from "../lib/crypto";
import { newId } from "../lib/ids";
import type { FilingRow } from "./filings";

/**
 * What an approved filing does to registrations (SPEC §3, §4), as statements for the approval's db.batch().
 * Numbers are computed in SQL inside that batch — batch statements cannot see each other's results in JS —
 * so concurrent approvals serialize in D1 and each gets its own number.
 */

type Statement = BatchItem<"sqlite">;

export type RegistrationStatus = "active" | "cancelled" | "revoked" | "access_removed";

/** The public record's fields that come from the filing (SPEC §8). */
function publicFields(request: FilingSubmission, at: Date) {
  const individual = request.organizer.nature === "individual";
  const nature = NATURES.find((n) => n.code === request.organizer.nature);
  const preApprovalNames = (request.service.preApprovals ?? []).map(
    (p) => PRE_APPROVAL_TYPES.find((t) => t.code === p.type)?.name ?? p.type,
  );
  return {
    unitName: individual ? maskName(request.organizer.name) : request.organizer.name,
    unitNameKey: individual ? null : serviceNameKey(request.organizer.name),
    natureName: nature?.name ?? request.organizer.nature,
    serviceName: request.service.name,
    serviceNameKey: serviceNameKey(request.service.name),
    contentTypeName: preApprovalNames.join(","),
    updateRecordTime: beijingDateTime(at),
    redacted: JSON.stringify(individual ? ["unitName"] : []),
  };
}

export type OrganizerRow = typeof organizers.$inferSelect;

export async function findOrganizerByBlind(db: Db, blind: string): Promise<OrganizerRow | undefined> {
  const [row] = await db.select().from(organizers).where(eq(organizers.certificateBlind, blind)).limit(1);
  return row;
}

export async function findRegistration(db: Db, number: string) {
  const [row] = await db.select().from(registrations).where(eq(registrations.number, number)).limit(1);
  return row;
}

export async function activeRegistrationOfApp(db: Db, appId: string) {
  const [row] = await db
    .select()
    .from(registrations)
    .where(and(eq(registrations.appId, appId), eq(registrations.status, "active")))
    .limit(1);
  return row;
}

/** Why a bureau-assigned number does not fit this organizer, or null when it does (SPEC §3). */
export async function checkBureauNumber(
  db: Db,
  parsed: ParsedNumber,
  organizer: { provinceCode: string; existing?: OrganizerRow },
): Promise<string | null> {
  if (parsed.kind !== "mini_program" || parsed.sequence === null)
    return "the number must be a mini program's (suffix X)";
  if (parsed.provinceCode !== organizer.provinceCode) return "the province is not the organizer's";
  const existing = organizer.existing;
  if (existing?.organizerDigits && existing.organizerDigits !== parsed.organizerNumber) {
    return `the organizer's number is ${existing.organizerNumber}`;
  }
  const [taken] = await db.batch([
    db
      .select({ number: registrations.number })
      .from(registrations)
      .where(eq(registrations.number, parsed.normalized))
      .limit(1),
  ]);
  if (taken.length > 0) return "the number is already in use";
  if (!existing?.organizerDigits) {
    const [other] = await db
      .select({ id: organizers.id })
      .from(organizers)
      .where(and(eq(organizers.province, parsed.provinceCode), eq(organizers.organizerDigits, parsed.organizerNumber)))
      .limit(1);
    if (other) return "the organizer number belongs to another organizer";
  } else {
    const [used] = await db
      .select({ number: registrations.number })
      .from(registrations)
      .where(and(eq(registrations.organizerId, existing.id), eq(registrations.sequence, parsed.sequence)))
      .limit(1);
    if (used || parsed.sequence <= 0) return "the sequence was used before";
  }
  return null;
}

/**
 * A `new` filing approved: the organizer (created on its first approval), its organizer number (allocated, or
 * the bureau's), the next service sequence, the registration, its first version and its public record.
 */
export async function newRegistrationStatements(
  db: Db,
  vault: Vault,
  input: {
    filing: FilingRow;
    request: FilingSubmission;
    at: Date;
    bureauNumber?: ParsedNumber;
    recipients: string[];
  },
): Promise<Statement[]> {
  const { filing, request } = input;
  const at = input.at.toISOString();
  const blind = filing.organizerBlind ?? "";
  const provinceCode = request.organizer.region.province.slice(0, 2);
  const abbr = provinceAbbreviation(provinceCode) ?? "";
  const year = Number(beijingDateTime(input.at).slice(0, 4));
  const fields = publicFields(request, input.at);
  const sealedOrganizer = await vault.seal(canonicalJson(request.organizer));
  const statements: Statement[] = [
    db
      .insert(organizers)
      .values({
        id: newId("org", input.at.getTime()),
        certificateBlind: blind,
        nature: request.organizer.nature,
        name: request.organizer.name,
        province: provinceCode,
        dataSealed: sealedOrganizer,
        lastSequence: 0,
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoNothing(),
  ];
  const bureau = input.bureauNumber;
  if (bureau && bureau.sequence !== null) {
    statements.push(
      db
        .update(organizers)
        .set({ organizerDigits: bureau.organizerNumber, organizerNumber: bureau.organizer })
        .where(and(eq(organizers.certificateBlind, blind), sql`${organizers.organizerDigits} is null`)),
      db
        .update(organizers)
        .set({ lastSequence: sql`max(${organizers.lastSequence}, ${bureau.sequence})`, updatedAt: at })
        .where(eq(organizers.certificateBlind, blind)),
      db.insert(registrations).select(
        sql`select ${bureau.normalized}, ${filing.appId}, id, ${filing.id}, 'active', ${fields.serviceName}, ${fields.serviceNameKey},
          ${bureau.sequence}, 1, ${at}, ${at}
        from ${organizers} where certificate_blind = ${blind}`,
      ),
    );
  } else {
    statements.push(
      // The organizer's first approval: the next number of its province this year (SPEC §3).
      db
        .update(organizers)
        .set({
          numberYear: year,
          // Past every 10-digit organizer number of this province and year, the bureau's included.
          numberSeq: sql`(select coalesce(max(cast(substr(o.organizer_digits, 5) as integer)), 0) + 1 from ${organizers} o
            where o.province = ${provinceCode} and length(o.organizer_digits) = 10
              and o.organizer_digits between ${`${year}000000`} and ${`${year}999999`})`,
        })
        .where(and(eq(organizers.certificateBlind, blind), isNull(organizers.organizerDigits))),
      db
        .update(organizers)
        .set({
          organizerDigits: sql`printf('%04d%06d', ${organizers.numberYear}, ${organizers.numberSeq})`,
          organizerNumber: sql`${abbr} || 'ICP备' || printf('%04d%06d', ${organizers.numberYear}, ${organizers.numberSeq}) || '号'`,
        })
        .where(and(eq(organizers.certificateBlind, blind), isNull(organizers.organizerDigits))),
      db
        .update(organizers)
        .set({ lastSequence: sql`${organizers.lastSequence} + 1`, updatedAt: at })
        .where(eq(organizers.certificateBlind, blind)),
      db.insert(registrations).select(
        sql`select ${abbr} || 'ICP备' || organizer_digits || '号-' || last_sequence || 'X', ${filing.appId}, id, ${filing.id},
          'active', ${fields.serviceName}, ${fields.serviceNameKey}, last_sequence, 1, ${at}, ${at}
        from ${organizers} where certificate_blind = ${blind}`,
      ),
    );
  }
  statements.push(
    db
      .insert(registrationVersions)
      .select(
        sql`select number, 1, filing_id, service_name, approved_at from ${registrations} where filing_id = ${filing.id}`,
      ),
    db.insert(publicRecords).select(
      sql`select r.number, o.organizer_number, ${fields.unitName}, ${fields.unitNameKey}, ${fields.natureName},
        ${fields.serviceName}, ${fields.serviceNameKey}, 7, ${fields.contentTypeName}, ${fields.updateRecordTime}, 'active',
        ${fields.redacted}, 1
      from ${registrations} r join ${organizers} o on o.id = r.organizer_id where r.filing_id = ${filing.id}`,
    ),
    ...registrationEvents(db, input.recipients, "registration.issued", at, filing.id),
    ...relistStatements(db, filing.appId, at),
  );
  return statements;
}

/**
 * An app delisted for missing its deadline goes live again as soon as it is approved (SPEC §5), without waiting
 * for the cron; no other delisting is undone automatically. The event is written first, while the app still
 * reads as delisted-for-deadline.
 */
function relistStatements(db: Db, appId: string, at: string): Statement[] {
  const delistedForDeadline = sql`${apps.appId} = ${appId} and ${apps.listingStatus} = 'delisted' and ${apps.delistReason} = 'deadline'`;
  return [
    db.insert(events).select(
      sql`select null, ${newId("evt")}, ${apps.ownerAccountId}, 'app.relisted',
          json_object('appId', ${apps.appId}, 'registrationNumber', (select r.number from ${registrations} r where r.app_id = ${appId} and r.status = 'active')),
          ${at}, null
        from ${apps} where ${delistedForDeadline}`,
    ),
    db
      .update(apps)
      .set({ listingStatus: "listed", delistedAt: null, delistReason: null, updatedAt: at })
      .where(delistedForDeadline),
  ];
}

/** One `registration.*` event per recipient, its data read from the registration in the same batch. */
function registrationEvents(db: Db, recipients: string[], type: string, at: string, filingId: string): Statement[] {
  return [...new Set(recipients)].map((accountId) =>
    db.insert(events).select(
      sql`select null, ${newId("evt")}, ${accountId}, ${type},
        json_object('number', number, 'appId', app_id, 'filingId', filing_id, 'status', status, 'version', version), ${at}, null
      from ${registrations} where filing_id = ${filingId}`,
    ),
  );
}

/**
 * A `change` approved: the registration's data replaced (number kept, version + 1) and the organizer's data,
 * which every registration of that organizer shares, updated everywhere it is public.
 */
export async function changeRegistrationStatements(
  db: Db,
  vault: Vault,
  input: {
    filing: FilingRow;
    request: FilingSubmission;
    registration: typeof registrations.$inferSelect;
    at: Date;
    recipients: string[];
  },
): Promise<Statement[]> {
  const { filing, request, registration } = input;
  const at = input.at.toISOString();
  const fields = publicFields(request, input.at);
  const sealedOrganizer = await vault.seal(canonicalJson(request.organizer));
  return [
    db
      .update(organizers)
      .set({
        name: request.organizer.name,
        nature: request.organizer.nature,
        dataSealed: sealedOrganizer,
        updatedAt: at,
      })
      .where(eq(organizers.id, registration.organizerId)),
    db
      .update(registrations)
      .set({
        serviceName: fields.serviceName,
        serviceNameKey: fields.serviceNameKey,
        version: sql`${registrations.version} + 1`,
        filingId: filing.id,
        approvedAt: at,
        updatedAt: at,
      })
      .where(eq(registrations.number, registration.number)),
    db
      .insert(registrationVersions)
      .select(
        sql`select number, version, filing_id, service_name, approved_at from ${registrations} where number = ${registration.number}`,
      ),
    db
      .update(publicRecords)
      .set({
        serviceName: fields.serviceName,
        serviceNameKey: fields.serviceNameKey,
        contentTypeName: fields.contentTypeName,
        updateRecordTime: fields.updateRecordTime,
        version: sql`${publicRecords.version} + 1`,
      })
      .where(eq(publicRecords.serviceLicence, registration.number)),
    db
      .update(publicRecords)
      .set({
        unitName: fields.unitName,
        unitNameKey: fields.unitNameKey,
        natureName: fields.natureName,
        redacted: fields.redacted,
      })
      .where(
        inArray(
          publicRecords.serviceLicence,
          db
            .select({ number: registrations.number })
            .from(registrations)
            .where(eq(registrations.organizerId, registration.organizerId)),
        ),
      ),
    ...registrationEvents(db, input.recipients, "registration.updated", at, filing.id),
  ];
}

export type EndedRegistration = { number: string; appId: string; ownerAccountId: string; listed: boolean };

/** The registrations a cancellation or revocation ends, with their apps. */
export async function registrationsToEnd(
  db: Db,
  scope: { number: string } | { organizerId: string },
): Promise<EndedRegistration[]> {
  const rows = await db
    .select({
      number: registrations.number,
      appId: registrations.appId,
      ownerAccountId: apps.ownerAccountId,
      listingStatus: apps.listingStatus,
    })
    .from(registrations)
    .innerJoin(apps, eq(apps.appId, registrations.appId))
    .where(
      and(
        "number" in scope ? eq(registrations.number, scope.number) : eq(registrations.organizerId, scope.organizerId),
        eq(registrations.status, "active"),
      ),
    );
  return rows.map((r) => ({
    number: r.number,
    appId: r.appId,
    ownerAccountId: r.ownerAccountId,
    listed: r.listingStatus === "listed",
  }));
}

const EVENT_ROWS_PER_INSERT = 16;

const DELIST_REASON: Record<Exclude<RegistrationStatus, "active">, string> = {
  cancelled: "registration_cancelled",
  revoked: "registration_revoked",
  access_removed: "access_removed",
};

const EVENT_TYPE: Record<Exclude<RegistrationStatus, "active">, string> = {
  cancelled: "registration.cancelled",
  revoked: "registration.revoked",
  access_removed: "registration.cancelled",
};

/**
 * Ends registrations (cancelled, revoked or access removed) and takes their listed apps down, with the events
 * for each. An ended number stays in the database and is never issued again.
 */
export function endRegistrationStatements(
  db: Db,
  input: {
    ended: EndedRegistration[];
    status: Exclude<RegistrationStatus, "active">;
    at: Date;
    extraRecipients: string[];
  },
): Statement[] {
  if (input.ended.length === 0) return [];
  const at = input.at.toISOString();
  // One JSON parameter per list, however many registrations an organizer holds (D1 binds at most 100).
  const numbers = JSON.stringify(input.ended.map((e) => e.number));
  const listedApps = input.ended.filter((e) => e.listed).map((e) => e.appId);
  const statements: Statement[] = [
    db
      .update(registrations)
      .set({ status: input.status, updatedAt: at })
      .where(
        and(
          sql`${registrations.number} in (select value from json_each(${numbers}))`,
          eq(registrations.status, "active"),
        ),
      ),
    db
      .update(publicRecords)
      .set({
        status: input.status,
        updateRecordTime: beijingDateTime(input.at),
        version: sql`${publicRecords.version} + 1`,
      })
      .where(sql`${publicRecords.serviceLicence} in (select value from json_each(${numbers}))`),
  ];
  if (listedApps.length > 0) {
    statements.push(
      db
        .update(apps)
        .set({ listingStatus: "delisted", delistedAt: at, delistReason: DELIST_REASON[input.status], updatedAt: at })
        .where(
          and(
            sql`${apps.appId} in (select value from json_each(${JSON.stringify(listedApps)}))`,
            eq(apps.listingStatus, "listed"),
          ),
        ),
    );
  }
  const rows: (typeof events.$inferInsert)[] = [];
  for (const e of input.ended) {
    for (const accountId of new Set([e.ownerAccountId, ...input.extraRecipients])) {
      rows.push({
        id: newId("evt", input.at.getTime()),
        accountId,
        type: EVENT_TYPE[input.status],
        data: JSON.stringify({ number: e.number, appId: e.appId, status: input.status }),
        createdAt: at,
      });
      if (e.listed) {
        rows.push({
          id: newId("evt", input.at.getTime()),
          accountId,
          type: "app.delisted",
          data: JSON.stringify({ appId: e.appId, reason: DELIST_REASON[input.status] }),
          createdAt: at,
        });
      }
    }
  }
  // Five bound values a row (seq and dispatched_at are written as literal nulls): 16 rows bind 80, under D1's 100.
  for (let i = 0; i < rows.length; i += EVENT_ROWS_PER_INSERT) {
    statements.push(db.insert(events).values(rows.slice(i, i + EVENT_ROWS_PER_INSERT)));
  }
  return statements;
}
