import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { AppEnv } from "../types";

/**
 * OpenAPI 3.1 at /openapi.json, generated from the routes' zod schemas, and the API reference at /docs,
 * rendered by Swagger UI served from this Worker's own static assets (copied from the swagger-ui-dist
 * package at build time): no script comes from a CDN, so the page works offline and from mainland China.
 */
export function docsRoutes(api: OpenAPIHono<AppEnv>) {
  const docs = new Hono<AppEnv>();
  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key from POST /v1/admin/accounts/{id}/keys",
  });
  let document: unknown;
  docs.get("/openapi.json", (c) => {
    document ??= api.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "beian",
        version: "1.0.0",
        description:
          "ICP filing service (小程序代备案管理系统): submit and track filings, look up registration numbers. " +
          "Errors are application/problem+json with a stable `code` and every field problem in `errors[]`.",
      },
      servers: [{ url: "/" }],
    });
    return c.json(document);
  });
  docs.get("/docs", (c) =>
    c.html(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>beian API</title>
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`),
  );
  docs.get("/docs/init.js", (c) => {
    c.header("content-type", "text/javascript; charset=utf-8");
    return c.body(`window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true });`);
  });
  return docs;
}
