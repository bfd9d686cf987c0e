import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { daysLeft, filingOptions } from "../domain/filing-status";
import { importedRequest, maskPartialRequest } from "../domain/filing-view";
import { mayFileFor, mayManageApp } from "../domain/permissions";
import { vaultFor } from "../lib/crypto";
import { ApiError, validationFailed } from "../lib/errors";
import { titleFor } from "../lib/messages";
import { createKeyHolderRouter, declareKeyRoutes, jsonBody, ok, PageQuery, pageOf, pageSchema } from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { getAccount } from "../repositories/accounts";
import {
  type AppView,
  addGrant,
  getApp,
  hasGrant,
  listGrants,
  listOwnApps,
  registerApp,
  removeGrant,
  setListing,
} from "../repositories/apps";
import { audit } from "../repositories/audit";
import { readFilingStatusFacts } from "../repositories/filing-status";
import { registrationWithRequest } from "../repositories/registrations";
import type { AppEnv } from "../types";
import {
  AppParams,
  AppSchema,
  CreateAppSchema,
  CreateGrantSchema,
  FilingStatusSchema,
  GrantSchema,
  RegistrationReadSchema,
} from "./apps.schemas";

// Developers manage their apps; a granted provider may also read an app's filing status, so roles are per route.
export const appsRoutes = createKeyHolderRouter();
const route = declareKeyRoutes("apps");

/** The caller's own app, or 404 whether it does not exist or belongs to someone else (docs/rules.md#permissions). */
async function ownApp(c: Context<AppEnv>, appId: string): Promise<AppView> {
  const app = await getApp(c.get("db"), appId);
  if (!app || !mayManageApp(c.get("principal"), app)) throw new ApiError("NOT_FOUND", "No such app");
  return app;
}

/**
 * The owner lists or unlists an app, audited on the app's chain. Listing stamps `listedAt`; unlisting keeps it, and
 * clears any delisting, which only the platform sets.
 */
async function setOwnListing(c: Context<AppEnv>, app: AppView, listingStatus: "listed" | "unlisted") {
  const now = new Date().toISOString();
  const db = c.get("db");
  const listedAt = listingStatus === "listed" ? now : app.listedAt;
  await audit(
    db,
    { subject: `app:${app.appId}`, action: `app.${listingStatus}`, actor: c.get("principal").accountId, at: now },
    [setListing(db, app.appId, { listingStatus, listedAt, delistedAt: null, delistReason: null }, now)],
  );
}

appsRoutes.openapi(
  route.post("/", {
    summary: "Register a mini program (unlisted)",
    operationId: "createApp",
    roles: ["developer"],
    description:
      "Registers a mini program under the caller (a developer). It starts unlisted and may go live once it has an active registration.",
    middleware: [requireJsonBody()],
    request: { body: jsonBody(CreateAppSchema) },
    ok: ok(201, "Created", AppSchema),
    errors: [400, 401, 403, 409, 415, 422],
  }),
  async (c) => {
    const input = c.req.valid("json");
    const db = c.get("db");
    const owner = c.get("principal").accountId;
    const now = new Date().toISOString();
    if ((await registerApp(db, { ...input, ownerAccountId: owner }, now)) === "exists") {
      throw new ApiError("APP_EXISTS", `${input.appId} is already registered`);
    }
    return c.json((await getApp(db, input.appId)) as AppView, 201);
  },
);

appsRoutes.openapi(
  route.get("/", {
    summary: "List own apps",
    operationId: "listApps",
    roles: ["developer"],
    description: "The caller's own apps, a page at a time.",
    request: { query: PageQuery },
    ok: ok(200, "A page of apps", pageSchema(AppSchema)),
    errors: [401, 403, 422],
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const rows = await listOwnApps(c.get("db"), c.get("principal").accountId, { limit, cursor });
    return c.json(
      pageOf(rows, limit, (app) => app.appId),
      200,
    );
  },
);

appsRoutes.openapi(
  route.get("/{appId}", {
    summary: "Read an own app",
    operationId: "getApp",
    roles: ["developer"],
    description: "One of the caller's apps, with its registration and listing state.",
    request: { params: AppParams },
    ok: ok(200, "The app", AppSchema),
    errors: [401, 403, 404],
  }),
  async (c) => c.json(await ownApp(c, c.req.valid("param").appId), 200),
);

appsRoutes.openapi(
  route.post("/{appId}/list", {
    summary: "Go live (needs an active registration)",
    operationId: "listApp",
    roles: ["developer"],
    description: "Puts the app live. Refused (409 REGISTRATION_REQUIRED) until the app has an active registration.",
    request: { params: AppParams },
    ok: ok(200, "The app, listed", AppSchema),
    errors: [401, 403, 404, 409],
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    if (!app.registrationNumber)
      throw new ApiError("FILING_REQUIRED", "File the app and wait for approval before listing it");
    if (app.listingStatus !== "listed") await setOwnListing(c, app, "listed");
    return c.json((await getApp(c.get("db"), app.appId)) as AppView, 200);
  },
);

appsRoutes.openapi(
  route.post("/{appId}/unlist", {
    summary: "Take down (unlisted by the owner)",
    operationId: "unlistApp",
    roles: ["developer"],
    description: "Takes the app down by its owner's choice; listing it again needs only its registration.",
    request: { params: AppParams },
    ok: ok(200, "The app, unlisted", AppSchema),
    errors: [401, 403, 404],
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    // Only the platform sets `delisted`; an owner taking a delisted app down leaves that record as it is.
    if (app.listingStatus === "listed") await setOwnListing(c, app, "unlisted");
    return c.json((await getApp(c.get("db"), app.appId)) as AppView, 200);
  },
);

appsRoutes.openapi(
  route.post("/{appId}/grants", {
    summary: "Let a provider file for this app",
    operationId: "grantProvider",
    roles: ["developer"],
    description:
      "Lets a service provider (代备案服务商) file and follow filings for this app. Granting again answers the existing grant. " +
      "An `accountId` that names no provider account, whether it names no account or one of another role, is 422 " +
      "`NOT_A_PROVIDER` either way, so a grant tells nothing about other accounts.",
    middleware: [requireJsonBody()],
    request: { params: AppParams, body: jsonBody(CreateGrantSchema) },
    ok: ok(201, "Granted", GrantSchema),
    errors: [400, 401, 403, 404, 415, 422],
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    const { accountId } = c.req.valid("json");
    const db = c.get("db");
    const grantee = await getAccount(db, accountId);
    // One answer for an unknown account and for one of another role: no existence or role oracle for developers.
    if (grantee?.role !== "provider") throw validationFailed([{ path: "accountId", code: "NOT_A_PROVIDER" }]);
    const now = new Date().toISOString();
    if (!(await hasGrant(db, app.appId, accountId))) {
      await audit(
        db,
        {
          subject: `app:${app.appId}`,
          action: "grant.added",
          actor: c.get("principal").accountId,
          at: now,
          data: { accountId },
        },
        [addGrant(db, app.appId, accountId, now)],
      );
    }
    const grant = (await listGrants(db, app.appId)).find((g) => g.accountId === accountId);
    return c.json({ appId: app.appId, accountId, createdAt: grant?.createdAt ?? now }, 201);
  },
);

appsRoutes.openapi(
  route.get("/{appId}/grants", {
    summary: "List the providers granted this app",
    operationId: "listGrants",
    roles: ["developer"],
    description: "The providers that may file for this app.",
    request: { params: AppParams },
    ok: ok(200, "Grants", z.object({ items: z.array(GrantSchema), nextCursor: z.null() })),
    errors: [401, 403, 404],
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    return c.json({ items: await listGrants(c.get("db"), app.appId), nextCursor: null }, 200);
  },
);

appsRoutes.openapi(
  route.delete("/{appId}/grants/{accountId}", {
    summary: "Revoke a provider's grant",
    operationId: "revokeGrant",
    roles: ["developer"],
    description: "The provider can no longer file for this app nor read its filings; filings it made stay.",
    request: { params: AppParams.extend({ accountId: z.string().max(64) }) },
    ok: ok(204, "Revoked"),
    errors: [401, 403, 404],
  }),
  async (c) => {
    const { appId, accountId } = c.req.valid("param");
    const app = await ownApp(c, appId);
    const db = c.get("db");
    if (!(await hasGrant(db, app.appId, accountId))) throw new ApiError("NOT_FOUND", "No such grant");
    await audit(
      db,
      {
        subject: `app:${app.appId}`,
        action: "grant.removed",
        actor: c.get("principal").accountId,
        at: new Date().toISOString(),
        data: { accountId },
      },
      [removeGrant(db, app.appId, accountId)],
    );
    return c.body(null, 204);
  },
);

appsRoutes.openapi(
  route.get("/{appId}/filing-status", {
    summary: "What may be filed for the app now, and why not",
    operationId: "getFilingStatus",
    description:
      "One call for the app's filing state: its listing, its registration, its filing in flight, the filing types a " +
      "submission may have now (`allowed`) and, for the others, the code the submission would answer " +
      "(`blockers`), and the deadlines that cover it. For the app's owner and the providers it is granted to.",
    roles: ["developer", "provider"],
    request: { params: AppParams },
    ok: ok(200, "The app's filing status", FilingStatusSchema),
    errors: [404],
  }),
  async (c) => {
    const principal = c.get("principal");
    const facts = await readFilingStatusFacts(c.get("db"), c.req.valid("param").appId, principal.accountId);
    // Whoever may file for the app may ask (docs/rules.md#permissions); to anyone else it does not exist.
    if (!facts || !mayFileFor(principal, facts.app)) throw new ApiError("NOT_FOUND", "No such app");
    const { app, inFlight, registration } = facts;
    const { allowed, blockers } = filingOptions({
      filingInFlight: inFlight !== undefined,
      organizerCancellationOpen: facts.organizerCancellationOpen,
      registered: registration?.status === "active",
    });
    const now = new Date().toISOString();
    const lang = c.get("lang");
    return c.json(
      {
        appId: app.appId,
        listingStatus: app.listingStatus,
        delistReason: app.delistReason,
        registration: registration ?? null,
        openFiling: inFlight ?? null,
        allowed,
        blockers: blockers.map((b) => ({ ...b, message: titleFor(b.code, lang) })),
        deadlines: facts.deadlines.map((p) => ({
          policyId: p.id,
          name: p.name,
          deadline: p.deadline,
          daysLeft: daysLeft(p.deadline, now),
        })),
      },
      200,
    );
  },
);

appsRoutes.openapi(
  route.get("/{appId}/registration", {
    summary: "Read back the app's registration and the request it stands on",
    operationId: "getRegistration",
    description:
      "The app's registration (the active one, else the latest) with the request it was approved with, personal " +
      "data masked and attachments as their `mediaId`s, so a change can be sent as a patch on it " +
      '(`{"type": "change", "appId", "patch"}`) without typing anything again. For a registration ' +
      "imported from the platform's catalogue and not changed since, the request holds what the import brought. " +
      "For the app's owner and the providers it is granted to; 404 when the app has no registration.",
    roles: ["developer", "provider"],
    request: { params: AppParams },
    ok: ok(200, "The registration", RegistrationReadSchema),
    errors: [404],
  }),
  async (c) => {
    const principal = c.get("principal");
    const db = c.get("db");
    const { appId } = c.req.valid("param");
    const app = await getApp(db, appId);
    const granted =
      app !== undefined && principal.role === "provider" && (await hasGrant(db, appId, principal.accountId));
    if (!app || !mayFileFor(principal, { ownerAccountId: app.ownerAccountId, granted })) {
      throw new ApiError("NOT_FOUND", "No such app");
    }
    const row = await registrationWithRequest(db, appId);
    if (!row) throw new ApiError("NOT_FOUND", "The app has no registration");
    const request =
      row.requestMasked !== null
        ? (JSON.parse(row.requestMasked) as Record<string, unknown>)
        : (maskPartialRequest(
            importedRequest(appId, JSON.parse(await vaultFor(c.env).open(row.organizerSealed)), row.serviceName),
          ) as Record<string, unknown>);
    return c.json(
      { number: row.number, status: row.status, approvedAt: row.approvedAt, source: row.source, request },
      200,
    );
  },
);
