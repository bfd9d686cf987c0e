import { type Context, Hono } from "hono";
import { RESUBMITTABLE } from "../../domain/filing-patch";
import type { FilingStatus } from "../../domain/filing-state";
import { findMaterialField, materialFieldOf } from "../../domain/materials";
import { codeWithName } from "../../domain/reference";
import type { Role } from "../../domain/roles";
import { beijingDateTime } from "../../domain/time";
import { randomToken } from "../../lib/crypto";
import type { AppEnv } from "../../types";
import { type ApiProblem, callApi, fetchApi } from "./api";
import { DEV_TEXT, type DevText, fieldLabel } from "./developer-text";
import {
  compactRows,
  type FieldProblem,
  FilingForm,
  type FormState,
  fid,
  fieldOf,
  first,
  formToRequest,
  mergeDiff,
  type Region,
  requestToValues,
  type Values,
  type Verification,
  valuesOfBody,
} from "./filing-form";
import { CsrfField, consoleNotFound, consoleRoles, renderConsole, useConsoleLang } from "./layout";
import { formField } from "./session";

/**
 * The developer and provider console (docs/rules.md#consoles): the account's apps and their filing status, the
 * filing form (new, change, resubmission), a filing's timeline and moves, events and the webhook. Everything goes
 * through the API (./api.ts). Mounted at the console's root, so each route names its roles itself (a `use("*")` here
 * would cover the staff consoles too).
 */
export const developerConsole = new Hono<AppEnv>();
const filers = consoleRoles("developer", "provider");
type C = Context<AppEnv>;

function words(c: C): { d: DevText } {
  const { lang } = useConsoleLang(c);
  return { d: DEV_TEXT[lang] as DevText };
}

const enc = encodeURIComponent;
type Reason = { field: string; error: string; suggest: string };
type Page<T> = { items: T[]; nextCursor: string | null };
type App = { appId: string; name: string; listingStatus: string; registrationNumber: string | null };
type FilingStatusView = {
  appId: string;
  listingStatus: string;
  registration: { number: string; status: string; approvedAt: string } | null;
  openFiling: { id: string; type: string; status: FilingStatus; smsDeadline: string | null; reasons: Reason[] } | null;
  allowed: string[];
  blockers: { type: string; code: string; message: string }[];
  deadlines: { policyId: string; name: string; deadline: string; daysLeft: number }[];
};
type Filing = {
  id: string;
  type: string;
  appId: string;
  status: FilingStatus;
  registrationNumber: string | null;
  reasons: Reason[];
  smsDeadline: string | null;
  smsVerifications: { role: string; mobile: string; status: string; wrongAttempts: number }[];
  resubmittedFrom: string | null;
  createdAt: string;
  request: Record<string, unknown>;
};
type HistoryEntry = {
  seq: number;
  from: string | null;
  to: string;
  actor: { role: string };
  at: string;
  reasons: Reason[];
};

/** A moment as the filers read it: Beijing time, to the minute, as the staff consoles and the bureau show it. */
const time = (iso: string | null | undefined) => (iso ? beijingDateTime(new Date(iso)).slice(0, 16) : "");
const statusClass = (s: string) =>
  s === "approved" ? "status good" : /rejected|withdrawn|expired/.test(s) ? "status bad" : "status wait";

/** A problem answer's field problems, or its detail as one problem without a field. */
const problemsOf = (p: ApiProblem | undefined): FieldProblem[] =>
  p?.errors?.length ? p.errors : [{ path: "", message: p?.detail || p?.title || "error" }];

/** A field problem beside its input and in a list above the form. */
const FieldError = ({ problems, path }: { problems: FieldProblem[]; path: string }) => {
  const mine = problems.filter((p) => p.path === path);
  return mine.length ? (
    <span class="field-error" id={`e-${path}`}>
      {mine.map((p) => (
        <span>
          {p.message}
          {p.suggest ? <span class="suggest">{p.suggest}</span> : null}
        </span>
      ))}
    </span>
  ) : null;
};

// ---------------------------------------------------------------------------------------------------------------
// The apps and their filing status
// ---------------------------------------------------------------------------------------------------------------

/** The apps the signed-in account files for: a developer's own; a provider's, those it has filed for. */
async function appsOf(c: C): Promise<{ appId: string; name: string }[]> {
  if (c.get("principal").role === "developer") {
    const apps = await callApi<Page<App>>(c, "GET", "/v1/apps?limit=200");
    return apps.ok ? apps.data.items : [];
  }
  const filings = await callApi<Page<Filing>>(c, "GET", "/v1/filings?limit=200");
  const ids = filings.ok ? [...new Set(filings.data.items.map((f) => f.appId))] : [];
  return ids.map((appId) => ({ appId, name: appId }));
}

const AppCard = ({ d, app, s }: { d: DevText; app: { appId: string; name: string }; s: FilingStatusView | null }) => (
  <section class="card" aria-labelledby={`app-${app.appId}`}>
    <h2 id={`app-${app.appId}`}>
      {app.name} <code>{app.appId}</code>
    </h2>
    {s ? (
      <dl class="fields-list">
        <div>
          <dt>{d.registration}</dt>
          <dd>
            {s.registration
              ? `${s.registration.number} (${d.registrationStatus[s.registration.status] ?? s.registration.status})`
              : d.noRegistration}{" "}
            · {d.listing[s.listingStatus] ?? s.listingStatus}
          </dd>
        </div>
        <div>
          <dt>{d.openFiling}</dt>
          <dd>
            {s.openFiling ? (
              <>
                <a href={`/console/filings/${enc(s.openFiling.id)}`}>{s.openFiling.id}</a>{" "}
                <span class={statusClass(s.openFiling.status)}>{d.status[s.openFiling.status]}</span>{" "}
                {d.types[s.openFiling.type]}
                {s.openFiling.smsDeadline ? ` · ${d.smsDeadline} ${time(s.openFiling.smsDeadline)}` : ""}
              </>
            ) : (
              d.none
            )}
          </dd>
        </div>
        <div>
          <dt>{d.canDo}</dt>
          <dd>
            <span class="toolbar">
              {s.allowed.includes("new") ? (
                <a class="button" href={`/console/apps/${enc(app.appId)}/file`}>
                  {d.fileNew}
                </a>
              ) : null}
              {s.allowed.includes("change") ? (
                <a class="button secondary" href={`/console/apps/${enc(app.appId)}/file?type=change`}>
                  {d.fileChange}
                </a>
              ) : null}
              {s.allowed.length === 0 ? d.none : null}
            </span>
            {s.blockers.length ? (
              <ul class="hint">
                {s.blockers.map((b) => (
                  <li>
                    {d.types[b.type] ?? b.type}: {b.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </dd>
        </div>
        {s.deadlines.length ? (
          <div>
            <dt>{d.deadlines}</dt>
            <dd>
              <ul>
                {s.deadlines.map((x) => (
                  <li class={x.daysLeft <= 0 ? "error" : undefined}>
                    {x.name}: {time(x.deadline)} ({d.daysLeft(x.daysLeft)})
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        ) : null}
      </dl>
    ) : null}
  </section>
);

async function appsPage(c: C, state: { values?: Values; problems?: FieldProblem[]; notice?: string }, status = 200) {
  const { d } = words(c);
  const apps = await appsOf(c);
  const statuses = await Promise.all(
    apps.map((a) => callApi<FilingStatusView>(c, "GET", `/v1/apps/${enc(a.appId)}/filing-status`)),
  );
  const developer = c.get("principal").role === "developer";
  const problems = state.problems ?? [];
  const other = problems.filter((p) => p.path !== "appId" && p.path !== "name");
  return renderConsole(
    c,
    d.appsTitle,
    ({ csrf }) => (
      <>
        <h1>{d.appsTitle}</h1>
        {state.notice ? (
          <p class="ok" role="status">
            {state.notice}
          </p>
        ) : null}
        {apps.length === 0 ? <p class="empty">{d.appsEmpty}</p> : null}
        {apps.map((app, i) => {
          const s = statuses[i];
          return <AppCard d={d} app={app} s={s?.ok ? s.data : null} />;
        })}
        {developer ? (
          <form method="post" action="/console/apps" class="card" novalidate>
            <h2>{d.registerTitle}</h2>
            <CsrfField csrf={csrf} />
            {other.length ? (
              <p class="error" role="alert">
                {other.map((p) => p.message).join(" ")}
              </p>
            ) : null}
            <div class="fields">
              {(["appId", "name"] as const).map((name) => {
                const bad = problems.some((p) => p.path === name);
                return (
                  <div class="field">
                    <label for={`app-${name}`}>{name === "appId" ? d.appId : d.appName} *</label>
                    <input
                      id={`app-${name}`}
                      name={name}
                      value={state.values?.[name]?.[0] ?? ""}
                      required
                      aria-invalid={bad ? "true" : undefined}
                      aria-describedby={bad ? `e-${name}` : undefined}
                    />
                    <FieldError problems={problems} path={name} />
                  </div>
                );
              })}
            </div>
            <button type="submit">{d.registerButton}</button>
          </form>
        ) : null}
      </>
    ),
    { status, current: "/console" },
  );
}

developerConsole.get("/", filers, (c) => {
  const { d } = words(c);
  const registered = c.req.query("registered");
  return appsPage(c, { notice: registered ? d.registered(registered) : undefined });
});

developerConsole.post("/apps", filers, async (c) => {
  words(c);
  const appId = (await formField(c, "appId"))?.trim() ?? "";
  const name = (await formField(c, "name")) ?? "";
  const res = await callApi(c, "POST", "/v1/apps", { json: { appId, name } });
  if (res.ok) return c.redirect(`/console?registered=${enc(appId)}`, 303);
  return appsPage(c, { values: { appId: [appId], name: [name] }, problems: problemsOf(res.problem) }, res.status);
});

// ---------------------------------------------------------------------------------------------------------------
// The filing form: new, change (from the registration), resubmission (from an ended filing)
// ---------------------------------------------------------------------------------------------------------------

type Mode = {
  kind: "new" | "change" | "resubmit";
  /** The request's type (a resubmission keeps its filing's). */
  type: string;
  appId: string;
  filingId?: string;
  /** The stored request (as the API shows it, masked) a change or a resubmission patches. */
  base?: Record<string, unknown>;
  reasons: Reason[];
};

/** What a form posts to and starts from; undefined when there is no such app or filing for the account. */
async function modeFor(c: C, kind: Mode["kind"], id: string): Promise<Mode | { error: ApiProblem; status: number }> {
  if (kind === "resubmit") {
    const filing = await callApi<Filing>(c, "GET", `/v1/filings/${enc(id)}`);
    if (!filing.ok) return { error: filing.problem, status: filing.status };
    const f = filing.data;
    return { kind, type: f.type, appId: f.appId, filingId: f.id, base: f.request, reasons: f.reasons };
  }
  if (kind === "change") {
    const reg = await callApi<{ request: Record<string, unknown> }>(c, "GET", `/v1/apps/${enc(id)}/registration`);
    if (!reg.ok) return { error: reg.problem, status: reg.status };
    return { kind, type: "change", appId: id, base: reg.data.request, reasons: [] };
  }
  const status = await callApi(c, "GET", `/v1/apps/${enc(id)}/filing-status`);
  if (!status.ok) return { error: status.problem, status: status.status };
  return { kind, type: "new", appId: id, reasons: [] };
}

const formAction = (m: Mode) =>
  m.kind === "resubmit"
    ? `/console/filings/${enc(m.filingId ?? "")}/resubmit`
    : `/console/apps/${enc(m.appId)}/file${m.kind === "change" ? "?type=change" : ""}`;

/** The body the API checks and files: the whole request, or a merge patch on the stored one. */
function apiBody(m: Mode, request: Record<string, unknown>) {
  if (m.kind === "new") return request;
  const patch = mergeDiff(m.base, request);
  return m.kind === "change" ? { type: "change", appId: m.appId, patch } : { resubmitOf: m.filingId, patch };
}

/**
 * The dry run's problems; a refusal of the caller (403, 404: the app or filing is not one it may file for) is
 * answered as the API answers it, never as a problem of the form.
 */
async function dryRun(c: C, m: Mode, request: Record<string, unknown>) {
  const res = await callApi<{ valid: boolean; errors: FieldProblem[] }>(c, "POST", "/v1/filings/validate", {
    json: apiBody(m, request),
  });
  if (res.ok) return { errors: res.data.errors };
  if (res.status === 403 || res.status === 404) return { errors: [], refused: res };
  return { errors: problemsOf(res.problem) };
}

/** The mediaIds of a form's materials and each one's content type (for the previews), read through the API. */
async function materialTypes(c: C, values: Values): Promise<Map<string, string>> {
  const ids = Object.entries(values)
    .filter(([path, v]) => v[0] && findMaterialField(materialFieldOf(path)))
    .map(([, v]) => v[0] as string);
  const found = await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const res = await callApi<{ contentType: string }>(c, "GET", `/v1/materials/${enc(id)}`);
      return [id, res.ok ? res.data.contentType : ""] as const;
    }),
  );
  return new Map(found);
}

async function regionsOf(c: C, values: Values) {
  const list = async (query: string): Promise<Region[]> => {
    const res = await callApi<{ items: Region[] }>(c, "GET", `/v1/reference/regions?${query}`);
    return res.ok ? res.data.items : [];
  };
  const province = first(values, "organizer.region.province");
  const city = first(values, "organizer.region.city");
  const [provinces, cities, districts] = await Promise.all([
    list("level=province"),
    /^\d{6}$/.test(province) ? list(`parent=${province}`) : [],
    /^\d{6}$/.test(city) ? list(`parent=${city}`) : [],
  ]);
  return { provinces, cities, districts };
}

type FormRound = { values: Values; problems: FieldProblem[]; verification?: Verification; notice?: string };

async function formPage(c: C, m: Mode, round: FormRound, status: number) {
  const { d } = words(c);
  const lang = c.get("lang") === "en" ? "en" : "zh";
  const [regions, materials] = await Promise.all([regionsOf(c, round.values), materialTypes(c, round.values)]);
  const problems = new Map<string, FieldProblem[]>();
  for (const p of round.problems) {
    const at = fieldOf(d, p.path);
    problems.set(at, [...(problems.get(at) ?? []), p]);
  }
  const reasons = new Map<string, Reason[]>();
  for (const r of m.reasons) {
    const at = fieldOf(d, r.field);
    reasons.set(at, [...(reasons.get(at) ?? []), r]);
  }
  const f: FormState = { d, lang, values: round.values, problems, reasons, materials, regions };
  if (round.verification) f.verification = round.verification;
  const title =
    m.kind === "resubmit"
      ? d.formResubmit(m.filingId ?? "")
      : m.kind === "change"
        ? d.formChange(m.appId)
        : d.formNew(m.appId);
  return renderConsole(
    c,
    title,
    ({ csrf }) => (
      <>
        <h1>{title}</h1>
        <p class="hint">{m.kind === "new" ? d.formIntro : m.kind === "change" ? d.changeIntro : d.resubmitIntro}</p>
        {round.notice ? (
          <p class="ok" role="status">
            {round.notice}
          </p>
        ) : null}
        {m.reasons.length ? (
          <section class="warning">
            <h2>{d.reasonsTitle}</h2>
            <ReasonList d={d} reasons={m.reasons} />
          </section>
        ) : null}
        <FilingForm
          f={f}
          all={round.problems}
          frame={{
            action: formAction(m),
            csrf,
            idempotencyKey: `console-${randomToken(18)}`,
            type: m.type,
            appId: m.appId,
            submitLabel: m.kind === "resubmit" ? d.resubmit : d.submit,
          }}
        />
      </>
    ),
    { status, current: "/console", scripts: ["filing-form"] },
  );
}

const ReasonList = ({ d, reasons }: { d: DevText; reasons: Reason[] }) => (
  <ul>
    {reasons.map((r) => (
      <li>
        <strong>{fieldLabel(d, r.field)}</strong> <code>{r.field}</code>: {r.error}
        {r.suggest ? ` (${d.reasonSuggest}: ${r.suggest})` : ""}
      </li>
    ))}
  </ul>
);

/** The certificate type a certificate photo at `path` shows: its certificate's `type` in the same form. */
const certificateTypeFor = (values: Values, path: string) =>
  first(values, path.replace(/\.(photo|front|back)$/, ".type"));

/** Uploads one chosen file (POST /v1/materials): its mediaId, or the API's problems at the field's path. */
async function upload(c: C, path: string, file: File, values: Values) {
  const field = materialFieldOf(path);
  const form = new FormData();
  form.set("file", file);
  form.set("field", field);
  const type = findMaterialField(field)?.certificateTypes ? certificateTypeFor(values, path) : "";
  if (type) form.set("certificateType", type);
  const res = await callApi<{ mediaId: string; contentType: string }>(c, "POST", "/v1/materials", { form });
  if (res.ok) return { mediaId: res.data.mediaId, contentType: res.data.contentType };
  return { problems: problemsOf(res.problem).map((p) => ({ ...p, path })) };
}

const materialHref = (mediaId: string) => `/console/materials/${enc(mediaId)}`;

const IDEM = /^[\x21-\x7e]{1,255}$/;

/** Starts a face verification of the person at `base` (POST /v1/verifications) with the form's name and ID. */
async function startVerification(c: C, m: Mode, values: Values, base: string) {
  const res = await callApi<{ id: string; url: string }>(c, "POST", "/v1/verifications", {
    json: {
      appId: m.appId,
      person: {
        name: first(values, `${base}.name`),
        certificate: {
          type: first(values, `${base}.certificate.type`),
          number: first(values, `${base}.certificate.number`),
        },
      },
    },
  });
  if (res.ok) return { verification: { path: base, id: res.data.id, url: res.data.url } };
  const problems = problemsOf(res.problem).map((p) => ({
    ...p,
    path: p.path.startsWith("person.") ? `${base}.${p.path.slice("person.".length)}` : `${base}.verificationId`,
  }));
  return { problems };
}

/**
 * One round of the form: the chosen files are uploaded, then the form is checked (the dry run), a face verification
 * started, or the filing submitted with the form's idempotency key. Asked for JSON (the live check of
 * public/console/filing-form.js), it answers the dry run's problems, each with the field it is shown at.
 */
async function postForm(c: C, m: Mode) {
  const { d } = words(c);
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    // A body that does not parse as the form it claims to be: nothing in it can be read, as with no form at all.
    return errorPage(c, { code: "MALFORMED_FORM", title: d.badForm, detail: d.badForm, status: 400 }, 400);
  }
  const action = typeof body._action === "string" ? body._action : "check";
  const { values: raw, files } = valuesOfBody(body);
  const fixed = { type: m.type, appId: m.appId };
  if ((c.req.header("accept") ?? "").includes("application/json")) {
    if (action === "upload") {
      // A file chosen with scripts on: uploaded (and checked) at once; the script keeps its mediaId in the form.
      const uploads: { path: string; mediaId: string; contentType: string; href: string }[] = [];
      const problems: FieldProblem[] = [];
      for (const [path, file] of files) {
        const done = await upload(c, path, file, raw);
        if (done.mediaId) {
          uploads.push({
            path,
            mediaId: done.mediaId,
            contentType: done.contentType,
            href: materialHref(done.mediaId),
          });
        } else problems.push(...(done.problems ?? []));
      }
      return c.json({ uploads, errors: problems.map((e) => ({ ...e, field: e.path, label: fieldLabel(d, e.path) })) });
    }
    const { values } = compactRows(raw);
    const { errors, refused } = await dryRun(c, m, formToRequest(values, fixed));
    if (refused) return c.json(refused.problem, refused.status as 403);
    const located = errors.map((e) => {
      const field = fieldOf(d, e.path);
      return { ...e, field, label: field ? fieldLabel(d, field) : e.path, anchor: field ? fid(field) : "" };
    });
    return c.json({ valid: errors.length === 0, errors: located });
  }
  const uploadProblems: FieldProblem[] = [];
  for (const [path, file] of files) {
    const done = await upload(c, path, file, raw);
    if (done.mediaId) raw[path] = [done.mediaId];
    else uploadProblems.push(...(done.problems ?? []));
  }
  const { values, rename } = compactRows(raw, new Set(uploadProblems.map((p) => p.path)));
  const uploaded = uploadProblems.map((p) => ({ ...p, path: rename.get(p.path) ?? p.path }));
  const request = formToRequest(values, fixed);

  if (action === "submit" && uploaded.length === 0) {
    const idem = typeof body._idem === "string" && IDEM.test(body._idem) ? body._idem : `console-${randomToken(18)}`;
    const [path, json] =
      m.kind === "resubmit"
        ? [`/v1/filings/${enc(m.filingId ?? "")}/resubmit`, { patch: mergeDiff(m.base, request) }]
        : ["/v1/filings", apiBody(m, request)];
    const res = await callApi<Filing>(c, "POST", path, { json, headers: { "idempotency-key": idem } });
    if (res.ok) return c.redirect(`/console/filings/${enc(res.data.id)}`, 303);
    if (res.problem?.code === "IDEMPOTENCY_KEY_REUSED") {
      // The same form sent twice with files: the first sending filed it; show that filing.
      const s = await callApi<FilingStatusView>(c, "GET", `/v1/apps/${enc(m.appId)}/filing-status`);
      if (s.ok && s.data.openFiling) return c.redirect(`/console/filings/${enc(s.data.openFiling.id)}`, 303);
    }
    return formPage(c, m, { values, problems: problemsOf(res.problem) }, res.status);
  }

  let verification: Verification | undefined;
  const verifyProblems: FieldProblem[] = [];
  const verify = /^verify:(organizer\.principal|service\.principal)$/.exec(action)?.[1];
  if (verify && uploaded.length === 0) {
    const started = await startVerification(c, m, values, verify);
    if (started.verification) {
      verification = started.verification;
      values[`${verify}.verificationId`] = [verification.id];
    } else verifyProblems.push(...(started.problems ?? []));
  }
  const own = [...uploaded, ...verifyProblems];
  const { errors: checked, refused } = await dryRun(c, m, formToRequest(values, fixed));
  if (refused) return refused.status === 404 ? consoleNotFound(c) : errorPage(c, refused.problem, refused.status);
  const problems = [...own, ...checked.filter((p) => !own.some((o) => o.path === p.path))];
  const status = own.length > 0 || (!verification && problems.length > 0) ? 422 : 200;
  return formPage(c, m, { values, problems, ...(verification ? { verification } : {}) }, status);
}

async function openForm(c: C, kind: Mode["kind"], id: string) {
  words(c);
  const m = await modeFor(c, kind, id);
  if ("error" in m) return m.status === 404 ? consoleNotFound(c) : errorPage(c, m.error, m.status);
  return { m };
}

function errorPage(c: C, problem: ApiProblem | undefined, status: number) {
  const { d } = words(c);
  return renderConsole(
    c,
    problem?.title ?? "error",
    () => (
      <>
        <h1>{problem?.title ?? "error"}</h1>
        <p class="error">{problem?.detail}</p>
        <p>
          <a href="/console">{d.backToApps}</a>
        </p>
      </>
    ),
    { status },
  );
}

const kindOf = (c: C): Mode["kind"] => (c.req.query("type") === "change" ? "change" : "new");

developerConsole.get("/apps/:appId/file", filers, async (c) => {
  const opened = await openForm(c, kindOf(c), c.req.param("appId"));
  if (opened instanceof Response) return opened;
  const { m } = opened;
  const values = m.base ? requestToValues(m.base) : { type: [m.type], appId: [m.appId] };
  return formPage(c, m, { values, problems: [] }, 200);
});

developerConsole.post("/apps/:appId/file", filers, async (c) => {
  const opened = await openForm(c, kindOf(c), c.req.param("appId"));
  if (opened instanceof Response) return opened;
  return postForm(c, opened.m);
});

developerConsole.get("/filings/:id/resubmit", filers, async (c) => {
  const opened = await openForm(c, "resubmit", c.req.param("id"));
  if (opened instanceof Response) return opened;
  const { m } = opened;
  return formPage(c, m, { values: requestToValues(m.base), problems: [] }, 200);
});

developerConsole.post("/filings/:id/resubmit", filers, async (c) => {
  const opened = await openForm(c, "resubmit", c.req.param("id"));
  if (opened instanceof Response) return opened;
  return postForm(c, opened.m);
});

/** A material the account may read, passed through from the API (images shown in place, others downloaded). */
developerConsole.get("/materials/:id", filers, async (c) => {
  const res = await fetchApi(c, `/v1/materials/${enc(c.req.param("id"))}/content?disposition=inline`);
  if (res.status === 404) return consoleNotFound(c);
  return res;
});

// ---------------------------------------------------------------------------------------------------------------
// A filing: timeline, reasons, SMS confirmation, moves
// ---------------------------------------------------------------------------------------------------------------

async function filingPage(c: C, id: string, state: { notice?: string; error?: ApiProblem }, status = 200) {
  const { d } = words(c);
  const [filing, history] = await Promise.all([
    callApi<Filing>(c, "GET", `/v1/filings/${enc(id)}`),
    callApi<{ items: HistoryEntry[] }>(c, "GET", `/v1/filings/${enc(id)}/history`),
  ]);
  if (!filing.ok) return filing.status === 404 ? consoleNotFound(c) : errorPage(c, filing.problem, filing.status);
  const f = filing.data;
  const appStatus = await callApi<FilingStatusView>(c, "GET", `/v1/apps/${enc(f.appId)}/filing-status`);
  const mayChange = appStatus.ok && appStatus.data.allowed.includes("change");
  const entries = Object.entries(requestToValues(f.request));
  return renderConsole(
    c,
    d.filingTitle(f.id),
    ({ csrf, t, lang }) => (
      <>
        <p>
          <a href="/console">{d.backToApps}</a>
        </p>
        <h1>
          {d.filingTitle(f.id)} <span class={statusClass(f.status)}>{d.status[f.status]}</span>
        </h1>
        {state.notice ? (
          <p class="ok" role="status">
            {state.notice}
          </p>
        ) : null}
        {state.error ? (
          <p class="error" role="alert">
            {state.error.detail || state.error.title}
          </p>
        ) : null}
        <dl class="fields-list">
          <div>
            <dt>{d.app}</dt>
            <dd>
              <code>{f.appId}</code>
            </dd>
          </div>
          <div>
            <dt>{d.type}</dt>
            <dd>{d.types[f.type] ?? f.type}</dd>
          </div>
          <div>
            <dt>{d.registration}</dt>
            <dd>{f.registrationNumber ?? d.none}</dd>
          </div>
          <div>
            <dt>{d.submittedAt}</dt>
            <dd>{time(f.createdAt)}</dd>
          </div>
          {f.resubmittedFrom ? (
            <div>
              <dt>{d.resubmittedFrom}</dt>
              <dd>
                <a href={`/console/filings/${enc(f.resubmittedFrom)}`}>{f.resubmittedFrom}</a>
              </dd>
            </div>
          ) : null}
          {f.smsDeadline ? (
            <div>
              <dt>{d.smsDeadline}</dt>
              <dd>{time(f.smsDeadline)}</dd>
            </div>
          ) : null}
        </dl>
        <div class="toolbar">
          {f.status === "platform_review" ? (
            <form method="post" action={`/console/filings/${enc(f.id)}/withdraw`} class="inline">
              <CsrfField csrf={csrf} />
              <button type="submit" class="danger">
                {d.withdraw}
              </button>
            </form>
          ) : null}
          {RESUBMITTABLE.includes(f.status) ? (
            <a class="button" href={`/console/filings/${enc(f.id)}/resubmit`}>
              {d.resubmitLink}
            </a>
          ) : null}
          {mayChange ? (
            <a class="button secondary" href={`/console/apps/${enc(f.appId)}/file?type=change`}>
              {d.changeLink}
            </a>
          ) : null}
        </div>
        {f.reasons.length ? (
          <section>
            <h2>{d.reasonsTitle}</h2>
            <div class="table-wrap" tabindex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{d.reasonField}</th>
                    <th scope="col">{d.reasonError}</th>
                    <th scope="col">{d.reasonSuggest}</th>
                  </tr>
                </thead>
                <tbody>
                  {f.reasons.map((r) => (
                    <tr>
                      <td>
                        {fieldLabel(d, r.field)} <code>{r.field}</code>
                      </td>
                      <td>{r.error}</td>
                      <td>{r.suggest}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}
        {f.smsVerifications.length ? (
          <section>
            <h2>{d.smsTitle}</h2>
            <div class="table-wrap" tabindex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{d.smsRole}</th>
                    <th scope="col">{d.smsMobile}</th>
                    <th scope="col">{d.statusLabel}</th>
                    <th scope="col">{d.smsWrong}</th>
                  </tr>
                </thead>
                <tbody>
                  {f.smsVerifications.map((s) => (
                    <tr>
                      <td>{d.smsRoles[s.role] ?? s.role}</td>
                      <td>{s.mobile}</td>
                      <td>
                        <span
                          class={
                            s.status === "verified"
                              ? "status good"
                              : s.status === "failed"
                                ? "status bad"
                                : "status wait"
                          }
                        >
                          {d.smsStatus[s.status] ?? s.status}
                        </span>
                      </td>
                      <td class="num">{s.wrongAttempts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}
        <section>
          <h2>{d.timeline}</h2>
          <ol class="timeline">
            {(history.ok ? history.data.items : []).map((h) => (
              <li>
                <time datetime={h.at}>{time(h.at)}</time>{" "}
                {h.from ? `${d.status[h.from as FilingStatus] ?? h.from} → ` : `${d.submittedStep} → `}
                <strong>{d.status[h.to as FilingStatus] ?? h.to}</strong> · {d.by}:{" "}
                {t.roles[h.actor.role as Role] ?? h.actor.role}
                {h.reasons.length ? <ReasonList d={d} reasons={h.reasons} /> : null}
              </li>
            ))}
          </ol>
        </section>
        <section>
          <h2>{d.requestTitle}</h2>
          <dl class="fields-list">
            {entries.map(([path, v]) => (
              <div>
                <dt>
                  {fieldLabel(d, path)} <code>{path}</code>
                </dt>
                <dd>
                  {findMaterialField(materialFieldOf(path)) && v[0] ? (
                    <a href={`/console/materials/${enc(v[0])}`}>{v[0]}</a>
                  ) : (
                    v.map((x) => codeWithName(path, x, lang)).join(", ")
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      </>
    ),
    { status, current: "/console" },
  );
}

developerConsole.get("/filings/:id", filers, (c) => {
  const { d } = words(c);
  return filingPage(c, c.req.param("id"), { notice: c.req.query("done") === "withdrawn" ? d.withdrawn : undefined });
});

developerConsole.post("/filings/:id/withdraw", filers, async (c) => {
  words(c);
  const id = c.req.param("id");
  const res = await callApi(c, "POST", `/v1/filings/${enc(id)}/withdraw`);
  if (res.ok) return c.redirect(`/console/filings/${enc(id)}?done=withdrawn`, 303);
  if (res.status === 404) return consoleNotFound(c);
  return filingPage(c, id, { error: res.problem }, res.status);
});

// ---------------------------------------------------------------------------------------------------------------
// Events and the webhook
// ---------------------------------------------------------------------------------------------------------------

type EventView = { id: string; type: string; createdAt: string; data: Record<string, unknown> };

developerConsole.get("/events", filers, async (c) => {
  const { d } = words(c);
  const after = c.req.query("after");
  const res = await callApi<Page<EventView>>(
    c,
    "GET",
    `/v1/events?limit=50${after && /^[\w-]{1,64}$/.test(after) ? `&after=${enc(after)}` : ""}`,
  );
  const items = res.ok ? res.data.items : [];
  return renderConsole(
    c,
    d.eventsTitle,
    () => (
      <>
        <h1>{d.eventsTitle}</h1>
        {!res.ok ? <p class="error">{res.problem?.detail}</p> : null}
        {items.length === 0 ? (
          <p class="empty">{d.eventsEmpty}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{d.eventAt}</th>
                  <th scope="col">{d.eventType}</th>
                  <th scope="col">{d.eventData}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr>
                    <td>{time(e.createdAt)}</td>
                    <td>
                      <code>{e.type}</code>
                    </td>
                    <td>
                      {typeof e.data.filingId === "string" ? (
                        <a href={`/console/filings/${enc(e.data.filingId)}`}>{e.data.filingId}</a>
                      ) : null}{" "}
                      <code>{JSON.stringify(e.data)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {items.length === 50 && res.ok && res.data.nextCursor ? (
          <p>
            <a href={`/console/events?after=${enc(res.data.nextCursor)}`}>{d.more}</a>
          </p>
        ) : null}
      </>
    ),
    { current: "/console/events" },
  );
});

type Endpoint = { url: string; enabled: boolean; secret?: string; previousSecretExpiresAt: string | null };
type Delivery = {
  id: string;
  eventId?: string;
  status: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
};

async function webhookPage(
  c: C,
  state: { secret?: string; notice?: string; problems?: FieldProblem[]; url?: string },
  status = 200,
) {
  const { d } = words(c);
  const [endpoint, dead] = await Promise.all([
    callApi<Endpoint>(c, "GET", "/v1/webhook"),
    callApi<Page<Delivery>>(c, "GET", "/v1/webhook/deliveries?status=dead&limit=50"),
  ]);
  const ep = endpoint.ok ? endpoint.data : undefined;
  const problems = state.problems ?? [];
  const urlBad = problems.some((p) => p.path === "url");
  const deliveries = dead.ok ? dead.data.items : [];
  return renderConsole(
    c,
    d.webhookTitle,
    ({ csrf }) => (
      <>
        <h1>{d.webhookTitle}</h1>
        {state.notice ? (
          <p class="ok" role="status">
            {state.notice}
          </p>
        ) : null}
        {state.secret ? (
          <p class="warning" role="status">
            {d.secretOnce} <code>{state.secret}</code>
          </p>
        ) : null}
        {problems.filter((p) => p.path !== "url").length ? (
          <p class="error" role="alert">
            {problems
              .filter((p) => p.path !== "url")
              .map((p) => p.message)
              .join(" ")}
          </p>
        ) : null}
        {ep ? (
          <p>
            {d.webhookEnabled}:{" "}
            <span class={ep.enabled ? "status good" : "status bad"}>{ep.enabled ? d.enabled : d.disabled}</span>
          </p>
        ) : (
          <p class="hint">{d.webhookNone}</p>
        )}
        <form method="post" action="/console/webhook" class="card" novalidate>
          <CsrfField csrf={csrf} />
          <div class="field">
            <label for="webhook-url">{d.webhookUrl}</label>
            <input
              id="webhook-url"
              name="url"
              type="url"
              value={state.url ?? ep?.url ?? ""}
              aria-invalid={urlBad ? "true" : undefined}
              aria-describedby={urlBad ? "e-url" : undefined}
            />
            <FieldError problems={problems} path="url" />
          </div>
          <div class="toolbar">
            <button type="submit">{d.webhookSave}</button>
            {ep ? (
              <button type="submit" name="rotateSecret" value="true" class="secondary">
                {d.rotate}
              </button>
            ) : null}
          </div>
        </form>
        {ep ? (
          <form method="post" action="/console/webhook/test" class="toolbar">
            <CsrfField csrf={csrf} />
            <button type="submit" class="secondary">
              {d.ping}
            </button>
          </form>
        ) : null}
        <h2>{d.deadTitle}</h2>
        {deliveries.length === 0 ? (
          <p class="empty">{d.deadEmpty}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  <th scope="col">{d.attempts}</th>
                  <th scope="col">{d.lastError}</th>
                  <th scope="col">
                    <span class="visually-hidden">{d.retry}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((x) => (
                  <tr>
                    <td>
                      <code>{x.id}</code> {time(x.updatedAt)}
                    </td>
                    <td class="num">{x.attempts}</td>
                    <td>{x.lastError}</td>
                    <td>
                      <form method="post" action={`/console/webhook/deliveries/${enc(x.id)}/retry`} class="inline">
                        <CsrfField csrf={csrf} />
                        <button type="submit" class="secondary">
                          {d.retry}
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    ),
    { status, current: "/console/webhook" },
  );
}

developerConsole.get("/webhook", filers, (c) => webhookPage(c, {}));

developerConsole.post("/webhook", filers, async (c) => {
  const { d } = words(c);
  const url = (await formField(c, "url"))?.trim() ?? "";
  const rotate = (await formField(c, "rotateSecret")) === "true";
  const res = await callApi<Endpoint>(c, "PUT", "/v1/webhook", {
    json: { url, ...(rotate ? { rotateSecret: true } : {}) },
  });
  if (!res.ok) return webhookPage(c, { problems: problemsOf(res.problem), url }, res.status);
  // The secret is shown on this answer only: never stored for a later page.
  return webhookPage(c, { notice: d.webhookSaved, ...(res.data.secret ? { secret: res.data.secret } : {}) });
});

developerConsole.post("/webhook/test", filers, async (c) => {
  const { d } = words(c);
  const res = await callApi<{ delivered: boolean; status: number; error?: { kind: string; message: string } }>(
    c,
    "POST",
    "/v1/webhook/test",
  );
  if (!res.ok) return webhookPage(c, { problems: problemsOf(res.problem) }, res.status);
  const p = res.data;
  const outcome = p.delivered ? `HTTP ${p.status}` : `${p.error?.kind ?? ""} ${p.error?.message ?? p.status}`;
  return webhookPage(c, { notice: d.pingResult(outcome) });
});

developerConsole.post("/webhook/deliveries/:id/retry", filers, async (c) => {
  const { d } = words(c);
  const res = await callApi(c, "POST", `/v1/webhook/deliveries/${enc(c.req.param("id"))}/retry`);
  if (!res.ok) return webhookPage(c, { problems: problemsOf(res.problem) }, res.status);
  return webhookPage(c, { notice: d.retried });
});
