import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  CancelSubmissionSchema,
  type CheckedFiling,
  checkFilingRequest,
  FilingSubmissionSchema,
} from "../domain/filing-request";
import { type Reason, toFilingView } from "../domain/filing-view";
import { mayCancelOrganizer, mayFileFor, mayWithdrawFiling } from "../domain/permissions";
import { type BlindFacts, judgePreflight, type PreflightResult } from "../domain/preflight";
import { onePerPath, type Problem, problem } from "../domain/problems";
import { beijingToday } from "../domain/time";

import { canonicalJson, sha256Hex, vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { renderProblem } from "../lib/messages";
import { createKeyHolderRouter, declareKeyRoutes, ok, pageOf } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { getApp } from "../repositories/apps";
import {
  filingHistoryRows,
  filingRecipients,
  getVisibleFiling,
  listVisibleFilings,
  submitFiling,
} from "../repositories/filings";
import { blindFacts, organizerAppsForCancel, readPreflightFacts } from "../repositories/preflight";
import { loadRegions } from "../repositories/regions";
import type { AppEnv } from "../types";
import { handOn } from "../webhooks/outbox";
import { moveFiling } from "./filing-moves";
import {
  FILING_EXAMPLE,
  FilingListQuery,
  FilingListSchema,
  FilingParams,
  FilingSchema,
  HistoryEntrySchema,
  IdempotencyKeySchema,
  ValidationResultSchema,
} from "./filings.schemas";

export const filingsRoutes = createKeyHolderRouter(["developer", "provider"]);
const route = declareKeyRoutes("filings");

filingsRoutes.openAPIRegistry.register("FilingRequest", FilingSubmissionSchema);
filingsRoutes.openAPIRegistry.register("CancelRequest", CancelSubmissionSchema);

/**
 * The request body is documented but read by the handler itself (not by the route validator): a dry run must
 * answer 200 with every problem, and a submission must list field problems and pre-flight problems together.
 */
const filingBody = {
  required: true,
  content: {
    "application/json": {
      schema: {
        oneOf: [{ $ref: "#/components/schemas/FilingRequest" }, { $ref: "#/components/schemas/CancelRequest" }],
      },
      example: FILING_EXAMPLE,
    },
  },
};

type Assessment = { checked: CheckedFiling; blind: BlindFacts; preflight: PreflightResult; problems: Problem[] };

/** The checks shared by submit and the dry run: field rules, then every stored-data rule in one round trip. */
async function assess(c: Context<AppEnv>, body: unknown, now: Date, idempotencyKey?: string): Promise<Assessment> {
  const db = c.get("db");
  const principal = c.get("principal");
  const { lookup } = await loadRegions(db);
  const checked = checkFilingRequest(body, { today: beijingToday(now), regions: lookup });
  const blind = await blindFacts(vaultFor(c.env), checked.facts);
  const { accountId } = principal;
  const stored = await readPreflightFacts(db, { accountId, facts: checked.facts, blind, idempotencyKey });
  const preflight = judgePreflight(checked.facts, blind, stored, {
    accountId,
    quotas: c.get("config").quotas,
    facePolicy: c.get("config").faceVerification,
    now: now.toISOString(),
  });
  // An app the caller may not file for is, to it, no app at all: 404 like any resource (docs/rules.md#permissions).
  if (checked.facts.appId !== undefined && !(preflight.app && mayFileFor(principal, preflight.app))) {
    throw new ApiError("NOT_FOUND", "No such app");
  }
  return { checked, blind, preflight, problems: [...checked.problems, ...preflight.problems] };
}

/**
 * A cancellation of the whole organizer ends every one of its registrations (docs/rules.md#permissions): the caller
 * must hold all of its apps, and none may have a filing open. Submit and the dry run both ask, so the dry run reports
 * what submit would.
 */
async function organizerCancelChecks(
  c: Context<AppEnv>,
  request: CheckedFiling["request"],
  preflight: PreflightResult,
): Promise<{ problems: Problem[]; inFlight: boolean }> {
  if (request?.type !== "cancel" || request.scope !== "organizer" || !preflight.registration) {
    return { problems: [], inFlight: false };
  }
  const principal = c.get("principal");
  const others = await organizerAppsForCancel(c.get("db"), preflight.registration.organizerId, principal.accountId);
  return {
    problems: mayCancelOrganizer(principal, others) ? [] : [problem("scope", "ORGANIZER_APPS_NOT_HELD")],
    inFlight: others.some((a) => a.inFlight),
  };
}

filingsRoutes.openapi(
  route.post("/validate", {
    summary: "Dry run: every problem a submission would report, nothing stored",
    operationId: "validateFiling",
    description:
      "Checks a filing exactly as a submission would (fields, identifiers, materials, pre-flight against existing filings and registrations) and answers every problem at once. Nothing is stored.",
    middleware: [requireJsonBody()],
    request: { body: filingBody },
    ok: ok(200, "Whether the filing would be accepted", ValidationResultSchema),
    errors: [400, 401, 403, 404, 413, 415],
  }),
  async (c) => {
    const { checked, preflight, problems } = await assess(c, c.get("body"), new Date());
    const organizerCancel = await organizerCancelChecks(c, checked.request, preflight);
    const conflicts = [...preflight.conflicts];
    if (organizerCancel.inFlight && !conflicts.includes("FILING_IN_PROGRESS")) conflicts.push("FILING_IN_PROGRESS");
    const all = onePerPath([
      ...conflicts.map((code) => problem("appId", code)),
      ...problems,
      ...organizerCancel.problems,
    ]);
    return c.json({ valid: all.length === 0, errors: all.map((p) => renderProblem(p, c.get("lang"))) }, 200);
  },
);

filingsRoutes.openapi(
  route.post("/", {
    summary: "Submit a filing (new, change or cancel)",
    operationId: "submitFiling",
    description:
      "Every problem comes back at once in one 422 (field rules and pre-flight rules). Send an `Idempotency-Key` to make retries safe.",
    middleware: [requireJsonBody()],
    request: { body: filingBody, headers: z.object({ "idempotency-key": IdempotencyKeySchema.optional() }) },
    ok: ok(201, "Submitted (or the first response again, for a repeated Idempotency-Key)", FilingSchema),
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
  }),
  async (c) => {
    const body = c.get("body");
    const principal = c.get("principal");
    const now = new Date();
    const key = c.req.header("idempotency-key");
    const requestHash = key !== undefined ? await sha256Hex(canonicalJson(body)) : undefined;
    const { checked, blind, preflight, problems } = await assess(c, body, now, key);

    if (preflight.idempotency) {
      if (preflight.idempotency.requestHash !== requestHash) {
        throw new ApiError("IDEMPOTENCY_KEY_REUSED", "Use a new Idempotency-Key for a different request");
      }
      return replay(preflight.idempotency.responseStatus, preflight.idempotency.responseBody);
    }
    const conflict = preflight.conflicts[0];
    if (conflict) throw new ApiError(conflict);
    if (problems.length > 0 || !checked.request || !preflight.app) throw validationFailed(problems);

    const request = checked.request;
    const organizerCancel = await organizerCancelChecks(c, request, preflight);
    if (organizerCancel.problems.length > 0) throw validationFailed(organizerCancel.problems);
    if (organizerCancel.inFlight)
      throw new ApiError("FILING_IN_PROGRESS", "Another app of this organizer has a filing in progress");
    const outcome = await submitFiling(c.get("db"), vaultFor(c.env), {
      request,
      blind,
      submitter: principal,
      appOwnerAccountId: preflight.app.ownerAccountId,
      organizerBlind: preflight.registration?.organizerBlind,
      organizerProvince: preflight.registration?.province,
      idempotency: key !== undefined && requestHash ? { key, requestHash } : undefined,
      materials: checked.facts.materials,
      verifications: checked.facts.people.flatMap((p) =>
        p.verificationId ? [{ path: `${p.path}.verificationId`, id: p.verificationId }] : [],
      ),
      now,
    });
    switch (outcome.kind) {
      case "created":
        handOn(c.env, c.get("db"), c.executionCtx, outcome.pending);
        return c.json(outcome.view, 201);
      case "replay":
        return replay(outcome.status, outcome.body);
      case "key_reused":
        throw new ApiError("IDEMPOTENCY_KEY_REUSED", "Use a new Idempotency-Key for a different request");
      case "in_progress":
        throw new ApiError("FILING_IN_PROGRESS");
      case "verification_used":
        throw validationFailed(outcome.paths.map((path) => problem(path, "VERIFICATION_USED")));
    }
  },
);

/** The first call's answer again; that call wrote (and handed on) everything, so this one hands on nothing. */
function replay(status: number, body: string) {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json", "idempotent-replayed": "true" },
  }) as unknown as never;
}

filingsRoutes.openapi(
  route.get("/", {
    summary: "List filings of own and granted apps, newest first",
    operationId: "listFilings",
    description:
      "Filings of the caller's own apps and of apps granted to it, newest first; `status` and `appId` filter. Personal data is masked.",
    request: { query: FilingListQuery },
    ok: ok(200, "A page of filings", FilingListSchema),
    errors: [401, 403, 422],
  }),
  async (c) => {
    const query = c.req.valid("query");
    const rows = await listVisibleFilings(c.get("db"), c.get("principal").accountId, query);
    return c.json(
      pageOf(rows, query.limit, toFilingView, (filing) => filing.id),
      200,
    );
  },
);

async function visibleFiling(c: Context<AppEnv>, id: string) {
  const row = await getVisibleFiling(c.get("db"), id, c.get("principal").accountId);
  if (!row) throw new ApiError("NOT_FOUND", "No such filing");
  return row;
}

filingsRoutes.openapi(
  route.get("/{id}", {
    summary: "Read a filing",
    operationId: "getFiling",
    description:
      "One filing the caller may read, with its status, reasons and registration number once issued. Personal data is masked.",
    request: { params: FilingParams },
    ok: ok(200, "The filing", FilingSchema),
    errors: [401, 403, 404],
  }),
  async (c) => c.json(toFilingView(await visibleFiling(c, c.req.valid("param").id)), 200),
);

filingsRoutes.openapi(
  route.get("/{id}/history", {
    summary: "Transitions with actors, times and reasons",
    operationId: "getFilingHistory",
    description:
      "Every transition of the filing, oldest first: from and to status, who moved it, when, and the reasons given.",
    request: { params: FilingParams },
    ok: ok(200, "History, oldest first", z.object({ items: z.array(HistoryEntrySchema) })),
    errors: [401, 403, 404],
  }),
  async (c) => {
    const filing = await visibleFiling(c, c.req.valid("param").id);
    const rows = await filingHistoryRows(c.get("db"), filing.id);
    const items = rows.map((r) => ({
      seq: r.seq,
      from: r.fromStatus,
      to: r.toStatus,
      actor: { accountId: r.actorAccountId, role: r.actorRole },
      at: r.at,
      reasons: JSON.parse(r.reasons) as Reason[],
    }));
    return c.json({ items }, 200);
  },
);

filingsRoutes.openapi(
  route.post("/{id}/withdraw", {
    summary: "Withdraw a filing still in platform review",
    operationId: "withdrawFiling",
    description:
      "Withdraws a filing that is still in platform review; it ends as `withdrawn` and the app may file again.",
    request: { params: FilingParams },
    ok: ok(200, "The filing, withdrawn", FilingSchema),
    errors: [401, 403, 404, 409],
  }),
  async (c) => {
    const filing = await visibleFiling(c, c.req.valid("param").id);
    const principal = c.get("principal");
    const app = await getApp(c.get("db"), filing.appId);
    if (!mayWithdrawFiling(principal, filing, app)) {
      throw new ApiError("FORBIDDEN", "Only the submitter or the app's owner may withdraw a filing");
    }
    const updated = await moveFiling(c.get("db"), {
      filing,
      action: "withdraw",
      actor: principal,
      now: new Date(),
      recipients: await filingRecipients(c.get("db"), filing),
    });
    handOn(c.env, c.get("db"), c.executionCtx);
    return c.json(toFilingView(updated), 200);
  },
);
