import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { FILING_STATUSES, FILING_TYPES, IN_FLIGHT } from "../domain/filing-state";
import { PUBLIC_CHANGES, REGISTRATION_SOURCES, REGISTRATION_STATUSES } from "../domain/registration-state";
import { SMS_PERSON_STATUSES, SMS_ROLES } from "../domain/sms-verification";
import { sqlLiteralList } from "./sql";

/**
 * Times are stored as ISO 8601 UTC strings (`2026-11-23T07:00:00.000Z`): they sort as text,
 * read well in `wrangler d1 execute`, and compare directly with the scheduled time of a cron run.
 * Personal data (certificate numbers, mobiles, emergency contacts, emails) is never stored in the clear:
 * `*_sealed` columns hold AES-256-GCM ciphertext with its key id, `*_blind` columns an HMAC blind index
 * for equality checks (src/lib/crypto.ts).
 */

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  role: text("role", { enum: ["developer", "provider", "reviewer", "regulator", "admin"] }).notNull(),
  createdAt: text("created_at").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    /** SHA-256 of the whole key, hex; the key itself is shown once and never stored. */
    keyHash: text("key_hash").notNull(),
    /** The first characters of the key, so a holder can tell keys apart in a listing. */
    prefix: text("prefix").notNull(),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_key_hash").on(t.keyHash), index("api_keys_account").on(t.accountId)],
);

/**
 * Console sessions signed out before they expired (docs/rules.md#consoles): a session cookie names its `sid`, and one
 * listed here is refused even though its signature still holds. A row is only needed until `expires_at`, the
 * session's own expiry; signing out clears the rows past theirs.
 */
export const consoleSignouts = sqliteTable(
  "console_signouts",
  {
    sid: text("sid").primaryKey(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("console_signouts_expires").on(t.expiresAt)],
);

/** 小程序 mini programs. */
export const apps = sqliteTable(
  "apps",
  {
    appId: text("app_id").primaryKey(),
    name: text("name").notNull(),
    ownerAccountId: text("owner_account_id")
      .notNull()
      .references(() => accounts.id),
    listingStatus: text("listing_status", { enum: ["unlisted", "listed", "delisted"] })
      .notNull()
      .default("unlisted"),
    listedAt: text("listed_at"),
    delistedAt: text("delisted_at"),
    delistReason: text("delist_reason"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("apps_owner").on(t.ownerAccountId, t.appId),
    // Enforcement walks listed apps in app_id order from a cursor, 500 at a time: this index serves that walk
    // without sorting (the cutoff on listed_at is checked per row).
    index("apps_listed").on(t.listingStatus, t.appId),
  ],
);

/** An owner lets a provider (服务商) file for one of its apps. */
export const appGrants = sqliteTable(
  "app_grants",
  {
    appId: text("app_id")
      .notNull()
      .references(() => apps.appId),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.accountId] }), index("app_grants_account").on(t.accountId)],
);

/** GB/T 2260 administrative divisions, loaded by a migration generated from the region data package. */
export const regions = sqliteTable(
  "regions",
  {
    code: text("code").primaryKey(),
    name: text("name").notNull(),
    level: text("level", { enum: ["province", "city", "district"] }).notNull(),
    parentCode: text("parent_code"),
  },
  (t) => [index("regions_parent").on(t.parentCode)],
);

/** 主办者 organizers known from approved filings, identified by their certificate. */
export const organizers = sqliteTable(
  "organizers",
  {
    id: text("id").primaryKey(),
    certificateBlind: text("certificate_blind").notNull(),
    nature: text("nature").notNull(),
    name: text("name").notNull(),
    /** Two-digit GB/T 2260 province prefix, e.g. `44`. One organizer files in exactly one province. */
    province: text("province").notNull(),
    /** 主体备案号, e.g. `粤ICP备2024012345号`; issued with the first approval. */
    organizerNumber: text("organizer_number"),
    /** Its digits: 4-digit year + 6-digit sequence when beian allocates it, or what the bureau sent (8 or 10 digits). */
    organizerDigits: text("organizer_digits"),
    /**
     * The last service sequence handed out under this organizer, allocated or the bureau's: shared by all its
     * services and never handed out again (one spent on an approval that then failed leaves a gap).
     */
    lastSequence: integer("last_sequence").notNull().default(0),
    /** The organizer part of the last approved filing, sealed (it carries personal data). */
    dataSealed: text("data_sealed").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("organizers_certificate").on(t.certificateBlind),
    uniqueIndex("organizers_number").on(t.organizerNumber),
    uniqueIndex("organizers_digits").on(t.province, t.organizerDigits),
  ],
);

/**
 * The operating licences an organizer's services are numbered under (ICP证, B1, B2: docs/rules.md#numbers), beside
 * its filing number in `organizers.organizer_number`. A main licence belongs to one organizer only; one organizer
 * may hold several.
 */
export const organizerLicences = sqliteTable(
  "organizer_licences",
  {
    /** Canonical main licence, e.g. `粤B2-20090059` or `京ICP证030173号`. */
    mainLicence: text("main_licence").primaryKey(),
    organizerId: text("organizer_id")
      .notNull()
      .references(() => organizers.id),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("organizer_licences_organizer").on(t.organizerId)],
);

/**
 * Development-mode allocation of organizer numbers, beian acting as the bureau (docs/rules.md#numbers): the last
 * organizer sequence of each province and year, bureau-issued 10-digit numbers included, so that allocation
 * continues after every number of that province and year.
 */
export const organizerNumberCounters = sqliteTable(
  "organizer_number_counters",
  {
    /** Two-digit GB/T 2260 province code. */
    province: text("province").notNull(),
    year: integer("year").notNull(),
    lastSequence: integer("last_sequence").notNull(),
  },
  (t) => [primaryKey({ columns: [t.province, t.year] })],
);

/**
 * An organizer number allocated for an organizer whose first approval has not committed yet, keyed by the
 * organizer's certificate blind index. Every attempt at that approval, concurrent or repeated, uses the same
 * number, so approvals racing for one new organizer spend one number; the approval that commits deletes it.
 */
export const organizerNumberClaims = sqliteTable(
  "organizer_number_claims",
  {
    certificateBlind: text("certificate_blind").primaryKey(),
    province: text("province").notNull(),
    year: integer("year").notNull(),
    sequence: integer("sequence").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("organizer_number_claims_number").on(t.province, t.year, t.sequence)],
);

/** 备案记录: an approved mini program filing and its number. */
export const registrations = sqliteTable(
  "registrations",
  {
    number: text("number").primaryKey(),
    /** Null for a registration imported without its app (docs/rules.md#registration-import). */
    appId: text("app_id").references(() => apps.appId),
    organizerId: text("organizer_id")
      .notNull()
      .references(() => organizers.id),
    /** The filing last approved for it; null for an imported registration no filing has changed yet. */
    filingId: text("filing_id"),
    /** `beian` issued the number itself; `imported` came with the platform's catalogue (docs/rules.md#registration-import). */
    source: text("source", { enum: REGISTRATION_SOURCES }).notNull().default("beian"),
    status: text("status", { enum: REGISTRATION_STATUSES }).notNull(),
    serviceName: text("service_name").notNull(),
    /** NFKC, trimmed, case-folded service name (`serviceNameKey`). */
    serviceNameKey: text("service_name_key").notNull(),
    /**
     * The service name's skeleton (`nameSkeleton`, UTS #39), what SERVICE_NAME_TAKEN compares. Null only on rows
     * written before it existed, until the cron fills it (src/jobs/name-skeletons.ts).
     */
    serviceNameSkeleton: text("service_name_skeleton"),
    /**
     * The service sequence under the organizer's filing number (the `-N` of the number), unique per organizer; null
     * for a number under an operating licence, whose sequences are the licence's (the number itself is unique).
     */
    sequence: integer("sequence"),
    version: integer("version").notNull().default(1),
    approvedAt: text("approved_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("registrations_sequence").on(t.organizerId, t.sequence),
    index("registrations_filing").on(t.filingId),
    index("registrations_app").on(t.appId, t.status),
    index("registrations_organizer").on(t.organizerId, t.status),
    index("registrations_service_name").on(t.serviceNameKey, t.status),
    index("registrations_service_name_skeleton").on(t.serviceNameSkeleton, t.status),
  ],
);

/** Every approved version of a registration's data: a change keeps the number and adds a version. */
export const registrationVersions = sqliteTable(
  "registration_versions",
  {
    number: text("number").notNull(),
    version: integer("version").notNull(),
    /** Null for the version an import wrote. */
    filingId: text("filing_id"),
    serviceName: text("service_name").notNull(),
    approvedAt: text("approved_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.number, t.version] })],
);

/**
 * What the public lookup serves (docs/rules.md#public-lookup), one row per registration number, written in the batch that changes the
 * registration: a number lookup is one primary-key read, and no private column is ever in reach of a public route.
 * Field names follow MIIT's query.
 */
export const publicRecords = sqliteTable(
  "public_records",
  {
    serviceLicence: text("service_licence").primaryKey(),
    mainLicence: text("main_licence").notNull(),
    /** Masked (张**) for individual organizers. */
    unitName: text("unit_name").notNull(),
    /** Normalized organization name for search; null for individuals, who cannot be searched by name. */
    unitNameKey: text("unit_name_key"),
    natureName: text("nature_name").notNull(),
    serviceName: text("service_name").notNull(),
    serviceNameKey: text("service_name_key").notNull(),
    serviceType: integer("service_type").notNull(),
    contentTypeName: text("content_type_name").notNull(),
    updateRecordTime: text("update_record_time").notNull(),
    status: text("status", { enum: REGISTRATION_STATUSES }).notNull(),
    /** JSON array of the fields withheld by policy, e.g. ["unitName"]. */
    redacted: text("redacted").notNull().default("[]"),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("public_records_main").on(t.mainLicence),
    index("public_records_service_name").on(t.serviceNameKey),
    index("public_records_unit_name").on(t.unitNameKey),
  ],
);

/**
 * The change feed (docs/rules.md#public-lookup): one row per change to a public record, the record as it was after
 * it. Written by triggers on `public_records` (migration public-changes-triggers), so every writer's change lands in the statement — and
 * the batch — that makes it; `seq` is the commit order.
 */
export const publicChanges = sqliteTable("public_changes", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  change: text("change", { enum: PUBLIC_CHANGES }).notNull(),
  at: text("at").notNull(),
  serviceLicence: text("service_licence").notNull(),
  mainLicence: text("main_licence").notNull(),
  unitName: text("unit_name").notNull(),
  natureName: text("nature_name").notNull(),
  serviceName: text("service_name").notNull(),
  serviceType: integer("service_type").notNull(),
  contentTypeName: text("content_type_name").notNull(),
  updateRecordTime: text("update_record_time").notNull(),
  status: text("status", { enum: REGISTRATION_STATUSES }).notNull(),
  redacted: text("redacted").notNull(),
});

/**
 * The public registry's daily exports (docs/rules.md#public-lookup), one row per Beijing date: written a chunk at a
 * time across scheduled runs, each chunk an object in the EXPORTS bucket (`parts`, in order: together one gzip
 * file), and finished when
 * `sha256` and `finishedAt` are set. `partCount` guards a chunk's append against a run that appended meanwhile.
 */
export const registryExports = sqliteTable("registry_exports", {
  date: text("date").primaryKey(),
  startedAt: text("started_at").notNull(),
  /** The last service number written: the next chunk starts after it. */
  cursor: text("cursor"),
  /** JSON array of `{key, bytes}`, the objects whose concatenation is the file. */
  parts: text("parts").notNull().default("[]"),
  partCount: integer("part_count").notNull().default(0),
  rows: integer("rows").notNull().default(0),
  /** Size of the gzip file so far. */
  bytes: integer("bytes").notNull().default(0),
  /** The CSV text so far: its CRC-32 and length, which the gzip trailer carries (src/lib/gzip-segments.ts). */
  textCrc32: integer("text_crc32").notNull().default(0),
  textBytes: integer("text_bytes").notNull().default(0),
  sha256: text("sha256"),
  finishedAt: text("finished_at"),
});

export const filings = sqliteTable(
  "filings",
  {
    id: text("id").primaryKey(),
    type: text("type", { enum: FILING_TYPES }).notNull(),
    appId: text("app_id")
      .notNull()
      .references(() => apps.appId),
    status: text("status", { enum: FILING_STATUSES }).notNull(),
    submitterAccountId: text("submitter_account_id")
      .notNull()
      .references(() => accounts.id),
    /** Blind index of the organizer's certificate (null for cancel filings, which name no organizer). */
    organizerBlind: text("organizer_blind"),
    organizerNature: text("organizer_nature"),
    organizerProvince: text("organizer_province"),
    serviceName: text("service_name"),
    serviceNameKey: text("service_name_key"),
    /** As on registrations: the skeleton SERVICE_NAME_TAKEN compares; null for cancellations and older rows. */
    serviceNameSkeleton: text("service_name_skeleton"),
    /** For cancellations: `service`, `organizer` or `access` (docs/rules.md#cancellation). */
    cancelScope: text("cancel_scope", { enum: ["service", "organizer", "access"] }),
    /** The whole request as submitted, sealed. */
    requestSealed: text("request_sealed").notNull(),
    /** The request with personal data masked, as owners see it. */
    requestMasked: text("request_masked").notNull(),
    /** Rejection reasons `[{field, error, suggest}]`, JSON. */
    reasons: text("reasons").notNull().default("[]"),
    registrationNumber: text("registration_number"),
    smsDeadline: text("sms_deadline"),
    /**
     * The SMS confirmations as owners see them (`[{role, mobile (masked), status, wrongAttempts, updatedAt}]`, JSON),
     * written with every change of `filing_sms_verifications`, as `request_masked` is beside the sealed request.
     */
    smsVerifications: text("sms_verifications").notNull().default("[]"),
    /** The ended filing this one corrects (POST /v1/filings/{id}/resubmit), if it is a resubmission. */
    resubmittedFrom: text("resubmitted_from"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    // One filing in flight per app, enforced by the database so concurrent submissions cannot both win.
    uniqueIndex("filings_one_in_flight")
      .on(t.appId)
      .where(sql`status in ${sqlLiteralList(IN_FLIGHT)}`),
    index("filings_app").on(t.appId, t.id),
    index("filings_submitter").on(t.submitterAccountId, t.id),
    index("filings_status").on(t.status, t.id),
    index("filings_organizer").on(t.organizerBlind, t.status),
    index("filings_service_name").on(t.serviceNameKey, t.status),
    index("filings_service_name_skeleton").on(t.serviceNameSkeleton, t.status),
  ],
);

/**
 * The people named by a filing, by blind index only: MOBILE_SHARED compares a mobile's holder across
 * open filings and active registrations without decrypting anything.
 */
export const filingPeople = sqliteTable(
  "filing_people",
  {
    filingId: text("filing_id")
      .notNull()
      .references(() => filings.id),
    role: text("role", { enum: ["organizer_principal", "service_principal", "legal_representative"] }).notNull(),
    certificateBlind: text("certificate_blind").notNull(),
    mobileBlind: text("mobile_blind"),
  },
  (t) => [primaryKey({ columns: [t.filingId, t.role] }), index("filing_people_mobile").on(t.mobileBlind)],
);

/**
 * Who must confirm MIIT's SMS for a filing in `sms_verification` (docs/rules.md#sms-confirmation): one row per
 * person, written when the filing enters that status. The mobile is sealed; the masked form is what answers show.
 */
export const filingSmsVerifications = sqliteTable(
  "filing_sms_verifications",
  {
    filingId: text("filing_id")
      .notNull()
      .references(() => filings.id),
    role: text("role", { enum: SMS_ROLES }).notNull(),
    mobileSealed: text("mobile_sealed").notNull(),
    mobileMasked: text("mobile_masked").notNull(),
    status: text("status", { enum: SMS_PERSON_STATUSES }).notNull(),
    wrongAttempts: integer("wrong_attempts").notNull().default(0),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.filingId, t.role] })],
);

/** Append-only transitions of a filing. */
export const filingHistory = sqliteTable(
  "filing_history",
  {
    filingId: text("filing_id")
      .notNull()
      .references(() => filings.id),
    seq: integer("seq").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    actorAccountId: text("actor_account_id").notNull(),
    actorRole: text("actor_role").notNull(),
    reasons: text("reasons").notNull().default("[]"),
    note: text("note"),
    at: text("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.filingId, t.seq] })],
);

/**
 * Hash-chained audit log: each row carries the hash of the previous row of the same subject;
 * the unique (subject, seq) makes concurrent writers conflict instead of forking a chain. `hash` is an HMAC under
 * the audit key `key_id` names; rows written before the audit key existed have no key id and a plain SHA-256.
 * By `at`, the cron finds the chains written on a day, whose heads it anchors (src/jobs/audit-anchor.ts).
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    subject: text("subject").notNull(),
    seq: integer("seq").notNull(),
    action: text("action").notNull(),
    actorAccountId: text("actor_account_id").notNull(),
    at: text("at").notNull(),
    data: text("data").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    keyId: text("key_id"),
  },
  (t) => [primaryKey({ columns: [t.subject, t.seq] }), index("audit_log_at").on(t.at)],
);

/** Outbox: one row per event and recipient account, written in the batch of the change it describes. */
export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    accountId: text("account_id").notNull(),
    type: text("type").notNull(),
    data: text("data").notNull(),
    createdAt: text("created_at").notNull(),
    dispatchedAt: text("dispatched_at"),
  },
  (t) => [
    uniqueIndex("events_id").on(t.id),
    index("events_account").on(t.accountId, t.seq),
    // The outbox: events the queue has not been handed yet.
    index("events_undispatched").on(t.seq).where(sql`dispatched_at is null`),
  ],
);

/**
 * Idempotency-Key records, per account, kept 24 h. Only a hash of the request's canonical JSON is kept,
 * never the request; the stored response is the masked filing that the first call answered with.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    accountId: text("account_id").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    filingId: text("filing_id").notNull(),
    responseStatus: integer("response_status").notNull(),
    responseBody: text("response_body").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] }), index("idempotency_expiry").on(t.expiresAt)],
);

/**
 * Deadline policies (docs/rules.md#enforcement): the listed apps they cover (listed before a cutoff), the deadline, the reminder
 * offsets in days and the action. Times are ISO 8601 UTC; the API speaks RFC 3339 with an explicit offset.
 */
export const policies = sqliteTable("policies", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  listedBefore: text("listed_before").notNull(),
  deadline: text("deadline").notNull(),
  /** JSON array of whole days, largest first, e.g. [30, 7, 1]. */
  reminderDays: text("reminder_days").notNull(),
  action: text("action", { enum: ["delist"] }).notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * One row per scheduled time: the lease that keeps duplicate or overlapping cron deliveries from doing the same
 * work twice, and the run's record (counts per action, whether it finished).
 */
export const enforcementRuns = sqliteTable(
  "enforcement_runs",
  {
    id: text("id").primaryKey(),
    scheduledTime: text("scheduled_time").notNull(),
    leaseOwner: text("lease_owner").notNull(),
    leaseExpiresAt: text("lease_expires_at").notNull(),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    /** Whether every job ran to its end (false: stopped at its budget; the next run goes on). */
    completed: integer("completed", { mode: "boolean" }).notNull().default(false),
    /** JSON object: action → rows handled, plus queries used. */
    counts: text("counts").notNull().default("{}"),
    error: text("error"),
  },
  (t) => [uniqueIndex("enforcement_runs_scheduled").on(t.scheduledTime)],
);

/**
 * What enforcement did to which app, once: the unique key makes a rerun or a resumed run a no-op for rows
 * already handled (a reminder per policy, app and offset; a delisting per policy and app).
 */
export const enforcementActions = sqliteTable(
  "enforcement_actions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    chunk: text("chunk").notNull(),
    // Empty rather than null where they do not apply: SQLite treats nulls as distinct in a unique index.
    appId: text("app_id").notNull().default(""),
    filingId: text("filing_id").notNull().default(""),
    policyId: text("policy_id").notNull().default(""),
    action: text("action", {
      enum: ["reminder", "delist_deadline", "delist_registration_ended", "expire_sms", "purge_material"],
    }).notNull(),
    /** The reminder's offset in days; 0 for other actions (so the unique key covers them too). */
    offsetDays: integer("offset_days").notNull().default(0),
    /** What the action was keyed on: the registration status for delistings after a registration ended. */
    detail: text("detail").notNull().default(""),
    at: text("at").notNull(),
  },
  (t) => [
    uniqueIndex("enforcement_actions_once").on(t.action, t.policyId, t.appId, t.filingId, t.offsetDays, t.detail),
    index("enforcement_actions_chunk").on(t.chunk),
    index("enforcement_actions_app").on(t.appId),
  ],
);

/** An account's webhook endpoint (docs/rules.md#webhooks). Secrets are kept sealed; the previous one signs too until it lapses. */
export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  accountId: text("account_id").primaryKey(),
  url: text("url").notNull(),
  secretSealed: text("secret_sealed").notNull(),
  previousSecretSealed: text("previous_secret_sealed"),
  previousSecretExpiresAt: text("previous_secret_expires_at"),
  /** Set when the receiver answered 410 Gone: nothing more is sent until the endpoint is set again. */
  disabledAt: text("disabled_at"),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** One delivery per event and endpoint: its attempts, and whether it ended delivered or dead. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull(),
    accountId: text("account_id").notNull(),
    status: text("status", { enum: ["pending", "delivered", "dead"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    nextAttemptAt: text("next_attempt_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event").on(t.eventId),
    index("webhook_deliveries_account").on(t.accountId, t.status, t.id),
  ],
);

/**
 * 备案材料: uploaded attachments (certificate photos, letters, permits). The bytes live in R2, sealed with
 * AES-256-GCM before they leave the Worker; D1 keeps what the checks and access rules need, and the owner.
 */
export const materials = sqliteTable(
  "materials",
  {
    id: text("id").primaryKey(),
    ownerAccountId: text("owner_account_id").notNull(),
    /** The filing field it was uploaded for, with `[]` for a list position: `service.preApprovals[].document`. */
    field: text("field").notNull(),
    /** For certificate images: the certificate type it shows. */
    certificateType: text("certificate_type"),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    width: integer("width"),
    height: integer("height"),
    sha256: text("sha256").notNull(),
    /** The R2 key of the sealed object. */
    objectKey: text("object_key").notNull(),
    createdAt: text("created_at").notNull(),
    /** Set when the clean-up job deleted the object (unreferenced for 7 days, or 180 days after a filing ended). */
    deletedAt: text("deleted_at"),
  },
  (t) => [index("materials_owner").on(t.ownerAccountId, t.id), index("materials_created").on(t.deletedAt, t.createdAt)],
);

/** Which filing references which material, at which path: written in the submission's batch. */
export const filingMaterials = sqliteTable(
  "filing_materials",
  {
    filingId: text("filing_id").notNull(),
    mediaId: text("media_id").notNull(),
    path: text("path").notNull(),
  },
  (t) => [primaryKey({ columns: [t.filingId, t.path] }), index("filing_materials_media").on(t.mediaId)],
);

/**
 * 人脸核验 face verifications (docs/rules.md#verifications): a person proves who they are with the platform's identity
 * provider before a filing names them. The person is sealed and blind indexed like a filing's people; `person_masked`
 * is what answers show. Status `pending` turns `passed` or `failed` once, by the provider's signed callback; `expired`
 * is not stored but read from the times (src/domain/verification.ts).
 */
export const verifications = sqliteTable(
  "verifications",
  {
    id: text("id").primaryKey(),
    appId: text("app_id")
      .notNull()
      .references(() => apps.appId),
    requesterAccountId: text("requester_account_id")
      .notNull()
      .references(() => accounts.id),
    status: text("status", { enum: ["pending", "passed", "failed"] }).notNull(),
    /** `{name, certificate: {type, number}}`, sealed. */
    personSealed: text("person_sealed").notNull(),
    /** The same, masked, as JSON. */
    personMasked: text("person_masked").notNull(),
    /** Blind index of `type:number`, as filings' people are indexed. */
    certificateBlind: text("certificate_blind").notNull(),
    /** Blind index of the name as the text rule normalizes it. */
    nameBlind: text("name_blind").notNull(),
    /** SHA-256 of the token in the simulator's URL, so the page finds its verification without the token stored. */
    tokenHash: text("token_hash").notNull(),
    /** The Beijing date it was created on (YYYY-MM-DD): the daily limit counts by it. */
    beijingDay: text("beijing_day").notNull(),
    failureReason: text("failure_reason"),
    completedAt: text("completed_at"),
    validUntil: text("valid_until"),
    expiresAt: text("expires_at").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("verifications_app_day").on(t.appId, t.beijingDay), uniqueIndex("verifications_token").on(t.tokenHash)],
);

/**
 * Which filing used a verification: written in the batch that stores the filing, so the primary key lets one filing
 * alone use a verification, however many submit at once (the other batches fail whole).
 */
export const verificationUses = sqliteTable("verification_uses", {
  verificationId: text("verification_id")
    .primaryKey()
    .references(() => verifications.id),
  filingId: text("filing_id").notNull(),
  createdAt: text("created_at").notNull(),
});
