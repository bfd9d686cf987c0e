import { type Context, Hono, type MiddlewareHandler } from "hono";
import { type Child, createContext, type FC, type PropsWithChildren, useContext } from "hono/jsx";
import { replicaDb } from "../db/client";
import {
  MAX_NUMBER_INPUT_LENGTH,
  mainLicencesOfDigits,
  parseMainLicence,
  parseRegistrationNumber,
} from "../domain/registration-number";
import { csvFile } from "../domain/registry-csv";
import { displayText } from "../domain/text";
import { toVerificationView, type VerificationStatus } from "../domain/verification";
import { identityProviderOf } from "../identity/provider";
import { randomToken, sha256Hex } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { BROWSER_MAX_AGE_S } from "../lib/lookup-cache";
import { publicRateLimit } from "../lib/rate-limit";
import { MIN_TRIGRAM_CHARS, type PublicRecord, searchPublicRecords } from "../repositories/public-records";
import { getVerificationByTokenHash } from "../repositories/verifications";
import type { AppEnv } from "../types";
import { signatureHeaders } from "../webhooks/signing";
import { acceptIdentityCallback } from "./identity";
import { PAGE_TEXT, type PageLang, type PageText, pageLang } from "./page-text";
import { lookupNumber, PublicRecordSchema, searchQuery } from "./public";

/**
 * The public web (docs/rules.md#public-lookup): a search page, a record page with the snippet an app shows on its "about" page, and a
 * status badge. Server-rendered, in Chinese or (`?lang=en`) English, readable on a phone; no client framework and no external assets, so it
 * loads fast from mainland China. Pages show only what the public record holds, which is already masked.
 */
export const pagesRoutes = new Hono<AppEnv>();

const PAGE_SIZE = 20;
const MAX_QUERY_LENGTH = 50; // as `/v1/public/search`
const MAX_PAGE = 1000;
const MIIT_URL = "https://beian.miit.gov.cn/";
const CACHE_CONTROL = `public, max-age=${BROWSER_MAX_AGE_S}`;
/**
 * Pages and badges reuse the lookup's ETag with a suffix per representation. Bump the version when the markup
 * changes, so a browser holding an old page gets the new one instead of a 304.
 */
const MARKUP_VERSION = "4";

/** The statuses as the badge (always Chinese) names them. */
export const STATUS_LABELS: Record<PublicRecord["status"], string> = PAGE_TEXT.zh.statusLabels;

/** The language a page is rendered in, its words, and the address of the same page in the other language. */
type PageContext = { lang: PageLang; t: PageText; switchHref: string };
const PageLangContext = createContext<PageContext>({ lang: "zh", t: PAGE_TEXT.zh, switchHref: "/?lang=en" });
const usePage = () => useContext(PageLangContext);

function pageContext(c: Context<AppEnv>): PageContext {
  const lang = pageLang(c.req.query("lang"));
  const url = new URL(c.req.url);
  const params = new URLSearchParams(url.search);
  params.delete("format");
  if (lang === "en") params.delete("lang");
  else params.set("lang", "en");
  const query = params.toString();
  return { lang, t: PAGE_TEXT[lang], switchHref: `${url.pathname}${query ? `?${query}` : ""}` };
}

/** A small shield in the site's blue, inline so that no request goes anywhere for it. */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1 2 3v5c0 3.5 2.6 6.2 6 7 3.4-.8 6-3.5 6-7V3z" fill="#0a58ca"/><path d="m5 8 2 2 4-4" stroke="#fff" stroke-width="1.6" fill="none"/></svg>',
)}`;

const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;font-size:16px;line-height:1.6;color:#1f2328;background:#f6f7f9}
a{color:#0a58ca}
header,main,footer{max-width:760px;margin:0 auto;padding:0 16px}
header{padding-top:20px;display:flex;gap:16px;align-items:baseline}
header .lang{margin-left:auto;font-size:.875rem;white-space:nowrap}
.brand{font-size:1.25rem;font-weight:600;color:inherit;text-decoration:none}
h1{font-size:1.35rem;margin:16px 0 12px;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:24px 0 8px}
form.search{display:flex;gap:8px;margin:12px 0 4px}
form.search input{flex:1;min-width:0;font:inherit;padding:10px 12px;border:1px solid #c5cad1;border-radius:8px;background:#fff}
button{font:inherit;padding:10px 16px;border:0;border-radius:8px;background:#0a58ca;color:#fff;cursor:pointer}
button.secondary{padding:6px 12px;background:#e7ecf3;color:#1f2328}
.hint{color:#59636e;font-size:.875rem;margin:4px 0}
.error{color:#b42318;background:#fef3f2;border:1px solid #fecdca;border-radius:8px;padding:8px 12px;margin:8px 0}
.empty{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:24px 16px;text-align:center;color:#59636e}
ul.results{list-style:none;margin:0;padding:0}
ul.results li{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:12px 16px;margin:8px 0}
.number{font-weight:600;word-break:break-all}
.meta{color:#59636e;font-size:.875rem}
.status{display:inline-block;font-size:.8rem;padding:0 8px;border-radius:10px;background:#e7ecf3;color:#1f2328;white-space:nowrap}
.status.active{background:#dcf5e3;color:#116329}
.status.revoked{background:#fde2e1;color:#b42318}
nav.pager{display:flex;justify-content:space-between;align-items:center;gap:8px;margin:16px 0}
dl.fields{background:#fff;border:1px solid #e3e6ea;border-radius:8px;margin:0;padding:4px 16px}
dl.fields div{display:flex;flex-wrap:wrap;gap:0 16px;padding:10px 0;border-bottom:1px solid #eef0f3}
dl.fields div:last-child{border-bottom:0}
dt{flex:0 0 7.5em;color:#59636e}
dd{flex:1 1 14em;margin:0;word-break:break-all}
.note{display:block;color:#59636e;font-size:.8rem}
.warning{background:#fff8e6;border:1px solid #f5d48a;border-radius:8px;padding:8px 12px}
textarea{display:block;width:100%;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:8px;border:1px solid #c5cad1;border-radius:8px;background:#fff;resize:vertical}
.snippet-head{display:flex;justify-content:space-between;align-items:center;gap:8px;margin:16px 0 6px}
.preview{margin:6px 0}
footer{color:#59636e;font-size:.8rem;padding-top:24px;padding-bottom:32px}
.nowrap{white-space:nowrap}
section.intro{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:4px 16px 12px;margin:16px 0}
ul.examples{padding-left:1.2em;margin:4px 0}
code{font:14px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef0f3;border-radius:4px;padding:0 4px;word-break:break-all}
.tools{display:flex;justify-content:flex-end;margin:4px 0}
[hidden]{display:none!important}
`;

/**
 * Copy buttons: hidden until this script runs, so without JavaScript the page simply shows selectable snippets.
 * The clipboard API needs a secure context; the selection stays as a fallback for copying by hand.
 */
const COPY_SCRIPT = `
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  button.hidden = false;
  button.addEventListener("click", () => {
    field.select();
    const label = button.textContent;
    const done = () => { button.textContent = button.dataset.done; setTimeout(() => { button.textContent = label; }, 2000); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, () => {});
    else if (document.execCommand("copy")) done();
  });
}
`;

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

let pageCsp: Promise<string> | undefined;

/** Only this page's own style and script may run: hashes rather than nonces, so a cached page stays valid. */
function contentSecurityPolicy(): Promise<string> {
  pageCsp ??= Promise.all([sha256Base64(CSS), sha256Base64(COPY_SCRIPT)]).then(
    ([style, script]) =>
      `default-src 'none'; style-src 'sha256-${style}'; script-src 'sha256-${script}'; img-src 'self' data:; ` +
      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  return pageCsp;
}

/** `brand` is the site name linking home, left out on the search page, whose heading already says it. */
const Layout: FC<
  PropsWithChildren<{ title: string; brand?: boolean; withScript?: boolean; lookupFooter?: boolean }>
> = ({ title, brand = true, withScript, lookupFooter = true, children }) => {
  const { lang, t, switchHref } = usePage();
  return (
    <html lang={t.htmlLang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{displayText(title)}</title>
        <link rel="icon" href={FAVICON} />
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <header>
          {brand ? (
            <a class="brand" href={homeHref(lang)}>
              {t.site}
            </a>
          ) : null}
          {lookupFooter ? (
            <a class="lang" href={switchHref} lang={lang === "en" ? "zh-CN" : "en"}>
              {t.otherLanguage}
            </a>
          ) : null}
        </header>
        <main>{children}</main>
        {lookupFooter ? (
          <footer>
            {t.footerBefore}
            <a href={MIIT_URL} target="_blank" rel="noopener">
              {t.miitName}
            </a>
            {t.footerAfter}
          </footer>
        ) : (
          <footer>开发环境的人脸核验模拟页：不做真实核验，生产环境不可用。</footer>
        )}
        {withScript ? <script dangerouslySetInnerHTML={{ __html: COPY_SCRIPT }} /> : null}
      </body>
    </html>
  );
};

type PageOptions = { status?: number; etag?: string; cacheControl?: string };

async function renderPage(c: Context<AppEnv>, page: Child, opts: PageOptions = {}) {
  const html = `<!doctype html>${await (<PageLangContext.Provider value={pageContext(c)}>{page}</PageLangContext.Provider>)}`;
  const headers: Record<string, string> = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": opts.cacheControl ?? CACHE_CONTROL,
    "content-security-policy": await contentSecurityPolicy(),
    "x-content-type-options": "nosniff",
  };
  if (opts.etag) headers.etag = opts.etag;
  return c.body(html, (opts.status ?? 200) as 200, headers);
}

/** True when the client's If-None-Match names `etag` (or `*`): it already holds this version. */
function clientHolds(c: Context<AppEnv>, etag: string): boolean {
  const header = c.req.header("if-none-match");
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim().replace(/^W\//, "");
    return t === "*" || t === etag;
  });
}

function notModified(etag: string): Response {
  return new Response(null, { status: 304, headers: { etag, "cache-control": CACHE_CONTROL } });
}

/** The lookup's ETag, tagged with the representation built from it (the JSON, a page and a badge differ). */
function derivedEtag(lookupEtag: string, representation: "page" | "badge", lang: PageLang = "zh"): string {
  return `"${lookupEtag.replaceAll('"', "")}-${representation}${MARKUP_VERSION}${lang === "zh" ? "" : `-${lang}`}"`;
}

/**
 * The public routes' per-client limit, answered in the caller's format (a page or a badge) rather than as
 * problem+json, which a browser or an <img> cannot show.
 */
type LimitRender = (c: Context<AppEnv>, retryAfter: string) => Promise<Response>;

async function limitedAnswer(c: Context<AppEnv>, err: unknown, render: LimitRender): Promise<Response> {
  if (!(err instanceof ApiError) || err.code !== "RATE_LIMITED") throw err;
  const retryAfter = err.headers?.["retry-after"] ?? "60";
  const res = await render(c, retryAfter);
  res.headers.set("retry-after", retryAfter);
  return res;
}

function rateLimited(render: LimitRender): MiddlewareHandler<AppEnv> {
  const limit = publicRateLimit();
  return async (c, next) => {
    try {
      await limit(c, next);
    } catch (err) {
      return limitedAnswer(c, err, render);
    }
  };
}

/**
 * A page that only looks a number up: lookupNumber applies the limit itself, and only when the answer is not held
 * in memory; a refusal is answered in the page's format.
 */
function lookupLimited(render: LimitRender, handler: (c: Context<AppEnv>) => Promise<Response>) {
  return async (c: Context<AppEnv>) => {
    try {
      return await handler(c);
    } catch (err) {
      return limitedAnswer(c, err, render);
    }
  };
}

const renderPageLimited: LimitRender = (c, retryAfter) => {
  const { t } = pageContext(c);
  return renderPage(
    c,
    <Layout title={`${t.limitedTitle} - ${t.site}`}>
      <h1>{t.limitedTitle}</h1>
      <p class="error">{t.limitedMessage(retryAfter)}</p>
    </Layout>,
    { status: 429, cacheControl: "no-store" },
  );
};
const pageLimit = rateLimited(renderPageLimited);

const StatusTag: FC<{ status: PublicRecord["status"] }> = ({ status }) => (
  <span class={`status ${status}`}>{usePage().t.statusLabels[status]}</span>
);

const SearchForm: FC<{ q: string; invalid?: boolean }> = ({ q, invalid }) => {
  const { lang, t } = usePage();
  return (
    <form class="search" method="get" action="/">
      <input
        type="search"
        name="q"
        value={displayText(q)}
        placeholder={t.searchPlaceholder}
        aria-label={t.searchLabel}
        aria-invalid={invalid ? "true" : undefined}
        enterkeyhint="search"
      />
      {lang === "zh" ? null : <input type="hidden" name="lang" value={lang} />}
      <button type="submit">{t.searchButton}</button>
    </form>
  );
};

/** Internal links keep the page's language; Chinese, the default, needs no parameter. */
const withLang = (params: Record<string, string>, lang: PageLang) =>
  new URLSearchParams(lang === "zh" ? params : { ...params, lang }).toString();
const homeHref = (lang: PageLang) => (lang === "zh" ? "/" : `/?${withLang({}, lang)}`);
const searchHref = (q: string, page: number, lang: PageLang) =>
  `/?${withLang(page > 1 ? { q, page: String(page) } : { q }, lang)}`;
const recordHref = (number: string, lang: PageLang) =>
  `/r/${encodeURIComponent(number)}${lang === "zh" ? "" : `?${withLang({}, lang)}`}`;

const Results: FC<{ q: string; page: number; items: PublicRecord[]; total: number }> = ({ q, page, items, total }) => {
  const { lang, t } = usePage();
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (total === 0) return <p class="empty">{t.noResults}</p>;
  return (
    <>
      <p class="hint">{t.resultCount(total, page, pages)}</p>
      {items.length > 0 ? (
        <p class="tools">
          <a href={`${searchHref(q, page, lang)}&format=csv`} download>
            {t.exportCsv}
          </a>
        </p>
      ) : null}
      {items.length === 0 ? (
        <p class="empty">
          {t.noMoreResults}
          <a href={searchHref(q, 1, lang)}>{t.backToFirst}</a>
        </p>
      ) : (
        <ul class="results">
          {items.map((r) => (
            <li>
              <a class="number" href={recordHref(r.serviceLicence, lang)}>
                {r.serviceLicence}
              </a>{" "}
              <StatusTag status={r.status} />
              <div>{r.serviceName}</div>
              <div class="meta">
                {r.unitName} · {r.natureName} · {t.updatedAt} <span class="nowrap">{r.updateRecordTime}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
      {pages > 1 ? (
        <nav class="pager" aria-label={t.pagerLabel}>
          {page > 1 ? <a href={searchHref(q, page - 1, lang)}>{t.previous}</a> : <span />}
          {page < pages ? <a href={searchHref(q, page + 1, lang)}>{t.next}</a> : <span />}
        </nav>
      ) : null}
    </>
  );
};

function pageNumber(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE) : 1;
}

const EXAMPLES = ["粤ICP备2024012345号-1X", "粤ICP备2024012345号", "2024012345", "生活助手"];

/** Text whose backquoted parts are numbers, shown as code. */
const WithCode: FC<{ text: string }> = ({ text }) => (
  <>{text.split("`").map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>
);

/** What the home page explains under the search box: what this is, how to read a number, examples, links. */
const HomeIntro: FC = () => {
  const { lang, t } = usePage();
  const i = t.intro;
  return (
    <>
      <section class="intro" aria-labelledby="about">
        <h2 id="about">{i.what}</h2>
        <p>{i.whatText}</p>
        <p>
          {i.freshBefore}
          <strong>{i.freshStrong}</strong>
          {i.freshMiddle}
          <a href={MIIT_URL} target="_blank" rel="noopener">
            {t.miitName}
          </a>
          {i.freshAfter}
        </p>
      </section>
      <section class="intro" aria-labelledby="read">
        <h2 id="read">{i.read}</h2>
        <p>
          <WithCode text={i.readText} />
        </p>
      </section>
      <section class="intro" aria-labelledby="examples">
        <h2 id="examples">{i.examples}</h2>
        <ul class="examples">
          {EXAMPLES.map((q) => (
            <li>
              <a href={searchHref(q, 1, lang)}>{q}</a>
            </li>
          ))}
        </ul>
      </section>
      <section class="intro" aria-labelledby="developers">
        <h2 id="developers">{i.developers}</h2>
        <ul class="examples">
          <li>
            <a href="/docs">{i.apiReference}</a>
            {i.apiReferenceText}
          </li>
          <li>
            <a href="/docs#/public/lookupRegistration">{i.recordFormat}</a>
            {i.recordFormatText}
          </li>
          <li>
            <a href="/docs#/filings/submitFiling">{i.filingGuide}</a>
            {i.filingGuideText}
          </li>
          <li>
            <a href="/v1/public/export">{i.dailyExport}</a>
            {i.dailyExportText}
          </li>
        </ul>
      </section>
    </>
  );
};

pagesRoutes.get("/", pageLimit, async (c) => {
  const q = (c.req.query("q") ?? "").trim();
  const page = pageNumber(c.req.query("page"));
  const { lang, t } = pageContext(c);
  const hint = <p class="hint">{t.searchHint}</p>;
  if (q === "") {
    return renderPage(
      c,
      <Layout title={t.site} brand={false}>
        <h1>{t.site}</h1>
        <SearchForm q="" />
        {hint}
        <HomeIntro />
      </Layout>,
    );
  }
  if (q.length > MAX_QUERY_LENGTH) {
    return renderPage(
      c,
      <Layout title={t.site} brand={false}>
        <h1>{t.site}</h1>
        <SearchForm q={q} invalid />
        <p class="error" role="alert">
          {t.tooLong(MAX_QUERY_LENGTH, q.length)}
        </p>
        {hint}
      </Layout>,
      { status: 422, cacheControl: "no-store" },
    );
  }
  const query = searchQuery(q);
  const { items, total } = await searchPublicRecords(replicaDb(c.env.DB), query, {
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  if (c.req.query("format") === "csv") {
    return c.body(csvFile(items), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="beian-search-page${page}.csv"`,
      "cache-control": CACHE_CONTROL,
      "x-content-type-options": "nosniff",
    });
  }
  const short = query.kind === "name" && [...q].length < MIN_TRIGRAM_CHARS;
  return renderPage(
    c,
    <Layout title={`${q} - ${t.site}`} brand={false}>
      <h1>
        <a class="brand" href={homeHref(lang)}>
          {t.site}
        </a>
      </h1>
      <SearchForm q={q} />
      <h2>{t.resultsFor(displayText(q))}</h2>
      {short ? (
        <p class="hint" role="note">
          {t.shortQuery(MIN_TRIGRAM_CHARS)}
        </p>
      ) : null}
      {total === 0 && failedNumberForm(q) ? (
        <p class="error" role="alert">
          {t.notNumberSearchedName(displayText(q))}
          {t.numberForm}
        </p>
      ) : null}
      <Results q={q} page={page} items={items.map(shownRecord)} total={total} />
    </Layout>,
  );
});

/**
 * The 404 page echoes what was asked for (escaped), cut to the length a number can have, and puts it in the search
 * box; a string that is no number form says so and shows the form.
 */
const NotFoundPage: FC<{ input: string; isNumber: boolean; t: PageText }> = ({ input, isNumber, t }) => {
  const cut = input.length > MAX_NUMBER_INPUT_LENGTH ? `${input.slice(0, MAX_NUMBER_INPUT_LENGTH)}…` : input;
  const asked = displayText(cut);
  return (
    <Layout title={`${t.notFoundTitle} - ${t.site}`}>
      <h1>{t.notFoundHeading}</h1>
      {isNumber ? (
        <p class="empty">{t.notFoundNumber(asked)}</p>
      ) : (
        <p class="error" role="alert">
          {t.notNumber(asked)}
          {t.numberForm}
        </p>
      )}
      <p class="hint">{t.checkNumber}</p>
      <SearchForm q={asked} />
    </Layout>
  );
};

/**
 * A record's names as a page shows them: without bidirectional controls or invisible characters (docs/rules.md#text),
 * even for a name stored before the text rule refused them or imported from the platform's catalogue.
 */
function shownRecord(r: PublicRecord): PublicRecord {
  return {
    ...r,
    unitName: displayText(r.unitName),
    natureName: displayText(r.natureName),
    serviceName: displayText(r.serviceName),
    contentTypeName: displayText(r.contentTypeName),
  };
}

/** A query that reads like an attempt at a number (ICP, 备/证, B1/B2 or a run of digits) but parses as none. */
function failedNumberForm(q: string): boolean {
  if (parseRegistrationNumber(q) || parseMainLicence(q) || mainLicencesOfDigits(q)) return false;
  return /icp|ＩＣＰ|[备備证證]\s*\d|b[12]\s*[-－]|\d{6,}/i.test(q);
}

const Snippet: FC<{ id: string; label: string; value: string }> = ({ id, label, value }) => {
  const { t } = usePage();
  return (
    <>
      <div class="snippet-head">
        <label for={id}>{label}</label>
        <button class="secondary" type="button" data-copy={id} data-done={t.copied} hidden>
          {t.copy}
        </button>
      </div>
      <textarea id={id} rows={3} readonly spellcheck={false}>
        {value}
      </textarea>
    </>
  );
};

/** A filing number is a 主体备案号; an ICP证 or B1/B2 licence is named as the licence it is (docs/rules.md#numbers). */
function mainLicenceLabel(mainLicence: string, t: PageText): string {
  const family = parseMainLicence(mainLicence)?.family;
  return family === undefined || family === "icp_filing" ? t.fields.filingNumber : t.fields.licenceNumber;
}

const Field: FC<PropsWithChildren<{ label: string }>> = ({ label, children }) => (
  <div>
    <dt>{label}</dt>
    <dd>{children}</dd>
  </div>
);

const RecordPage: FC<{ record: PublicRecord; origin: string; lang: PageLang }> = ({ record: r, origin, lang }) => {
  const t = PAGE_TEXT[lang];
  const f = t.fields;
  const redactionNote = (field: keyof PublicRecord) =>
    r.redacted.includes(field) ? <span class="note">（{t.redactionNotes[field] ?? t.redactedByRule}）</span> : null;
  const linkSnippet = `<a href="${MIIT_URL}" target="_blank" rel="noopener">${r.serviceLicence}</a>`;
  const badgeSrc = `/badge/${r.serviceLicence}.svg`;
  const badgeSnippet = `<a href="${MIIT_URL}" target="_blank" rel="noopener"><img src="${origin}${badgeSrc}" alt="${r.serviceLicence}"></a>`;
  return (
    <Layout title={`${r.serviceLicence} ${r.serviceName} - ${t.site}`} withScript>
      <p class="hint">
        <a href={homeHref(lang)}>{t.backToSearch}</a>
      </p>
      <h1>{r.serviceName}</h1>
      <dl class="fields">
        <Field label={f.serviceLicence}>{r.serviceLicence}</Field>
        <Field label={mainLicenceLabel(r.mainLicence, t)}>
          <a href={searchHref(r.mainLicence, 1, lang)}>{r.mainLicence}</a>
        </Field>
        <Field label={f.unitName}>
          {r.unitName}
          {redactionNote("unitName")}
        </Field>
        <Field label={f.natureName}>{r.natureName}</Field>
        <Field label={f.serviceName}>{r.serviceName}</Field>
        <Field label={f.serviceType}>{t.serviceTypeLabels[r.serviceType] ?? String(r.serviceType)}</Field>
        <Field label={f.contentType}>{r.contentTypeName || f.none}</Field>
        <Field label={r.status === "active" ? f.approvedOn : f.updatedOn}>
          <span class="nowrap">{r.updateRecordTime}</span>
        </Field>
        <Field label={f.limitAccess}>{r.limitAccess}</Field>
        <Field label={f.status}>
          <StatusTag status={r.status} />
        </Field>
      </dl>
      {r.status === "active" ? (
        <>
          <h2>{t.showNumberHeading}</h2>
          <p class="hint">{t.showNumberHint}</p>
          <Snippet id="snippet-link" label={t.linkSnippet} value={linkSnippet} />
          <p class="preview">
            {t.preview}
            <a href={MIIT_URL} target="_blank" rel="noopener">
              {r.serviceLicence}
            </a>
          </p>
          <Snippet id="snippet-badge" label={t.badgeSnippet} value={badgeSnippet} />
          <p class="preview">
            {t.preview}
            <a href={MIIT_URL} target="_blank" rel="noopener">
              <img src={badgeSrc} alt={r.serviceLicence} />
            </a>
          </p>
        </>
      ) : (
        <p class="warning" role="status">
          {t.inactiveWarning(t.statusLabels[r.status])}
        </p>
      )}
    </Layout>
  );
};

pagesRoutes.get(
  "/r/:number",
  lookupLimited(renderPageLimited, async (c) => {
    const input = c.req.param("number") ?? "";
    const { lang, t } = pageContext(c);
    const parsed = parseRegistrationNumber(input);
    // Anything that is not a registration number is never looked up, so odd paths cannot fill the caches.
    if (!parsed) return renderPage(c, <NotFoundPage input={input} isNumber={false} t={t} />, { status: 404 });
    // One address per record: other spellings (full-width, traditional, 川 for 蜀…) redirect to the canonical one.
    if (parsed.normalized !== input) return c.redirect(recordHref(parsed.normalized, lang), 301);
    const answer = await lookupNumber(c, parsed.normalized);
    if (answer.status !== 200) return renderPage(c, <NotFoundPage input={input} isNumber t={t} />, { status: 404 });
    const etag = derivedEtag(answer.etag, "page", lang);
    if (clientHolds(c, etag)) return notModified(etag);
    const record = shownRecord(PublicRecordSchema.parse(JSON.parse(answer.body)));
    return renderPage(c, <RecordPage record={record} origin={publicOrigin(c)} lang={lang} />, { etag });
  }),
);

/** Where absolute URLs point: the configured origin, never the Host header; the request's only in development. */
function publicOrigin(c: Context<AppEnv>): string {
  return c.get("config").publicOrigin ?? new URL(c.req.url).origin;
}

const BADGE_COLORS: Record<PublicRecord["status"] | "unknown", string> = {
  active: "#2e8540",
  cancelled: "#6e7781",
  access_removed: "#6e7781",
  revoked: "#c0392b",
  unknown: "#6e7781",
};

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch);

/** Approximate width at 11px: CJK glyphs are a full em, Latin capitals and digits about 0.65 em. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x2e80) width += 11;
    else if (ch === " ") width += 3.5;
    else if (ch === "-" || ch === ".") width += 4.5;
    else width += 7.2;
  }
  return Math.ceil(width);
}

/**
 * A two-part shield: "ICP备案" on the left, the number and its status on the right. `textLength` pins each text
 * to the computed width, so the badge looks the same whatever font the viewer has.
 */
export function badgeSvg(right: string, color: string): string {
  const left = "ICP备案";
  const pad = 6;
  const leftText = textWidth(left);
  const rightText = textWidth(right);
  const leftWidth = leftText + 2 * pad;
  const rightWidth = rightText + 2 * pad;
  const width = leftWidth + rightWidth;
  const label = escapeXml(`${left}：${right}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="${label}">
<title>${label}</title>
<linearGradient id="shine" x2="0" y2="100%"><stop offset="0" stop-color="#fff" stop-opacity=".12"/><stop offset="1" stop-opacity=".12"/></linearGradient>
<clipPath id="round"><rect width="${width}" height="20" rx="3"/></clipPath>
<g clip-path="url(#round)"><rect width="${leftWidth}" height="20" fill="#555"/><rect x="${leftWidth}" width="${rightWidth}" height="20" fill="${color}"/><rect width="${width}" height="20" fill="url(#shine)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,'DejaVu Sans','PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif" font-size="11">
<text x="${leftWidth / 2}" y="14" textLength="${leftText}" lengthAdjust="spacingAndGlyphs">${escapeXml(left)}</text>
<text x="${leftWidth + rightWidth / 2}" y="14" textLength="${rightText}" lengthAdjust="spacingAndGlyphs">${escapeXml(right)}</text>
</g>
</svg>`;
}

function svgResponse(svg: string, status: number, extra: Record<string, string> = {}): Response {
  return new Response(svg, {
    status,
    headers: {
      "content-type": "image/svg+xml; charset=utf-8",
      "cache-control": CACHE_CONTROL,
      // Badges are embedded on other sites; as a document the SVG may style itself and nothing else.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "cross-origin-resource-policy": "cross-origin",
      "x-content-type-options": "nosniff",
      ...extra,
    },
  });
}

const renderBadgeLimited: LimitRender = async () =>
  svgResponse(badgeSvg("请稍后再试", BADGE_COLORS.unknown), 429, { "cache-control": "no-store" });

pagesRoutes.get(
  "/badge/:file",
  lookupLimited(renderBadgeLimited, async (c) => {
    const file = c.req.param("file") ?? "";
    if (!file.endsWith(".svg")) return c.notFound();
    const parsed = parseRegistrationNumber(file.slice(0, -".svg".length));
    const answer = parsed ? await lookupNumber(c, parsed.normalized) : undefined;
    if (answer?.status !== 200) return svgResponse(badgeSvg("未找到", BADGE_COLORS.unknown), 404);
    const etag = derivedEtag(answer.etag, "badge");
    if (clientHolds(c, etag)) return notModified(etag);
    const record = shownRecord(PublicRecordSchema.parse(JSON.parse(answer.body)));
    const svg = badgeSvg(`${record.serviceLicence} ${STATUS_LABELS[record.status]}`, BADGE_COLORS[record.status]);
    return svgResponse(svg, 200, { etag });
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// The identity provider simulator (development only; docs/rules.md#verifications)
// ---------------------------------------------------------------------------------------------------------------

const VERIFICATION_LABELS: Record<VerificationStatus, string> = {
  pending: "待核验",
  passed: "已通过",
  failed: "未通过",
  expired: "已过期",
};

/** The simulator's verification by the token of its URL, or undefined; only while the deployment uses the simulator. */
async function simulatedVerification(c: Context<AppEnv>) {
  if (identityProviderOf(c.get("config"))?.name !== "simulator") return undefined;
  const token = c.req.param("token") ?? "";
  if (token.length < 20 || token.length > 64) return undefined;
  return getVerificationByTokenHash(c.get("db"), await sha256Hex(token));
}

const noStore = { cacheControl: "no-store" };

const renderNoVerification = (c: Context<AppEnv>) =>
  renderPage(
    c,
    <Layout title="核验链接无效" brand={false} lookupFooter={false}>
      <h1>核验链接无效</h1>
      <p class="empty">该人脸核验链接不存在或已失效。</p>
    </Layout>,
    { status: 404, ...noStore },
  );

pagesRoutes.get("/verify/:token", async (c) => {
  const row = await simulatedVerification(c);
  if (!row) return renderNoVerification(c);
  const view = toVerificationView(row, new Date().toISOString());
  return renderPage(
    c,
    <Layout title="人脸核验（模拟）" brand={false} lookupFooter={false}>
      <h1>人脸核验（模拟）</h1>
      <dl class="fields">
        <div>
          <dt>核验对象</dt>
          <dd id="person-name">{view.person.name}</dd>
        </div>
        <div>
          <dt>证件号码</dt>
          <dd id="person-certificate">{view.person.certificate.number}</dd>
        </div>
        <div>
          <dt>小程序</dt>
          <dd>{view.appId}</dd>
        </div>
        <div>
          <dt>状态</dt>
          <dd id="status">{VERIFICATION_LABELS[view.status]}</dd>
        </div>
      </dl>
      {view.status === "pending" ? (
        <>
          <p class="hint">模拟身份核验服务的结果：按下按钮即以服务商签名的回调报告结果。</p>
          <form method="post" class="search">
            <input type="hidden" name="result" value="passed" />
            <button type="submit" id="pass">
              通过
            </button>
          </form>
          <form method="post" class="search">
            <input type="hidden" name="result" value="failed" />
            <button type="submit" class="secondary" id="fail">
              不通过
            </button>
          </form>
        </>
      ) : view.failureReason ? (
        <p class="error">{view.failureReason}</p>
      ) : null}
    </Layout>,
    noStore,
  );
});

/**
 * A press of 通过 or 不通过: the result goes through the identity callback exactly as a provider's would, signed
 * here with the provider's secret, and the page shows the verification again.
 */
pagesRoutes.post("/verify/:token", async (c) => {
  const row = await simulatedVerification(c);
  if (!row) return renderNoVerification(c);
  if (Number(c.req.header("content-length") ?? "0") > 1024) throw new ApiError("PAYLOAD_TOO_LARGE");
  // A body that does not parse as the form it claims to be is the sender's mistake, not the service's.
  const form = await c.req.parseBody().catch(() => {
    throw new ApiError("BAD_REQUEST", "The form could not be read");
  });
  const result = form.result === "passed" ? "passed" : form.result === "failed" ? "failed" : undefined;
  if (!result) throw new ApiError("BAD_REQUEST", "result must be passed or failed");
  const body = JSON.stringify({
    type: "verification.result",
    data: {
      verificationId: row.id,
      result,
      ...(result === "failed" ? { reason: "模拟核验：未通过" } : {}),
      completedAt: new Date().toISOString(),
    },
  });
  const secret = c.env.IDENTITY_WEBHOOK_SECRET;
  if (!secret) throw new ApiError("IDENTITY_PROVIDER_MISSING", "Set IDENTITY_WEBHOOK_SECRET to sign the results");
  const headers = await signatureHeaders(`msg_${randomToken(12)}`, body, [secret]);
  await acceptIdentityCallback(c, body, {
    id: headers["webhook-id"],
    timestamp: headers["webhook-timestamp"],
    signature: headers["webhook-signature"],
  });
  return c.redirect(`/verify/${c.req.param("token")}`, 303);
});
