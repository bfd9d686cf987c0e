import { createRoute } from "@hono/zod-openapi";
import { FILING_STATUSES, SMS_WINDOW_MS, STAFF_VISIBLE } from "../domain/filing-state";
import { requireRole } from "../lib/auth";
import { bearerSecurity, createRouter, errorResponses } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { filingQueue, toFilingView, transitionFiling } from "../repositories/filings";
import { FilingParams, FilingSchema } from "./filings.schemas";
import { QueueQuery, QueueSchema, RejectBodySchema, StaffFilingSchema } from "./review.schemas";
import { filingRecipients, queueItem, staffFiling, unmaskedView } from "./staff";

/** 平台初审: the platform's reviewers move filings out of `platform_review`. */
export const reviewRoutes = createRouter();

reviewRoutes.use("*", requireRole("reviewer"));

const IN_REVIEW = STAFF_VISIBLE.reviewer;
// A move asked of a filing in another status is refused by the lifecycle (409), not hidden (404).
const ANY = FILING_STATUSES;
const json = <T>(schema: T) => ({ "application/json": { schema } });

reviewRoutes.openapi(
  createRoute({
    method: "get",
    path: "/queue",
    tags: ["review"],
    summary: "Filings waiting for platform review, oldest first",
    security: bearerSecurity,
    request: { query: QueueQuery },
    responses: {
      200: { description: "A page of the queue", content: json(QueueSchema) },
      ...errorResponses(401, 403, 422),
    },
  }),
  async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const rows = await filingQueue(c.get("db"), IN_REVIEW, { cursor, limit });
    const items = rows.slice(0, limit).map(queueItem);
    return c.json({ items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null }, 200);
  },
);

reviewRoutes.openapi(
  createRoute({
    method: "get",
    path: "/filings/{id}",
    tags: ["review"],
    summary: "A filing in review, unmasked (the read is audited)",
    security: bearerSecurity,
    request: { params: FilingParams },
    responses: {
      200: { description: "The filing", content: json(StaffFilingSchema) },
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => c.json(await unmaskedView(c, await staffFiling(c, c.req.valid("param").id, IN_REVIEW)), 200),
);

reviewRoutes.openapi(
  createRoute({
    method: "post",
    path: "/filings/{id}/approve",
    tags: ["review"],
    summary: "Pass platform review: the filing goes to SMS verification (24 h window)",
    security: bearerSecurity,
    request: { params: FilingParams },
    responses: {
      200: { description: "The filing", content: json(FilingSchema) },
      ...errorResponses(401, 403, 404, 409),
    },
  }),
  async (c) => {
    const filing = await staffFiling(c, c.req.valid("param").id, ANY);
    const updated = await transitionFiling(c.get("db"), {
      filing,
      action: "platform_approve",
      actor: c.get("principal"),
      now: new Date(),
      recipients: await filingRecipients(c, filing),
      effects: (_f, _to, at) => ({
        statements: [],
        set: { smsDeadline: new Date(Date.parse(at) + SMS_WINDOW_MS).toISOString() },
      }),
    });
    return c.json(toFilingView(updated), 200);
  },
);

reviewRoutes.openapi(
  createRoute({
    method: "post",
    path: "/filings/{id}/reject",
    tags: ["review"],
    summary: "Reject with per-field reasons; the submitter corrects and files anew",
    security: bearerSecurity,
    middleware: [requireJsonBody()] as const,
    request: { params: FilingParams, body: { required: true, content: json(RejectBodySchema) } },
    responses: {
      200: { description: "The filing", content: json(FilingSchema) },
      ...errorResponses(400, 401, 403, 404, 409, 415, 422),
    },
  }),
  async (c) => {
    const filing = await staffFiling(c, c.req.valid("param").id, ANY);
    const { reasons } = c.req.valid("json");
    const updated = await transitionFiling(c.get("db"), {
      filing,
      action: "platform_reject",
      actor: c.get("principal"),
      reasons,
      now: new Date(),
      recipients: await filingRecipients(c, filing),
    });
    return c.json(toFilingView(updated), 200);
  },
);
