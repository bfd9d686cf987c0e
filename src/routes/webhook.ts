import { z } from "@hono/zod-openapi";
import { vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { createKeyHolderRouter, declareKeyRoutes, jsonBody, ok, pageOf, pageSchema } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointRow,
  endpointOf,
  getDelivery,
  listDeliveries,
  reviveDelivery,
  updateEndpoint,
} from "../repositories/webhooks";
import { pingEndpoint } from "../webhooks/delivery";
import { DELIVERY_FAILURE_KINDS } from "../webhooks/failure";
import { resolverFor, webhookUrlRefusal } from "../webhooks/resolver";
import { newWebhookSecret } from "../webhooks/signing";

/** An account's webhook endpoint, its secret, a test ping and its dead deliveries (docs/rules.md#webhooks). */
export const webhookRoutes = createKeyHolderRouter();
const route = declareKeyRoutes("webhooks");

const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

const EndpointSchema = z
  .object({
    url: z.string(),
    enabled: z.boolean(),
    disabledAt: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    secret: z.string().optional().openapi({ description: "Shown on creation and rotation only: whsec_…" }),
  })
  .openapi("WebhookEndpoint");

const PutSchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(2048)
      .openapi({
        example: "https://example.com/beian/webhooks",
        format: "uri",
        description:
          "An absolute https URL of a public host: no internal name, no name spelling or resolving to a non-public " +
          "address (http and loopback only in development)",
      }),
    rotateSecret: z.boolean().optional(),
  })
  .openapi("PutWebhook");

const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    status: z.enum(["pending", "delivered", "dead"]),
    attempts: z.number(),
    lastStatus: z.number().nullable(),
    lastError: z
      .string()
      .nullable()
      .openapi({
        description:
          'Why the last attempt did not deliver, "<kind>: <message>" with the kinds of WebhookPing.error (e.g. ' +
          '"connect: the connection was refused or closed before an answer"), or "given up by the queue"; null ' +
          "once delivered",
      }),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookDelivery");

function view(row: EndpointRow, secret?: string) {
  return {
    url: row.url,
    enabled: row.disabledAt === null,
    disabledAt: row.disabledAt,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(secret ? { secret } : {}),
  };
}

webhookRoutes.openapi(
  route.put("/", {
    summary: "Set the webhook URL; the secret is returned on creation and on rotation",
    operationId: "setWebhook",
    description:
      "Sets the account's webhook URL. The first call creates the endpoint and answers its signing secret; `rotateSecret: true` answers a new one, the old one still signing for 24 hours. Setting the URL again re-enables an endpoint disabled by a 410.",
    middleware: [requireJsonBody()],
    request: { body: jsonBody(PutSchema) },
    ok: { ...ok(200, "Updated", EndpointSchema), ...ok(201, "Created, with its secret", EndpointSchema) },
    errors: [400, 401, 409, 415, 422],
  }),
  async (c) => {
    const { url, rotateSecret } = c.req.valid("json");
    const config = c.get("config");
    // A name the resolver could not answer for is stored: every delivery checks it again before it goes out.
    const refusal = await webhookUrlRefusal(url, { development: config.development, resolver: resolverFor(config) });
    if (refusal && "code" in refusal) throw validationFailed([{ path: "url", code: refusal.code }]);
    const db = c.get("db");
    const vault = vaultFor(c.env);
    const accountId = c.get("principal").accountId;
    const now = new Date();
    const at = now.toISOString();
    let existing = await endpointOf(db, accountId);
    if (!existing) {
      const secret = newWebhookSecret();
      const row: EndpointRow = {
        accountId,
        url,
        secretSealed: await vault.seal(secret),
        previousSecretSealed: null,
        previousSecretExpiresAt: null,
        disabledAt: null,
        createdAt: at,
        updatedAt: at,
      };
      // Only the secret that was stored is handed out.
      if (await createEndpoint(db, row)) return c.json(view(row, secret), 201);
      // A concurrent PUT created the endpoint first: this one updates it, as any later PUT does.
      existing = await endpointOf(db, accountId);
      if (!existing) throw new ApiError("CONFLICT", "The webhook changed meanwhile; try again");
    }
    // Setting the URL again re-enables an endpoint that answered 410.
    const change: Partial<EndpointRow> = { url, disabledAt: null, updatedAt: at };
    let secret: string | undefined;
    if (rotateSecret) {
      secret = newWebhookSecret();
      Object.assign(change, {
        secretSealed: await vault.seal(secret),
        previousSecretSealed: existing.secretSealed,
        previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(),
      });
    }
    const row = await updateEndpoint(db, accountId, change);
    if (!row) throw new ApiError("CONFLICT", "The webhook changed meanwhile; try again");
    return c.json(view(row, secret), 200);
  },
);

webhookRoutes.openapi(
  route.get("/", {
    summary: "The webhook endpoint (never its secret)",
    operationId: "getWebhook",
    description: "The account's endpoint: URL, whether it is enabled, and when its previous secret stops signing.",
    ok: ok(200, "The endpoint", EndpointSchema),
    errors: [401, 404],
  }),
  async (c) => {
    const row = await endpointOf(c.get("db"), c.get("principal").accountId);
    if (!row) throw new ApiError("NOT_FOUND", "No webhook is set");
    return c.json(view(row), 200);
  },
);

webhookRoutes.openapi(
  route.delete("/", {
    summary: "Remove the webhook endpoint (events stay readable at GET /v1/events)",
    operationId: "deleteWebhook",
    description: "Removes the endpoint; pending deliveries stop. Events stay readable at GET /v1/events.",
    ok: ok(204, "Removed"),
    errors: [401, 404],
  }),
  async (c) => {
    if (!(await deleteEndpoint(c.get("db"), c.get("principal").accountId))) {
      throw new ApiError("NOT_FOUND", "No webhook is set");
    }
    return c.body(null, 204);
  },
);

const PingSchema = z
  .object({
    delivered: z.boolean(),
    status: z.number().int().openapi({ description: "The endpoint's HTTP status; 0 when no HTTP answer came" }),
    webhookId: z.string().openapi({ description: "The ping's `webhook-id` (msg_…)" }),
    error: z
      .object({
        kind: z.enum(DELIVERY_FAILURE_KINDS).openapi({
          description:
            "dns: the host name did not resolve; connect: refused or closed before an answer; tls: the handshake " +
            "failed; timeout: no answer in time; status: a non-2xx answer (410 disables the endpoint); " +
            "refused_address: the URL policy refuses it, nothing was sent",
        }),
        message: z.string(),
      })
      .optional()
      .openapi({ description: "Why it was not delivered; absent when it was" }),
  })
  .openapi("WebhookPing");

webhookRoutes.openapi(
  route.post("/test", {
    summary: "Send a signed `webhook.test` ping now and report what the endpoint answered, or what failed",
    operationId: "testWebhook",
    description:
      "Sends a signed `webhook.test` message to the endpoint now and answers what happened: the HTTP status, or " +
      "what failed before one (`error.kind`). A 410 answer disables the endpoint, as it does for an event.",
    ok: ok(200, "The endpoint's answer", PingSchema),
    errors: [401, 404],
  }),
  async (c) => {
    const endpoint = await endpointOf(c.get("db"), c.get("principal").accountId);
    if (!endpoint) throw new ApiError("NOT_FOUND", "No webhook is set");
    const config = c.get("config");
    const { status, failure, webhookId } = await pingEndpoint(c.env, c.get("db"), endpoint, {
      development: config.development,
      timeoutMs: config.delivery.timeoutMs,
      resolver: resolverFor(config),
    });
    return c.json({ delivered: !failure, status, webhookId, ...(failure ? { error: failure } : {}) }, 200);
  },
);

webhookRoutes.openapi(
  route.get("/deliveries", {
    summary: "Own deliveries, newest first; `status=dead` lists the ones that gave up",
    operationId: "listDeliveries",
    description: "The account's deliveries, newest first; `status=dead` lists those that gave up after every retry.",
    request: {
      query: z.object({
        status: z.enum(["pending", "delivered", "dead"]).optional(),
        cursor: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    ok: ok(200, "Deliveries", pageSchema(DeliverySchema)),
    errors: [401, 422],
  }),
  async (c) => {
    const { status, cursor, limit } = c.req.valid("query");
    const rows = await listDeliveries(c.get("db"), c.get("principal").accountId, { status, cursor, limit });
    return c.json(
      pageOf(
        rows,
        limit,
        ({ accountId: _, ...rest }) => rest,
        (delivery) => delivery.id,
      ),
      200,
    );
  },
);

webhookRoutes.openapi(
  route.post("/deliveries/{id}/retry", {
    summary: "Try a dead delivery again (from its first attempt)",
    operationId: "retryDelivery",
    description: "Puts a dead delivery back in the queue, starting again from its first attempt.",
    request: { params: z.object({ id: z.string().max(64) }) },
    ok: ok(202, "Queued", DeliverySchema),
    errors: [401, 404, 409],
  }),
  async (c) => {
    const db = c.get("db");
    const delivery = await getDelivery(db, c.get("principal").accountId, c.req.valid("param").id);
    if (!delivery) throw new ApiError("NOT_FOUND", "No such delivery");
    if (delivery.status !== "dead") throw new ApiError("INVALID_TRANSITION", "Only a dead delivery can be retried");
    const endpoint = await endpointOf(c.get("db"), c.get("principal").accountId);
    if (!endpoint || endpoint.disabledAt) {
      throw new ApiError(
        "CONFLICT",
        "Set a working webhook URL first (PUT /v1/webhook); this one is missing or disabled",
      );
    }
    const queue = c.env.DELIVERY_QUEUE;
    if (!queue) throw new ApiError("CONFLICT", "Webhook delivery is not configured here");
    const at = new Date().toISOString();
    const row = await reviveDelivery(db, delivery.id, at);
    if (!row) throw new ApiError("INVALID_TRANSITION", "Only a dead delivery can be retried");
    await queue.send({ eventId: delivery.eventId });
    const { accountId: _, ...rest } = row;
    return c.json(rest, 202);
  },
);
