import { z } from "@hono/zod-openapi";
import { ROLES } from "../domain/roles";
import { ApiError } from "../lib/errors";
import { createKeyHolderRouter, declareKeyRoutes, jsonBody, ok, PageQuery, pageOf, pageSchema } from "../lib/router";
import { ADMIN_MAX_BODY_BYTES, requireJsonBody } from "../lib/validation";
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
import { readAnchoredHeads } from "../repositories/audit-anchors";
import { AccountIdParams, AccountSchema, CreateAccountSchema, CreatedKeySchema, KeySchema } from "./admin.schemas";
import { adminEnforcementRoutes } from "./admin-enforcement";
import { adminOverviewRoutes } from "./admin-overview";
import { adminRegistrationRoutes } from "./admin-registrations";

// Catalogue imports carry up to 1,000 rows a call: the admin routes take larger bodies (docs/rules.md#limits).
export const adminRoutes = createKeyHolderRouter(["admin"], { maxBytes: ADMIN_MAX_BODY_BYTES });
const route = declareKeyRoutes("admin");

adminRoutes.openapi(
  route.post("/accounts", {
    summary: "Create an account",
    operationId: "createAccount",
    description:
      "An account of one role (developer, provider, reviewer, regulator, admin). It has no key until one is created.",
    middleware: [requireJsonBody()],
    request: { body: jsonBody(CreateAccountSchema) },
    ok: ok(201, "Created", AccountSchema),
    errors: [400, 401, 403, 415, 422],
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
  route.get("/accounts", {
    summary: "List accounts, newest first",
    operationId: "listAccounts",
    description: "Accounts, newest first, a page at a time; `role` filters.",
    request: { query: PageQuery.extend({ role: z.enum(ROLES).optional() }) },
    ok: ok(200, "A page of accounts", pageSchema(AccountSchema)),
    errors: [401, 403, 422],
  }),
  async (c) => {
    const { limit, cursor, role } = c.req.valid("query");
    const rows = await listAccounts(c.get("db"), { limit, cursor, role });
    return c.json(
      pageOf(rows, limit, (account) => account.id),
      200,
    );
  },
);

adminRoutes.openapi(
  route.post("/accounts/{id}/keys", {
    summary: "Create an API key (shown once)",
    operationId: "createApiKey",
    description: "A new API key for the account. The key is in this answer only; beian keeps a hash of it.",
    request: { params: AccountIdParams },
    ok: ok(201, "The key, shown this once", CreatedKeySchema),
    errors: [401, 403, 404],
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
  route.get("/accounts/{id}/keys", {
    summary: "List an account's keys (never the keys themselves)",
    operationId: "listApiKeys",
    description: "The account's keys: ids, prefixes, creation, last use and revocation, never the keys.",
    request: { params: AccountIdParams },
    ok: ok(200, "Keys", z.object({ items: z.array(KeySchema), nextCursor: z.null() })),
    errors: [401, 403, 404],
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    if (!(await getAccount(db, id))) throw new ApiError("NOT_FOUND", "No such account");
    return c.json({ items: await listKeys(db, id), nextCursor: null }, 200);
  },
);

adminRoutes.openapi(
  route.delete("/accounts/{id}/keys/{keyId}", {
    summary: "Revoke a key; it stops working at once",
    operationId: "revokeApiKey",
    description: "The key is refused from the next request on. Revoking a revoked key answers 204 again.",
    request: { params: AccountIdParams.extend({ keyId: z.string().max(64) }) },
    ok: ok(204, "Revoked"),
    errors: [401, 403, 404],
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
  route.get("/audit/verify", {
    summary: "Verify every audit chain against its keyed hashes and the anchored heads",
    operationId: "verifyAuditChains",
    description:
      "Recomputes every audited subject's chain (filings, apps, accounts, materials, policies, …): each row's HMAC " +
      "under the audit key and its link to the row before, then compares each chain with the heads the cron " +
      "anchored in R2. `broken` names each broken subject once, at its first bad sequence, with why: `hash`, " +
      "`unkeyed`, `unknown_key`, `rewritten`, `truncated`, `deleted`, or `anchor` for an anchor whose signature fails.",
    ok: ok(
      200,
      "Verification result",
      z.object({
        ok: z.boolean(),
        rows: z.number(),
        subjects: z.number(),
        anchors: z.number().openapi({ description: "Anchor objects read" }),
        anchoredAt: z.string().nullable().openapi({ description: "When the newest anchor was written" }),
        broken: z.array(
          z.object({
            subject: z.string(),
            seq: z.number(),
            reason: z.enum(["hash", "unkeyed", "unknown_key", "rewritten", "truncated", "deleted", "anchor"]),
          }),
        ),
      }),
    ),
    errors: [401, 403],
  }),
  async (c) => {
    const db = c.get("db");
    const anchored = c.env.MATERIALS
      ? await readAnchoredHeads(c.env.MATERIALS, db.auditKeys())
      : { heads: [], anchors: 0, latest: null, broken: [] };
    const result = await verifyAuditChains(db, anchored.heads);
    const broken = [...anchored.broken, ...result.broken];
    return c.json(
      {
        ok: broken.length === 0,
        rows: result.rows,
        subjects: result.subjects,
        anchors: anchored.anchors,
        anchoredAt: anchored.latest,
        broken,
      },
      200,
    );
  },
);

adminRoutes.route("/", adminEnforcementRoutes);
adminRoutes.route("/", adminRegistrationRoutes);
adminRoutes.route("/", adminOverviewRoutes);
