import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { mayManageApp } from "../domain/permissions";
import { ApiError, validationFailed } from "../lib/errors";
import {
  bearerSecurity,
  createKeyHolderRouter,
  errorResponses,
  jsonContent,
  PageQuery,
  pageOf,
  pageSchema,
} from "../lib/router";
import { requireJsonBody } from "../lib/validation";
import { getAccount } from "../repositories/accounts";
import {
  type AppView,
  addGrant,
  getApp,
  hasGrant,
  insertApp,
  listGrants,
  listOwnApps,
  removeGrant,
  setListing,
} from "../repositories/apps";
import { audit, isUniqueViolation } from "../repositories/audit";
import type { AppEnv } from "../types";
import { AppParams, AppSchema, CreateAppSchema, CreateGrantSchema, GrantSchema } from "./apps.schemas";

export const appsRoutes = createKeyHolderRouter(["developer"]);

/** The caller's own app, or 404 whether it does not exist or belongs to someone else (docs/rules.md#permissions). */
async function ownApp(c: Context<AppEnv>, appId: string): Promise<AppView> {
  const app = await getApp(c.get("db"), appId);
  if (!app || !mayManageApp(c.get("principal"), app)) throw new ApiError("NOT_FOUND", "No such app");
  return app;
}

appsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["apps"],
    summary: "Register a mini program (unlisted)",
    security: bearerSecurity,
    middleware: [requireJsonBody()] as const,
    request: { body: { required: true, content: jsonContent(CreateAppSchema) } },
    responses: {
      201: { description: "Created", content: jsonContent(AppSchema) },
      ...errorResponses(400, 401, 403, 409, 415, 422),
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const db = c.get("db");
    const owner = c.get("principal").accountId;
    const now = new Date().toISOString();
    try {
      await audit(db, { subject: `app:${input.appId}`, action: "app.created", actor: owner, at: now, data: input }, [
        insertApp(db, { ...input, ownerAccountId: owner }, now),
      ]);
    } catch (e) {
      if (isUniqueViolation(e, "apps")) throw new ApiError("APP_EXISTS", `${input.appId} is already registered`);
      throw e;
    }
    return c.json((await getApp(db, input.appId)) as AppView, 201);
  },
);

appsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["apps"],
    summary: "List own apps",
    security: bearerSecurity,
    request: { query: PageQuery },
    responses: {
      200: {
        description: "A page of apps",
        content: jsonContent(pageSchema(AppSchema)),
      },
      ...errorResponses(401, 403, 422),
    },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const rows = await listOwnApps(c.get("db"), c.get("principal").accountId, { limit, cursor });
    return c.json(
      pageOf(
        rows,
        limit,
        (app) => app,
        (app) => app.appId,
      ),
      200,
    );
  },
);

appsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{appId}",
    tags: ["apps"],
    summary: "Read an own app",
    security: bearerSecurity,
    request: { params: AppParams },
    responses: { 200: { description: "The app", content: jsonContent(AppSchema) }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => c.json(await ownApp(c, c.req.valid("param").appId), 200),
);

appsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{appId}/list",
    tags: ["apps"],
    summary: "Go live (needs an active registration)",
    security: bearerSecurity,
    request: { params: AppParams },
    responses: {
      200: { description: "The app, listed", content: jsonContent(AppSchema) },
      ...errorResponses(401, 403, 404, 409),
    },
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    if (!app.registrationNumber)
      throw new ApiError("FILING_REQUIRED", "File the app and wait for approval before listing it");
    if (app.listingStatus !== "listed") {
      const now = new Date().toISOString();
      const db = c.get("db");
      await audit(
        db,
        {
          subject: `app:${app.appId}`,
          action: "app.listed",
          actor: c.get("principal").accountId,
          at: now,
        },
        [
          setListing(
            db,
            app.appId,
            { listingStatus: "listed", listedAt: now, delistedAt: null, delistReason: null },
            now,
          ),
        ],
      );
    }
    return c.json((await getApp(c.get("db"), app.appId)) as AppView, 200);
  },
);

appsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{appId}/unlist",
    tags: ["apps"],
    summary: "Take down (unlisted by the owner)",
    security: bearerSecurity,
    request: { params: AppParams },
    responses: {
      200: { description: "The app, unlisted", content: jsonContent(AppSchema) },
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    // Only the platform sets `delisted`; an owner taking a delisted app down leaves that record as it is.
    if (app.listingStatus === "listed") {
      const now = new Date().toISOString();
      const db = c.get("db");
      await audit(
        db,
        {
          subject: `app:${app.appId}`,
          action: "app.unlisted",
          actor: c.get("principal").accountId,
          at: now,
        },
        [
          setListing(
            db,
            app.appId,
            { listingStatus: "unlisted", listedAt: app.listedAt, delistedAt: null, delistReason: null },
            now,
          ),
        ],
      );
    }
    return c.json((await getApp(c.get("db"), app.appId)) as AppView, 200);
  },
);

appsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{appId}/grants",
    tags: ["apps"],
    summary: "Let a provider file for this app",
    security: bearerSecurity,
    middleware: [requireJsonBody()] as const,
    request: { params: AppParams, body: { required: true, content: jsonContent(CreateGrantSchema) } },
    responses: {
      201: { description: "Granted", content: jsonContent(GrantSchema) },
      ...errorResponses(400, 401, 403, 404, 415, 422),
    },
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    const { accountId } = c.req.valid("json");
    const db = c.get("db");
    const grantee = await getAccount(db, accountId);
    if (!grantee) throw validationFailed([{ path: "accountId", code: "UNKNOWN_ACCOUNT" }]);
    if (grantee.role !== "provider") throw validationFailed([{ path: "accountId", code: "NOT_A_PROVIDER" }]);
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
  createRoute({
    method: "get",
    path: "/{appId}/grants",
    tags: ["apps"],
    summary: "List the providers granted this app",
    security: bearerSecurity,
    request: { params: AppParams },
    responses: {
      200: {
        description: "Grants",
        content: jsonContent(z.object({ items: z.array(GrantSchema), nextCursor: z.null() })),
      },
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const app = await ownApp(c, c.req.valid("param").appId);
    return c.json({ items: await listGrants(c.get("db"), app.appId), nextCursor: null }, 200);
  },
);

appsRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{appId}/grants/{accountId}",
    tags: ["apps"],
    summary: "Revoke a provider's grant",
    security: bearerSecurity,
    request: { params: AppParams.extend({ accountId: z.string().max(64) }) },
    responses: { 204: { description: "Revoked" }, ...errorResponses(401, 403, 404) },
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
