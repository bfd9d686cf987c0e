import type { FilingRequest } from "../domain/filing-request";
import { STAFF_QUEUES, STAFF_VISIBLE, smsDeadlineFor } from "../domain/filing-state";
import { toFilingView } from "../domain/filing-view";
import { vaultFor } from "../lib/crypto";
import { declareKeyRoutes, ok } from "../lib/router";
import { filingRecipients } from "../repositories/filings";
import { smsListEffects } from "../repositories/sms-verifications";
import { handOn } from "../webhooks/outbox";
import { moveFiling } from "./filing-moves";
import { FilingParams, FilingSchema } from "./filings.schemas";
import { staffFiling, staffRoutes } from "./staff";

/** 平台初审: the platform's reviewers move filings out of `platform_review`. */
export const reviewRoutes = staffRoutes({
  role: "reviewer",
  queue: STAFF_QUEUES.reviewer,
  visible: STAFF_VISIBLE.reviewer,
  reject: "platform_reject",
  operations: {
    queue: {
      summary: "Filings waiting for platform review, oldest first",
      operationId: "listReviewQueue",
      description: "Filings in platform review (初审), oldest first, a page at a time.",
    },
    read: {
      summary: "A filing in review, unmasked (the read is audited)",
      operationId: "getFilingForReview",
      description:
        "A filing as submitted, personal data unmasked, for a reviewer deciding on it. Each read is written to " +
        "the filing's audit chain.",
    },
    reject: {
      summary: "Reject with per-field reasons; the submitter corrects and files anew",
      operationId: "rejectFilingInReview",
      description:
        'Ends platform review with reasons, each naming the field it is about (or `""` for the whole filing). ' +
        "The filing ends `platform_rejected`; the submitter corrects it and files again.",
    },
  },
});
const route = declareKeyRoutes("review");

reviewRoutes.openapi(
  route.post("/filings/{id}/approve", {
    summary: "Pass platform review: the filing goes to SMS verification (24 h window)",
    operationId: "approveFilingInReview",
    description:
      "Passes platform review: the filing enters SMS verification, and its principals have 24 hours to confirm MIIT's SMS.",
    request: { params: FilingParams },
    ok: ok(200, "The filing", FilingSchema),
    errors: [401, 403, 404, 409],
  }),
  async (c) => {
    const db = c.get("db");
    // Outside what reviewers may read, 404 as a read is (docs/rules.md#permissions); else the lifecycle decides.
    const filing = await staffFiling(db, c.req.valid("param").id, STAFF_VISIBLE.reviewer);
    const vault = vaultFor(c.env);
    const updated = await moveFiling(db, {
      filing,
      action: "platform_approve",
      actor: c.get("principal"),
      now: new Date(),
      recipients: await filingRecipients(db, filing),
      // Entering SMS verification lists who must confirm (docs/rules.md#sms-confirmation).
      effects: async (fresh, to, at) => {
        const request = JSON.parse(await vault.open(fresh.requestSealed)) as FilingRequest;
        const list = await smsListEffects(db, vault, fresh.id, request, at);
        return {
          statements: list.statements,
          set: { smsDeadline: smsDeadlineFor(to, new Date(at)), smsVerifications: list.json },
        };
      },
    });
    handOn(c.env, db, c.executionCtx);
    return c.json(toFilingView(updated), 200);
  },
);
