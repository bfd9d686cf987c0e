import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type FilingRequest, reasonFieldProblems } from "../domain/filing-request";
import { STAFF_QUEUES, STAFF_VISIBLE, smsWindowClosed } from "../domain/filing-state";
import { toFilingView } from "../domain/filing-view";
import { duplicateProblems } from "../domain/problems";
import {
  type BureauNumberRefusal,
  judgeBureauNumber,
  judgeNumberOfExisting,
  MAX_SEQUENCE,
  type ParsedServiceNumber,
  parseRegistrationNumber,
} from "../domain/registration-number";
import {
  type EndedRegistrationStatus,
  judgeSyncChange,
  REGISTRATION_STATUSES,
  type SyncOutcome,
} from "../domain/registration-state";
import { MAX_WRONG_CODES, SMS_RESULTS, SMS_ROLES, smsStepTooLate } from "../domain/sms-verification";
import { textSchema } from "../domain/text";
import { vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { forgetNumbers } from "../lib/lookup-cache";
import { declareKeyRoutes, jsonBody, jsonContent, ok } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { type AuditedChange, audit, auditMany } from "../repositories/audit";
import {
  type FilingRow,
  filingRecipients,
  getFilingRow,
  type TransitionEffects,
  transitionFiling,
} from "../repositories/filings";
import {
  activeRegistrationOfApp,
  allocateNumber,
  bureauNumberFacts,
  changeRegistrationStatements,
  endRegistrationStatements,
  findRegistration,
  type NumberToIssue,
  newRegistrationStatements,
  readSyncFacts,
  registrationsToEnd,
  reinstateStatements,
} from "../repositories/registrations";
import { confirmAllEffects, recordSmsStep } from "../repositories/sms-verifications";
import type { AppEnv } from "../types";
import { handOn } from "../webhooks/outbox";
import { lifecycleConflict, moveFiling } from "./filing-moves";
import { FilingParams, FilingSchema } from "./filings.schemas";
import { ApproveBodySchema, RevokeBodySchema } from "./review.schemas";
import { OffsetDateTime } from "./shared.schemas";
import { staffFiling, staffRoutes } from "./staff";

/**
 * 管局: the regulator connector reports the principals' SMS confirmation and the provincial bureau's decision,
 * and may revoke a registration. In development mode an approval without a number makes beian allocate it,
 * acting as the bureau (docs/rules.md#numbers).
 */
export const regulatorRoutes = staffRoutes({
  role: "regulator",
  queue: STAFF_QUEUES.regulator,
  visible: STAFF_VISIBLE.regulator,
  reject: "bureau_reject",
  operations: {
    queue: {
      summary: "Filings in SMS verification and bureau review, oldest first",
      operationId: "listRegulatorQueue",
      description:
        "Filings waiting for SMS verification or in bureau review (管局审核), oldest first; `status` filters.",
    },
    read: {
      summary: "A filing in the bureau's stages, unmasked (the read is audited)",
      operationId: "getFilingForRegulator",
      description:
        "A filing as submitted, personal data unmasked, for the bureau. Each read is written to the filing's " +
        "audit chain.",
    },
    reject: {
      summary: "The bureau rejected the filing, with per-field reasons",
      operationId: "rejectFilingAtBureau",
      description:
        'Ends bureau review with reasons, each naming the field it is about (or `""` for the whole filing). ' +
        "The filing ends `bureau_rejected`; the submitter corrects it and files again.",
    },
  },
});
const route = declareKeyRoutes("regulator");

// A filing outside what the regulator may read is 404, as reading it is (docs/rules.md#permissions): no answer tells it
// exists. One it sees but whose status the move does not leave is refused by the lifecycle (409).
const SEEN = STAFF_VISIBLE.regulator;

regulatorRoutes.openapi(
  route.post("/filings/{id}/sms-verified", {
    summary: "The principals confirmed MIIT's SMS (within 24 h of entering verification)",
    operationId: "confirmSmsVerification",
    description:
      "Records that every principal confirmed MIIT's SMS within 24 hours of the filing entering verification; the filing goes to bureau review. Too late is 409 SMS_WINDOW_EXPIRED.",
    request: { params: FilingParams },
    ok: ok(200, "The filing, now in bureau review", FilingSchema),
    errors: [401, 403, 404, 409],
  }),
  async (c) => {
    const filing = await staffFiling(c.get("db"), c.req.valid("param").id, SEEN);
    const now = new Date();
    // The window is the rule, whether or not the cron has expired the filing yet.
    if (smsWindowClosed(filing, now)) {
      throw new ApiError("SMS_WINDOW_EXPIRED", `The window closed at ${filing.smsDeadline}`);
    }
    const recipients = await filingRecipients(c.get("db"), filing);
    const updated = await moveFiling(c.get("db"), {
      filing,
      action: "sms_verified",
      actor: c.get("principal"),
      now,
      recipients,
      // Every person still pending is confirmed at once (docs/rules.md#sms-confirmation).
      effects: confirmAllEffects(c.get("db"), recipients, now),
    });
    handOn(c.env, c.get("db"), c.executionCtx);
    return c.json(toFilingView(updated), 200);
  },
);

const SmsStepBodySchema = z
  .strictObject({
    role: z.enum(SMS_ROLES).openapi({ description: "Whose step it is: a role on the filing's `smsVerifications`" }),
    result: z.enum(SMS_RESULTS).openapi({
      description: `\`verified\` (the person confirmed), \`wrong_code\` (the ${MAX_WRONG_CODES}th fails the person), \`resent\``,
    }),
  })
  .openapi("SmsVerificationStep");

regulatorRoutes.openapi(
  route.post("/filings/{id}/sms-verifications", {
    summary: "One person's SMS confirmation step: verified, a wrong code, or the message sent again",
    operationId: "reportSmsVerificationStep",
    description:
      "Reports one step of one person's SMS confirmation (短信核验) within the filing's 24-hour window. When everyone " +
      `listed has verified, the filing goes to bureau review; the ${MAX_WRONG_CODES}th wrong code fails the person and ` +
      "ends the filing `bureau_rejected`, with a reason at that person's mobile. A role not on the filing's list is " +
      "422 at `role`; a step after the window is 409 SMS_WINDOW_EXPIRED; a filing not in SMS verification, or a " +
      "person already verified or failed, is 409 INVALID_TRANSITION (`verified` again for a verified person changes " +
      "nothing and answers 200).",
    middleware: [requireJsonBody()],
    request: { params: FilingParams, body: jsonBody(SmsStepBodySchema) },
    ok: ok(200, "The filing, with the person's step recorded", FilingSchema),
    errors: [400, 401, 403, 404, 409, 415, 422],
  }),
  async (c) => {
    const db = c.get("db");
    const filing = await staffFiling(db, c.req.valid("param").id, SEEN);
    const { role, result } = c.req.valid("json");
    const now = new Date();
    if (smsStepTooLate(filing, now)) {
      throw new ApiError("SMS_WINDOW_EXPIRED", `The window closed at ${filing.smsDeadline}`);
    }
    const recorded = await recordSmsStep(db, {
      filing,
      role,
      result,
      actor: c.get("principal"),
      now,
      recipients: await filingRecipients(db, filing),
    });
    switch (recorded.kind) {
      case "done":
        handOn(c.env, db, c.executionCtx);
        return c.json(toFilingView(recorded.filing), 200);
      case "not_listed":
        throw validationFailed([
          { path: "role", code: "INVALID_VALUE", params: { allowed: recorded.listed.join(", ") || "none" } },
        ]);
      case "not_pending":
        throw new ApiError("INVALID_TRANSITION", `The ${role} has already ${recorded.status}`);
      case "refused":
        throw new ApiError("INVALID_TRANSITION", `A filing in ${recorded.status} takes no SMS steps`);
      case "raced":
        throw new ApiError("INVALID_TRANSITION", "The filing changed meanwhile; read it again");
    }
  },
);

regulatorRoutes.openapi(
  route.post("/filings/{id}/approve", {
    summary: "The bureau approved: apply the filing (issue, change or cancel the registration)",
    operationId: "approveFilingAtBureau",
    description:
      "Send `{registrationNumber}` as the bureau issued it, under a filing number (`粤ICP备…号-1X`), an ICP licence " +
      "(`京ICP证…号-1X`) or a B1/B2 licence (`粤B2-…-1X`); beian checks it against the organizer's main licences. In development mode " +
      "`{}` makes beian allocate the next number itself.",
    request: { params: FilingParams, body: { required: false, content: jsonContent(ApproveBodySchema) } },
    ok: ok(200, "The filing, approved", FilingSchema),
    errors: [400, 401, 403, 404, 409, 415, 422],
  }),
  async (c) => {
    const filing = await staffFiling(c.get("db"), c.req.valid("param").id, SEEN);
    const body = (c.get("body") ?? {}) as { registrationNumber?: string };
    const given = body.registrationNumber;
    const parsed = given === undefined ? undefined : parseRegistrationNumber(given);
    if (given !== undefined && !parsed) {
      throw new ApiError("REGISTRATION_NUMBER_INVALID", "Not a registration number", {
        problems: [{ path: "registrationNumber", code: "INVALID_FORMAT" }],
      });
    }
    if (!parsed && !c.get("config").development && filing.type === "new") {
      throw validationFailed([{ path: "registrationNumber", code: "REQUIRED" }]);
    }
    const now = new Date();
    const db = c.get("db");
    const recipients = await filingRecipients(db, filing);
    // How many times the approval is tried while concurrent approvals take the numbers it was about to issue.
    const attempts = 5;
    let changed: string[] = [];
    let updated: FilingRow | undefined;
    for (let attempt = 1; updated === undefined; attempt++) {
      const outcome = await transitionFiling(db, {
        filing,
        action: "bureau_approve",
        actor: c.get("principal"),
        now,
        recipients,
        effects: async (fresh) => {
          const effects = await approvalEffects(c, fresh, parsed ?? undefined, now, recipients);
          changed = effects.numbers;
          return effects;
        },
      });
      if (outcome.kind === "moved") {
        updated = outcome.filing;
        break;
      }
      // `raced` with the filing still in bureau review: a unique index caught a concurrent approval that took the
      // same number or created the same organizer, which is no lost race for this filing. Approve again from fresh
      // reads (which refuse a bureau number taken meanwhile with 422). A filing that moved lost the race (409).
      if (outcome.kind === "refused" || (await getFilingRow(db, filing.id))?.status !== "bureau_review") {
        throw lifecycleConflict(outcome);
      }
      if (attempt >= attempts) {
        throw new ApiError("CONFLICT", "Concurrent approvals kept taking the same numbers; approve again");
      }
    }
    if (updated.registrationNumber) changed.push(updated.registrationNumber);
    forgetNumbers(changed);
    handOn(c.env, c.get("db"), c.executionCtx);
    return c.json(toFilingView(updated), 200);
  },
);

function numberRefused(refusal: BureauNumberRefusal): ApiError {
  const params: Record<string, string> =
    refusal.code === "MAIN_LICENCE_TAKEN" ? { mainLicence: refusal.mainLicence } : { reason: refusal.reason };
  return new ApiError("REGISTRATION_NUMBER_INVALID", refusal.reason, {
    problems: [{ path: "registrationNumber", code: refusal.code, params }],
  });
}

/** What approving `filing` does besides moving it: the registration side (docs/rules.md#numbers). */
async function approvalEffects(
  c: Context<AppEnv>,
  filing: FilingRow,
  bureauNumber: ParsedServiceNumber | undefined,
  now: Date,
  recipients: string[],
): Promise<TransitionEffects & { numbers: string[] }> {
  const db = c.get("db");
  const vault = vaultFor(c.env);
  const request = JSON.parse(await vault.open(filing.requestSealed)) as FilingRequest;
  if (request.type === "new") {
    const provinceCode = request.organizer.region.province.slice(0, 2);
    const blind = filing.organizerBlind ?? "";
    let issue: NumberToIssue;
    if (bureauNumber) {
      // The bureau's number, when it fits the organizer (docs/rules.md#bureau-numbers).
      const read = await bureauNumberFacts(db, bureauNumber, { blind, provinceCode });
      const refusal = judgeBureauNumber(bureauNumber, read.facts);
      if (refusal !== null) throw numberRefused(refusal);
      issue = read.issue;
    } else {
      // Development mode: beian allocates the next number, acting as the bureau (docs/rules.md#numbers).
      const allocation = await allocateNumber(db, { blind, provinceCode, at: now });
      if (!("issue" in allocation)) {
        throw new ApiError(
          "CONFLICT",
          allocation.exhausted === "organizer"
            ? `The organizer has used all ${MAX_SEQUENCE} service sequences`
            : "Every organizer number of the province is allocated this year",
        );
      }
      issue = allocation.issue;
    }
    const statements = await newRegistrationStatements(db, vault, { filing, request, at: now, issue, recipients });
    return { statements, set: { registrationNumber: issue.number }, numbers: [] };
  }
  const registration = await activeRegistrationOfApp(db, filing.appId);
  if (!registration) throw new ApiError("REGISTRATION_REQUIRED", "The app's registration is no longer active");
  const refusal = bureauNumber ? judgeNumberOfExisting(bureauNumber, registration.number) : null;
  if (refusal !== null) throw numberRefused(refusal);
  if (request.type !== "cancel") {
    const statements = await changeRegistrationStatements(db, vault, {
      filing,
      request,
      registration,
      at: now,
      recipients,
    });
    return { statements, set: { registrationNumber: registration.number }, numbers: [registration.number] };
  }
  const ended = await registrationsToEnd(
    db,
    request.scope === "organizer" ? { organizerId: registration.organizerId } : { number: registration.number },
  );
  const statements = endRegistrationStatements(db, {
    ended,
    status: request.scope === "access" ? "access_removed" : "cancelled",
    at: now,
    extraRecipients: [filing.submitterAccountId],
  });
  return { statements, set: { registrationNumber: registration.number }, numbers: ended.map((e) => e.number) };
}

regulatorRoutes.openapi(
  route.post("/registrations/{number}/revoke", {
    summary: "Revoke an active registration; its app is delisted",
    operationId: "revokeRegistration",
    description:
      "Revokes an active registration with a reason; its app is delisted and the public lookup shows it revoked.",
    middleware: [requireJsonBody()],
    request: {
      params: z.object({ number: z.string().max(80) }),
      body: jsonBody(RevokeBodySchema),
    },
    ok: ok(
      200,
      "The registration, revoked",
      z.object({
        number: z.string(),
        appId: z.string().nullable().openapi({ description: "Null for a registration imported without its app" }),
        status: z.string(),
        reasons: z.array(z.unknown()),
      }),
    ),
    errors: [400, 401, 403, 404, 409, 415, 422],
  }),
  async (c) => {
    const parsed = parseRegistrationNumber(c.req.valid("param").number);
    const registration = parsed ? await findRegistration(c.get("db"), parsed.normalized) : undefined;
    if (!registration) throw new ApiError("NOT_FOUND", "No such registration");
    const { reasons } = c.req.valid("json");
    // A registration holds the data of a `new` or `change` filing: its reasons point into that shape.
    const unknown = reasonFieldProblems(reasons, "new");
    if (unknown.length > 0) throw validationFailed(unknown);
    if (registration.status !== "active") {
      throw new ApiError("INVALID_TRANSITION", `The registration is already ${registration.status}`);
    }
    const now = new Date();
    const db = c.get("db");
    // Built from a fresh read on every attempt: a revocation that lost the race finds nothing active any more.
    const revoked = await audit(
      db,
      {
        subject: `registration:${registration.number}`,
        action: "registration.revoked",
        actor: c.get("principal").accountId,
        at: now.toISOString(),
        data: { reasons },
      },
      async () => {
        const ended = await registrationsToEnd(db, { number: registration.number });
        if (ended.length === 0) return null;
        return endRegistrationStatements(db, { ended, status: "revoked", at: now, extraRecipients: [] });
      },
    );
    if (!revoked) throw new ApiError("INVALID_TRANSITION", "The registration was ended meanwhile");
    handOn(c.env, db, c.executionCtx);
    forgetNumbers([registration.number]);
    return c.json({ number: registration.number, appId: registration.appId, status: "revoked", reasons }, 200);
  },
);

/** How many changes one sync call may carry: one batch per chunk keeps each statement and batch small. */
const SYNC_MAX = 1000;
const SYNC_CHUNK = 200;

const SyncBodySchema = z
  .strictObject({
    changes: z
      .array(
        z.strictObject({
          number: z.string().min(1).max(80).openapi({ example: "粤B2-20090059-1626X" }),
          status: z.enum(REGISTRATION_STATUSES),
          reason: textSchema({ max: 500, multiline: true }).optional(),
          at: OffsetDateTime.openapi({ description: "When the bureau made the change (RFC 3339 with an offset)" }),
        }),
      )
      .min(1)
      .max(SYNC_MAX),
  })
  .openapi("RegistrationSync");

const SyncResultSchema = z
  .object({
    results: z.array(
      z.object({
        number: z.string().openapi({ description: "As sent" }),
        outcome: z.enum(["applied", "unchanged", "unknown_number", "refused"]),
        code: z
          .enum(["INVALID_TRANSITION", "REGISTRATION_EXISTS", "REGISTRATION_NUMBER_INVALID"])
          .optional()
          .openapi({ description: "Why a change was refused" }),
      }),
    ),
  })
  .openapi("RegistrationSyncResult");

type SyncChange = { number: string; status: (typeof REGISTRATION_STATUSES)[number]; reason?: string; at: string };
type SyncResult = z.infer<typeof SyncResultSchema>["results"][number];

/**
 * One chunk of a sync: read the registrations, judge each change, and apply the ones that move in one audited batch
 * (a fresh read on every attempt, so a change that raced another writer is judged again).
 */
async function applySyncChunk(
  c: Context<AppEnv>,
  chunk: { change: SyncChange; normalized: string }[],
): Promise<SyncOutcome[]> {
  const db = c.get("db");
  const actor = c.get("principal").accountId;
  let outcomes: SyncOutcome[] = [];
  await auditMany(db, async () => {
    const facts = await readSyncFacts(
      db,
      chunk.map((x) => x.normalized),
    );
    outcomes = chunk.map((x) => judgeSyncChange(facts.get(x.normalized), x.change.status));
    const now = new Date();
    const entries: AuditedChange[] = [];
    const ending = new Map<EndedRegistrationStatus, NonNullable<ReturnType<typeof facts.get>>[]>();
    const reinstating: NonNullable<ReturnType<typeof facts.get>>[] = [];
    chunk.forEach((x, i) => {
      const outcome = outcomes[i];
      const registration = facts.get(x.normalized);
      if (outcome?.outcome !== "applied" || !registration) return;
      const status = outcome.move === "end" ? outcome.status : "active";
      if (outcome.move === "end") ending.set(outcome.status, [...(ending.get(outcome.status) ?? []), registration]);
      else reinstating.push(registration);
      entries.push({
        subject: `registration:${registration.number}`,
        action: outcome.move === "end" ? `registration.${outcome.status}` : "registration.reinstated",
        actor,
        at: now.toISOString(),
        data: {
          source: "bureau_sync",
          from: registration.status,
          to: status,
          bureauAt: x.change.at,
          reason: x.change.reason ?? null,
        },
      });
    });
    if (entries.length === 0) return null;
    const statements = [
      ...[...ending].flatMap(([status, ended]) =>
        endRegistrationStatements(db, { ended, status, at: now, extraRecipients: [] }),
      ),
      ...reinstateStatements(db, reinstating, now),
    ];
    return { entries, statements };
  });
  return outcomes;
}

regulatorRoutes.openapi(
  route.post("/registrations/sync", {
    summary: "Apply changes the bureau made outside this platform (≤ 1,000 a call)",
    operationId: "syncRegistrations",
    description:
      "For each registration named: `cancelled`, `revoked` or `access_removed` ends an active one with the same " +
      "effects as inside beian (public record, delisting with the matching reason, events, audit); `active` brings " +
      "an ended one back when its app holds no other. Each change answers on its own (`applied`, `unchanged`, " +
      "`unknown_number`, `refused` with a code): one that cannot apply blocks no other, and replaying a sync " +
      "changes nothing.",
    middleware: [requireJsonBody()],
    request: { body: jsonBody(SyncBodySchema) },
    ok: ok(200, "What became of each change, in order", SyncResultSchema),
    errors: [403],
  }),
  async (c) => {
    const { changes } = c.req.valid("json");
    // A number named twice could answer two ways; the whole call is refused instead (422, every repeat named).
    const normalized = changes.map((ch) => parseRegistrationNumber(ch.number)?.normalized);
    const repeats = duplicateProblems(normalized, (i) => `changes[${i}].number`);
    if (repeats.length > 0) throw validationFailed(repeats);

    const results: SyncResult[] = changes.map((ch, i) =>
      normalized[i] === undefined
        ? { number: ch.number, outcome: "refused", code: "REGISTRATION_NUMBER_INVALID" }
        : { number: ch.number, outcome: "unchanged" },
    );
    const valid = changes.flatMap((change, i) => {
      const n = normalized[i];
      return n === undefined ? [] : [{ change, normalized: n, index: i }];
    });
    for (let start = 0; start < valid.length; start += SYNC_CHUNK) {
      const chunk = valid.slice(start, start + SYNC_CHUNK);
      const outcomes = await applySyncChunk(c, chunk);
      chunk.forEach((x, i) => {
        const o = outcomes[i];
        if (!o) return;
        results[x.index] = { number: x.change.number, outcome: o.outcome, ...("code" in o ? { code: o.code } : {}) };
      });
    }
    handOn(c.env, c.get("db"), c.executionCtx);
    forgetNumbers(valid.map((x) => x.normalized));
    return c.json({ results }, 200);
  },
);
