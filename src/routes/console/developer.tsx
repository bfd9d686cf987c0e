import { Hono } from "hono";
import type { AppEnv } from "../../types";
import { consoleRoles, renderConsole } from "./layout";

/**
 * The developer and provider console (docs/rules.md#consoles): the account's apps and their filing status. Mounted at
 * the console's root, so each route names its roles itself (a `use("*")` here would cover the staff consoles too).
 */
export const developerConsole = new Hono<AppEnv>();
const filers = consoleRoles("developer", "provider");

developerConsole.get("/", filers, (c) =>
  renderConsole(c, "小程序", ({ t }) => <h1>{t.links.apps}</h1>, { current: "/console" }),
);
