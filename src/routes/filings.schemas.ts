import { z } from "@hono/zod-openapi";
import { FILING_STATUSES, FILING_TYPES } from "../domain/filing-state";
import { MAX_WRONG_CODES, SMS_PERSON_STATUSES, SMS_ROLES } from "../domain/sms-verification";
import { PageQuery, pageSchema } from "../lib/router";

export const ReasonSchema = z
  .object({
    field: z.string().openapi({ example: "organizer.certificate.number" }),
    error: z.string(),
    suggest: z.string(),
  })
  .openapi("Reason");

export const SmsVerificationSchema = z
  .object({
    role: z.enum(SMS_ROLES),
    mobile: z.string().openapi({ description: "Masked", example: "138****5678" }),
    status: z.enum(SMS_PERSON_STATUSES),
    wrongAttempts: z
      .number()
      .int()
      .min(0)
      .openapi({ description: `Wrong codes so far; the ${MAX_WRONG_CODES}th fails the person` }),
    updatedAt: z.string(),
  })
  .openapi("SmsVerification", {
    description:
      "One person who must confirm MIIT's SMS (短信核验). A person holding several roles is listed once, under the first of organizer_principal, service_principal, legal_representative.",
  });

export const FilingSchema = z
  .object({
    id: z.string().openapi({ example: "fil_01JD8X3K5M2N4P6Q8R0S2T4V6W" }),
    type: z.enum(FILING_TYPES),
    appId: z.string(),
    status: z.enum(FILING_STATUSES),
    registrationNumber: z.string().nullable(),
    reasons: z.array(ReasonSchema),
    submitterAccountId: z.string(),
    smsDeadline: z
      .string()
      .nullable()
      .openapi({ description: "End of the 24 h SMS window, while in sms_verification" }),
    smsVerifications: z.array(SmsVerificationSchema).openapi({
      description:
        "Who must confirm MIIT's SMS and how far each is: listed when the filing enters sms_verification and kept " +
        "afterwards; empty before (and for a filing that entered it before per-person confirmation existed)",
    }),
    resubmittedFrom: z
      .string()
      .nullable()
      .openapi({ description: "The ended filing this one corrects (POST /v1/filings/{id}/resubmit), else null" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    request: z.record(z.string(), z.unknown()).openapi({ description: "The submitted request, personal data masked" }),
  })
  .openapi("Filing");

export const FilingListSchema = pageSchema(FilingSchema);

export const ValidationResultSchema = z
  .object({
    valid: z.boolean(),
    errors: z.array(
      z.object({ path: z.string(), code: z.string(), message: z.string(), suggest: z.string().optional() }),
    ),
  })
  .openapi("ValidationResult");

export const HistoryEntrySchema = z
  .object({
    seq: z.number().int(),
    from: z.string().nullable(),
    to: z.string(),
    actor: z.object({ accountId: z.string(), role: z.string() }),
    at: z.string(),
    reasons: z.array(ReasonSchema),
  })
  .openapi("HistoryEntry", {
    description:
      "One move of the filing through its lifecycle (`from` is null for the submission). Only moves are recorded " +
      "here: when the filing's materials are deleted after it ended, its submitter and the app's owner get a " +
      "`filing.materials_deleted` event instead.",
  });

export const FilingParams = z.object({ id: z.string().max(64) });

export const FilingListQuery = PageQuery.extend({
  appId: z.string().max(64).optional(),
  status: z.enum(FILING_STATUSES).optional(),
});

export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/)
  .openapi({ description: "Retry-safe submission: the same key and body return the first 201 for 24 h" });

/**
 * A valid `new` filing, as the docs' example body: it passes every field rule (a test checks it with
 * `checkFilingRequest`); its `mediaId`s stand for materials uploaded first with `POST /v1/materials`.
 */
export const FILING_EXAMPLE = {
  type: "new",
  appId: "wx1234567890abcdef",
  organizer: {
    nature: "enterprise",
    name: "深圳市示例科技有限公司",
    certificate: { type: "uscc", number: "91440300MA5G35XK4R", photo: "med_01JD8X1A2B3C4D5E6F7G8H9J0K" },
    region: { province: "440000", city: "440300", district: "440305" },
    certificateAddress: "深圳市南山区粤海街道科技园路1号",
    address: "粤海街道科技园路1号",
    principal: {
      name: "张三",
      certificate: {
        type: "resident_id",
        number: "440524188001010014",
        validFrom: "2020-01-01",
        validTo: "long_term",
        front: "med_01JD8X1A2B3C4D5E6F7G8H9J1M",
        back: "med_01JD8X1A2B3C4D5E6F7G8H9J2N",
      },
      mobile: "13800138000",
      emergencyContact: "13900139000",
      email: "zhang@example.com",
    },
  },
  service: {
    name: "示例生活助手",
    serviceContentTypes: ["life.bill_payment"],
    preApprovals: [],
    languages: ["zh-Hans"],
    description: "为用户提供水电燃气缴费、账单查询与缴费提醒等生活服务。",
    principal: {
      name: "张三",
      certificate: {
        type: "resident_id",
        number: "440524188001010014",
        validFrom: "2020-01-01",
        validTo: "long_term",
        front: "med_01JD8X1A2B3C4D5E6F7G8H9J3P",
        back: "med_01JD8X1A2B3C4D5E6F7G8H9J4Q",
      },
      mobile: "13800138000",
      emergencyContact: "13900139000",
      email: "zhang@example.com",
    },
  },
  commitment: { accepted: true, letter: "med_01JD8X1A2B3C4D5E6F7G8H9J5R" },
};

/** A change sent as what differs from the registration (docs/rules.md#read-back); documented, read by the handler. */
export const ChangePatchSchema = z
  .strictObject({
    type: z.literal("change"),
    appId: z.string().min(1).max(64),
    patch: z.record(z.string(), z.unknown()).openapi({
      description:
        "A JSON Merge Patch (RFC 7396) on the request of the app's active registration (GET " +
        "/v1/apps/{appId}/registration): objects merge, `null` removes, lists and values replace. Leave out what " +
        "stays; a masked value sent back is `MASKED_VALUE`.",
    }),
  })
  .openapi("ChangePatchRequest");

/** The dry run of a resubmission: the ended filing and the patch on its request. */
export const ResubmitDryRunSchema = z
  .strictObject({
    resubmitOf: z.string().min(1).max(64).openapi({ description: "The ended filing to correct" }),
    patch: z.record(z.string(), z.unknown()).openapi({ description: "A JSON Merge Patch on that filing's request" }),
  })
  .openapi("ResubmitDryRun");

/** The body of a resubmission: the patch on the ended filing's request; documented, read by the handler. */
export const ResubmitBodySchema = z
  .strictObject({
    patch: z.record(z.string(), z.unknown()).openapi({
      description:
        "A JSON Merge Patch (RFC 7396) on the ended filing's request: the fields its reasons name, nothing else",
      example: { service: { name: "示例生活缴费助手" } },
    }),
  })
  .openapi("ResubmitRequest");
