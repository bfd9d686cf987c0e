import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./types";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.get("/health", (c) => c.json({ ok: true }));
  return app;
}
