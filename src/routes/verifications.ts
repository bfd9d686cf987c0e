import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { mayFileFor, mayReadVerification } from "../domain/permissions";
import { CERTIFICATE_TYPES, type CertificateType } from "../domain/reference";
import { textSchema } from "../domain/text";
import { beijingToday } from "../domain/time";
import {
  checkVerificationPerson,
  secondsToNextBeijingDay,
  toVerificationView,
  VERIFICATION_DAILY_LIMIT,
  VERIFICATION_STATUSES,
  VERIFICATION_TASK_TTL_MS,
} from "../domain/verification";
import { identityProviderOf } from "../identity/provider";
import { randomToken, sha256Hex, vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import { createKeyHolderRouter, declareKeyRoutes, jsonBody, ok } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { getApp, hasGrant } from "../repositories/apps";
import { createVerification, getVerification } from "../repositories/verifications";
import type { AppEnv } from "../types";

/**
 * 人脸核验 (docs/rules.md#verifications): whoever may file for an app starts a face verification of a person with the
 * platform's identity provider, and a filing then names it at `<principal>.verificationId`. Results arrive through
 * the provider's signed callback (src/routes/identity.ts).
 */
export const verificationsRoutes = createKeyHolderRouter(["developer", "provider"]);
const route = declareKeyRoutes("verifications");

const certificateTypeCodes = CERTIFICATE_TYPES.map((t) => t.code) as [CertificateType, ...CertificateType[]];

export const CreateVerificationSchema = z
  .strictObject({
    appId: z.string().trim().min(1).max(64),
    person: z.strictObject({
      name: textSchema({ max: 50 }),
      certificate: z.strictObject({
        type: z.enum(certificateTypeCodes),
        number: z.string().trim().min(1).max(32),
      }),
    }),
  })
  .openapi("CreateVerification", {
    example: {
      appId: "wx1234567890abcdef",
      person: { name: "张三", certificate: { type: "resident_id", number: "110101199003078515" } },
    },
  });

export const VerificationSchema = z
  .object({
    id: z.string().openapi({ example: "ver_01JD8X3K5M2N4P6Q8R0S2T4V6W" }),
    appId: z.string(),
    status: z.enum(VERIFICATION_STATUSES).openapi({
      description:
        "`pending` until the person completes the check; `passed` or `failed` by the identity provider; `expired` when a pending one passed `expiresAt` or a passed one `validUntil`",
    }),
    person: z.object({
      name: z.string().openapi({ example: "张*" }),
      certificate: z.object({ type: z.string(), number: z.string().openapi({ example: "1101**********8515" }) }),
    }),
    failureReason: z.string().nullable(),
    completedAt: z.string().nullable(),
    validUntil: z
      .string()
      .nullable()
      .openapi({ description: "A passed verification may be used by one filing until then (72 h)" }),
    expiresAt: z.string().openapi({ description: "When a verification not completed by then lapses (3 days)" }),
    createdAt: z.string(),
  })
  .openapi("Verification");

export const CreatedVerificationSchema = VerificationSchema.extend({
  url: z.string().openapi({ description: "Where the person completes the check; give it to them alone" }),
}).openapi("CreatedVerification");

const VerificationParams = z.object({ id: z.string().max(64) });

/** The app as it stands to the caller, or undefined. */
async function appAccess(c: Context<AppEnv>, appId: string) {
  const db = c.get("db");
  const app = await getApp(db, appId);
  if (!app) return undefined;
  return { ...app, granted: await hasGrant(db, appId, c.get("principal").accountId) };
}

verificationsRoutes.openapi(
  route.post("/", {
    summary: "Start a face verification of a person for an app",
    operationId: "createVerification",
    description: `Starts a face verification (人脸核验) with the platform's identity provider: the answer's \`url\` is where the person completes it (within 3 days). Whoever may file for the app may start one: its owner, or a provider it is granted to. At most ${VERIFICATION_DAILY_LIMIT} per app per Beijing day (429 \`VERIFICATION_RATE_LIMITED\` with \`Retry-After\`). A filing names a passed one at \`service.principal.verificationId\`.`,
    middleware: [requireJsonBody()],
    request: { body: jsonBody(CreateVerificationSchema) },
    ok: ok(201, "Started", CreatedVerificationSchema),
    errors: [400, 401, 403, 404, 413, 415, 422, 429, 503],
  }),
  async (c) => {
    const input = c.req.valid("json");
    const principal = c.get("principal");
    const now = new Date();
    const app = await appAccess(c, input.appId);
    if (!app || !mayFileFor(principal, app)) throw new ApiError("NOT_FOUND", "No such app");
    const checked = checkVerificationPerson(input.person, beijingToday(now));
    if (!checked.person) throw validationFailed(checked.problems);
    const provider = identityProviderOf(c.get("config"));
    if (!provider) throw new ApiError("IDENTITY_PROVIDER_MISSING", "Configure IDENTITY_PROVIDER to verify people");
    const id = newId("ver", now.getTime());
    const token = randomToken();
    const expiresAt = new Date(now.getTime() + VERIFICATION_TASK_TTL_MS).toISOString();
    const created = await createVerification(c.get("db"), vaultFor(c.env), {
      id,
      appId: app.appId,
      requesterAccountId: principal.accountId,
      person: checked.person,
      tokenHash: await sha256Hex(token),
      beijingDay: beijingToday(now),
      expiresAt,
      now: now.toISOString(),
    });
    if (created === "limited") {
      const retryAfter = secondsToNextBeijingDay(now);
      throw new ApiError(
        "VERIFICATION_RATE_LIMITED",
        `This app has started ${VERIFICATION_DAILY_LIMIT} face verifications today (Beijing time)`,
        { headers: { "retry-after": String(retryAfter) } },
      );
    }
    const { url } = await provider.start({ verificationId: id, token, origin: new URL(c.req.url).origin, expiresAt });
    const row = await getVerification(c.get("db"), id);
    if (!row) throw new Error("verification vanished after insert");
    return c.json({ ...toVerificationView(row, now.toISOString()), url }, 201);
  },
);

verificationsRoutes.openapi(
  route.get("/{id}", {
    summary: "Read a face verification",
    operationId: "getVerification",
    description:
      "A verification's status (`pending`, `passed`, `failed`, `expired`), when it completed, why it failed and until when a filing may use it. The person is masked.",
    request: { params: VerificationParams },
    ok: ok(200, "The verification", VerificationSchema),
    errors: [401, 403, 404],
  }),
  async (c) => {
    const row = await getVerification(c.get("db"), c.req.valid("param").id);
    const app = row ? await appAccess(c, row.appId) : undefined;
    if (!row || !mayReadVerification(c.get("principal"), row, app)) {
      throw new ApiError("NOT_FOUND", "No such verification");
    }
    return c.json(toVerificationView(row, new Date().toISOString()), 200);
  },
);
