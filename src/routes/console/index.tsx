import { Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { principalForKey } from "../../lib/auth";
import { randomToken } from "../../lib/crypto";
import { ApiError } from "../../lib/errors";
import { csrfMatches, csrfToken, newSession } from "../../lib/session";
import type { AppEnv } from "../../types";
import { adminConsole } from "./admin";
import { developerConsole } from "./developer";
import { consoleNotFound, renderConsole } from "./layout";
import { regulatorConsole } from "./regulator";
import { reviewConsole } from "./review";
import {
  bootstrapFingerprint,
  CSRF_FIELD,
  consoleSession,
  formField,
  LOGIN_COOKIE,
  loginNonce,
  ROLE_HOME,
  safeNext,
  sessionSecret,
  setLoginNonce,
  signOut,
  startSession,
} from "./session";
import type { Chrome } from "./text";

/**
 * The consoles (docs/rules.md#consoles): sign-in with an API key into a session cookie, then the console of the
 * key's role. Each console is a sub-app mounted below; all of them act through the API (./api.ts).
 */
export const consoleRoutes = new Hono<AppEnv>();

type LoginState = { error?: "failed" | "limited" | "expired"; retryAfter?: string; next?: string };

async function loginPage(c: Parameters<typeof renderConsole>[0], state: LoginState, status = 200) {
  const nonce = randomToken(18);
  setLoginNonce(c, nonce);
  const token = await csrfToken(sessionSecret(c), `login.${nonce}`);
  const message = (t: Chrome) =>
    state.error === "failed"
      ? t.loginFailed
      : state.error === "limited"
        ? t.loginLimited(state.retryAfter ?? "60")
        : state.error === "expired"
          ? t.loginExpired
          : undefined;
  return renderConsole(
    c,
    "登录 / Sign in",
    ({ t }) => (
      <section class="narrow">
        <h1>{t.loginTitle}</h1>
        <p class="hint">{t.loginIntro}</p>
        {message(t) ? (
          <p class="error" role="alert">
            {message(t)}
          </p>
        ) : null}
        <form method="post" action="/console/login" class="stack">
          <input type="hidden" name={CSRF_FIELD} value={token} />
          {state.next ? <input type="hidden" name="next" value={state.next} /> : null}
          <label for="key">{t.keyLabel}</label>
          <input
            id="key"
            name="key"
            type="password"
            autocomplete="current-password"
            required
            maxlength={200}
            aria-invalid={state.error === "failed" ? "true" : undefined}
          />
          <button type="submit">{t.loginButton}</button>
        </form>
      </section>
    ),
    { status, headers: state.retryAfter ? { "retry-after": state.retryAfter } : {} },
  );
}

consoleRoutes.get("/login", (c) => loginPage(c, { next: safeNext(c.req.query("next")) }));

consoleRoutes.post("/login", async (c) => {
  const nonce = loginNonce(c);
  const next = safeNext(await formField(c, "next"));
  if (!nonce || !(await csrfMatches(sessionSecret(c), `login.${nonce}`, await formField(c, CSRF_FIELD)))) {
    return loginPage(c, { error: "expired", next }, 403);
  }
  let principal: Awaited<ReturnType<typeof principalForKey>>;
  try {
    principal = await principalForKey(c, (await formField(c, "key"))?.trim() || undefined);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.code === "RATE_LIMITED") {
      return loginPage(c, { error: "limited", retryAfter: err.headers?.["retry-after"], next }, 429);
    }
    return loginPage(c, { error: "failed", next }, 401);
  }
  const bootstrap = principal.keyId === null;
  await startSession(
    c,
    newSession({
      keyId: principal.keyId ?? "bootstrap",
      accountId: principal.accountId,
      role: principal.role,
      ...(bootstrap && c.env.ADMIN_BOOTSTRAP_KEY ? { fp: await bootstrapFingerprint(c.env.ADMIN_BOOTSTRAP_KEY) } : {}),
    }),
  );
  deleteCookie(c, LOGIN_COOKIE, { path: "/console" });
  return c.redirect(next ?? ROLE_HOME[principal.role], 303);
});

consoleRoutes.use("*", consoleSession());

consoleRoutes.post("/logout", async (c) => {
  await signOut(c);
  return c.redirect("/console/login", 303);
});

/** Staff open their own console; developers and providers stay on the apps page (./developer.tsx). */
consoleRoutes.get("/", async (c, next) => {
  const role = c.get("principal").role;
  if (ROLE_HOME[role] !== "/console") return c.redirect(ROLE_HOME[role], 303);
  return next();
});

// Each console's sub-app is mounted here, above the catch-all.
consoleRoutes.route("/review", reviewConsole);
consoleRoutes.route("/regulator", regulatorConsole);
consoleRoutes.route("/admin", adminConsole);
consoleRoutes.route("/", developerConsole);

consoleRoutes.all("*", consoleNotFound);
