import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import {
  apps,
  events,
  organizerLicences,
  organizerNumberClaims,
  organizerNumberCounters,
  organizers,
  publicRecords,
  registrations,
  registrationVersions,
} from "../db/schema";
import { sqlList, sqlNewId } from "../db/sql";
import type { StoredOrganizer, StoredRegistration } from "../domain/registration-import";
import type { NumberFamily } from "../domain/registration-number";
import type { RegistrationSource, RegistrationStatus } from "../domain/registration-state";
import { initialDispatch } from "../webhooks/outbox";

/**
 * The stored side of a registration import (docs/rules.md#registration-import): what the rows are judged against,
 * read for a whole call in one round trip, and the writes, as statements for one db.batch() however many rows a call
 * carries (lists travel as JSON parameters, a few hundred rows a statement).
 */

type Statement = BatchItem<"sqlite">;

/** Rows per statement: each statement's JSON parameter stays far under D1's limits on a value. */
const CHUNK = 250;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export type RegistrationImportReads = {
  existing: Map<string, StoredRegistration>;
  /** Main licence → the organizer holding it (its filing number or one of its operating licences). */
  holders: Map<string, StoredOrganizer>;
  /** Organizer key → organizer. */
  organizers: Map<string, StoredOrganizer>;
  apps: Map<string, { exists: true; activeNumber: string | null }>;
};

const organizerColumns = {
  id: organizers.id,
  key: organizers.certificateBlind,
  name: organizers.name,
  province: organizers.province,
  organizerNumber: organizers.organizerNumber,
};

/** Everything an import call's rows are judged against, in one batch of five queries. */
export async function readRegistrationImportFacts(
  db: Db,
  input: { numbers: string[]; mainLicences: string[]; keys: string[]; appIds: string[] },
): Promise<RegistrationImportReads> {
  const [existing, filingHolders, licenceHolders, known, appRows] = await db.batch([
    db
      .select({
        number: registrations.number,
        source: registrations.source,
        filingId: registrations.filingId,
        appId: registrations.appId,
        organizerId: registrations.organizerId,
        status: registrations.status,
        serviceName: registrations.serviceName,
        approvedAt: registrations.approvedAt,
        contentTypeName: publicRecords.contentTypeName,
        organizerNature: organizers.nature,
        organizerName: organizers.name,
      })
      .from(registrations)
      .innerJoin(organizers, eq(organizers.id, registrations.organizerId))
      .leftJoin(publicRecords, eq(publicRecords.serviceLicence, registrations.number))
      .where(sql`${registrations.number} in ${sqlList(input.numbers)}`),
    db
      .select({ mainLicence: organizers.organizerNumber, ...organizerColumns })
      .from(organizers)
      .where(sql`${organizers.organizerNumber} in ${sqlList(input.mainLicences)}`),
    db
      .select({ mainLicence: organizerLicences.mainLicence, ...organizerColumns })
      .from(organizerLicences)
      .innerJoin(organizers, eq(organizers.id, organizerLicences.organizerId))
      .where(sql`${organizerLicences.mainLicence} in ${sqlList(input.mainLicences)}`),
    db
      .select(organizerColumns)
      .from(organizers)
      .where(sql`${organizers.certificateBlind} in ${sqlList(input.keys)}`),
    db
      .select({
        appId: apps.appId,
        // Qualified by hand: drizzle leaves select-list columns of a single-table query unqualified.
        activeNumber: sql<string | null>`(select "registrations"."number" from "registrations"
          where "registrations"."app_id" = "apps"."app_id" and "registrations"."status" = 'active' limit 1)`,
      })
      .from(apps)
      .where(sql`${apps.appId} in ${sqlList(input.appIds)}`),
  ]);
  const organizerOf = (o: (typeof known)[number]): StoredOrganizer => ({
    id: o.id,
    key: o.key,
    name: o.name,
    province: o.province,
    organizerNumber: o.organizerNumber,
  });
  return {
    existing: new Map(
      existing.map((r) => [
        r.number,
        {
          source: r.source,
          filingId: r.filingId,
          appId: r.appId,
          organizerId: r.organizerId,
          status: r.status,
          serviceName: r.serviceName,
          contentTypeName: r.contentTypeName ?? "",
          approvedAt: r.approvedAt,
          organizerNature: r.organizerNature,
          organizerName: r.organizerName,
        },
      ]),
    ),
    holders: new Map(
      [...filingHolders, ...licenceHolders].flatMap((h) =>
        h.mainLicence === null ? [] : [[h.mainLicence, organizerOf(h)] as const],
      ),
    ),
    organizers: new Map(known.map((o) => [o.key, organizerOf(o)])),
    apps: new Map(appRows.map((a) => [a.appId, { exists: true as const, activeNumber: a.activeNumber }])),
  };
}

/** An organizer an import writes: a new one (fresh id) or a stored one, by id. */
export type ImportedOrganizer = {
  id: string;
  /** Its key as stored from now on. */
  key: string;
  nature: string;
  name: string;
  province: string;
  /** Its filing number and digits, when a row numbers it under one. */
  organizerNumber: string | null;
  organizerDigits: string | null;
  /** The highest service sequence of its rows under its filing number (0 for none). */
  lastSequence: number;
  /** The organizer part of the row, sealed (it may carry a certificate number). */
  dataSealed: string;
  /** How every public record of the organizer shows it (docs/rules.md#public-lookup). */
  unitName: string;
  unitNameKey: string | null;
  natureName: string;
  redacted: string;
};

/** A registration an import writes, with its public record's fields. */
export type ImportedRegistration = {
  number: string;
  family: NumberFamily;
  mainLicence: string;
  /** The service sequence under a filing number; null under an operating licence. */
  sequence: number | null;
  appId: string | null;
  organizerKey: string;
  status: RegistrationStatus;
  serviceName: string;
  serviceNameKey: string;
  serviceNameSkeleton: string;
  approvedAt: string;
  /** The public record (docs/rules.md#public-lookup): unit name masked for individuals. */
  unitName: string;
  unitNameKey: string | null;
  natureName: string;
  contentTypeName: string;
  updateRecordTime: string;
  redacted: string;
};

const SOURCE: RegistrationSource = "imported";

/**
 * The writes of an import (docs/rules.md#registration-import): organizers created or updated (numbered, known by
 * their certificate from now on), main licences reserved (operating licences recorded, allocation counters moved past
 * 10-digit filing numbers, claims on them void), registrations and their first versions and public records written
 * or replaced, and apps delisted for the deadline listed again, with `app.relisted`.
 */
export function registrationImportStatements(
  db: Db,
  input: {
    organizers: ImportedOrganizer[];
    /** Operating licences not yet recorded as their organizer's, with that organizer's key. */
    licences: { mainLicence: string; key: string }[];
    /** 10-digit filing numbers written: province, year and organizer sequence. */
    filingNumbers: { province: string; year: number; sequence: number }[];
    registrations: ImportedRegistration[];
    at: string;
  },
): Statement[] {
  const { at } = input;
  const statements: Statement[] = [];
  for (const chunk of chunks(input.organizers)) {
    statements.push(
      db
        .insert(organizers)
        .select(
          sql`select j.value ->> 'id', j.value ->> 'key', j.value ->> 'nature', j.value ->> 'name', j.value ->> 'province',
            j.value ->> 'organizerNumber', j.value ->> 'organizerDigits', j.value ->> 'lastSequence',
            j.value ->> 'dataSealed', ${at}, ${at}
          from json_each(${JSON.stringify(chunk)}) j where true`,
        )
        .onConflictDoUpdate({
          target: organizers.id,
          set: {
            certificateBlind: sql`excluded.certificate_blind`,
            nature: sql`excluded.nature`,
            name: sql`excluded.name`,
            // Once numbered, an organizer keeps its filing number; a sequence may skip ahead, never back.
            organizerNumber: sql`coalesce(${organizers.organizerNumber}, excluded.organizer_number)`,
            organizerDigits: sql`coalesce(${organizers.organizerDigits}, excluded.organizer_digits)`,
            lastSequence: sql`max(${organizers.lastSequence}, excluded.last_sequence)`,
            updatedAt: at,
          },
        }),
    );
  }
  for (const chunk of chunks(input.licences)) {
    // The licence's primary key refuses one a concurrent writer gave to another organizer: the call fails whole.
    statements.push(
      db.insert(organizerLicences).select(
        sql`select j.value ->> 'mainLicence',
            (select o.id from ${organizers} o where o.certificate_blind = j.value ->> 'key'), ${at}
          from json_each(${JSON.stringify(chunk)}) j where true`,
      ),
    );
  }
  if (input.filingNumbers.length > 0) {
    const numbers = JSON.stringify(input.filingNumbers);
    // Allocation continues after every filing number of a province and year, the imported ones included.
    statements.push(
      db
        .insert(organizerNumberCounters)
        .select(
          sql`select j.value ->> 'province', j.value ->> 'year', max(j.value ->> 'sequence')
            from json_each(${numbers}) j where true group by 1, 2`,
        )
        .onConflictDoUpdate({
          target: [organizerNumberCounters.province, organizerNumberCounters.year],
          set: { lastSequence: sql`max(${organizerNumberCounters.lastSequence}, excluded.last_sequence)` },
        }),
      // A claim an organizer holds on one of these numbers is void: its approval claims again.
      db.delete(organizerNumberClaims).where(
        sql`exists (select 1 from json_each(${numbers}) j where j.value ->> 'province' = ${organizerNumberClaims.province}
            and j.value ->> 'year' = ${organizerNumberClaims.year} and j.value ->> 'sequence' = ${organizerNumberClaims.sequence})`,
      ),
    );
  }
  const keys = JSON.stringify(input.organizers.map((o) => o.key));
  statements.push(
    // The organizers are numbered now: what they claimed for a first approval is void.
    db
      .delete(organizerNumberClaims)
      .where(sql`${organizerNumberClaims.certificateBlind} in (select value from json_each(${keys}))`),
  );
  for (const chunk of chunks(input.registrations)) {
    const rows = JSON.stringify(chunk);
    statements.push(
      db
        .insert(registrations)
        .select(
          sql`select j.value ->> 'number', j.value ->> 'appId',
            (select o.id from ${organizers} o where o.certificate_blind = j.value ->> 'organizerKey'),
            null, ${SOURCE}, j.value ->> 'status', j.value ->> 'serviceName', j.value ->> 'serviceNameKey',
            j.value ->> 'serviceNameSkeleton', j.value ->> 'sequence', 1, j.value ->> 'approvedAt', ${at}
          from json_each(${rows}) j where true`,
        )
        .onConflictDoUpdate({
          target: registrations.number,
          set: {
            appId: sql`excluded.app_id`,
            organizerId: sql`excluded.organizer_id`,
            status: sql`excluded.status`,
            serviceName: sql`excluded.service_name`,
            serviceNameKey: sql`excluded.service_name_key`,
            serviceNameSkeleton: sql`excluded.service_name_skeleton`,
            sequence: sql`excluded.sequence`,
            approvedAt: sql`excluded.approved_at`,
            updatedAt: at,
          },
          // Only an imported registration no filing has changed is replaced (docs/rules.md#registration-import).
          setWhere: sql`${registrations.source} = ${SOURCE} and ${registrations.filingId} is null`,
        }),
      db
        .insert(registrationVersions)
        .select(
          sql`select j.value ->> 'number', 1, null, j.value ->> 'serviceName', j.value ->> 'approvedAt'
          from json_each(${rows}) j where true`,
        )
        .onConflictDoUpdate({
          target: [registrationVersions.number, registrationVersions.version],
          set: { serviceName: sql`excluded.service_name`, approvedAt: sql`excluded.approved_at` },
          setWhere: sql`${registrationVersions.filingId} is null`,
        }),
      db
        .insert(publicRecords)
        .select(
          sql`select j.value ->> 'number', j.value ->> 'mainLicence', j.value ->> 'unitName', j.value ->> 'unitNameKey',
            j.value ->> 'natureName', j.value ->> 'serviceName', j.value ->> 'serviceNameKey', 7,
            j.value ->> 'contentTypeName', j.value ->> 'updateRecordTime', j.value ->> 'status', j.value ->> 'redacted', 1
          from json_each(${rows}) j where true`,
        )
        .onConflictDoUpdate({
          target: publicRecords.serviceLicence,
          set: {
            unitName: sql`excluded.unit_name`,
            unitNameKey: sql`excluded.unit_name_key`,
            natureName: sql`excluded.nature_name`,
            serviceName: sql`excluded.service_name`,
            serviceNameKey: sql`excluded.service_name_key`,
            contentTypeName: sql`excluded.content_type_name`,
            updateRecordTime: sql`excluded.update_record_time`,
            status: sql`excluded.status`,
            redacted: sql`excluded.redacted`,
            version: sql`${publicRecords.version} + 1`,
          },
        }),
    );
  }
  for (const chunk of chunks(input.organizers)) {
    // The organizer's name and nature as the import gives them, on every public record of the organizer (its
    // registrations outside this call included), as a change filing does.
    const shown = JSON.stringify(
      chunk.map((o) => ({
        key: o.key,
        unitName: o.unitName,
        unitNameKey: o.unitNameKey,
        natureName: o.natureName,
        redacted: o.redacted,
      })),
    );
    statements.push(
      db
        .update(publicRecords)
        .set({
          unitName: sql`x.unit_name`,
          unitNameKey: sql`x.unit_name_key`,
          natureName: sql`x.nature_name`,
          redacted: sql`x.redacted`,
        })
        .from(
          sql`(select r.number as number, j.value ->> 'unitName' as unit_name, j.value ->> 'unitNameKey' as unit_name_key,
                j.value ->> 'natureName' as nature_name, j.value ->> 'redacted' as redacted
              from json_each(${shown}) j
              join ${organizers} o on o.certificate_blind = j.value ->> 'key'
              join ${registrations} r on r.organizer_id = o.id) x`,
        )
        .where(sql`${publicRecords.serviceLicence} = x.number`),
    );
  }
  const relisting = input.registrations.flatMap((r) =>
    r.status === "active" && r.appId !== null ? [{ appId: r.appId, number: r.number }] : [],
  );
  if (relisting.length > 0) {
    const list = JSON.stringify(relisting);
    const delistedForDeadline = sql`${apps.listingStatus} = 'delisted' and ${apps.delistReason} = 'deadline'`;
    // An app delisted for its deadline goes live again once it holds an active registration (docs/rules.md#apps);
    // the event is written first, while the app still reads as delisted.
    statements.push(
      db.insert(events).select(
        sql`select null, ${sqlNewId("evt")}, a.owner_account_id, 'app.relisted',
            json_object('appId', a.app_id, 'registrationNumber', j.value ->> 'number'), ${at},
            ${initialDispatch(sql`a.owner_account_id`, at)}
          from json_each(${list}) j join ${apps} a on a.app_id = j.value ->> 'appId'
          where a.listing_status = 'delisted' and a.delist_reason = 'deadline'`,
      ),
      db
        .update(apps)
        .set({ listingStatus: "listed", delistedAt: null, delistReason: null, updatedAt: at })
        .where(sql`${apps.appId} in (select j.value ->> 'appId' from json_each(${list}) j) and ${delistedForDeadline}`),
    );
  }
  return statements;
}
