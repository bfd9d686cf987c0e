import { and, eq, inArray, lt, ne, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import {
  apps,
  events,
  filings,
  organizerLicences,
  organizerNumberClaims,
  organizerNumberCounters,
  organizers,
  publicRecords,
  registrations,
  registrationVersions,
} from "../db/schema";
import type { FilingSubmission } from "../domain/filing-request";
import { serviceNameKey } from "../domain/filing-request";
import { maskName } from "../domain/masking";
import { nameSkeleton } from "../domain/name-skeleton";
import { NATURES, PRE_APPROVAL_TYPES } from "../domain/reference";
import { organizerKeyOfLicence } from "../domain/registration-import";
import {
  type BureauNumberFacts,
  beijingYear,
  formatOrganizerNumber,
  formatRegistrationNumber,
  MAX_ORGANIZER_SEQUENCE,
  MAX_SEQUENCE,
  type NumberFamily,
  newOrganizerNumber,
  numbersWithSequence,
  type ParsedServiceNumber,
  splitOrganizerNumber,
} from "../domain/registration-number";
import {
  type EndedRegistrationStatus,
  REGISTRATION_ENDING,
  type RegistrationStatus,
} from "../domain/registration-state";
import { beijingDateTime } from "../domain/time";
import { canonicalJson, type Vault } from "../lib/crypto";
import { newId } from "../lib/ids";
import { initialDispatch } from "../webhooks/outbox";
import type { FilingRow } from "./filings";

/**
 * What an approved filing does to registrations (docs/rules.md#numbers), as statements for the
 * approval's db.batch(). A new registration's number is decided before the batch (allocated by counters that move
 * at once, or the bureau's, checked) and written into it as a literal; the unique indexes on numbers, organizer
 * numbers, operating licences and organizers catch a concurrent approval that took the same one, and the approval
 * is tried again.
 */

type Statement = BatchItem<"sqlite">;

/** The public record's fields that come from the filing (docs/rules.md#public-lookup). */
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
    serviceNameSkeleton: nameSkeleton(request.service.name),
    contentTypeName: preApprovalNames.join(","),
    updateRecordTime: beijingDateTime(at),
    redacted: JSON.stringify(individual ? ["unitName"] : []),
  };
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

/** A service number a `new` approval issues, and the organizer row it goes under (null: the approval creates it). */
export type NumberToIssue = {
  /** Canonical service number, e.g. `粤ICP备2024012345号-1X` or `粤B2-20090059-1626X`. */
  number: string;
  family: NumberFamily;
  /** Its main licence, e.g. `粤ICP备2024012345号` or `粤B2-20090059`. */
  mainLicence: string;
  provinceCode: string;
  /** The main licence's digits. */
  digits: string;
  sequence: number;
  organizer: { id: string } | null;
  /** For an operating licence: the organizer holds it already (else the approval records it as the organizer's). */
  licenceHeld: boolean;
};

/** The organizer `blind` names and what the bureau-number rule needs to know about `parsed`, in one batched read. */
export async function bureauNumberFacts(
  db: Db,
  parsed: ParsedServiceNumber,
  organizer: { blind: string; provinceCode: string },
): Promise<{ facts: BureauNumberFacts; issue: NumberToIssue }> {
  const sameSequence = JSON.stringify(numbersWithSequence(parsed.mainLicence, parsed.sequence));
  const [own, licences, taken, filingHolder, licenceHolder, used] = await db.batch([
    db
      .select({ id: organizers.id, number: organizers.organizerNumber })
      .from(organizers)
      .where(eq(organizers.certificateBlind, organizer.blind))
      .limit(1),
    db
      .select({ mainLicence: organizerLicences.mainLicence })
      .from(organizerLicences)
      .innerJoin(organizers, eq(organizers.id, organizerLicences.organizerId))
      .where(eq(organizers.certificateBlind, organizer.blind)),
    db
      .select({ number: registrations.number })
      .from(registrations)
      .where(eq(registrations.number, parsed.normalized))
      .limit(1),
    db
      .select({ id: organizers.id })
      .from(organizers)
      .where(and(eq(organizers.organizerNumber, parsed.mainLicence), ne(organizers.certificateBlind, organizer.blind)))
      .limit(1),
    db
      .select({ id: organizers.id })
      .from(organizerLicences)
      .innerJoin(organizers, eq(organizers.id, organizerLicences.organizerId))
      .where(
        and(eq(organizerLicences.mainLicence, parsed.mainLicence), ne(organizers.certificateBlind, organizer.blind)),
      )
      .limit(1),
    db
      .select({ number: registrations.number })
      .from(registrations)
      .where(sql`${registrations.number} in (select value from json_each(${sameSequence}))`)
      .limit(1),
  ]);
  const row = own[0];
  const mainLicences = [...(row?.number ? [row.number] : []), ...licences.map((l) => l.mainLicence)];
  return {
    facts: {
      provinceCode: organizer.provinceCode,
      mainLicences,
      numberTaken: taken.length > 0,
      mainLicenceHeldByAnother: filingHolder.length > 0 || licenceHolder.length > 0,
      sequenceUsed: used.length > 0,
    },
    issue: {
      number: parsed.normalized,
      family: parsed.family,
      mainLicence: parsed.mainLicence,
      provinceCode: parsed.provinceCode,
      digits: parsed.digits,
      sequence: parsed.sequence,
      organizer: row ? { id: row.id } : null,
      licenceHeld: mainLicences.includes(parsed.mainLicence),
    },
  };
}

export type Allocation = { issue: NumberToIssue } | { exhausted: "organizer" | "province" };

/**
 * The next number for a `new` filing's organizer, beian acting as the bureau (development mode,
 * docs/rules.md#numbers): the organizer's next service sequence under its organizer number, or, for its first
 * approval, sequence 1 under the next organizer number of its province this year. The counters move at once,
 * outside the approval's batch, so a number spent on an approval that then fails leaves a gap (MIIT numbers are
 * not contiguous either) and none is handed out twice. The number itself is formatted by the domain.
 */
export async function allocateNumber(
  db: Db,
  input: { blind: string; provinceCode: string; at: Date },
): Promise<Allocation> {
  const at = input.at.toISOString();
  const [row] = await db
    .select({ id: organizers.id, province: organizers.province, digits: organizers.organizerDigits })
    .from(organizers)
    .where(eq(organizers.certificateBlind, input.blind))
    .limit(1);
  const provinceCode = row?.province ?? input.provinceCode;
  let digits = row?.digits ?? null;
  if (digits === null) {
    const year = beijingYear(input.at);
    const claimed = await claimOrganizerNumber(db, { blind: input.blind, provinceCode, year, at });
    if (claimed > MAX_ORGANIZER_SEQUENCE) return { exhausted: "province" };
    digits = newOrganizerNumber(year, claimed);
  }
  let sequence = 1;
  if (row) {
    const [next] = await db
      .update(organizers)
      .set({ lastSequence: sql`${organizers.lastSequence} + 1`, updatedAt: at })
      .where(and(eq(organizers.id, row.id), lt(organizers.lastSequence, MAX_SEQUENCE)))
      .returning({ sequence: organizers.lastSequence });
    if (!next) return { exhausted: "organizer" };
    sequence = next.sequence;
  }
  return {
    issue: {
      number: formatRegistrationNumber({ provinceCode, organizerNumber: digits, sequence }),
      family: "icp_filing",
      mainLicence: formatOrganizerNumber({ provinceCode, organizerNumber: digits }),
      provinceCode,
      digits,
      sequence,
      organizer: row ? { id: row.id } : null,
      licenceHeld: false,
    },
  };
}

/**
 * The organizer sequence claimed for the organizer `blind` in its province this year: the one it already holds,
 * or the province's counter moved on by one. Concurrent and repeated attempts at an organizer's first approval
 * thus share one organizer number. A claim for another province or an earlier year is dropped first.
 */
async function claimOrganizerNumber(
  db: Db,
  claim: { blind: string; provinceCode: string; year: number; at: string },
): Promise<number> {
  const claims = organizerNumberClaims;
  const counters = organizerNumberCounters;
  const unclaimed = sql`not exists (select 1 from ${claims} where ${claims.certificateBlind} = ${claim.blind})`;
  const counter = and(eq(counters.province, claim.provinceCode), eq(counters.year, claim.year));
  const [, , , held] = await db.batch([
    db
      .delete(claims)
      .where(
        and(
          eq(claims.certificateBlind, claim.blind),
          or(ne(claims.province, claim.provinceCode), ne(claims.year, claim.year)),
        ),
      ),
    db
      .insert(counters)
      .select(sql`select ${claim.provinceCode}, ${claim.year}, 1 where ${unclaimed}`)
      .onConflictDoUpdate({
        target: [counters.province, counters.year],
        set: { lastSequence: sql`${counters.lastSequence} + 1` },
      }),
    db.insert(claims).select(
      sql`select ${claim.blind}, ${counters.province}, ${counters.year}, ${counters.lastSequence}, ${claim.at}
          from ${counters} where ${counter} and ${unclaimed}`,
    ),
    db.select({ sequence: claims.sequence }).from(claims).where(eq(claims.certificateBlind, claim.blind)),
  ]);
  const sequence = held[0]?.sequence;
  if (sequence === undefined) throw new Error("organizer number claim not written");
  return sequence;
}

/**
 * A `new` filing approved: the organizer (created on its first approval; numbered if it was not and the number is
 * a filing number; holding the number's operating licence if it is one), the registration with the number decided
 * before the batch, its first version and its public record.
 */
export async function newRegistrationStatements(
  db: Db,
  vault: Vault,
  input: {
    filing: FilingRow;
    request: FilingSubmission;
    at: Date;
    issue: NumberToIssue;
    recipients: string[];
  },
): Promise<Statement[]> {
  const { filing, request, issue } = input;
  const at = input.at.toISOString();
  const blind = filing.organizerBlind ?? "";
  const fields = publicFields(request, input.at);
  const sealedOrganizer = await vault.seal(canonicalJson(request.organizer));
  const filingNumber = issue.family === "icp_filing";
  const statements: Statement[] = [];
  if (issue.organizer === null) {
    // A concurrent first approval of the same organizer makes this insert fail on the certificate: tried again.
    statements.push(
      db.insert(organizers).values({
        id: newId("org", input.at.getTime()),
        certificateBlind: blind,
        nature: request.organizer.nature,
        name: request.organizer.name,
        province: request.organizer.region.province.slice(0, 2),
        organizerNumber: filingNumber ? issue.mainLicence : null,
        organizerDigits: filingNumber ? issue.digits : null,
        lastSequence: filingNumber ? issue.sequence : 0,
        dataSealed: sealedOrganizer,
        createdAt: at,
        updatedAt: at,
      }),
    );
  } else if (filingNumber) {
    statements.push(
      db
        .update(organizers)
        .set({
          // An organizer known without its digits is numbered now; once numbered, it keeps its number for good.
          organizerNumber: sql`case when ${organizers.organizerDigits} is null then ${issue.mainLicence} else ${organizers.organizerNumber} end`,
          organizerDigits: sql`coalesce(${organizers.organizerDigits}, ${issue.digits})`,
          // A bureau-issued sequence may skip ahead; later allocations continue after the highest.
          lastSequence: sql`max(${organizers.lastSequence}, ${issue.sequence})`,
          updatedAt: at,
        })
        .where(eq(organizers.id, issue.organizer.id)),
    );
  }
  if (filingNumber) statements.push(...filingNumberStatements(db, { blind, issue }));
  else if (!issue.licenceHeld) {
    // The licence's primary key refuses a concurrent approval that gave it to another organizer: tried again,
    // and then judged taken.
    statements.push(
      db.insert(organizerLicences).values({
        mainLicence: issue.mainLicence,
        organizerId: sql`(select ${organizers.id} from ${organizers} where ${organizers.certificateBlind} = ${blind})`,
        createdAt: at,
      }),
    );
  }
  // Null, failing the batch, unless the organizer holds the number's main licence.
  const organizerId = filingNumber
    ? sql`(select ${organizers.id} from ${organizers}
        where ${organizers.certificateBlind} = ${blind} and ${organizers.organizerDigits} = ${issue.digits})`
    : sql`(select ${organizers.id} from ${organizers} join ${organizerLicences} on ${organizerLicences.organizerId} = ${organizers.id}
        where ${organizers.certificateBlind} = ${blind} and ${organizerLicences.mainLicence} = ${issue.mainLicence})`;
  statements.push(
    db.insert(registrations).values({
      number: issue.number,
      appId: filing.appId,
      organizerId,
      filingId: filing.id,
      status: "active",
      serviceName: fields.serviceName,
      serviceNameKey: fields.serviceNameKey,
      serviceNameSkeleton: fields.serviceNameSkeleton,
      sequence: filingNumber ? issue.sequence : null,
      version: 1,
      approvedAt: at,
      updatedAt: at,
    }),
    db.insert(registrationVersions).values({
      number: issue.number,
      version: 1,
      filingId: filing.id,
      serviceName: fields.serviceName,
      approvedAt: at,
    }),
    db.insert(publicRecords).values({
      serviceLicence: issue.number,
      mainLicence: issue.mainLicence,
      unitName: fields.unitName,
      unitNameKey: fields.unitNameKey,
      natureName: fields.natureName,
      serviceName: fields.serviceName,
      serviceNameKey: fields.serviceNameKey,
      serviceType: 7,
      contentTypeName: fields.contentTypeName,
      updateRecordTime: fields.updateRecordTime,
      status: "active",
      redacted: fields.redacted,
      version: 1,
    }),
    ...registrationEvents(db, input.recipients, "registration.issued", at, filing.id),
    ...relistStatements(db, filing.appId, at),
  );
  return statements;
}

/**
 * A filing number issued: province counters continue after it, and claims on it (or the organizer's own) are void.
 */
function filingNumberStatements(db: Db, input: { blind: string; issue: NumberToIssue }): Statement[] {
  const { blind, issue } = input;
  const statements: Statement[] = [];
  const split = splitOrganizerNumber(issue.digits);
  if (split !== null) {
    // Allocation continues after every organizer number of the province and year, the bureau's included.
    statements.push(
      db
        .insert(organizerNumberCounters)
        .values({ province: issue.provinceCode, year: split.year, lastSequence: split.sequence })
        .onConflictDoUpdate({
          target: [organizerNumberCounters.province, organizerNumberCounters.year],
          set: { lastSequence: sql`max(${organizerNumberCounters.lastSequence}, excluded.last_sequence)` },
        }),
    );
  }
  // The organizer is numbered now; a claim another organizer made on this same number (issued by the bureau
  // meanwhile) is void, and that organizer's approval claims again.
  const claims = organizerNumberClaims;
  statements.push(
    db
      .delete(claims)
      .where(
        or(
          eq(claims.certificateBlind, blind),
          split === null
            ? undefined
            : and(
                eq(claims.province, issue.provinceCode),
                eq(claims.year, split.year),
                eq(claims.sequence, split.sequence),
              ),
        ),
      ),
  );
  return statements;
}

/**
 * An app delisted for missing its deadline goes live again as soon as it is approved (docs/rules.md#apps), without waiting
 * for the cron; no other delisting is undone automatically. The event is written first, while the app still
 * reads as delisted-for-deadline.
 */
function relistStatements(db: Db, appId: string, at: string): Statement[] {
  const delistedForDeadline = sql`${apps.appId} = ${appId} and ${apps.listingStatus} = 'delisted' and ${apps.delistReason} = 'deadline'`;
  return [
    db.insert(events).select(
      sql`select null, ${newId("evt")}, ${apps.ownerAccountId}, 'app.relisted',
          json_object('appId', ${apps.appId}, 'registrationNumber', (select r.number from ${registrations} r where r.app_id = ${appId} and r.status = 'active')),
          ${at}, ${initialDispatch(sql`${apps.ownerAccountId}`, at)}
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
        json_object('number', number, 'appId', app_id, 'filingId', filing_id, 'status', status, 'version', version), ${at},
        ${initialDispatch(accountId, at)}
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
  const blind = filing.organizerBlind ?? "";
  const knownByName = sql`${organizers.certificateBlind} like ${`${organizerKeyOfLicence("")}%`}`;
  return [
    db
      .update(organizers)
      .set({
        name: request.organizer.name,
        nature: request.organizer.nature,
        dataSealed: sealedOrganizer,
        // An organizer imported without its certificate is known by it from now on, unless another holds it
        // (docs/rules.md#registration-import).
        certificateBlind: sql`case when ${knownByName} and ${blind} <> '' and not exists
          (select 1 from ${organizers} o where o.certificate_blind = ${blind}) then ${blind} else ${organizers.certificateBlind} end`,
        updatedAt: at,
      })
      .where(eq(organizers.id, registration.organizerId)),
    db
      .update(registrations)
      .set({
        serviceName: fields.serviceName,
        serviceNameKey: fields.serviceNameKey,
        serviceNameSkeleton: fields.serviceNameSkeleton,
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
    // The record changed in one statement, so the change feed shows it once, whole (its trigger writes a row per
    // statement that changes a record); then the organizer's other records.
    db
      .update(publicRecords)
      .set({
        serviceName: fields.serviceName,
        serviceNameKey: fields.serviceNameKey,
        contentTypeName: fields.contentTypeName,
        updateRecordTime: fields.updateRecordTime,
        unitName: fields.unitName,
        unitNameKey: fields.unitNameKey,
        natureName: fields.natureName,
        redacted: fields.redacted,
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
        and(
          ne(publicRecords.serviceLicence, registration.number),
          inArray(
            publicRecords.serviceLicence,
            db
              .select({ number: registrations.number })
              .from(registrations)
              .where(eq(registrations.organizerId, registration.organizerId)),
          ),
        ),
      ),
    ...registrationEvents(db, input.recipients, "registration.updated", at, filing.id),
  ];
}

/** `appId` and `ownerAccountId` are null for a registration imported without its app. */
export type EndedRegistration = {
  number: string;
  appId: string | null;
  ownerAccountId: string | null;
  listed: boolean;
};

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
    .leftJoin(apps, eq(apps.appId, registrations.appId))
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

/**
 * Ends registrations (cancelled, revoked or access removed) and takes their listed apps down, with the events
 * for each. An ended number stays in the database and is never issued again.
 */
export function endRegistrationStatements(
  db: Db,
  input: {
    ended: EndedRegistration[];
    status: EndedRegistrationStatus;
    at: Date;
    extraRecipients: string[];
  },
): Statement[] {
  if (input.ended.length === 0) return [];
  const at = input.at.toISOString();
  // One JSON parameter per list, however many registrations an organizer holds (D1 binds at most 100).
  const numbers = JSON.stringify(input.ended.map((e) => e.number));
  const listedApps = input.ended.flatMap((e) => (e.listed && e.appId !== null ? [e.appId] : []));
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
        .set({
          listingStatus: "delisted",
          delistedAt: at,
          delistReason: REGISTRATION_ENDING[input.status].delistReason,
          updatedAt: at,
        })
        .where(
          and(
            sql`${apps.appId} in (select value from json_each(${JSON.stringify(listedApps)}))`,
            eq(apps.listingStatus, "listed"),
          ),
        ),
    );
  }
  const rows: { id: string; accountId: string; type: string; data: string }[] = [];
  for (const e of input.ended) {
    const owner = e.ownerAccountId === null ? [] : [e.ownerAccountId];
    for (const accountId of new Set([...owner, ...input.extraRecipients])) {
      rows.push({
        id: newId("evt", input.at.getTime()),
        accountId,
        type: REGISTRATION_ENDING[input.status].event,
        data: JSON.stringify({ number: e.number, appId: e.appId, status: input.status }),
      });
      if (e.listed) {
        rows.push({
          id: newId("evt", input.at.getTime()),
          accountId,
          type: "app.delisted",
          data: JSON.stringify({ appId: e.appId, reason: REGISTRATION_ENDING[input.status].delistReason }),
        });
      }
    }
  }
  // Every event in one statement, the rows bound as one JSON list however many an organizer's cancellation ends.
  statements.push(
    db.insert(events).select(
      sql`select null, e.value ->> 'id', e.value ->> 'accountId', e.value ->> 'type', e.value ->> 'data', ${at},
        ${initialDispatch(sql`e.value ->> 'accountId'`, at)}
      from json_each(${JSON.stringify(rows)}) e`,
    ),
  );
  return statements;
}

/** A registration a bureau sync names, with its app and whether that app holds another active registration. */
export type SyncedRegistration = EndedRegistration & {
  status: RegistrationStatus;
  appHasOtherActive: boolean;
};

/** The registrations of `numbers` (normalized), read in one query (docs/rules.md#bureau-sync). */
export async function readSyncFacts(db: Db, numbers: readonly string[]): Promise<Map<string, SyncedRegistration>> {
  const rows = await db.all<{
    number: string;
    status: RegistrationStatus;
    app_id: string | null;
    owner_account_id: string | null;
    listing_status: string | null;
    other_active: number;
  }>(sql`select r.number, r.status, r.app_id, a.owner_account_id, a.listing_status,
      exists (select 1 from registrations o where o.app_id = r.app_id and o.number != r.number
              and o.status = 'active') as other_active
    from registrations r left join apps a on a.app_id = r.app_id
    where r.number in (select value from json_each(${JSON.stringify(numbers)}))`);
  return new Map(
    rows.map((r) => [
      r.number,
      {
        number: r.number,
        status: r.status,
        appId: r.app_id,
        ownerAccountId: r.owner_account_id,
        listed: r.listing_status === "listed",
        appHasOtherActive: r.other_active === 1,
      },
    ]),
  );
}

/**
 * Brings ended registrations back to active, as the bureau reported (docs/rules.md#bureau-sync): the registration
 * and its public record are active again and the app's owner is told with `registration.reinstated`. The app stays
 * as it is (a delisted app is listed again by its owner, the listing gate now passing). Each registration moves only
 * if it is still ended and its app still holds no other active one.
 */
export function reinstateStatements(db: Db, reinstated: readonly EndedRegistration[], at: Date): Statement[] {
  if (reinstated.length === 0) return [];
  const when = at.toISOString();
  const numbers = JSON.stringify(reinstated.map((r) => r.number));
  // A registration imported without its app has no owner to tell.
  const rows = reinstated
    .flatMap((r) => (r.ownerAccountId === null ? [] : [{ ...r, ownerAccountId: r.ownerAccountId }]))
    .map((r) => ({
      id: newId("evt", at.getTime()),
      accountId: r.ownerAccountId,
      type: "registration.reinstated",
      data: JSON.stringify({ number: r.number, appId: r.appId, status: "active" }),
    }));
  return [
    db
      .update(registrations)
      .set({ status: "active", updatedAt: when })
      .where(
        and(
          sql`${registrations.number} in (select value from json_each(${numbers}))`,
          ne(registrations.status, "active"),
          // Qualified by hand: inside the subquery, a bare column would name the alias's.
          sql`not exists (select 1 from registrations o where o.app_id = "registrations"."app_id"
                and o.number != "registrations"."number" and o.status = 'active')`,
        ),
      ),
    db
      .update(publicRecords)
      .set({ status: "active", updateRecordTime: beijingDateTime(at), version: sql`${publicRecords.version} + 1` })
      .where(sql`${publicRecords.serviceLicence} in (select value from json_each(${numbers}))`),
    db.insert(events).select(
      sql`select null, e.value ->> 'id', e.value ->> 'accountId', e.value ->> 'type', e.value ->> 'data', ${when},
        ${initialDispatch(sql`e.value ->> 'accountId'`, when)}
      from json_each(${JSON.stringify(rows)}) e`,
    ),
  ];
}

/**
 * An app's registration as its read-back shows it (docs/rules.md#read-back): the active one, else the latest, with
 * the request it was approved with (sealed and masked, from the filing that last changed it) or, for one imported and
 * not changed since, what the import brought (its organizer, sealed). Undefined when the app never had one.
 */
export async function registrationWithRequest(db: Db, appId: string) {
  const [row] = await db
    .select({
      number: registrations.number,
      status: registrations.status,
      approvedAt: registrations.approvedAt,
      source: registrations.source,
      serviceName: registrations.serviceName,
      requestSealed: filings.requestSealed,
      requestMasked: filings.requestMasked,
      organizerSealed: organizers.dataSealed,
    })
    .from(registrations)
    .innerJoin(organizers, eq(organizers.id, registrations.organizerId))
    .leftJoin(filings, eq(filings.id, registrations.filingId))
    .where(eq(registrations.appId, appId))
    .orderBy(sql`${registrations.status} = 'active' desc`, sql`${registrations.approvedAt} desc`)
    .limit(1);
  return row;
}
