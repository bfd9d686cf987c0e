/**
 * Registrations taken in from the platform's catalogue (docs/rules.md#registration-import): numbers the bureau issued
 * before beian ran, in any family. Pure rules, no I/O: the caller reads the facts and writes what the judgement says.
 *
 * An organizer is known by its certificate (its blind index) when the row gives one; a row without one names its
 * organizer by name alone (names compare as `serviceNameKey` folds them), and that organizer is then known by the
 * main licence it holds (`organizerKeyOfLicence`).
 * A main licence belongs to one organizer: a row whose main licence another organizer holds is refused.
 */

import { serviceNameKey } from "./filing-request";
import { checkCertificate } from "./identifiers";
import { maskName } from "./masking";
import { nameSkeleton } from "./name-skeleton";
import { type Problem, problem } from "./problems";
import { type CertificateType, certificateTypesFor, isNature, NATURES, usccPrefixFits } from "./reference";
import { type ParsedServiceNumber, parseRegistrationNumber } from "./registration-number";
import type { RegistrationSource, RegistrationStatus } from "./registration-state";
import { beijingDateTime } from "./time";

/** How many registrations one import call may carry. */
export const REGISTRATION_IMPORT_MAX = 1000;

/** A row as the admin sends it, after its structure was checked. */
export type RegistrationImportRow = {
  number: string;
  appId?: string;
  organizer: { nature: string; name: string; certificate?: { type: CertificateType; number: string } };
  service: { name: string; contentTypeName?: string };
  /** ISO 8601 UTC. */
  approvedAt: string;
  status: RegistrationStatus;
};

/**
 * The organizers table keys an organizer by its certificate's blind index; one imported without a certificate is
 * keyed by the main licence it holds instead, which no blind index can equal (an HMAC in base64url has no `:`).
 */
export function organizerKeyOfLicence(mainLicence: string): string {
  return `licence:${mainLicence}`;
}

/** Whether an organizer key is a certificate's blind index, not a stand-in for an organizer known by name. */
export function isCertificateKey(key: string): boolean {
  return !key.startsWith("licence:");
}

/**
 * The row's number, parsed and fit to be imported, or the problems with it: a mini program's service number (`X`),
 * in any family.
 */
export function checkImportNumber(
  input: string,
  base: string,
): { parsed: ParsedServiceNumber } | { problems: Problem[] } {
  const parsed = parseRegistrationNumber(input);
  if (parsed === null) return { problems: [problem(`${base}.number`, "INVALID_FORMAT")] };
  if (parsed.kind !== "mini_program") {
    return {
      problems: [
        problem(`${base}.number`, "REGISTRATION_NUMBER_INVALID", {
          reason: "the number must be a mini program's (suffix X)",
        }),
      ],
    };
  }
  return { parsed };
}

/**
 * The organizer's certificate, checked as a filing's is (docs/rules.md#identifiers): the type allowed for the
 * nature, the number valid for its type, a USCC's prefix fitting the nature. Answers the normalized number.
 */
export function checkImportCertificate(
  row: RegistrationImportRow,
  base: string,
  today: string,
): { number?: string; problems: Problem[] } {
  const cert = row.organizer.certificate;
  if (cert === undefined || !isNature(row.organizer.nature)) return { problems: [] };
  const path = `${base}.organizer.certificate`;
  const allowed = certificateTypesFor(row.organizer.nature);
  if (!allowed.includes(cert.type)) {
    return { problems: [problem(`${path}.type`, "CERTIFICATE_TYPE_NOT_ALLOWED", { allowed: allowed.join(", ") })] };
  }
  const checked = checkCertificate(cert.type, cert.number, today);
  if (!checked.ok) return { problems: [problem(`${path}.number`, checked.code)] };
  if (cert.type === "uscc" && !usccPrefixFits(row.organizer.nature, checked.value)) {
    return {
      problems: [
        problem(`${path}.number`, "USCC_NATURE_MISMATCH", {
          prefix: checked.value.slice(0, 2),
          nature: row.organizer.nature,
        }),
      ],
    };
  }
  return { number: checked.value, problems: [] };
}

/** An organizer as stored, as far as an import needs it. */
export type StoredOrganizer = {
  id: string;
  /** Its key: a certificate's blind index, or `organizerKeyOfLicence` for one known by name. */
  key: string;
  name: string;
  /** Two-digit GB/T 2260 province code. */
  province: string;
  /** Its filing number (主体备案号), if it has one. */
  organizerNumber: string | null;
};

/** A registration as stored, with what its row would say, to tell an update from a replay. */
export type StoredRegistration = {
  source: RegistrationSource;
  /** A filing changed it (or issued it). */
  filingId: string | null;
  appId: string | null;
  organizerId: string;
  status: RegistrationStatus;
  serviceName: string;
  contentTypeName: string;
  approvedAt: string;
  organizerNature: string;
  organizerName: string;
};

/** What the caller read for one row. */
export type RegistrationImportFacts = {
  /** The registration of this number, if any. */
  existing?: StoredRegistration;
  /** The organizer holding the number's main licence, if any. */
  holder?: StoredOrganizer;
  /** For a row with a certificate: the organizer with that certificate, if known. */
  organizer?: StoredOrganizer;
  /** For a row naming an app: whether it exists, and the number of its active registration. */
  app?: { exists: boolean; activeNumber: string | null };
};

/** What becomes of a row that fits. */
export type RegistrationImportJudgement =
  | { outcome: "unchanged" }
  | {
      outcome: "imported" | "updated";
      /** The organizer it goes under: a stored one, or a new one. */
      organizer: { id: string } | null;
      /** The organizer's key as it is to be stored (a known-by-name organizer gains its certificate). */
      key: string;
    };

const refusedNumber = (base: string, reason: string) =>
  problem(`${base}.number`, "REGISTRATION_NUMBER_INVALID", { reason });

/**
 * One row judged against what is stored (docs/rules.md#registration-import). `key` is the organizer key the row
 * names (its certificate's blind index, or `organizerKeyOfLicence` when it gives none).
 */
export function judgeRegistrationImport(
  row: RegistrationImportRow,
  parsed: ParsedServiceNumber,
  key: string,
  facts: RegistrationImportFacts,
  base: string,
): { problems: Problem[] } | RegistrationImportJudgement {
  const problems: Problem[] = [];
  const { existing, holder, organizer, app } = facts;
  if (existing !== undefined && existing.source === "beian") {
    problems.push(refusedNumber(base, "beian issued this number; it changes only through filings"));
  }
  // The organizer the row names, and whether the main licence is another's.
  let target: StoredOrganizer | undefined;
  if (isCertificateKey(key)) {
    target = organizer;
    if (holder !== undefined && holder.id !== organizer?.id) {
      // An organizer known by name alone gains its certificate, when the names agree and the certificate is new.
      const gains =
        organizer === undefined &&
        !isCertificateKey(holder.key) &&
        serviceNameKey(holder.name) === serviceNameKey(row.organizer.name);
      if (gains) target = holder;
      else {
        problems.push(problem(`${base}.number`, "MAIN_LICENCE_TAKEN", { mainLicence: parsed.mainLicence }));
      }
    }
  } else if (holder !== undefined) {
    if (serviceNameKey(holder.name) !== serviceNameKey(row.organizer.name)) {
      problems.push(problem(`${base}.number`, "MAIN_LICENCE_TAKEN", { mainLicence: parsed.mainLicence }));
    } else target = holder;
  }
  if (target !== undefined) {
    if (target.province !== parsed.provinceCode) {
      problems.push(refusedNumber(base, "the province is not the organizer's"));
    }
    if (
      parsed.family === "icp_filing" &&
      target.organizerNumber !== null &&
      target.organizerNumber !== parsed.mainLicence
    ) {
      problems.push(refusedNumber(base, `the number must be under the organizer's ${target.organizerNumber}`));
    }
  }
  if (row.appId !== undefined && app !== undefined) {
    if (!app.exists) problems.push(problem(`${base}.appId`, "UNKNOWN_APP"));
    else if (row.status === "active" && app.activeNumber !== null && app.activeNumber !== parsed.normalized) {
      problems.push(problem(`${base}.appId`, "REGISTRATION_EXISTS"));
    }
  }
  const storedKey = target !== undefined && !isCertificateKey(key) ? target.key : key;
  if (existing !== undefined && problems.length === 0) {
    const same =
      existing.appId === (row.appId ?? null) &&
      existing.organizerId === target?.id &&
      existing.status === row.status &&
      existing.serviceName === row.service.name &&
      existing.contentTypeName === (row.service.contentTypeName ?? "") &&
      existing.approvedAt === row.approvedAt &&
      existing.organizerNature === row.organizer.nature &&
      existing.organizerName === row.organizer.name &&
      target?.key === storedKey;
    if (same) return { outcome: "unchanged" };
    if (existing.filingId !== null) {
      problems.push(refusedNumber(base, "a filing has changed this registration; it changes only through filings"));
    }
  }
  if (problems.length > 0) return { problems };
  return {
    outcome: existing === undefined ? "imported" : "updated",
    organizer: target === undefined ? null : { id: target.id },
    key: storedKey,
  };
}

/**
 * What the rows of one call must agree on among themselves, before anything stored is read: a number once, an app
 * once among the active rows, one organizer per main licence, one province and one filing number per organizer.
 * `keys[i]` is row i's organizer key, `parsed[i]` its number (undefined when it did not parse).
 */
export function judgeImportBatch(
  rows: readonly RegistrationImportRow[],
  parsed: readonly (ParsedServiceNumber | undefined)[],
  keys: readonly (string | undefined)[],
): Problem[] {
  const problems: Problem[] = [];
  const numbers = new Set<string>();
  const apps = new Set<string>();
  const licenceOwner = new Map<string, string>();
  const organizerProvince = new Map<string, string>();
  const organizerFiling = new Map<string, string>();
  rows.forEach((row, i) => {
    const base = `registrations[${i}]`;
    const p = parsed[i];
    const key = keys[i];
    if (row.appId !== undefined && row.status === "active") {
      if (apps.has(row.appId)) problems.push(problem(`${base}.appId`, "DUPLICATE"));
      apps.add(row.appId);
    }
    if (p === undefined) return;
    if (numbers.has(p.normalized)) {
      problems.push(problem(`${base}.number`, "DUPLICATE"));
      return;
    }
    numbers.add(p.normalized);
    if (key === undefined) return;
    // Without a certificate, rows under one main licence name one organizer by name.
    const owner = isCertificateKey(key) ? key : `name:${serviceNameKey(row.organizer.name)}`;
    // A row with a certificate and one without under one main licence are refused too: whether they name the same
    // organizer is not for one call to guess.
    const before = licenceOwner.get(p.mainLicence);
    if (before !== undefined && before !== owner) {
      problems.push(problem(`${base}.number`, "MAIN_LICENCE_TAKEN", { mainLicence: p.mainLicence }));
    } else licenceOwner.set(p.mainLicence, owner);
    if (!isCertificateKey(key)) return;
    const province = organizerProvince.get(key);
    if (province !== undefined && province !== p.provinceCode) {
      problems.push(refusedNumber(base, "the province is not the organizer's"));
    } else organizerProvince.set(key, p.provinceCode);
    if (p.family === "icp_filing") {
      const filing = organizerFiling.get(key);
      if (filing !== undefined && filing !== p.mainLicence) {
        problems.push(refusedNumber(base, `the number must be under the organizer's ${filing}`));
      } else organizerFiling.set(key, p.mainLicence);
    }
  });
  return problems;
}

/**
 * The public record's fields an imported row gives (docs/rules.md#public-lookup): an individual's name masked and
 * not searchable, as for a registration beian issued; the content type names as the bureau's catalogue spells them.
 */
export function importedPublicFields(row: RegistrationImportRow) {
  const individual = row.organizer.nature === "individual";
  return {
    unitName: individual ? maskName(row.organizer.name) : row.organizer.name,
    unitNameKey: individual ? null : serviceNameKey(row.organizer.name),
    natureName: NATURES.find((n) => n.code === row.organizer.nature)?.name ?? row.organizer.nature,
    serviceName: row.service.name,
    serviceNameKey: serviceNameKey(row.service.name),
    serviceNameSkeleton: nameSkeleton(row.service.name),
    contentTypeName: row.service.contentTypeName ?? "",
    updateRecordTime: beijingDateTime(new Date(row.approvedAt)),
    redacted: JSON.stringify(individual ? ["unitName"] : []),
  };
}
