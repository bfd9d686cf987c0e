import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  changeBase,
  mayBeResubmitted,
  patchRequest,
  readPatchEnvelope,
  readResubmitBody,
} from "../domain/filing-patch";
import {
  CancelSubmissionSchema,
  type CheckedFiling,
  checkFilingRequest,
  type FilingRequest,
  FilingSubmissionSchema,
} from "../domain/filing-request";
import { importedRequest, type Reason, toFilingView } from "../domain/filing-view";
import { mayCancelOrganizer, mayFileFor, mayResubmitFiling, mayWithdrawFiling } from "../domain/permissions";
import { type BlindFacts, judgePreflight, type PreflightResult } from "../domain/preflight";
import { onePerPath, type Problem, problem } from "../domain/problems";
import { beijingDayStart, quotaAllows, secondsToNextBeijingDay } from "../domain/submission-quota";
import { beijingToday } from "../domain/time";

import { canonicalJson, sha256Hex, vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { renderProblem } from "../lib/messages";
import { createKeyHolderRouter, declareKeyRoutes, ok, pageOf } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { getApp, hasGrant } from "../repositories/apps";
import {
  type FilingRow,
  filingHistoryRows,
  filingRecipients,
  getVisibleFiling,
  listVisibleFilings,
  submissionsSince,
  submitFiling,
} from "../repositories/filings";
import { blindFacts, organizerAppsForCancel, readPreflightFacts } from "../repositories/preflight";
import { loadRegions } from "../repositories/regions";
import { registrationWithRequest } from "../repositories/registrations";
import { registrationRequestSealed, smsListEffects } from "../repositories/sms-verifications";
import type { AppEnv } from "../types";
import { handOn } from "../webhooks/outbox";
import { moveFiling } from "./filing-moves";
import {
  ChangePatchSchema,
  FILING_EXAMPLE,
  FilingListQuery,
  FilingListSchema,
  FilingParams,
  FilingSchema,
  HistoryEntrySchema,
  IdempotencyKeySchema,
  ResubmitBodySchema,
  ResubmitDryRunSchema,
  ValidationResultSchema,
} from "./filings.schemas";

export const filingsRoutes = createKeyHolderRouter(["developer", "provider"]);
const route = declareKeyRoutes("filings");

filingsRoutes.openAPIRegistry.register("FilingRequest", FilingSubmissionSchema);
filingsRoutes.openAPIRegistry.register("CancelRequest", CancelSubmissionSchema);
filingsRoutes.openAPIRegistry.register("ChangePatchRequest", ChangePatchSchema);
filingsRoutes.openAPIRegistry.register("ResubmitDryRun", ResubmitDryRunSchema);
filingsRoutes.openAPIRegistry.register("ResubmitRequest", ResubmitBodySchema);

/**
 * The request body is documented but read by the handler itself (not by the route validator): a dry run must
 * answer 200 with every problem, and a submission must list field problems and pre-flight problems together.
 */
const filingBody = (extra: { $ref: string }[] = []) => ({
  required: true,
  content: {
    "application/json": {
      schema: {
        oneOf: [
          { $ref: "#/components/schemas/FilingRequest" },
          { $ref: "#/components/schemas/CancelRequest" },
          { $ref: "#/components/schemas/ChangePatchRequest" },
          ...extra,
        ],
      },
      example: FILING_EXAMPLE,
    },
  },
});

type Assessment = { checked: CheckedFiling; blind: BlindFacts; preflight: PreflightResult; problems: Problem[] };

/** The checks shared by submit and the dry run: field rules, then every stored-data rule in one round trip. */
async function assess(
  c: Context<AppEnv>,
  body: unknown,
  now: Date,
  opts: { idempotencyKey?: string; resubmitOf?: string } = {},
): Promise<Assessment> {
  const db = c.get("db");
  const principal = c.get("principal");
  const { lookup } = await loadRegions(db);
  const checked = checkFilingRequest(body, {
    today: beijingToday(now),
    regions: lookup,
    minValidDays: c.get("config").certificateMinValidDays,
  });
  const blind = await blindFacts(vaultFor(c.env), checked.facts);
  const { accountId } = principal;
  const { idempotencyKey, resubmitOf } = opts;
  const stored = await readPreflightFacts(db, { accountId, facts: checked.facts, blind, idempotencyKey, resubmitOf });
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

/** The app as the caller may file for it, or 404 (docs/rules.md#permissions). */
async function appToFileFor(c: Context<AppEnv>, appId: string) {
  const db = c.get("db");
  const principal = c.get("principal");
  const app = await getApp(db, appId);
  const granted =
    app !== undefined && principal.role === "provider" && (await hasGrant(db, appId, principal.accountId));
  if (!app || !mayFileFor(principal, { ownerAccountId: app.ownerAccountId, granted })) {
    throw new ApiError("NOT_FOUND", "No such app");
  }
  return app;
}

/**
 * The request a change by patch starts from (docs/rules.md#read-back): the app's active registration's, unsealed here
 * and never sent out (what an import brought, for one imported and not changed since); none without an active
 * registration, which the submission then refuses as `REGISTRATION_REQUIRED`.
 */
async function registrationBase(c: Context<AppEnv>, appId: string): Promise<unknown> {
  await appToFileFor(c, appId);
  const row = await registrationWithRequest(c.get("db"), appId);
  if (row?.status !== "active") return {};
  const vault = vaultFor(c.env);
  if (row.requestSealed !== null) return changeBase(JSON.parse(await vault.open(row.requestSealed)));
  return importedRequest(appId, JSON.parse(await vault.open(row.organizerSealed)), row.serviceName);
}

/**
 * A filing the caller may correct and resubmit: readable (else 404), its submitter or the app's owner (else 403), and
 * ended without approval — else 409 `INVALID_TRANSITION`, or in the dry run an entry at `resubmitOf`.
 */
async function filingToResubmit(c: Context<AppEnv>, id: string, problems?: Problem[]): Promise<FilingRow> {
  const filing = await visibleFiling(c, id);
  const app = await getApp(c.get("db"), filing.appId);
  if (!mayResubmitFiling(c.get("principal"), filing, app)) {
    throw new ApiError("FORBIDDEN", "Only the submitter or the app's owner may resubmit a filing");
  }
  if (!mayBeResubmitted(filing.status)) {
    if (!problems) throw new ApiError("INVALID_TRANSITION", `A filing in ${filing.status} cannot be resubmitted`);
    problems.push(problem("resubmitOf", "INVALID_TRANSITION"));
  }
  return filing;
}

/** An ended filing's stored request with the patch applied: same type, same app. */
async function resubmittedRequest(c: Context<AppEnv>, filing: FilingRow, patch: Record<string, unknown>) {
  const base = JSON.parse(await vaultFor(c.env).open(filing.requestSealed));
  return patchRequest(base, patch, { type: filing.type, appId: filing.appId });
}

/**
 * The request a body stands for (docs/rules.md#read-back): the body itself, or the stored request its patch applies
 * to, with the problems of the envelope (`appId`, `resubmitOf`, `patch`, unknown keys).
 */
async function resolveBody(
  c: Context<AppEnv>,
  body: unknown,
  opts: { resubmit: boolean },
): Promise<{ request: unknown; envelope: Problem[]; resubmitOf?: string }> {
  const envelope = readPatchEnvelope(body, opts);
  switch (envelope.kind) {
    case "full":
      return { request: body, envelope: [] };
    case "change": {
      const { appId, patch, problems } = envelope;
      const base = appId === undefined ? {} : await registrationBase(c, appId);
      const request = patchRequest(base, patch, { type: "change", appId: appId ?? "" });
      if (appId === undefined) delete request.appId;
      return { request, envelope: problems };
    }
    case "resubmit": {
      const { filingId, patch, problems } = envelope;
      if (filingId === undefined) return { request: undefined, envelope: problems };
      const filing = await filingToResubmit(c, filingId, problems);
      return { request: await resubmittedRequest(c, filing, patch), envelope: problems, resubmitOf: filing.id };
    }
  }
}

filingsRoutes.openapi(
  route.post("/validate", {
    summary: "Dry run: every problem a submission would report, nothing stored",
    operationId: "validateFiling",
    description:
      "Checks a filing exactly as a submission would (fields, identifiers, materials, pre-flight against existing filings and registrations) and answers every problem at once. Nothing is stored.",
    middleware: [requireJsonBody()],
    request: { body: filingBody([{ $ref: "#/components/schemas/ResubmitDryRun" }]) },
    ok: ok(200, "Whether the filing would be accepted", ValidationResultSchema),
    errors: [400, 401, 403, 404, 413, 415],
  }),
  async (c) => {
    const { request, envelope, resubmitOf } = await resolveBody(c, c.get("body"), { resubmit: true });
    if (request === undefined) {
      const errors = onePerPath(envelope).map((p) => renderProblem(p, c.get("lang")));
      return c.json({ valid: false, errors }, 200);
    }
    const { checked, preflight, problems } = await assess(c, request, new Date(), { resubmitOf });
    const organizerCancel = await organizerCancelChecks(c, checked.request, preflight);
    const conflicts = [...preflight.conflicts];
    if (organizerCancel.inFlight && !conflicts.includes("FILING_IN_PROGRESS")) conflicts.push("FILING_IN_PROGRESS");
    const all = onePerPath([
      ...envelope,
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
      "Every problem comes back at once in one 422 (field rules and pre-flight rules). Send an `Idempotency-Key` to " +
      "make retries safe. A change may be sent as a patch on the registration (`{type: change, appId, patch}`). An " +
      "account makes at most `SUBMISSIONS_PER_DAY` filings per Beijing day (default 100): 429 " +
      "`SUBMISSION_QUOTA_EXCEEDED`, with `Retry-After` in seconds to the next Beijing midnight; replays do not count.",
    middleware: [requireJsonBody()],
    request: { body: filingBody(), headers: z.object({ "idempotency-key": IdempotencyKeySchema.optional() }) },
    ok: ok(201, "Submitted (or the first response again, for a repeated Idempotency-Key)", FilingSchema),
    errors: [400, 401, 403, 404, 409, 413, 415, 422, 429],
  }),
  async (c) => {
    const body = c.get("body");
    const { request, envelope } = await resolveBody(c, body, { resubmit: false });
    return submit(c, { body, request, envelope });
  },
);

/**
 * A cancellation starts in SMS verification: the people of the registration it ends confirm it, as they are in the
 * filing last approved for it (docs/rules.md#sms-confirmation).
 */
async function cancellationSmsList(c: Context<AppEnv>, request: FilingRequest, number: string | undefined) {
  if (request.type !== "cancel" || number === undefined) return undefined;
  const db = c.get("db");
  const vault = vaultFor(c.env);
  const sealed = await registrationRequestSealed(db, number);
  if (sealed === null) return undefined;
  const approved = JSON.parse(await vault.open(sealed)) as FilingRequest;
  return (filingId: string, at: string) => smsListEffects(db, vault, filingId, approved, at);
}

/**
 * A submission (docs/rules.md#requests), of a request as sent or as resolved from a patch: `body` is what the
 * caller sent, what an `Idempotency-Key` is bound to.
 */
async function submit(
  c: Context<AppEnv>,
  input: { body: unknown; request: unknown; envelope: Problem[]; resubmittedFrom?: string },
) {
  const principal = c.get("principal");
  const now = new Date();
  const key = c.req.header("idempotency-key");
  const requestHash = key !== undefined ? await sha256Hex(canonicalJson(input.body)) : undefined;
  const {
    checked,
    blind,
    preflight,
    problems: found,
  } = await assess(c, input.request, now, {
    idempotencyKey: key,
    resubmitOf: input.resubmittedFrom,
  });
  const problems = onePerPath([...input.envelope, ...found]);

  if (preflight.idempotency) {
    if (preflight.idempotency.requestHash !== requestHash) {
      throw new ApiError("IDEMPOTENCY_KEY_REUSED", "Use a new Idempotency-Key for a different request");
    }
    return replay(preflight.idempotency.responseStatus, preflight.idempotency.responseBody);
  }
  // A replay above makes no filing and is never metered; every filing made below is.
  const perDay = c.get("config").submissionsPerDay;
  if (!quotaAllows(await submissionsSince(c.get("db"), principal.accountId, beijingDayStart(now)), perDay)) {
    const retryAfter = secondsToNextBeijingDay(now);
    throw new ApiError("SUBMISSION_QUOTA_EXCEEDED", `At most ${perDay} filings a day; try again in ${retryAfter} s`, {
      headers: { "retry-after": String(retryAfter) },
    });
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
    resubmittedFrom: input.resubmittedFrom,
    smsList: await cancellationSmsList(c, request, preflight.registration?.number),
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
}

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

filingsRoutes.openapi(
  route.post("/{id}/resubmit", {
    summary: "Correct an ended filing and file it again",
    operationId: "resubmitFiling",
    description:
      "Files a new filing built from a rejected, withdrawn or expired filing's stored request with `patch` (a JSON " +
      "Merge Patch, RFC 7396) applied on the server: send only the fields the rejection's reasons name. Its " +
      "attachments are reused; the new filing names the old one in `resubmittedFrom` and is checked like any " +
      "submission. For the filing's submitter and the app's owner; 409 `INVALID_TRANSITION` for a filing that has " +
      "not ended. Send an `Idempotency-Key` to make retries safe; the dry run is `POST /v1/filings/validate` with " +
      "`{resubmitOf, patch}`.",
    middleware: [requireJsonBody()],
    request: {
      params: FilingParams,
      body: {
        required: true,
        content: { "application/json": { schema: { $ref: "#/components/schemas/ResubmitRequest" } } },
      },
      headers: z.object({ "idempotency-key": IdempotencyKeySchema.optional() }),
    },
    ok: ok(201, "The new filing (or the first response again, for a repeated Idempotency-Key)", FilingSchema),
    errors: [400, 401, 403, 404, 409, 413, 415, 422, 429],
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const filing = await filingToResubmit(c, id);
    const { patch, problems } = readResubmitBody(c.get("body"));
    return submit(c, {
      body: { resubmitOf: filing.id, patch },
      request: await resubmittedRequest(c, filing, patch),
      envelope: problems,
      resubmittedFrom: filing.id,
    });
  },
);
