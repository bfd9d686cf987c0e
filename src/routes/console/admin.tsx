import { type Context, Hono } from "hono";
import type { FC } from "hono/jsx";
import type { components } from "../../../client/src/schema";
import { csvTable } from "../../domain/registry-csv";
import { ROLES } from "../../domain/roles";
import { COVERAGE_COUNTS } from "../../repositories/coverage";
import type { AppEnv } from "../../types";
import { ADMIN_TEXT, type AdminText } from "./admin-text";
import { type ApiProblem, callApi } from "./api";
import { LineChart } from "./chart";
import { CsrfField, consoleLang, consoleNotFound, consoleRoles, renderConsole } from "./layout";
import { formField } from "./session";

/**
 * The operator's console (docs/rules.md#consoles), mounted at /console/admin: how far each deadline policy has got,
 * the last enforcement runs, dead webhook deliveries of every account, the audit check, and accounts and their keys.
 * Every read and every change goes through the admin API in-process; each table can be downloaded as CSV.
 */
export const adminConsole = new Hono<AppEnv>();
adminConsole.use("*", consoleRoles("admin"));

type S = components["schemas"];
type Coverage = S["Coverage"];
type Counts = S["CoverageCounts"];
type Run = S["EnforcementRun"];
type Delivery = S["AccountWebhookDelivery"];
type Account = S["Account"];
type Key = S["ApiKey"];
type Page<T> = { items: T[]; nextCursor: string | null };
type Ctx = Context<AppEnv>;

const words = (c: Ctx): AdminText => ADMIN_TEXT[consoleLang(c)];

/** `2026-12-02T14:39:31.000Z` → `2026-12-02 14:39 UTC`. */
const when = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "—");

/** An API read the page cannot do without: its data, or the problem to show. */
async function read<T>(c: Ctx, path: string): Promise<{ data: T } | { problem: ApiProblem }> {
  const res = await callApi<T>(c, "GET", path);
  return res.ok ? { data: res.data } : { problem: res.problem };
}

const Failed: FC<{ w: AdminText; problem: ApiProblem }> = ({ w, problem }) => (
  <p class="error" role="alert">
    {w.failed}
    {problem.detail || problem.title}
  </p>
);

const CsvLink: FC<{ w: AdminText; href: string }> = ({ w, href }) => (
  <p class="toolbar">
    <a href={href} download>
      {w.exportCsv}
    </a>
  </p>
);

/** Everything a dashboard scope (the catalogue, or one policy) shows. */
type Scope = { id: string; name: string; note: string; counts: Counts; days: (Counts & { day: string })[] };

function scopesOf(coverage: Coverage, w: AdminText): Scope[] {
  const daysOf = (scope: string) => coverage.history.filter((h) => h.scope === scope);
  return [
    { id: "*", name: w.catalogue, note: w.catalogueNote, counts: coverage.catalogue, days: daysOf("*") },
    ...coverage.policies.map((p) => ({
      id: p.id,
      name: p.name,
      note: `${w.policyMeta(when(p.listedBefore), when(p.deadline))}${p.active ? "" : ` (${w.inactive})`}`,
      counts: p.counts,
      days: daysOf(p.id),
    })),
  ];
}

const CoverageScope: FC<{ w: AdminText; scope: Scope; n: number }> = ({ w, scope, n }) => {
  const labels = [...scope.days.map((d) => d.day), w.now];
  const points = [...scope.days, scope.counts];
  const series = COVERAGE_COUNTS.filter((k) => k !== "covered").map((k) => ({
    key: k,
    label: w.counts[k],
    values: points.map((p) => p[k]),
  }));
  const latest = COVERAGE_COUNTS.map((k) => `${w.counts[k]} ${scope.counts[k]}`).join(", ");
  return (
    <section class="card coverage" id={`coverage-${n}`} data-scope={scope.id}>
      <h3>{scope.name}</h3>
      <p class="hint">{scope.note}</p>
      <LineChart
        id={`chart-${n}`}
        title={w.chartTitle(scope.name)}
        desc={
          scope.days.length === 0
            ? w.chartDescNow(latest)
            : w.chartDesc(points.length, labels[0] ?? w.now, w.now, latest)
        }
        labels={labels}
        series={series}
      />
      {scope.days.length === 0 ? <p class="hint">{w.noHistory}</p> : null}
      <div class="table-wrap" tabindex={0}>
        <table>
          <caption>{w.tableCaption(scope.name)}</caption>
          <thead>
            <tr>
              <th scope="col">{w.day}</th>
              {COVERAGE_COUNTS.map((k) => (
                <th scope="col" class="num">
                  {w.counts[k]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {scope.days.map((d) => (
              <tr>
                <th scope="row">{d.day}</th>
                {COVERAGE_COUNTS.map((k) => (
                  <td class="num">{d[k]}</td>
                ))}
              </tr>
            ))}
            <tr class="now">
              <th scope="row">{w.now}</th>
              {COVERAGE_COUNTS.map((k) => (
                <td class="num" data-count={k}>
                  {scope.counts[k]}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
};

const runCounts = (run: Run) =>
  Object.entries(run.counts)
    .filter(([k, v]) => k !== "queries" && v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

const RunsTable: FC<{ w: AdminText; runs: Run[] }> = ({ w, runs }) =>
  runs.length === 0 ? (
    <p class="empty">{w.empty}</p>
  ) : (
    <div class="table-wrap" tabindex={0}>
      <table>
        <thead>
          <tr>
            {Object.values(w.runsColumns).map((label) => (
              <th scope="col">{label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr>
              <th scope="row">{when(r.scheduledTime)}</th>
              <td>{when(r.startedAt)}</td>
              <td>{when(r.finishedAt)}</td>
              <td>
                <span class={`status ${r.completed ? "good" : "wait"}`}>{r.completed ? w.yes : w.no}</span>
              </td>
              <td>{runCounts(r) || "—"}</td>
              <td>{r.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

const DeliveriesTable: FC<{ w: AdminText; items: Delivery[] }> = ({ w, items }) =>
  items.length === 0 ? (
    <p class="empty">{w.empty}</p>
  ) : (
    <div class="table-wrap" tabindex={0}>
      <table>
        <thead>
          <tr>
            {Object.values(w.deliveriesColumns).map((label) => (
              <th scope="col">{label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr>
              <th scope="row">
                {d.accountName ?? ""} <code>{d.accountId}</code>
              </th>
              <td>
                {d.eventType ?? ""} <code>{d.eventId}</code>
              </td>
              <td class="num">{d.attempts}</td>
              <td class="num">{d.lastStatus ?? "—"}</td>
              <td>{d.lastError ?? ""}</td>
              <td>{when(d.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

adminConsole.get("/", async (c) => {
  const w = words(c);
  const [coverage, runs, dead] = await Promise.all([
    read<Coverage>(c, "/v1/admin/coverage?days=30"),
    read<Page<Run>>(c, "/v1/admin/enforcement/runs?limit=10"),
    read<Page<Delivery>>(c, "/v1/admin/webhook-deliveries?status=dead&limit=20"),
  ]);
  return renderConsole(
    c,
    w.dashboardTitle,
    () => (
      <>
        <h1>{w.dashboardTitle}</h1>
        <section aria-labelledby="coverage-title">
          <h2 id="coverage-title">{w.coverageTitle}</h2>
          <p class="hint">{w.coverageIntro}</p>
          <CsvLink w={w} href="/console/admin/export/coverage.csv" />
          {"problem" in coverage ? (
            <Failed w={w} problem={coverage.problem} />
          ) : (
            scopesOf(coverage.data, w).map((scope, n) => <CoverageScope w={w} scope={scope} n={n} />)
          )}
        </section>
        <section aria-labelledby="runs-title">
          <h2 id="runs-title">{w.runsTitle}</h2>
          <CsvLink w={w} href="/console/admin/export/runs.csv" />
          {"problem" in runs ? <Failed w={w} problem={runs.problem} /> : <RunsTable w={w} runs={runs.data.items} />}
        </section>
        <section aria-labelledby="deliveries-title">
          <h2 id="deliveries-title">{w.deliveriesTitle}</h2>
          <CsvLink w={w} href="/console/admin/export/deliveries.csv" />
          {"problem" in dead ? (
            <Failed w={w} problem={dead.problem} />
          ) : (
            <DeliveriesTable w={w} items={dead.data.items} />
          )}
        </section>
        <section aria-labelledby="audit-title">
          <h2 id="audit-title">{w.auditTitle}</h2>
          <p class="hint">{w.auditIntro}</p>
          <p>
            <a href="/console/admin/audit">{w.auditLink}</a>
          </p>
        </section>
      </>
    ),
    { current: "/console/admin" },
  );
});

type AuditResult = {
  ok: boolean;
  rows: number;
  subjects: number;
  anchors: number;
  anchoredAt: string | null;
  broken: { subject: string; seq: number; reason: string }[];
};

adminConsole.get("/audit", async (c) => {
  const w = words(c);
  const result = await read<AuditResult>(c, "/v1/admin/audit/verify");
  const at = new Date().toISOString();
  return renderConsole(c, w.auditTitle, () => (
    <>
      <h1>{w.auditTitle}</h1>
      <p class="hint">{w.auditIntro}</p>
      {"problem" in result ? (
        <Failed w={w} problem={result.problem} />
      ) : (
        <>
          <p class={result.data.ok ? "ok" : "error"} role="status">
            {result.data.ok ? w.auditOk : w.auditBroken(result.data.broken.length)}
          </p>
          <dl class="fields-list">
            {(
              [
                ["verifiedAt", when(at)],
                ["rows", result.data.rows],
                ["subjects", result.data.subjects],
                ["anchors", result.data.anchors],
                ["anchoredAt", when(result.data.anchoredAt)],
              ] as const
            ).map(([k, v]) => (
              <div>
                <dt>{w.auditFacts[k]}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          <CsvLink w={w} href="/console/admin/export/audit.csv" />
          {result.data.broken.length > 0 ? (
            <div class="table-wrap" tabindex={0}>
              <table>
                <thead>
                  <tr>
                    {Object.values(w.auditColumns).map((label) => (
                      <th scope="col">{label}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {result.data.broken.map((b) => (
                    <tr>
                      <th scope="row">
                        <code>{b.subject}</code>
                      </th>
                      <td class="num">{b.seq}</td>
                      <td>{b.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      )}
    </>
  ));
});

// Accounts and keys.

type FieldProblems = Partial<Record<"name" | "role", string>>;

function problemsOf(problem: ApiProblem): FieldProblems {
  const out: FieldProblems = {};
  for (const e of problem.errors ?? []) {
    if (e.path === "name" || e.path === "role") out[e.path] ??= e.message;
  }
  return out;
}

const FieldError: FC<{ id: string; message?: string }> = ({ id, message }) =>
  message ? (
    <p class="field-error" id={id}>
      {message}
    </p>
  ) : null;

async function accountsPage(
  c: Ctx,
  form: { name?: string; role?: string; problems?: FieldProblems; error?: string } = {},
  status = 200,
) {
  const w = words(c);
  const cursor = c.req.query("cursor");
  const list = await read<Page<Account>>(
    c,
    `/v1/admin/accounts?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
  );
  const p = form.problems ?? {};
  return renderConsole(
    c,
    w.accountsTitle,
    ({ csrf }) => (
      <>
        <h1>{w.accountsTitle}</h1>
        <section class="card" aria-labelledby="create-account">
          <h2 id="create-account">{w.createAccount}</h2>
          {form.error ? (
            <p class="error" role="alert">
              {form.error}
            </p>
          ) : null}
          <form method="post" action="/console/admin/accounts" class="fields">
            <CsrfField csrf={csrf} />
            <div class="field">
              <label for="account-name">{w.accountName}</label>
              <input
                id="account-name"
                name="name"
                required
                maxlength={100}
                value={form.name ?? ""}
                aria-invalid={p.name ? "true" : undefined}
                aria-describedby={p.name ? "account-name-error" : undefined}
              />
              <FieldError id="account-name-error" message={p.name} />
            </div>
            <div class="field">
              <label for="account-role">{w.accountRole}</label>
              <select
                id="account-role"
                name="role"
                aria-invalid={p.role ? "true" : undefined}
                aria-describedby={p.role ? "account-role-error" : undefined}
              >
                {ROLES.map((r) => (
                  <option value={r} selected={form.role === r}>
                    {w.roleNames[r]}
                  </option>
                ))}
              </select>
              <FieldError id="account-role-error" message={p.role} />
            </div>
            <button type="submit">{w.createButton}</button>
          </form>
        </section>
        <section aria-labelledby="accounts-list">
          <h2 id="accounts-list">{w.accountsTitle}</h2>
          <CsvLink w={w} href="/console/admin/export/accounts.csv" />
          {"problem" in list ? (
            <Failed w={w} problem={list.problem} />
          ) : (
            <>
              <div class="table-wrap" tabindex={0}>
                <table>
                  <thead>
                    <tr>
                      {Object.values(w.accountsColumns).map((label) => (
                        <th scope="col">{label}</th>
                      ))}
                      <th scope="col">
                        <span class="visually-hidden">{w.manageKeys}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.data.items.map((a) => (
                      <tr>
                        <th scope="row">
                          <code>{a.id}</code>
                        </th>
                        <td>{a.name}</td>
                        <td>{w.roleNames[a.role]}</td>
                        <td>{when(a.createdAt)}</td>
                        <td>
                          <a href={`/console/admin/accounts/${encodeURIComponent(a.id)}`}>{w.manageKeys}</a>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {list.data.nextCursor ? (
                <p>
                  <a href={`/console/admin/accounts?cursor=${encodeURIComponent(list.data.nextCursor)}`}>
                    {w.nextPage}
                  </a>
                </p>
              ) : null}
            </>
          )}
        </section>
      </>
    ),
    { status, current: "/console/admin/accounts" },
  );
}

adminConsole.get("/accounts", (c) => accountsPage(c));

adminConsole.post("/accounts", async (c) => {
  const name = (await formField(c, "name")) ?? "";
  const role = (await formField(c, "role")) ?? "";
  const res = await callApi<Account>(c, "POST", "/v1/admin/accounts", { json: { name, role } });
  if (res.ok) return c.redirect(`/console/admin/accounts/${encodeURIComponent(res.data.id)}?created=1`, 303);
  const problems = problemsOf(res.problem);
  const error = Object.keys(problems).length === 0 ? res.problem.detail || res.problem.title : undefined;
  return accountsPage(c, { name, role, problems, error }, res.status === 422 ? 422 : res.status);
});

const keysPath = (id: string) => `/v1/admin/accounts/${encodeURIComponent(id)}/keys`;

async function keysPage(c: Ctx, id: string, shown?: S["CreatedKey"], status = 200) {
  const w = words(c);
  const keys = await callApi<Page<Key>>(c, "GET", keysPath(id));
  if (!keys.ok && keys.status === 404) return consoleNotFound(c);
  const revoked = c.req.query("revoked");
  const base = `/console/admin/accounts/${encodeURIComponent(id)}`;
  return renderConsole(
    c,
    w.keysTitle(id),
    ({ csrf }) => (
      <>
        <h1>{w.keysTitle(id)}</h1>
        <p>
          <a href="/console/admin/accounts">{w.backToAccounts}</a>
        </p>
        {c.req.query("created") && !shown ? (
          <p class="ok" role="status">
            {w.accountCreated}
          </p>
        ) : null}
        {revoked ? (
          <p class="ok" role="status">
            {w.revokedNotice(revoked)}
          </p>
        ) : null}
        {shown ? (
          <section class="card warning" aria-labelledby="new-key">
            <h2 id="new-key">{w.newKeyTitle}</h2>
            <p>{w.newKeyOnce}</p>
            <p>
              <code class="new-key">{shown.key}</code>
            </p>
          </section>
        ) : null}
        <form method="post" action={`${base}/keys`} class="toolbar">
          <CsrfField csrf={csrf} />
          <button type="submit">{w.createKey}</button>
        </form>
        <CsvLink w={w} href={`${base}/keys.csv`} />
        {!keys.ok ? (
          <Failed w={w} problem={keys.problem} />
        ) : keys.data.items.length === 0 ? (
          <p class="empty">{w.empty}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  {Object.values(w.keysColumns).map((label) => (
                    <th scope="col">{label}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((k) => (
                  <tr>
                    <th scope="row">
                      <code>{k.id}</code>
                    </th>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>{when(k.createdAt)}</td>
                    <td>{when(k.lastUsedAt)}</td>
                    <td>{k.revokedAt ? when(k.revokedAt) : "—"}</td>
                    <td>
                      {k.revokedAt ? null : (
                        <form method="post" action={`${base}/keys/${encodeURIComponent(k.id)}/revoke`} class="inline">
                          <CsrfField csrf={csrf} />
                          <button type="submit" class="danger">
                            {w.revoke(k.prefix)}
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    ),
    { status, current: "/console/admin/accounts" },
  );
}

adminConsole.get("/accounts/:id", (c) => keysPage(c, c.req.param("id")));

// The new key is in this answer only: it is rendered here, never put in a URL or redirect, and not kept.
adminConsole.post("/accounts/:id/keys", async (c) => {
  const id = c.req.param("id");
  const res = await callApi<S["CreatedKey"]>(c, "POST", keysPath(id));
  if (!res.ok) return res.status === 404 ? consoleNotFound(c) : keysPage(c, id, undefined, res.status);
  return keysPage(c, id, res.data);
});

adminConsole.post("/accounts/:id/keys/:keyId/revoke", async (c) => {
  const { id, keyId } = c.req.param();
  const res = await callApi(c, "DELETE", `${keysPath(id)}/${encodeURIComponent(keyId)}`);
  if (!res.ok) return res.status === 404 ? consoleNotFound(c) : keysPage(c, id, undefined, res.status);
  return c.redirect(`/console/admin/accounts/${encodeURIComponent(id)}?revoked=${encodeURIComponent(keyId)}`, 303);
});

// CSV exports: each table of the pages above, all its rows (lists are read a page of 200 at a time, up to 10,000).

const MAX_PAGES = 50;

async function readAll<T>(c: Ctx, path: string): Promise<T[] | ApiProblem> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    const sep = path.includes("?") ? "&" : "?";
    const res: Awaited<ReturnType<typeof callApi<Page<T>>>> = await callApi<Page<T>>(
      c,
      "GET",
      `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (!res.ok) return res.problem;
    items.push(...res.data.items);
    cursor = res.data.nextCursor;
    if (!cursor) break;
  }
  return items;
}

function csvAnswer(c: Ctx, name: string, body: string): Response {
  const day = new Date().toISOString().slice(0, 10);
  return c.body(body, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${name}-${day}.csv"`,
    "cache-control": "no-store",
  });
}

const csvFailed = (c: Ctx, problem: ApiProblem) =>
  c.text(problem.detail || problem.title, problem.status as 400, { "cache-control": "no-store" });

adminConsole.get("/export/coverage.csv", async (c) => {
  const res = await callApi<Coverage>(c, "GET", "/v1/admin/coverage?days=366");
  if (!res.ok) return csvFailed(c, res.problem);
  const names = new Map([["*", ""], ...res.data.policies.map((p) => [p.id, p.name] as [string, string])]);
  const now = [{ scope: "*", ...res.data.catalogue }, ...res.data.policies.map((p) => ({ scope: p.id, ...p.counts }))];
  const rows = [
    ...res.data.history.map((h) => [h.scope, names.get(h.scope), h.day, ...COVERAGE_COUNTS.map((k) => h[k])]),
    ...now.map((n) => [n.scope, names.get(n.scope), res.data.at, ...COVERAGE_COUNTS.map((k) => n[k])]),
  ];
  return csvAnswer(c, "coverage", csvTable(["scope", "name", "day", ...COVERAGE_COUNTS], rows));
});

adminConsole.get("/export/runs.csv", async (c) => {
  const runs = await readAll<Run>(c, "/v1/admin/enforcement/runs");
  if (!Array.isArray(runs)) return csvFailed(c, runs);
  return csvAnswer(
    c,
    "enforcement-runs",
    csvTable(
      ["id", "scheduledTime", "startedAt", "finishedAt", "completed", "counts", "error"],
      runs.map((r) => [
        r.id,
        r.scheduledTime,
        r.startedAt,
        r.finishedAt,
        r.completed,
        JSON.stringify(r.counts),
        r.error,
      ]),
    ),
  );
});

adminConsole.get("/export/deliveries.csv", async (c) => {
  const items = await readAll<Delivery>(c, "/v1/admin/webhook-deliveries?status=dead");
  if (!Array.isArray(items)) return csvFailed(c, items);
  const columns = [
    "id",
    "accountId",
    "accountName",
    "eventId",
    "eventType",
    "attempts",
    "lastStatus",
    "lastError",
    "createdAt",
    "updatedAt",
  ] as const;
  return csvAnswer(
    c,
    "dead-deliveries",
    csvTable(
      columns,
      items.map((d) => columns.map((k) => d[k])),
    ),
  );
});

adminConsole.get("/export/accounts.csv", async (c) => {
  const items = await readAll<Account>(c, "/v1/admin/accounts");
  if (!Array.isArray(items)) return csvFailed(c, items);
  return csvAnswer(
    c,
    "accounts",
    csvTable(
      ["id", "name", "role", "createdAt"],
      items.map((a) => [a.id, a.name, a.role, a.createdAt]),
    ),
  );
});

adminConsole.get("/export/audit.csv", async (c) => {
  const res = await callApi<AuditResult>(c, "GET", "/v1/admin/audit/verify");
  if (!res.ok) return csvFailed(c, res.problem);
  return csvAnswer(
    c,
    "audit-verification",
    csvTable(
      ["subject", "seq", "reason"],
      res.data.broken.map((b) => [b.subject, b.seq, b.reason]),
    ),
  );
});

adminConsole.get("/accounts/:id/keys.csv", async (c) => {
  const id = c.req.param("id");
  const res = await callApi<Page<Key>>(c, "GET", keysPath(id));
  if (!res.ok) return res.status === 404 ? consoleNotFound(c) : csvFailed(c, res.problem);
  return csvAnswer(
    c,
    "keys",
    csvTable(
      ["id", "prefix", "createdAt", "lastUsedAt", "revokedAt"],
      res.data.items.map((k) => [k.id, k.prefix, k.createdAt, k.lastUsedAt, k.revokedAt]),
    ),
  );
});
