import { z } from "@hono/zod-openapi";
import { textSchema } from "../domain/text";

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
