import { z } from "@hono/zod-openapi";
import { FILING_STATUSES, FILING_TYPES } from "../domain/filing-state";
import { textSchema } from "../domain/text";
import { FilingSchema, ReasonSchema } from "./filings.schemas";

/** Staff see the request unmasked (they verify identities); every such read is audited. */
export const StaffFilingSchema = FilingSchema.extend({
  request: z.record(z.string(), z.unknown()).openapi({ description: "The submitted request, unmasked" }),
}).openapi("StaffFiling");

export const QueueItemSchema = z
  .object({
    id: z.string(),
    type: z.enum(FILING_TYPES),
    appId: z.string(),
    status: z.enum(FILING_STATUSES),
    serviceName: z.string().nullable(),
    organizerNature: z.string().nullable(),
    smsDeadline: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("QueueItem");

export const RejectBodySchema = z
  .strictObject({
    reasons: z
      .array(
        z.strictObject({
          field: z.string().max(200).openapi({
            description:
              'A path of the filing\'s request, as errors[].path writes them (organizer.certificate.number, service.preApprovals[0].type), or "" for the whole filing',
          }),
          error: textSchema({ max: 500, multiline: true }),
          suggest: textSchema({ max: 500, multiline: true }),
        }),
      )
      .min(1)
      .max(50),
  })
  .openapi("RejectBody");

export const ApproveBodySchema = z
  .strictObject({
    registrationNumber: z.string().min(1).max(60).optional().openapi({ example: "粤ICP备2024012345号-1X" }),
  })
  .openapi("RegulatorApproveBody");

export const RevokeBodySchema = RejectBodySchema.openapi("RevokeBody");

export { ReasonSchema };
