import { Hono } from "hono";
import type { AppEnv } from "../../types";
import { consoleRoles, renderConsole } from "./layout";

/** The admin's console (docs/rules.md#consoles), mounted at /console/admin. */
export const adminConsole = new Hono<AppEnv>();
adminConsole.use("*", consoleRoles("admin"));

adminConsole.get("/", (c) =>
  renderConsole(c, "概览", ({ t }) => <h1>{t.links.dashboard}</h1>, { current: "/console/admin" }),
);
