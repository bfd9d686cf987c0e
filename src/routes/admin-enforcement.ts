import { z } from "@hono/zod-openapi";
import { duplicateProblems, problem } from "../domain/problems";
import { textSchema } from "../domain/text";
import { listRuns } from "../jobs/enforcement";

import { ApiError, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import { createRouter, declareKeyRoutes, jsonBody, ok, PageQuery, pageOf, pageSchema } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { importAppsStatements, readImportFacts } from "../repositories/apps";
import { audit } from "../repositories/audit";
import {
  getPolicy,
  insertPolicy,
  listPolicies,
  type PolicyRow,
  toPolicyView,
  updatePolicy,
} from "../repositories/policies";
import { AppNameSchema } from "./apps.schemas";
import { OffsetDateTime } from "./shared.schemas";

/** The platform's side of deadlines (docs/rules.md#enforcement): its catalogue, its policies, and what enforcement did. */
/** Mounted inside adminRoutes, whose key and role checks it shares. */
export const adminEnforcementRoutes = createRouter();
const route = declareKeyRoutes("admin");

const ReminderDays = z
  .array(z.number().int().min(1).max(365))
  .max(10)
  .refine((days) => new Set(days).size === days.length, { params: { code: "DUPLICATE" } })
  .transform((days) => [...days].sort((a, b) => b - a))
  .openapi({ uniqueItems: true, description: "Days before the deadline to remind on, each once" });

const PolicySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    listedBefore: z.string(),
    deadline: z.string(),
    reminderDays: z.array(z.number()),
    action: z.literal("delist"),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Policy");

const PolicyName = textSchema({ max: 100 });

const CreatePolicySchema = z
  .strictObject({
    name: PolicyName,
    listedBefore: OffsetDateTime,
    deadline: OffsetDateTime,
    reminderDays: ReminderDays.default([30, 7, 1]),
    action: z.literal("delist").default("delist"),
  })
  .openapi("CreatePolicy");

const PatchPolicySchema = z
  .strictObject({
    name: PolicyName.optional(),
    listedBefore: OffsetDateTime.optional(),
    deadline: OffsetDateTime.optional(),
    reminderDays: ReminderDays.optional(),
    active: z.boolean().optional(),
  })
  .openapi("PatchPolicy");

adminEnforcementRoutes.openapi(
  route.post("/policies", {
    summary: "Create a deadline policy",
    operationId: "createPolicy",
    description:
      "A deadline policy for apps listed before a date: their filing deadline, the reminder days before it, and the action when it passes (`delist`). The cron enforces active policies.",
    middleware: [requireJsonBody()],
    request: { body: jsonBody(CreatePolicySchema) },
    ok: ok(201, "Created", PolicySchema),
    errors: [400, 401, 403, 415, 422],
  }),
  async (c) => {
    const input = c.req.valid("json");
    const at = new Date().toISOString();
    const row: PolicyRow = {
      id: newId("pol"),
      name: input.name,
      listedBefore: input.listedBefore,
      deadline: input.deadline,
      reminderDays: JSON.stringify(input.reminderDays),
      action: input.action,
      active: true,
      createdAt: at,
      updatedAt: at,
    };
    const db = c.get("db");
    await audit(
      db,
      {
        subject: `policy:${row.id}`,
        action: "policy.created",
        actor: c.get("principal").accountId,
        at,
        data: input,
      },
      [insertPolicy(db, row)],
    );
    return c.json(toPolicyView(row), 201);
  },
);

adminEnforcementRoutes.openapi(
  route.get("/policies", {
    summary: "List deadline policies",
    operationId: "listPolicies",
    description: "Every deadline policy, active or not, oldest first.",
    ok: ok(200, "Policies", z.object({ items: z.array(PolicySchema), nextCursor: z.null() })),
    errors: [401, 403],
  }),
  async (c) => c.json({ items: (await listPolicies(c.get("db"))).map(toPolicyView), nextCursor: null }, 200),
);

adminEnforcementRoutes.openapi(
  route.patch("/policies/{id}", {
    summary: "Change a policy (or deactivate it)",
    operationId: "updatePolicy",
    description: "Changes the fields sent; `active: false` stops the cron acting on it. Runs already made are kept.",
    middleware: [requireJsonBody()],
    request: {
      params: z.object({ id: z.string().max(64) }),
      body: jsonBody(PatchPolicySchema),
    },
    ok: ok(200, "Updated", PolicySchema),
    errors: [400, 401, 403, 404, 415, 422],
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const db = c.get("db");
    if (!(await getPolicy(db, id))) throw new ApiError("NOT_FOUND", "No such policy");
    const at = new Date().toISOString();
    const { reminderDays, ...rest } = input;
    await audit(
      db,
      {
        subject: `policy:${id}`,
        action: "policy.updated",
        actor: c.get("principal").accountId,
        at,
        data: input,
      },
      [
        updatePolicy(db, id, {
          ...rest,
          ...(reminderDays ? { reminderDays: JSON.stringify(reminderDays) } : {}),
          updatedAt: at,
        }),
      ],
    );
    return c.json(toPolicyView((await getPolicy(db, id)) as PolicyRow), 200);
  },
);

const ImportSchema = z
  .strictObject({
    apps: z
      .array(
        z.strictObject({
          appId: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9_-]{4,64}$/),
          name: AppNameSchema,
          ownerAccountId: z.string().min(1).max(64),
          listingStatus: z.enum(["listed", "unlisted"]),
          listedAt: OffsetDateTime.nullable().optional(),
        }),
      )
      .min(1)
      .max(1000),
  })
  .openapi("ImportApps");

adminEnforcementRoutes.openapi(
  route.post("/apps/import", {
    summary: "Import the platform's catalogue (≤ 1,000 apps a call, idempotent by appId)",
    operationId: "importApps",
    description:
      "Existing apps are updated; an app that enforcement delisted stays delisted whatever the import says. " +
      "An unknown owner fails the whole import.",
    middleware: [requireJsonBody()],
    request: { body: jsonBody(ImportSchema) },
    ok: ok(200, "Counts", z.object({ imported: z.number(), updated: z.number() })),
    errors: [400, 401, 403, 413, 415, 422],
  }),
  async (c) => {
    const { apps: rows } = c.req.valid("json");
    const db = c.get("db");
    const problems = rows.flatMap((r, i) =>
      r.listingStatus === "listed" && !r.listedAt ? [problem(`apps[${i}].listedAt`, "REQUIRED")] : [],
    );
    problems.push(
      ...duplicateProblems(
        rows.map((r) => r.appId),
        (i) => `apps[${i}].appId`,
      ),
    );
    const { developers, existing } = await readImportFacts(db, {
      owners: [...new Set(rows.map((r) => r.ownerAccountId))],
      appIds: rows.map((r) => r.appId),
    });
    rows.forEach((r, i) => {
      if (!developers.has(r.ownerAccountId)) problems.push(problem(`apps[${i}].ownerAccountId`, "UNKNOWN_ACCOUNT"));
    });
    if (problems.length > 0) throw validationFailed(problems);

    const at = new Date().toISOString();
    const statements = importAppsStatements(db, rows, at);
    await audit(
      db,
      {
        subject: "catalogue",
        action: "apps.imported",
        actor: c.get("principal").accountId,
        at,
        data: { count: rows.length, updated: existing.length },
      },
      statements,
    );
    return c.json({ imported: rows.length - existing.length, updated: existing.length }, 200);
  },
);

const RunSchema = z
  .object({
    id: z.string(),
    scheduledTime: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    completed: z.boolean(),
    counts: z.record(z.string(), z.number()),
    error: z.string().nullable(),
  })
  .openapi("EnforcementRun");

adminEnforcementRoutes.openapi(
  route.get("/enforcement/runs", {
    summary: "Enforcement runs, newest first: counts per action and whether each finished",
    operationId: "listEnforcementRuns",
    description:
      "What each cron run of the deadline enforcement did: reminders sent, apps delisted, and whether it finished within its budget (an unfinished run resumes on the next).",
    request: { query: PageQuery },
    ok: ok(200, "Runs", pageSchema(RunSchema)),
    errors: [401, 403, 422],
  }),
  async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const rows = await listRuns(c.get("db"), { cursor, limit });
    const run = (r: (typeof rows)[number]) => ({
      id: r.id,
      scheduledTime: r.scheduledTime,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      completed: r.completed,
      counts: JSON.parse(r.counts) as Record<string, number>,
      error: r.error,
    });
    return c.json(
      pageOf(rows, limit, run, (item) => item.id),
      200,
    );
  },
);
