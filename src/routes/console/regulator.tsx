import { Hono } from "hono";
import type { AppEnv } from "../../types";
import { consoleRoles, renderConsole } from "./layout";

/** The regulator's console (docs/rules.md#consoles), mounted at /console/regulator. */
export const regulatorConsole = new Hono<AppEnv>();
regulatorConsole.use("*", consoleRoles("regulator"));

regulatorConsole.get("/", (c) =>
  renderConsole(c, "管局核验", ({ t }) => <h1>{t.links.regulator}</h1>, { current: "/console/regulator" }),
);
