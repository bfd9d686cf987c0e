import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { issuesToProblems } from "../domain/problems";
import { textSchema } from "../domain/text";
import { ApiError, validationFailed } from "../lib/errors";
import { createRouter, declarePublicRoutes, ok } from "../lib/router";
import { readBodyCapped } from "../lib/validation";
import { completeVerification } from "../repositories/verifications";
import type { AppEnv } from "../types";
import { handOn } from "../webhooks/outbox";
import { verifySignature } from "../webhooks/signing";
import { OffsetDateTime } from "./shared.schemas";

/**
 * The identity provider's callback (docs/rules.md#verifications): a face verification's result, signed per Standard
 * Webhooks with the provider's secret (`IDENTITY_WEBHOOK_SECRET`). No API key: the signature is the credential, and
 * is checked before anything else is read. The development simulator's page sends its results through here too.
 */
export const identityRoutes = createRouter();
const route = declarePublicRoutes("verifications");

/** A result is a few hundred bytes; anything near this is not one. */
const MAX_CALLBACK_BYTES = 16 * 1024;

export const IdentityCallbackSchema = z
  .strictObject({
    type: z.literal("verification.result"),
    data: z.strictObject({
      verificationId: z.string().max(64),
      result: z.enum(["passed", "failed"]),
      reason: textSchema({ max: 200 }).optional(),
      completedAt: OffsetDateTime,
    }),
  })
  .openapi("IdentityCallback", {
    example: {
      type: "verification.result",
      data: {
        verificationId: "ver_01JD8X3K5M2N4P6Q8R0S2T4V6W",
        result: "passed",
        completedAt: "2026-12-02T10:15:00+08:00",
      },
    },
  });

identityRoutes.openAPIRegistry.register("IdentityCallback", IdentityCallbackSchema);

/** What a callback came to, for the answer: the verification's result recorded, or nothing changed. */
export type CallbackOutcome = { changed: boolean };

/**
 * Verifies and applies one callback message: 401 for a missing, bad or stale signature (or no secret configured),
 * 400/422 for a body that is not a result, 404 for an unknown verification. A result for a verification that is no
 * longer pending (a replay, or a late one) changes nothing.
 */
export async function acceptIdentityCallback(
  c: Context<AppEnv>,
  body: string,
  headers: { id?: string; timestamp?: string; signature?: string },
): Promise<CallbackOutcome> {
  const secret = c.env.IDENTITY_WEBHOOK_SECRET;
  const now = new Date();
  if (!secret || !(await verifySignature(secret, headers, body, now))) {
    throw new ApiError("UNAUTHORIZED", "The callback's Standard Webhooks signature is missing, wrong or stale");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new ApiError("MALFORMED_JSON", e instanceof Error ? e.message : undefined);
  }
  const parsed = IdentityCallbackSchema.safeParse(json);
  if (!parsed.success) throw validationFailed(issuesToProblems(parsed.error.issues, json));
  const { data } = parsed.data;
  const outcome = await completeVerification(c.get("db"), {
    id: data.verificationId,
    result: data.result,
    reason: data.reason,
    completedAt: data.completedAt,
    actor: "identity_provider",
    now,
  });
  if (outcome.kind === "not_found") throw new ApiError("NOT_FOUND", "No such verification");
  if (outcome.kind === "completed") handOn(c.env, c.get("db"), c.executionCtx, outcome.pending);
  return { changed: outcome.kind === "completed" };
}

identityRoutes.openapi(
  route.post("/callback", {
    summary: "The identity provider reports a face verification's result",
    operationId: "receiveIdentityCallback",
    description:
      'Called by the identity provider, not by filers: `{type: "verification.result", data: {verificationId, result, reason?, completedAt}}`, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with `IDENTITY_WEBHOOK_SECRET`. A missing, wrong or stale (over 5 minutes) signature is 401. The first result for a pending verification is recorded (and `verification.completed` sent to the app\'s owner and the requester); any later one, a replay included, changes nothing.',
    request: {
      // Documented, but read by the handler: the signature is over the raw bytes, and is checked first.
      body: {
        required: true,
        content: { "application/json": { schema: { $ref: "#/components/schemas/IdentityCallback" } } },
      },
      headers: z.object({
        "webhook-id": z.string().max(256).optional(),
        "webhook-timestamp": z.string().max(20).optional(),
        "webhook-signature": z.string().max(2048).optional(),
      }),
    },
    ok: ok(200, "Received", z.object({ changed: z.boolean() }).openapi("IdentityCallbackResult")),
    errors: [400, 401, 404, 413, 422],
  }),
  async (c) => {
    if (Number(c.req.header("content-length") ?? "0") > MAX_CALLBACK_BYTES) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `The body may be at most ${MAX_CALLBACK_BYTES} bytes`);
    }
    const bytes = await readBodyCapped(c.req.raw, MAX_CALLBACK_BYTES);
    if (!bytes) throw new ApiError("PAYLOAD_TOO_LARGE", `The body may be at most ${MAX_CALLBACK_BYTES} bytes`);
    let body: string;
    try {
      body = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw new ApiError("MALFORMED_JSON", "The body is not valid UTF-8");
    }
    const outcome = await acceptIdentityCallback(c, body, {
      id: c.req.header("webhook-id"),
      timestamp: c.req.header("webhook-timestamp"),
      signature: c.req.header("webhook-signature"),
    });
    return c.json(outcome, 200);
  },
);
