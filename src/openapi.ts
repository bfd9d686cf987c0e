import type { OpenAPIHono } from "@hono/zod-openapi";
import { TAGS } from "./lib/router";
import type { AppEnv } from "./types";

/**
 * beian's OpenAPI 3.1 document, from the routes' own zod schemas. It is written at build time
 * (scripts/build-openapi.mjs → public/openapi.json) and served as a static asset: the Worker has no generator
 * (src/vendor/zod-to-openapi.js), so this throws there. test/build/openapi.test.ts checks, in Node, that the
 * published document is the routes' own.
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key from POST /v1/admin/accounts/{id}/keys",
  });
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "beian",
      version: "1.0.0",
      description:
        "ICP filing service (小程序代备案管理系统): submit and track filings, look up registration numbers. " +
        "Errors are application/problem+json with a stable `code` and every field problem in `errors[]`.",
    },
    servers: [{ url: "/" }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  });
}
