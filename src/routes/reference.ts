import { z } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import {
  CERTIFICATE_TYPES,
  LANGUAGES,
  NATURES,
  PRE_APPROVAL_TYPES,
  REFERENCE_VERSION,
  SERVICE_CONTENT_TYPES,
  SERVICE_CONTENT_VERSION,
  USCC_PREFIXES,
} from "../domain/reference";
import { createRouter, declarePublicRoutes, ok } from "../lib/router";
import { loadRegions } from "../repositories/regions";

/** Reference data (docs/rules.md#identifiers): public, versioned, cacheable. */
export const referenceRoutes = createRouter();
const route = declarePublicRoutes("reference");

referenceRoutes.use("*", cors({ origin: "*", allowMethods: ["GET", "HEAD", "OPTIONS"] }));
referenceRoutes.use("*", async (c, next) => {
  await next();
  if (c.res.status === 200) c.header("cache-control", "public, max-age=3600");
});

const list = (name: string, item: z.ZodType) => z.object({ version: z.string(), items: z.array(item) }).openapi(name);

const staticRoute = (path: string, operationId: string, summary: string, schema: z.ZodType) =>
  route.get(path, {
    summary,
    operationId,
    description: `${summary}, with the version of the list; cacheable for an hour.`,
    ok: ok(200, summary, schema),
  });

referenceRoutes.openapi(
  staticRoute(
    "/natures",
    "listNatures",
    "Organizer natures (单位性质), their certificate types and USCC prefixes",
    list(
      "Natures",
      z.object({
        code: z.string(),
        name: z.string(),
        nameEn: z.string(),
        certificateTypes: z.array(z.string()),
        usccPrefixes: z.array(z.string()),
      }),
    ),
  ),
  (c) => c.json({ version: REFERENCE_VERSION, items: NATURES, usccPrefixes: USCC_PREFIXES }, 200),
);

referenceRoutes.openapi(
  staticRoute(
    "/certificate-types",
    "listCertificateTypes",
    "Certificate types (证件类型)",
    list(
      "CertificateTypes",
      z.object({ code: z.string(), name: z.string(), nameEn: z.string(), personal: z.boolean() }),
    ),
  ),
  (c) => c.json({ version: REFERENCE_VERSION, items: CERTIFICATE_TYPES }, 200),
);

referenceRoutes.openapi(
  staticRoute(
    "/pre-approval-types",
    "listPreApprovalTypes",
    "Pre-approval types (前置审批)",
    list("PreApprovalTypes", z.object({ code: z.string(), name: z.string(), nameEn: z.string() })),
  ),
  (c) => c.json({ version: REFERENCE_VERSION, items: PRE_APPROVAL_TYPES }, 200),
);

referenceRoutes.openapi(
  staticRoute(
    "/service-content-types",
    "listServiceContentTypes",
    "Service content types (服务内容): only second-level codes are accepted in filings",
    list(
      "ServiceContentTypes",
      z.object({
        code: z.string(),
        name: z.string(),
        nameEn: z.string(),
        parent: z.string().nullable(),
        requiresPreApprovals: z.array(z.string()),
      }),
    ),
  ),
  (c) => c.json({ version: SERVICE_CONTENT_VERSION, items: SERVICE_CONTENT_TYPES }, 200),
);

referenceRoutes.openapi(
  staticRoute(
    "/languages",
    "listLanguages",
    "Service languages (BCP 47)",
    list("Languages", z.object({ code: z.string(), name: z.string() })),
  ),
  (c) => c.json({ version: REFERENCE_VERSION, items: LANGUAGES }, 200),
);

referenceRoutes.openapi(
  route.get("/regions", {
    summary: "GB/T 2260 regions; `parent` lists one level, `level` filters",
    operationId: "listRegions",
    description:
      "GB/T 2260 administrative divisions as filings use them: `parent` lists its children, `level` filters by level.",
    request: {
      query: z.object({
        parent: z
          .string()
          .regex(/^\d{6}$/)
          .optional()
          .openapi({ example: "440000" }),
        level: z.enum(["province", "city", "district"]).optional(),
      }),
    },
    ok: ok(
      200,
      "Regions",
      list(
        "Regions",
        z.object({ code: z.string(), name: z.string(), level: z.string(), parentCode: z.string().nullable() }),
      ),
    ),
    errors: [422],
  }),
  async (c) => {
    const { parent, level } = c.req.valid("query");
    const { rows } = await loadRegions(c.get("db"));
    const items = rows.filter(
      (r) => (parent === undefined || r.parentCode === parent) && (level === undefined || r.level === level),
    );
    return c.json({ version: REFERENCE_VERSION, items }, 200);
  },
);
