import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Child, FC, PropsWithChildren } from "hono/jsx";
import type { Role } from "../../domain/roles";
import { displayText } from "../../domain/text";
import type { AppEnv } from "../../types";
import { CSRF_FIELD, LANG_COOKIE, ROLE_HOME, sessionCsrf } from "./session";
import { CHROME, type Chrome, type ConsoleLang } from "./text";

/**
 * The consoles' page frame (docs/rules.md#consoles): rendered on the Worker, styled and enhanced only by this
 * Worker's own static assets (public/console/), so every form works without scripts and no request goes to another
 * host. Pages are never cached: they show one account's data.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "frame-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Bump with public/console/* so browsers fetch the new assets. */
export const ASSET_VERSION = "2";

/** The console's language: `?lang=` chooses and a cookie remembers; Chinese by default. */
export function consoleLang(c: Context<AppEnv>): ConsoleLang {
  const asked = c.req.query("lang");
  if (asked === "en" || asked === "zh") {
    setCookie(c, LANG_COOKIE, asked, {
      path: "/console",
      httpOnly: true,
      sameSite: "Strict",
      secure: !c.get("config").development,
      maxAge: 365 * 86_400,
    });
    return asked;
  }
  return getCookie(c, LANG_COOKIE) === "en" ? "en" : "zh";
}

/** Sets the request's language for the console's words and the API's problems alike; returns the words. */
export function useConsoleLang(c: Context<AppEnv>): { lang: ConsoleLang; t: Chrome } {
  const lang = consoleLang(c);
  c.set("lang", lang);
  return { lang, t: CHROME[lang] };
}

/** The same page in the other language. */
function switchHref(c: Context<AppEnv>, lang: ConsoleLang): string {
  const url = new URL(c.req.url);
  url.searchParams.set("lang", lang === "zh" ? "en" : "zh");
  return `${url.pathname}?${url.searchParams}`;
}

type NavLink = { href: string; label: keyof Chrome["links"] };

/** What each role's console links to. */
const NAV: Record<Role, NavLink[]> = {
  developer: [
    { href: "/console", label: "apps" },
    { href: "/console/events", label: "events" },
    { href: "/console/webhook", label: "webhook" },
  ],
  provider: [
    { href: "/console", label: "apps" },
    { href: "/console/events", label: "events" },
    { href: "/console/webhook", label: "webhook" },
  ],
  reviewer: [{ href: "/console/review", label: "review" }],
  regulator: [{ href: "/console/regulator", label: "regulator" }],
  admin: [
    { href: "/console/admin", label: "dashboard" },
    { href: "/console/admin/accounts", label: "accounts" },
  ],
};

type FrameProps = PropsWithChildren<{
  t: Chrome;
  lang: ConsoleLang;
  title: string;
  switchHref: string;
  role?: Role;
  csrf?: string;
  current?: string;
  /** Enhancement scripts of public/console/ to load, by name (`filing-form` loads filing-form.js). */
  scripts?: string[];
}>;

const Frame: FC<FrameProps> = ({ t, title, switchHref, role, csrf, current, scripts, children }) => (
  <html lang={t.htmlLang}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${displayText(title)} - ${t.site}`}</title>
      <link rel="stylesheet" href={`/console/console.css?v=${ASSET_VERSION}`} />
      {(scripts ?? []).map((name) => (
        <script type="module" src={`/console/${name}.js?v=${ASSET_VERSION}`} />
      ))}
    </head>
    <body>
      <a class="skip" href="#main">
        {t.skip}
      </a>
      <header class="top">
        <a class="brand" href={role ? ROLE_HOME[role] : "/console/login"}>
          {t.site}
        </a>
        {role ? (
          <nav aria-label={t.nav}>
            {NAV[role].map((link) => (
              <a href={link.href} aria-current={current === link.href ? "page" : undefined}>
                {t.links[link.label]}
              </a>
            ))}
          </nav>
        ) : null}
        <div class="account">
          <a href={switchHref} lang={t.htmlLang === "en" ? "zh-CN" : "en"}>
            {t.otherLanguage}
          </a>
          {role && csrf ? (
            <form method="post" action="/console/logout" class="inline">
              <input type="hidden" name={CSRF_FIELD} value={csrf} />
              <span class="who">{t.signedInAs(t.roles[role])}</span>
              <button type="submit" class="link">
                {t.signOut}
              </button>
            </form>
          ) : null}
        </div>
      </header>
      <main id="main" data-csrf={csrf}>
        {children}
      </main>
    </body>
  </html>
);

export type ConsolePageOptions = {
  status?: number;
  /** The nav link this page belongs to. */
  current?: string;
  /** Enhancement scripts (public/console/<name>.js): pages work without them. */
  scripts?: string[];
  headers?: Record<string, string>;
};

/**
 * Renders a console page in the request's language, with the signed-in role's navigation and the session's CSRF
 * token (every form on the page carries it: `<CsrfField csrf={…} />`).
 */
export async function renderConsole(
  c: Context<AppEnv>,
  title: string,
  body: (ctx: { t: Chrome; lang: ConsoleLang; csrf: string | undefined }) => Child,
  opts: ConsolePageOptions = {},
): Promise<Response> {
  const { lang, t } = useConsoleLang(c);
  const signedIn = c.get("session") !== undefined;
  const csrf = signedIn ? await sessionCsrf(c) : undefined;
  const role = signedIn ? c.get("principal").role : undefined;
  const page = (
    <Frame
      t={t}
      lang={lang}
      title={title}
      switchHref={switchHref(c, lang)}
      role={role}
      csrf={csrf}
      current={opts.current}
      scripts={opts.scripts}
    >
      {body({ t, lang, csrf })}
    </Frame>
  );
  return c.body(`<!doctype html>${await page}`, (opts.status ?? 200) as 200, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": CONSOLE_CSP,
    ...opts.headers,
  });
}

/** The hidden field every state-changing form of a signed-in page carries. */
export const CsrfField: FC<{ csrf: string | undefined }> = ({ csrf }) =>
  csrf ? <input type="hidden" name={CSRF_FIELD} value={csrf} /> : null;

/** A console of some roles only: the others get a 403 page pointing to their own console. */
export function consoleRoles(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const role = c.get("principal").role;
    if (roles.includes(role)) return next();
    return renderConsole(
      c,
      CHROME[consoleLang(c)].forbiddenTitle,
      ({ t }) => (
        <>
          <h1>{t.forbiddenTitle}</h1>
          <p class="error">{t.forbidden(roles.map((r) => t.roles[r]).join("、"))}</p>
          <p>
            <a href={ROLE_HOME[role]}>{t.yourConsole}</a>
          </p>
        </>
      ),
      { status: 403 },
    );
  };
}

/** A console page for something that does not exist or is not the account's (as the API's 404). */
export function consoleNotFound(c: Context<AppEnv>): Promise<Response> {
  return renderConsole(
    c,
    CHROME[consoleLang(c)].notFoundTitle,
    ({ t }) => (
      <>
        <h1>{t.notFoundTitle}</h1>
        <p class="error">{t.notFound}</p>
      </>
    ),
    { status: 404 },
  );
}
