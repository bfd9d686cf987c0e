import { z } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors";
import { createKeyHolderRouter, declareKeyRoutes, ok, pageSchema } from "../lib/router";
import { eventSeqOf, eventsAfter } from "../repositories/events";

/**
 * Every event of the caller's, oldest first (docs/rules.md#webhooks): `after` is the last id the client has seen; the answer's
 * `nextCursor` is the last id returned, or the `after` given when nothing is new. Ordered by the outbox's own
 * sequence, so a poll never skips an event committed later with an earlier-looking id.
 */
export const eventsRoutes = createKeyHolderRouter();
const route = declareKeyRoutes("events");

export const EventSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({
      example: "filing.status_changed",
      description:
        "`filing.submitted`, `filing.status_changed` (`data.from`, `data.to`), `filing.sms_updated` (one " +
        "person's SMS confirmation: `data.role`, `data.status`, `data.wrongAttempts`, never a mobile), " +
        "`filing.materials_deleted` (the " +
        "filing's materials were deleted after it ended without approval; `data.materials` lists `{mediaId, path}`), " +
        "`registration.issued`, `registration.updated`, `registration.cancelled`, `registration.revoked`, " +
        "`registration.reinstated` (the bureau brought an ended registration back), " +
        "`app.deadline_reminder`, `app.delisted`, `app.relisted`, " +
        "`verification.completed` (a face verification passed or failed: `data.status`, `data.failureReason`)",
    }),
    createdAt: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("Event");

eventsRoutes.openapi(
  route.get("/", {
    summary: "Poll own events after a cursor",
    operationId: "listEvents",
    description:
      "The account's events, oldest first, from after the event `after` names (from the first without it). Keep " +
      "the last id you handled and pass it back: the same events the webhook delivers, for clients without one.",
    request: {
      query: z.object({
        after: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    ok: ok(200, "Events, oldest first", pageSchema(EventSchema)),
    errors: [401, 404, 422],
  }),
  async (c) => {
    const { after, limit } = c.req.valid("query");
    const db = c.get("db");
    const accountId = c.get("principal").accountId;
    let afterSeq = 0;
    if (after) {
      const seq = await eventSeqOf(db, accountId, after);
      if (seq === undefined) throw new ApiError("NOT_FOUND", "No event of yours has that id");
      afterSeq = seq;
    }
    const items = await eventsAfter(db, accountId, afterSeq, limit);
    return c.json({ items, nextCursor: items.at(-1)?.id ?? (after || null) }, 200);
  },
);
