import { z } from "@hono/zod-openapi";
import { type Problem, problem } from "../domain/problems";
import { CERTIFICATE_TYPES, type CertificateType, NATURES } from "../domain/reference";
import {
  checkImportCertificate,
  checkImportNumber,
  importedPublicFields,
  judgeImportBatch,
  judgeRegistrationImport,
  organizerKeyOfLicence,
  REGISTRATION_IMPORT_MAX,
  type RegistrationImportRow,
} from "../domain/registration-import";
import { type ParsedServiceNumber, splitOrganizerNumber } from "../domain/registration-number";
import { REGISTRATION_STATUSES } from "../domain/registration-state";
import { textSchema } from "../domain/text";
import { beijingToday } from "../domain/time";
import { canonicalJson, vaultFor } from "../lib/crypto";
import { validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import { forgetNumbers } from "../lib/lookup-cache";
import { createRouter, declareKeyRoutes, jsonBody, ok } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { type AuditedChange, auditMany } from "../repositories/audit";
import {
  type ImportedOrganizer,
  type ImportedRegistration,
  readRegistrationImportFacts,
  registrationImportStatements,
} from "../repositories/registration-import";
import { handOn } from "../webhooks/outbox";
import { OffsetDateTime } from "./shared.schemas";

/** The registrations of the platform's catalogue (docs/rules.md#registration-import). Mounted inside adminRoutes. */
export const adminRegistrationRoutes = createRouter();
const route = declareKeyRoutes("admin");

const natureCodes = NATURES.map((n) => n.code) as [string, ...string[]];
const certificateTypeCodes = CERTIFICATE_TYPES.map((t) => t.code) as [CertificateType, ...CertificateType[]];

const ImportRegistrationSchema = z.strictObject({
  number: z
    .string()
    .min(1)
    .max(80)
    .openapi({ example: "粤B2-20090059-1626X", description: "A mini program's number (suffix X), any family" }),
  appId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{4,64}$/)
    .optional()
    .openapi({ description: "The app it belongs to, imported before; left out, the registration has no app" }),
  organizer: z.strictObject({
    nature: z.enum(natureCodes),
    name: textSchema({ max: 100 }),
    certificate: z
      .strictObject({
        type: z.enum(certificateTypeCodes),
        number: z.string().trim().min(1).max(32),
      })
      .optional()
      .openapi({ description: "Sealed and blind indexed; without it the organizer is known by its name" }),
  }),
  service: z.strictObject({
    name: textSchema({ max: 30 }),
    contentTypeName: textSchema({ max: 200 })
      .optional()
      .openapi({ description: "As the bureau's record names the content types (前置审批), shown by the lookup" }),
  }),
  approvedAt: OffsetDateTime,
  status: z.enum(REGISTRATION_STATUSES).default("active"),
});

const ImportRegistrationsSchema = z
  .strictObject({ registrations: z.array(ImportRegistrationSchema).min(1).max(REGISTRATION_IMPORT_MAX) })
  .openapi("ImportRegistrations");

const ImportRegistrationsResultSchema = z
  .object({
    imported: z.number().int().openapi({ description: "Numbers beian did not hold" }),
    updated: z.number().int().openapi({ description: "Imported numbers whose data changed" }),
    unchanged: z.number().int().openapi({ description: "Imported numbers sent again as they are" }),
  })
  .openapi("ImportRegistrationsResult");

type Checked = {
  index: number;
  row: RegistrationImportRow;
  parsed: ParsedServiceNumber;
  key: string;
  certificate?: string;
};

/** Structure passed: each row's number and certificate, then what the rows must agree on among themselves. */
async function checkRows(
  rows: RegistrationImportRow[],
  vault: ReturnType<typeof vaultFor>,
  today: string,
): Promise<{ problems: Problem[]; checked: Checked[] }> {
  const problems: Problem[] = [];
  const parsed: (ParsedServiceNumber | undefined)[] = [];
  const keys: (string | undefined)[] = [];
  const certificates: (string | undefined)[] = [];
  for (const [i, row] of rows.entries()) {
    const base = `registrations[${i}]`;
    const number = checkImportNumber(row.number, base);
    const certificate = checkImportCertificate(row, base, today);
    problems.push(...("problems" in number ? number.problems : []), ...certificate.problems);
    const p = "parsed" in number ? number.parsed : undefined;
    parsed.push(p);
    certificates.push(certificate.number);
    const cert = row.organizer.certificate;
    keys.push(
      cert && certificate.number
        ? await vault.blindIndex("certificate", `${cert.type}:${certificate.number}`)
        : cert || p === undefined
          ? undefined
          : organizerKeyOfLicence(p.mainLicence),
    );
  }
  problems.push(...judgeImportBatch(rows, parsed, keys));
  const checked = rows.flatMap((row, i) => {
    const p = parsed[i];
    const key = keys[i];
    return p === undefined || key === undefined
      ? []
      : [{ index: i, row, parsed: p, key, certificate: certificates[i] }];
  });
  return { problems, checked };
}

adminRegistrationRoutes.openapi(
  route.post("/registrations/import", {
    summary: "Import registrations the bureau issued before beian (≤ 1,000 a call, all or nothing, idempotent)",
    operationId: "importRegistrations",
    description:
      "Numbers of any family (`粤ICP备…号-1X`, `京ICP证…号-1X`, `粤B2-…-1X`) with their organizer and service. Each " +
      "gets its public record and, with `appId`, counts as its app's registration: the listing gate passes, " +
      "enforcement sees the app as filed, and an app delisted for its deadline is listed again (`app.relisted`). " +
      "The organizer's province comes from the number, and its main licence is reserved for it. Refused, with every " +
      "problem at `registrations[i].…`: a main licence another organizer holds (`MAIN_LICENCE_TAKEN`), a number " +
      "beian issued or a filing changed (`REGISTRATION_NUMBER_INVALID`), an unknown app (`UNKNOWN_APP`) or one " +
      "holding another active registration (`REGISTRATION_EXISTS`). Sending a number again replaces what the import " +
      "wrote (`updated`) or changes nothing (`unchanged`). Admin bodies may be up to 1 MiB.",
    middleware: [requireJsonBody()],
    request: { body: jsonBody(ImportRegistrationsSchema) },
    ok: ok(200, "Counts", ImportRegistrationsResultSchema),
    errors: [403],
  }),
  async (c) => {
    const { registrations: rows } = c.req.valid("json");
    const db = c.get("db");
    const vault = vaultFor(c.env);
    const now = new Date();
    // Problems within the rows are answered together with those against stored data: every problem in one 422.
    const { problems, checked } = await checkRows(rows, vault, beijingToday(now));

    const counts = { imported: 0, updated: 0, unchanged: 0 };
    const actor = c.get("principal").accountId;
    // Read, judged and written again on every attempt: a concurrent change of the same registrations is judged anew.
    await auditMany(db, async () => {
      const facts = await readRegistrationImportFacts(db, {
        numbers: checked.map((x) => x.parsed.normalized),
        mainLicences: [...new Set(checked.map((x) => x.parsed.mainLicence))],
        keys: [...new Set(checked.map((x) => x.key))],
        appIds: [...new Set(checked.flatMap((x) => (x.row.appId === undefined ? [] : [x.row.appId])))],
      });
      const refused: Problem[] = [...problems];
      const at = new Date().toISOString();
      const organizers = new Map<string, ImportedOrganizer>();
      const licences = new Map<string, { mainLicence: string; key: string }>();
      const filingNumbers: { province: string; year: number; sequence: number }[] = [];
      const written: ImportedRegistration[] = [];
      const entries: AuditedChange[] = [];
      counts.imported = 0;
      counts.updated = 0;
      counts.unchanged = 0;
      const judgements = checked.map((x) => ({
        x,
        judged: judgeRegistrationImport(
          x.row,
          x.parsed,
          x.key,
          {
            existing: facts.existing.get(x.parsed.normalized),
            holder: facts.holders.get(x.parsed.mainLicence),
            organizer: facts.organizers.get(x.key),
            app:
              x.row.appId === undefined
                ? undefined
                : (facts.apps.get(x.row.appId) ?? { exists: false, activeNumber: null }),
          },
          `registrations[${x.index}]`,
        ),
      }));
      // One stored organizer per key: rows naming one certificate must not join two organizers known by name.
      const storedIds = new Map<string, string>();
      for (const { x, judged } of judgements) {
        if ("problems" in judged || judged.outcome === "unchanged" || judged.organizer === null) continue;
        const id = storedIds.get(judged.key);
        if (id !== undefined && id !== judged.organizer.id) {
          refused.push(
            problem(`registrations[${x.index}].number`, "MAIN_LICENCE_TAKEN", { mainLicence: x.parsed.mainLicence }),
          );
        } else storedIds.set(judged.key, judged.organizer.id);
      }
      for (const { x, judged } of judgements) {
        const { row, parsed } = x;
        if ("problems" in judged) {
          refused.push(...judged.problems);
          continue;
        }
        counts[judged.outcome]++;
        if (judged.outcome === "unchanged") continue;
        const filingNumber = parsed.family === "icp_filing";
        const before = organizers.get(judged.key);
        const sealed =
          before?.dataSealed ??
          (await vault.seal(
            canonicalJson({
              nature: row.organizer.nature,
              name: row.organizer.name,
              ...(row.organizer.certificate && x.certificate
                ? { certificate: { type: row.organizer.certificate.type, number: x.certificate } }
                : {}),
            }),
          ));
        const shown = importedPublicFields(row);
        organizers.set(judged.key, {
          id: before?.id ?? storedIds.get(judged.key) ?? newId("org", now.getTime()),
          key: judged.key,
          nature: row.organizer.nature,
          name: row.organizer.name,
          province: parsed.provinceCode,
          organizerNumber: filingNumber ? parsed.mainLicence : (before?.organizerNumber ?? null),
          organizerDigits: filingNumber ? parsed.digits : (before?.organizerDigits ?? null),
          lastSequence: Math.max(before?.lastSequence ?? 0, filingNumber ? parsed.sequence : 0),
          dataSealed: sealed,
          unitName: shown.unitName,
          unitNameKey: shown.unitNameKey,
          natureName: shown.natureName,
          redacted: shown.redacted,
        });
        if (!filingNumber && !facts.holders.has(parsed.mainLicence)) {
          licences.set(parsed.mainLicence, { mainLicence: parsed.mainLicence, key: judged.key });
        }
        const split = filingNumber ? splitOrganizerNumber(parsed.digits) : null;
        if (split !== null) filingNumbers.push({ province: parsed.provinceCode, ...split });
        written.push({
          number: parsed.normalized,
          family: parsed.family,
          mainLicence: parsed.mainLicence,
          sequence: filingNumber ? parsed.sequence : null,
          appId: row.appId ?? null,
          organizerKey: judged.key,
          status: row.status,
          approvedAt: row.approvedAt,
          ...importedPublicFields(row),
        });
        entries.push({
          subject: `registration:${parsed.normalized}`,
          action: judged.outcome === "imported" ? "registration.imported" : "registration.import_updated",
          actor,
          at,
          data: { appId: row.appId ?? null, status: row.status, approvedAt: row.approvedAt },
        });
      }
      if (refused.length > 0) throw validationFailed(refused);
      if (entries.length === 0) return null;
      entries.push({
        subject: "catalogue",
        action: "registrations.imported",
        actor,
        at,
        data: { ...counts },
      });
      const statements = registrationImportStatements(db, {
        organizers: [...organizers.values()],
        licences: [...licences.values()],
        filingNumbers,
        registrations: written,
        at,
      });
      return { entries, statements };
    });
    forgetNumbers(checked.map((x) => x.parsed.normalized));
    handOn(c.env, db, c.executionCtx);
    return c.json(counts, 200);
  },
);
