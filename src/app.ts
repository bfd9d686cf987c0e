import { HTTPException } from "hono/http-exception";
import { configOf } from "./config";
import { dbFor } from "./db/client";
import { ApiError, problemResponse } from "./lib/errors";
import { preferredLang } from "./lib/i18n";
import { allowedMethods } from "./lib/methods";
import { createRouter } from "./lib/router";
import { securityHeaders } from "./lib/security-headers";
import { adminRoutes } from "./routes/admin";
import { appsRoutes } from "./routes/apps";
import { consoleRoutes } from "./routes/console";
import { docsRoutes } from "./routes/docs";
import { eventsRoutes } from "./routes/events";
import { filingsRoutes } from "./routes/filings";
import { identityRoutes } from "./routes/identity";
import { materialsRoutes } from "./routes/materials";
import { pagesRoutes } from "./routes/pages";
import { publicRoutes } from "./routes/public";
import { referenceRoutes } from "./routes/reference";
import { regulatorRoutes } from "./routes/regulator";
import { reviewRoutes } from "./routes/review";
import { verificationsRoutes } from "./routes/verifications";
import { webhookRoutes } from "./routes/webhook";

export function createApp() {
  const app = createRouter();

  app.use("*", securityHeaders());
  app.use("*", async (c, next) => {
    const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    c.set("lang", preferredLang(c.req.header("accept-language")));
    c.set("db", dbFor(c.env.DB, c.env));
    c.set("config", configOf(c.env));
    c.set("api", async (request) => app.fetch(request, c.env, c.executionCtx));
    await next();
    c.header("x-request-id", requestId);
  });
  // A wrong method on a known path is 405 before any sub-app checks a key or a body.
  app.use(
    "*",
    allowedMethods(() => app.routes),
  );

  app.get("/health", (c) => c.json({ ok: true }));

  // Each sub-app checks what it needs: bodies and keys for key holders (createKeyHolderRouter), nothing for the
  // public lookup and reference data.
  app.route("/v1/reference", referenceRoutes);
  app.route("/v1/public", publicRoutes);
  app.route("/v1/admin", adminRoutes);
  app.route("/v1/apps", appsRoutes);
  app.route("/v1/filings", filingsRoutes);
  app.route("/v1/materials", materialsRoutes);
  app.route("/v1/verifications", verificationsRoutes);
  app.route("/v1/identity", identityRoutes);
  app.route("/v1/review", reviewRoutes);
  app.route("/v1/regulator", regulatorRoutes);
  app.route("/v1/events", eventsRoutes);
  app.route("/v1/webhook", webhookRoutes);
  app.route("/console", consoleRoutes);
  app.route("/", pagesRoutes);
  app.route("/", docsRoutes());

  app.notFound((c) => problemResponse(c, new ApiError("NOT_FOUND", "No such route")));

  app.onError((err, c) => {
    if (err instanceof ApiError) return problemResponse(c, err);
    if (err instanceof HTTPException) {
      const code = err.status === 413 ? "PAYLOAD_TOO_LARGE" : err.status === 404 ? "NOT_FOUND" : "BAD_REQUEST";
      return problemResponse(c, new ApiError(code, err.message || undefined));
    }
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.get("requestId"),
        error: String(err),
        stack: (err as Error)?.stack,
      }),
    );
    return problemResponse(c, new ApiError("INTERNAL", "Something went wrong; quote the requestId when reporting it"));
  });

  return app;
}
