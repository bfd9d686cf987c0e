import { z } from "@hono/zod-openapi";
import { ROLES } from "../domain/roles";
import { textSchema } from "../domain/text";

export const AccountSchema = z
  .object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: z.string() })
  .openapi("Account");

export const CreateAccountSchema = z
  .strictObject({
    name: textSchema({ max: 100 }).openapi({ example: "深圳市示例科技有限公司" }),
    role: z.enum(ROLES),
  })
  .openapi("CreateAccount");

export const CreatedKeySchema = z
  .object({
    id: z.string(),
    key: z.string().openapi({ description: "Shown once; only its hash is stored" }),
    prefix: z.string(),
    createdAt: z.string(),
  })
  .openapi("CreatedKey");

export const KeySchema = z
  .object({
    id: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const AccountIdParams = z.object({ id: z.string().max(64) });
