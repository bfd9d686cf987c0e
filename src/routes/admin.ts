import { createRoute, z } from "@hono/zod-openapi";
import { ROLES } from "../domain/roles";
import { ApiError } from "../lib/errors";
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
import {
  getAccount,
  getKey,
  insertAccount,
  insertKey,
  listAccounts,
  listKeys,
  newAccount,
  newKey,
  revokeKeyStatement,
} from "../repositories/accounts";
import { audit, verifyAuditChains } from "../repositories/audit";
import { AccountIdParams, AccountSchema, CreateAccountSchema, CreatedKeySchema, KeySchema } from "./admin.schemas";
import { adminEnforcementRoutes } from "./admin-enforcement";

export const adminRoutes = createKeyHolderRouter(["admin"]);

adminRoutes.openapi(
  createRoute({
    method: "post",
    path: "/accounts",
    tags: ["admin"],
    summary: "Create an account",
    security: bearerSecurity,
    middleware: [requireJsonBody()] as const,
    request: { body: { required: true, content: jsonContent(CreateAccountSchema) } },
    responses: {
      201: { description: "Created", content: jsonContent(AccountSchema) },
      ...errorResponses(400, 401, 403, 415, 422),
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const db = c.get("db");
    const account = newAccount(input);
    await audit(
      db,
      {
        subject: `account:${account.id}`,
        action: "account.created",
        actor: c.get("principal").accountId,
        at: account.createdAt,
        data: { name: account.name, role: account.role },
      },
      [insertAccount(db, account)],
    );
    return c.json(account, 201);
  },
);

adminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/accounts",
    tags: ["admin"],
    summary: "List accounts, newest first",
    security: bearerSecurity,
    request: { query: PageQuery.extend({ role: z.enum(ROLES).optional() }) },
    responses: {
      200: { description: "A page of accounts", content: jsonContent(pageSchema(AccountSchema)) },
      ...errorResponses(401, 403, 422),
    },
  }),
  async (c) => {
    const { limit, cursor, role } = c.req.valid("query");
    const rows = await listAccounts(c.get("db"), { limit, cursor, role });
    return c.json(
      pageOf(
        rows,
        limit,
        (account) => account,
        (account) => account.id,
      ),
      200,
    );
  },
);

adminRoutes.openapi(
  createRoute({
    method: "post",
    path: "/accounts/{id}/keys",
    tags: ["admin"],
    summary: "Create an API key (shown once)",
    security: bearerSecurity,
    request: { params: AccountIdParams },
    responses: {
      201: { description: "The key, shown this once", content: jsonContent(CreatedKeySchema) },
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    if (!(await getAccount(db, id))) throw new ApiError("NOT_FOUND", "No such account");
    const { row, shown } = await newKey(id);
    await audit(
      db,
      {
        subject: `account:${id}`,
        action: "key.created",
        actor: c.get("principal").accountId,
        at: row.createdAt,
        data: { keyId: row.id, prefix: row.prefix },
      },
      [insertKey(db, row)],
    );
    return c.json(shown, 201);
  },
);

adminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/accounts/{id}/keys",
    tags: ["admin"],
    summary: "List an account's keys (never the keys themselves)",
    security: bearerSecurity,
    request: { params: AccountIdParams },
    responses: {
      200: {
        description: "Keys",
        content: jsonContent(z.object({ items: z.array(KeySchema), nextCursor: z.null() })),
      },
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    if (!(await getAccount(db, id))) throw new ApiError("NOT_FOUND", "No such account");
    return c.json({ items: await listKeys(db, id), nextCursor: null }, 200);
  },
);

adminRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/accounts/{id}/keys/{keyId}",
    tags: ["admin"],
    summary: "Revoke a key; it stops working at once",
    security: bearerSecurity,
    request: { params: AccountIdParams.extend({ keyId: z.string().max(64) }) },
    responses: { 204: { description: "Revoked" }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { id, keyId } = c.req.valid("param");
    const db = c.get("db");
    const key = await getKey(db, id, keyId);
    if (!key) throw new ApiError("NOT_FOUND", "No such key for this account");
    // Revoking twice keeps the first time and writes no second audit row.
    if (!key.revokedAt) {
      const at = new Date().toISOString();
      await audit(
        db,
        {
          subject: `account:${id}`,
          action: "key.revoked",
          actor: c.get("principal").accountId,
          at,
          data: { keyId },
        },
        [revokeKeyStatement(db, keyId, at)],
      );
    }
    return c.body(null, 204);
  },
);

adminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/audit/verify",
    tags: ["admin"],
    summary: "Re-compute every audit hash chain",
    security: bearerSecurity,
    responses: {
      200: {
        description: "Verification result",
        content: {
          "application/json": {
            schema: z.object({
              ok: z.boolean(),
              rows: z.number(),
              subjects: z.number(),
              broken: z.array(z.object({ subject: z.string(), seq: z.number() })),
            }),
          },
        },
      },
      ...errorResponses(401, 403),
    },
  }),
  async (c) => {
    const result = await verifyAuditChains(c.get("db"));
    return c.json({ ok: result.broken.length === 0, ...result }, 200);
  },
);

adminRoutes.route("/", adminEnforcementRoutes);
