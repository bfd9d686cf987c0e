import { Hono } from "hono";
import type { AppEnv } from "../types";

/**
 * OpenAPI 3.1 at /openapi.json, generated from the routes' zod schemas when the Worker is built (src/openapi.ts) and
 * kept with its static assets, and the API reference at /docs, rendered by Swagger UI served from those assets too
 * (copied from the swagger-ui-dist package at build time): no script comes from a CDN, so the page works offline and
 * from mainland China.
 */
export function docsRoutes() {
  const docs = new Hono<AppEnv>();
  // Assets are answered before the Worker runs; this route serves the same file to requests that reach it anyway.
  docs.get("/openapi.json", (c) => c.env.ASSETS.fetch(new URL("/openapi.json", c.req.url)));
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
