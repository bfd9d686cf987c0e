import { Hono } from "hono";
import type { AppEnv } from "../../types";
import { consoleRoles, renderConsole } from "./layout";

/** The reviewer's console (docs/rules.md#consoles), mounted at /console/review. */
export const reviewConsole = new Hono<AppEnv>();
reviewConsole.use("*", consoleRoles("reviewer"));

reviewConsole.get("/", (c) =>
  renderConsole(c, "审核队列", ({ t }) => <h1>{t.links.review}</h1>, { current: "/console/review" }),
);
