import { z } from "@hono/zod-openapi";
import { FILING_STATUSES, FILING_TYPES } from "../domain/filing-state";
import { STATE_CONFLICTS } from "../domain/preflight";
import { REGISTRATION_STATUSES } from "../domain/registration-state";
import { textSchema } from "../domain/text";
import { ReasonSchema } from "./filings.schemas";

export const AppIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{4,64}$/, { error: "INVALID_FORMAT" })
  .openapi({ example: "wx1234567890abcdef", description: "The host platform's mini program id" });

/** An app's name as the platform shows it: one line of free text (docs/rules.md#text). */
export const AppNameSchema = textSchema({ max: 30 });

export const AppSchema = z
  .object({
    appId: z.string(),
    name: z.string(),
    ownerAccountId: z.string(),
    listingStatus: z.enum(["unlisted", "listed", "delisted"]),
    listedAt: z.string().nullable(),
    delistedAt: z.string().nullable(),
    delistReason: z.string().nullable(),
    registrationNumber: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("App");

export const CreateAppSchema = z
  .strictObject({
    appId: AppIdSchema,
    name: AppNameSchema.openapi({ example: "示例生活助手" }),
  })
  .openapi("CreateApp");

export const GrantSchema = z
  .object({ appId: z.string(), accountId: z.string(), createdAt: z.string() })
  .openapi("Grant");

export const CreateGrantSchema = z.strictObject({ accountId: z.string().min(1).max(64) }).openapi("CreateGrant");

export const AppParams = z.object({ appId: z.string().max(64) });

const StateConflictSchema = z.enum(STATE_CONFLICTS);

export const FilingStatusSchema = z
  .object({
    appId: z.string(),
    listingStatus: z.enum(["unlisted", "listed", "delisted"]),
    delistReason: z.string().nullable(),
    registration: z
      .object({
        number: z.string(),
        status: z.enum(REGISTRATION_STATUSES),
        approvedAt: z.string(),
        source: z.enum(["beian", "imported"]).openapi({
          description: "`beian`: issued on a filing made here; `imported`: taken in from the platform's catalogue",
        }),
      })
      .nullable()
      .openapi({ description: "The active registration, else the latest one the app had; null if it never had one" }),
    openFiling: z
      .object({
        id: z.string(),
        type: z.enum(FILING_TYPES),
        status: z.enum(FILING_STATUSES),
        smsDeadline: z.string().nullable(),
        reasons: z.array(ReasonSchema),
      })
      .nullable()
      .openapi({ description: "The app's filing in flight, if any" }),
    allowed: z
      .array(z.enum(FILING_TYPES))
      .openapi({ description: "The filing types a submission may have now, as far as the app's state goes" }),
    blockers: z
      .array(
        z.object({
          type: z.enum(FILING_TYPES),
          code: StateConflictSchema.openapi({ description: "The code a submission of this type would answer now" }),
          message: z.string(),
        }),
      )
      .openapi({ description: "Why each type not allowed is refused; empty when every type is allowed" }),
    deadlines: z
      .array(
        z.object({
          policyId: z.string(),
          name: z.string(),
          deadline: z.string(),
          daysLeft: z.number().int().openapi({ description: "Whole days left, rounded up; 0 or less once passed" }),
        }),
      )
      .openapi({ description: "The active deadline policies that cover the app while it has no active registration" }),
  })
  .openapi("FilingStatus");

export const RegistrationReadSchema = z
  .object({
    number: z.string(),
    status: z.enum(REGISTRATION_STATUSES),
    approvedAt: z.string(),
    source: z.enum(["beian", "imported"]),
    request: z.record(z.string(), z.unknown()).openapi({
      description:
        "The request the registration was approved with (for one imported and not changed since: what the import " +
        "brought), personal data masked and attachments as their `mediaId`s. Send a change as a patch on it.",
    }),
  })
  .openapi("RegistrationRead");
