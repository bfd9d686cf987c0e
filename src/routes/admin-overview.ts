import { z } from "@hono/zod-openapi";
import { CursorQuery, createRouter, declareKeyRoutes, LimitQuery, ok, pageOf, pageSchema } from "../lib/router";
import { CATALOGUE_SCOPE, COVERAGE_COUNTS, coverageHistory, coverageNow } from "../repositories/coverage";
import { listPolicies } from "../repositories/policies";
import { listDeliveriesOfAllAccounts } from "../repositories/webhooks";

/**
 * What the operator watches (docs/rules.md#enforcement, #webhooks): how far each deadline policy has got, and the
 * webhook deliveries that gave up, across accounts. Mounted inside adminRoutes, whose key and role checks it shares.
 */
export const adminOverviewRoutes = createRouter();
const route = declareKeyRoutes("admin");

const DAY_MS = 86_400_000;

const CountsSchema = z
  .object({
    covered: z.number().int().openapi({ description: "Apps in scope" }),
    filed: z.number().int().openapi({ description: "With an active registration" }),
    unfiled: z.number().int().openapi({ description: "Without an active registration (covered − filed)" }),
    reminded: z.number().int().openapi({ description: "Sent at least one deadline reminder" }),
    delisted: z.number().int().openapi({ description: "Delisted for the deadline, and still delisted" }),
    relisted: z.number().int().openapi({ description: "Delisted for the deadline once, listed again since" }),
  })
  .openapi("CoverageCounts");

const CoverageSchema = z
  .object({
    at: z.string().openapi({ description: "When the counts were read" }),
    catalogue: CountsSchema.openapi({ description: "Every app of the catalogue; reminders under any policy" }),
    policies: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        active: z.boolean(),
        listedBefore: z.string(),
        deadline: z.string(),
        counts: CountsSchema,
      }),
    ),
    history: z
      .array(
        CountsSchema.extend({
          day: z.string().openapi({ example: "2026-12-01" }),
          scope: z.string().openapi({ description: '"*" for the catalogue, else the policy id' }),
        }),
      )
      .openapi({ description: "The cron's daily counts (at its first finished run of each UTC day), oldest first" }),
  })
  .openapi("Coverage");

adminOverviewRoutes.openapi(
  route.get("/coverage", {
    summary: "How far each deadline policy has got: filed, unfiled, reminded, delisted, relisted, and per day",
    operationId: "getCoverage",
    description:
      "For the whole catalogue and each deadline policy (newest first): the apps it covers now — listed before its " +
      "cutoff and listed, or delisted by it for the deadline and still delisted — and how many of them are filed " +
      "(an active registration), unfiled, reminded, delisted and listed again; and the same counts as the cron kept " +
      "them once a UTC day over the last `days` days (only days since the counts were first kept).",
    request: {
      query: z.object({
        days: z.coerce.number().int().min(1).max(366).default(30).openapi({ description: "Days of history" }),
      }),
    },
    ok: ok(200, "Counts now and per day", CoverageSchema),
    errors: [401, 403, 422],
  }),
  async (c) => {
    const { days } = c.req.valid("query");
    const db = c.get("db");
    const at = new Date();
    const fromDay = new Date(at.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
    const [now, policies, history] = await Promise.all([
      coverageNow(db),
      listPolicies(db),
      coverageHistory(db, fromDay),
    ]);
    const none = Object.fromEntries(COVERAGE_COUNTS.map((k) => [k, 0])) as typeof now.catalogue;
    const known = new Set([CATALOGUE_SCOPE, ...policies.map((p) => p.id)]);
    return c.json(
      {
        at: at.toISOString(),
        catalogue: now.catalogue,
        policies: policies.map((p) => ({
          id: p.id,
          name: p.name,
          active: p.active,
          listedBefore: p.listedBefore,
          deadline: p.deadline,
          counts: now.policies.get(p.id) ?? none,
        })),
        history: history.filter((row) => known.has(row.scope)),
      },
      200,
    );
  },
);

const AccountDeliverySchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    accountName: z.string().nullable(),
    eventId: z.string(),
    eventType: z.string().nullable(),
    status: z.enum(["pending", "delivered", "dead"]),
    attempts: z.number(),
    lastStatus: z.number().nullable(),
    lastError: z.string().nullable().openapi({ description: "Why the last attempt did not deliver" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("AccountWebhookDelivery");

adminOverviewRoutes.openapi(
  route.get("/webhook-deliveries", {
    summary: "Webhook deliveries of every account, newest first; dead ones by default",
    operationId: "listAllDeliveries",
    description:
      "The deliveries that gave up after every retry (`status=dead`, the default), or those of another status, " +
      "across all accounts, with each account's name and the event's type. Only the account itself can retry one " +
      "(`POST /v1/webhook/deliveries/{id}/retry`).",
    request: {
      query: z.object({
        status: z.enum(["pending", "delivered", "dead"]).default("dead"),
        cursor: CursorQuery,
        limit: LimitQuery,
      }),
    },
    ok: ok(200, "Deliveries", pageSchema(AccountDeliverySchema)),
    errors: [401, 403, 422],
  }),
  async (c) => {
    const { status, cursor, limit } = c.req.valid("query");
    const rows = await listDeliveriesOfAllAccounts(c.get("db"), { status, cursor, limit });
    return c.json(
      pageOf(rows, limit, (row) => row.id),
      200,
    );
  },
);
