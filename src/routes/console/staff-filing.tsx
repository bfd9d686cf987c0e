import { type Context, Hono } from "hono";
import type { FC } from "hono/jsx";
import { STAFF_QUEUES } from "../../domain/filing-state";
import { findMaterialField, materialFieldOf } from "../../domain/materials";
import { codeWithName } from "../../domain/reference";
import { displayText } from "../../domain/text";
import { beijingDateTime } from "../../domain/time";
import type { AppEnv } from "../../types";
import { type ApiProblem, callApi, fetchApi } from "./api";
import { CsrfField, consoleNotFound, consoleRoles, renderConsole, useConsoleLang } from "./layout";
import { formField } from "./session";
import { STAFF_TEXT, type StaffText } from "./staff-text";
import type { ConsoleLang } from "./text";

/**
 * The review workbench (docs/rules.md#consoles), shared by the reviewer's console (/console/review) and the
 * regulator's (/console/regulator): the queue, a filing opened unmasked beside its attachments, approval and
 * rejection with per-field reasons. Everything goes through the role's API routes in-process (./api.ts), so the
 * reads are audited as the API's are and every rule is the API's.
 */
export type StaffRole = "reviewer" | "regulator";

const API: Record<StaffRole, string> = { reviewer: "/v1/review", regulator: "/v1/regulator" };
export const STAFF_HOME: Record<StaffRole, string> = { reviewer: "/console/review", regulator: "/console/regulator" };
/** The status a role approves and rejects from; in any other the filing is shown without those forms. */
const ACTS_ON: Record<StaffRole, string> = { reviewer: "platform_review", regulator: "bureau_review" };
const PAGE_SIZES = ["10", "20", "50"];
const ID = /^[\w-]{1,64}$/;

/** Who may frame a material: the console's own pages only (its PDF viewer); nothing in it may load anything. */
export const MATERIAL_PASS_CSP = "default-src 'none'; frame-ancestors 'self'";

type QueueItem = {
  id: string;
  type: string;
  appId: string;
  status: string;
  serviceName: string | null;
  organizerNature: string | null;
  smsDeadline: string | null;
  createdAt: string;
};
type SmsPerson = { role: string; mobile: string; status: string; wrongAttempts: number };
type StaffFiling = {
  id: string;
  type: string;
  appId: string;
  status: string;
  registrationNumber: string | null;
  reasons: { field: string; error: string; suggest: string }[];
  smsDeadline: string | null;
  smsVerifications: SmsPerson[];
  createdAt: string;
  request: Record<string, unknown>;
};

/** What a form sent, kept to show again beside the API's problems. */
export type FormState = {
  reject?: { checked: string[]; values: Record<string, string>; byPath: Record<string, string[]>; general: string[] };
  approve?: { number?: string; byField: string[]; general: string[] };
  sms?: { general: string[] };
};

const when = (at: string | null) => (at ? beijingDateTime(new Date(at)) : "—");

/** The messages of a problem, field by field, and what is not about a field. */
function problemMessages(problem: ApiProblem | undefined): { path: string; message: string }[] {
  if (!problem) return [{ path: "", message: "Error" }];
  const errors = problem.errors ?? [];
  if (errors.length === 0) return [{ path: "", message: problem.detail || problem.title }];
  return errors.map((e) => ({ path: e.path, message: e.suggest ? `${e.message} ${e.suggest}` : e.message }));
}

/** `organizer.principal.certificate.number` → 主办者 · 负责人 · 证件 · 号码 */
function labelOf(path: string, s: StaffText): string {
  if (path === "") return s.whole;
  return [...path.matchAll(/([A-Za-z]\w*)|\[(\d+)\]/g)]
    .map(([, name, index]) => (name !== undefined ? (s.segments[name] ?? name) : `#${Number(index) + 1}`))
    .join(" · ");
}

type Row = { path: string; value: string; media: boolean };

/** The order a filing's parts are read in (the form's, not the stored JSON's alphabetical one), siblings by siblings. */
const ORDER = [
  "type",
  "appId",
  "scope",
  "reason",
  "nature",
  "name",
  "certificate",
  "number",
  "validFrom",
  "validTo",
  "photo",
  "front",
  "back",
  "region",
  "province",
  "city",
  "district",
  "certificateAddress",
  "address",
  "serviceContentTypes",
  "preApprovals",
  "approvalNumber",
  "document",
  "languages",
  "description",
  "mediaId",
  "mobile",
  "emergencyContact",
  "email",
  "birthDate",
  "residencePermit",
  "verificationId",
  "principal",
  "legalRepresentative",
  "authorizationLetter",
  "accepted",
  "letter",
  "organizer",
  "service",
  "commitment",
  "otherMaterials",
];
const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);

/** Each part of a request a reason may name, as errors[].path writes it: leaves, and lists of plain values whole. */
function rowsOf(value: unknown, path: string, s: StaffText, lang: ConsoleLang, out: Row[] = []): Row[] {
  if (Array.isArray(value) && value.some((v) => typeof v === "object" && v !== null)) {
    value.forEach((v, i) => {
      rowsOf(v, `${path}[${i}]`, s, lang, out);
    });
  } else if (Array.isArray(value)) {
    out.push({ path, value: value.map((v) => codeWithName(path, String(v), lang)).join("、"), media: false });
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => rank(a) - rank(b));
    for (const [key, v] of entries) rowsOf(v, path ? `${path}.${key}` : key, s, lang, out);
  } else {
    const media = typeof value === "string" && findMaterialField(materialFieldOf(path)) !== undefined;
    const shown =
      value === true
        ? s.yes
        : value === false
          ? s.no
          : media
            ? String(value)
            : codeWithName(path, String(value ?? ""), lang);
    out.push({ path, value: shown, media });
  }
  return out;
}

const StatusTag: FC<{ status: string; s: StaffText }> = ({ status, s }) => (
  <span class={`status ${status === "approved" ? "good" : /rejected|expired|withdrawn/.test(status) ? "bad" : "wait"}`}>
    {s.statuses[status] ?? status}
  </span>
);

const Problems: FC<{ messages: string[]; id?: string }> = ({ messages, id }) =>
  messages.length > 0 ? (
    <div class="error" role="alert" id={id}>
      {messages.map((m) => (
        <p>{m}</p>
      ))}
    </div>
  ) : null;

const Shortcuts: FC<{ s: StaffText; keys: [string, string][] }> = ({ s, keys }) => (
  <p class="hint shortcuts">
    {s.shortcuts}:{" "}
    {keys.map(([k, what]) => (
      <span>
        {k.split("/").map((one, i) => (
          <>
            {i > 0 ? "/" : ""}
            <kbd>{one}</kbd>
          </>
        ))}{" "}
        {what}{" "}
      </span>
    ))}
  </p>
);

function doneMessage(c: Context<AppEnv>, s: StaffText): string | undefined {
  const done = c.req.query("done");
  const id = c.req.query("id") ?? "";
  if (done === "approved" && ID.test(id)) return s.done.approved(id);
  if (done === "rejected" && ID.test(id)) return s.done.rejected(id);
  const role = c.req.query("role") ?? "";
  const result = c.req.query("result") ?? "";
  if (done === "sms" && s.smsRoles[role] && s.smsResults[result]) {
    return s.done.sms(s.smsRoles[role] ?? role, s.smsResults[result] ?? result);
  }
  return undefined;
}

async function queuePage(c: Context<AppEnv>, role: StaffRole): Promise<Response> {
  const { lang } = useConsoleLang(c);
  const s = STAFF_TEXT[lang];
  const statuses: readonly string[] = STAFF_QUEUES[role];
  const asked = c.req.query("status") ?? "";
  const status = statuses.includes(asked) ? asked : "";
  const limit = PAGE_SIZES.includes(c.req.query("limit") ?? "") ? (c.req.query("limit") as string) : "20";
  const cursor = c.req.query("cursor") ?? "";
  const query = new URLSearchParams({ limit });
  if (status) query.set("status", status);
  if (ID.test(cursor)) query.set("cursor", cursor);
  const page = await callApi<{ items: QueueItem[]; nextCursor: string | null }>(
    c,
    "GET",
    `${API[role]}/queue?${query}`,
  );
  const home = STAFF_HOME[role];
  const done = doneMessage(c, s);
  const filters = new URLSearchParams({ limit, ...(status ? { status } : {}) });
  return renderConsole(
    c,
    s.queueTitle[role],
    () => (
      <>
        <h1>{s.queueTitle[role]}</h1>
        {done ? (
          <p class="ok" role="status">
            {done}
          </p>
        ) : null}
        <p class="hint">{s.queueIntro}</p>
        <form method="get" action={home} class="toolbar" aria-label={s.filters}>
          {statuses.length > 1 ? (
            <>
              <label for="status">{s.statusFilter}</label>
              <select id="status" name="status">
                <option value="">{s.allStatuses}</option>
                {statuses.map((st) => (
                  <option value={st} selected={st === status}>
                    {s.statuses[st]}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <label for="limit">{s.pageSize}</label>
          <select id="limit" name="limit">
            {PAGE_SIZES.map((n) => (
              <option value={n} selected={n === limit}>
                {n}
              </option>
            ))}
          </select>
          <button type="submit" class="secondary">
            {s.apply}
          </button>
        </form>
        <Shortcuts
          s={s}
          keys={[
            ["j/k", s.keys.move],
            ["n", s.keys.first],
          ]}
        />
        {!page.ok ? (
          <Problems messages={problemMessages(page.problem).map((p) => p.message)} />
        ) : page.data.items.length === 0 ? (
          <p class="empty">{s.empty}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table class="queue">
              <thead>
                <tr>
                  {[s.cols.id, s.cols.type, s.cols.service, s.cols.app, s.cols.status, s.cols.created].map((h) => (
                    <th scope="col">{h}</th>
                  ))}
                  {role === "regulator" ? <th scope="col">{s.cols.deadline}</th> : null}
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((item, i) => (
                  <tr>
                    <th scope="row">
                      <a href={`${home}/filings/${item.id}`} data-row={i} data-key={i === 0 ? "n" : undefined}>
                        <code>{item.id}</code>
                      </a>
                    </th>
                    <td>{s.types[item.type] ?? item.type}</td>
                    <td>{displayText(item.serviceName ?? "—")}</td>
                    <td>
                      <code>{item.appId}</code>
                    </td>
                    <td>
                      <StatusTag status={item.status} s={s} />
                    </td>
                    <td>{when(item.createdAt)}</td>
                    {role === "regulator" ? <td>{when(item.smsDeadline)}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page.ok && (page.data.nextCursor || cursor) ? (
          <p class="toolbar">
            {cursor ? <a href={`${home}?${filters}`}>{s.firstPage}</a> : null}
            {page.data.nextCursor ? (
              <a href={`${home}?${filters}&cursor=${encodeURIComponent(page.data.nextCursor)}`} rel="next">
                {s.nextPage}
              </a>
            ) : null}
          </p>
        ) : null}
      </>
    ),
    { current: home, scripts: ["workbench"] },
  );
}

type Media = { id: string; path: string; contentType: string };

const Attachment: FC<{ m: Media; src: string; s: StaffText }> = ({ m, src, s }) => {
  const title = s.fileOf(labelOf(m.path, s));
  return (
    <figure class="card preview" id={`m-${m.id}`}>
      <figcaption>
        <strong>{labelOf(m.path, s)}</strong> <code>{m.path}</code>{" "}
        <a href={src} target="_blank" rel="noopener">
          {s.openFile}
        </a>
      </figcaption>
      {m.contentType.startsWith("image/") ? (
        <img src={src} alt={title} loading="lazy" />
      ) : m.contentType === "application/pdf" ? (
        <iframe class="pdf" src={src} title={title} loading="lazy" />
      ) : m.contentType === "video/mp4" ? (
        // biome-ignore lint/a11y/useMediaCaption: the applicant's own recording; it has no captions to offer
        <video controls preload="metadata" src={src} aria-label={title} />
      ) : null}
    </figure>
  );
};

/** One part of the request, with what rejecting it takes: a checkbox, a common reason or one's own, a suggestion. */
const FieldRow: FC<{
  row: Row;
  i: number;
  s: StaffText;
  form: FormState["reject"];
  fileHref: string;
  /** Shown only: the filing is in no status this role rejects from. */
  readOnly: boolean;
}> = ({ row, i, s, form, fileHref, readOnly }) => {
  const { path } = row;
  const problems = form?.byPath[path] ?? [];
  const invalid = problems.length > 0 ? "true" : undefined;
  const described = problems.length > 0 ? `e${i}` : undefined;
  const value = (name: string) =>
    name === "checked" ? (form?.checked.includes(path) ? "1" : "") : (form?.values[`${name}:${path}`] ?? "");
  return (
    <div class="rj-row" data-path={path}>
      <div class="rj-head">
        <span class="rj-label">{labelOf(path, s)}</span> {path ? <code>{path}</code> : null}
        <div class="rj-value">
          {row.media ? (
            <a href={fileHref} data-media={row.value}>
              {row.value}
            </a>
          ) : (
            displayText(row.value || "—")
          )}
        </div>
      </div>
      {readOnly ? null : (
        <RejectInputs
          path={path}
          i={i}
          s={s}
          value={value}
          invalid={invalid}
          described={described}
          problems={problems}
        />
      )}
    </div>
  );
};

const RejectInputs: FC<{
  path: string;
  i: number;
  s: StaffText;
  value: (name: string) => string;
  invalid: string | undefined;
  described: string | undefined;
  problems: string[];
}> = ({ path, i, s, value, invalid, described, problems }) => {
  return (
    <>
      <label class="rj-check">
        <input
          type="checkbox"
          name="field"
          value={path}
          checked={value("checked") === "1"}
          aria-describedby={described}
        />{" "}
        {s.rejectThis}
        <span class="visually-hidden">: {labelOf(path, s)}</span>
      </label>
      <div class="rj-reason">
        <div class="field">
          <label for={`p${i}`}>{s.commonReason}</label>
          <select id={`p${i}`} name={`pick:${path}`}>
            <option value="">{s.chooseReason}</option>
            {s.commonReasons.map((r, k) => (
              <option value={String(k + 1)} selected={value("pick") === String(k + 1)} data-suggest={r.suggest}>
                {r.error}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`r${i}`}>{s.reasonText}</label>
          <input
            id={`r${i}`}
            name={`error:${path}`}
            value={value("error")}
            maxlength={500}
            aria-invalid={invalid}
            aria-describedby={described}
          />
        </div>
        <div class="field">
          <label for={`s${i}`}>{s.suggestText}</label>
          <input
            id={`s${i}`}
            name={`suggest:${path}`}
            value={value("suggest")}
            maxlength={500}
            aria-invalid={invalid}
            aria-describedby={described}
          />
        </div>
      </div>
      {problems.length > 0 ? (
        <span class="field-error" id={`e${i}`}>
          {problems.join(" ")}
        </span>
      ) : null}
    </>
  );
};

const SmsTable: FC<{ f: StaffFiling; s: StaffText; action: string; csrf: string | undefined; form: FormState }> = ({
  f,
  s,
  action,
  csrf,
  form,
}) => (
  <section class="card" aria-labelledby="sms-h">
    <h2 id="sms-h">{s.sms}</h2>
    <p class="hint">{s.smsIntro(when(f.smsDeadline))}</p>
    <Problems messages={form.sms?.general ?? []} id="sms-problem" />
    {f.smsVerifications.length === 0 ? (
      <p class="empty">{s.smsNone}</p>
    ) : (
      <div class="table-wrap" tabindex={0}>
        <table class="sms">
          <thead>
            <tr>
              {[s.smsCols.role, s.smsCols.mobile, s.smsCols.status, s.smsCols.wrong, s.smsCols.act].map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {f.smsVerifications.map((p) => (
              <tr data-sms-role={p.role}>
                <th scope="row">{s.smsRoles[p.role] ?? p.role}</th>
                <td>{p.mobile}</td>
                <td>
                  <span class={`status ${p.status === "verified" ? "good" : p.status === "failed" ? "bad" : "wait"}`}>
                    {s.smsStatuses[p.status] ?? p.status}
                  </span>
                </td>
                <td class="num">{p.wrongAttempts}</td>
                <td>
                  {p.status === "pending" && f.status === "sms_verification" ? (
                    <form method="post" action={action} class="toolbar">
                      <CsrfField csrf={csrf} />
                      <input type="hidden" name="role" value={p.role} />
                      {Object.entries(s.smsResults).map(([result, label]) => (
                        <button
                          type="submit"
                          name="result"
                          value={result}
                          class={result === "verified" ? undefined : "secondary"}
                          aria-label={`${s.smsRoles[p.role] ?? p.role}: ${label}`}
                        >
                          {label}
                        </button>
                      ))}
                    </form>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </section>
);

/** A filing opened unmasked (the API's audited read) beside its attachments, with the role's moves. */
export async function filingPage(
  c: Context<AppEnv>,
  role: StaffRole,
  id: string,
  form: FormState = {},
  status = 200,
): Promise<Response> {
  const { lang } = useConsoleLang(c);
  const s = STAFF_TEXT[lang];
  if (!ID.test(id)) return consoleNotFound(c);
  const read = await callApi<StaffFiling>(c, "GET", `${API[role]}/filings/${id}`);
  if (!read.ok) return read.status === 404 ? consoleNotFound(c) : problemPage(c, read.problem, read.status, lang);
  const f = read.data;
  const home = STAFF_HOME[role];
  const rows = rowsOf(f.request, "", s, lang);
  rows.push({ path: "", value: "", media: false });
  // Each material once (a person's photo may serve both principals), its kind from the API's metadata read.
  const files = [...new Map(rows.filter((r) => r.media && ID.test(r.value)).map((r) => [r.value, r])).values()];
  const [metas, next] = await Promise.all([
    Promise.all(files.map((r) => callApi<{ contentType: string }>(c, "GET", `/v1/materials/${r.value}`))),
    callApi<{ items: QueueItem[] }>(c, "GET", `${API[role]}/queue?limit=1&cursor=${f.id}`),
  ]);
  const media: Media[] = files.flatMap((r, i) => {
    const meta = metas[i];
    return meta?.ok ? [{ id: r.value, path: r.path, contentType: meta.data.contentType }] : [];
  });
  const nextId = next.ok ? next.data.items[0]?.id : undefined;
  const acts = f.status === ACTS_ON[role];
  const base = `${home}/filings/${f.id}`;
  const fileHref = (mediaId: string) => `${home}/materials/${mediaId}`;
  const done = doneMessage(c, s);
  const rejectProblems = form.reject?.general ?? [];
  return renderConsole(
    c,
    s.filingTitle(f.id),
    ({ csrf }) => (
      <>
        <p class="toolbar">
          <a href={home} data-key="k">
            {s.backToQueue}
          </a>
          {nextId ? (
            <a href={`${home}/filings/${nextId}`} data-key="j n" rel="next">
              {s.nextFiling}
            </a>
          ) : (
            <span class="hint">{s.noNext}</span>
          )}
        </p>
        <h1>
          {s.filingTitle(f.id)} <StatusTag status={f.status} s={s} />
        </h1>
        {done ? (
          <p class="ok" role="status">
            {done}
          </p>
        ) : null}
        {f.registrationNumber ? (
          <p class="ok" data-registration-number={f.registrationNumber}>
            {s.issued(f.registrationNumber)}
          </p>
        ) : null}
        <p class="hint">
          {s.types[f.type] ?? f.type} · <code>{f.appId}</code> · {when(f.createdAt)}
        </p>
        <Shortcuts
          s={s}
          keys={[
            ["j/n", s.keys.next],
            ["k", s.keys.queue],
            ...(acts
              ? ([
                  ["a", s.keys.approve],
                  ["r", s.keys.reject],
                ] as [string, string][])
              : []),
          ]}
        />
        {f.reasons.length > 0 ? (
          <section class="card">
            <h2>{s.reasonsTitle}</h2>
            <ul>
              {f.reasons.map((r) => (
                <li>
                  <strong>{labelOf(r.field, s)}</strong> {r.field ? <code>{r.field}</code> : null}:{" "}
                  {displayText(r.error)} — {displayText(r.suggest)}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {role === "regulator" && f.status === "sms_verification" ? (
          <SmsTable f={f} s={s} action={`${base}/sms`} csrf={csrf} form={form} />
        ) : null}
        {acts ? (
          <section class="card" aria-labelledby="approve-h">
            <h2 id="approve-h">{s.approve[role]}</h2>
            <p class="hint">{s.approveIntro[role]}</p>
            <Problems messages={form.approve?.general ?? []} id="approve-problem" />
            <form method="post" action={`${base}/approve`} class="toolbar approve">
              <CsrfField csrf={csrf} />
              {role === "regulator" ? (
                <div class="field">
                  <label for="registrationNumber">{s.number}</label>
                  <input
                    id="registrationNumber"
                    name="registrationNumber"
                    value={form.approve?.number ?? ""}
                    maxlength={60}
                    aria-invalid={form.approve?.byField.length ? "true" : undefined}
                    aria-describedby={form.approve?.byField.length ? "number-hint number-error" : "number-hint"}
                  />
                  <span class="hint" id="number-hint">
                    {s.numberHint}
                  </span>
                  {form.approve?.byField.length ? (
                    <span class="field-error" id="number-error">
                      {form.approve.byField.join(" ")}
                    </span>
                  ) : null}
                </div>
              ) : null}
              <button type="submit" data-key="a">
                {s.approve[role]}
              </button>
            </form>
          </section>
        ) : null}
        <div class="split workbench">
          <section aria-labelledby="data-h">
            <h2 id="data-h">{s.dataTitle}</h2>
            {acts ? <p class="hint">{s.rejectIntro}</p> : null}
            <form method="post" action={`${base}/reject`} class="reject-form">
              <CsrfField csrf={csrf} />
              <Problems messages={rejectProblems} id="reject-problem" />
              {rows.map((row, i) => (
                <FieldRow row={row} i={i} s={s} form={form.reject} fileHref={`#m-${row.value}`} readOnly={!acts} />
              ))}
              {acts ? (
                <>
                  <p class="hint">{s.reasonHint}</p>
                  <button type="submit" class="danger" data-key="r">
                    {s.reject}
                  </button>
                </>
              ) : null}
            </form>
          </section>
          <section aria-labelledby="files-h" class="attachments">
            <h2 id="files-h">{s.attachments}</h2>
            {media.length === 0 ? <p class="empty">{s.noAttachments}</p> : null}
            {media.map((m) => (
              <Attachment m={m} src={fileHref(m.id)} s={s} />
            ))}
          </section>
        </div>
      </>
    ),
    { status, current: home, scripts: ["workbench"] },
  );
}

function problemPage(c: Context<AppEnv>, problem: ApiProblem, status: number, lang: ConsoleLang) {
  const s = STAFF_TEXT[lang];
  return renderConsole(
    c,
    s.problem,
    () => (
      <>
        <h1>{s.problem}</h1>
        <Problems messages={problemMessages(problem).map((p) => p.message)} />
      </>
    ),
    { status },
  );
}

/** The console's answer to a move the API refused: the filing again, the input kept, the problems beside it. */
function refused(problem: ApiProblem | undefined, s: StaffText) {
  const messages = problemMessages(problem);
  return { messages, general: messages.filter((m) => m.path === "").map((m) => m.message), s };
}

async function formFields(c: Context<AppEnv>): Promise<Record<string, string | string[]>> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    // A body that does not parse as the form it claims sends nothing: the API then says what is missing.
    body = {};
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "string") out[name] = value;
    else if (Array.isArray(value)) out[name] = value.filter((v): v is string => typeof v === "string");
  }
  return out;
}

/**
 * The workbench of one role: its queue, its filing page, the moves, and the materials passed through from the API
 * (each read audited there) with the headers that let the console's own pages frame them.
 */
export function staffConsole(role: StaffRole): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const home = STAFF_HOME[role];
  app.use("*", consoleRoles(role));

  app.get("/", (c) => queuePage(c, role));
  app.get("/filings/:id", (c) => filingPage(c, role, c.req.param("id")));

  app.get("/materials/:mediaId", async (c) => {
    const id = c.req.param("mediaId");
    if (!ID.test(id)) return consoleNotFound(c);
    const res = await fetchApi(c, `/v1/materials/${id}/content?disposition=inline`);
    if (!res.ok) return consoleNotFound(c);
    const name = /filename="([\w.-]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? id;
    return new Response(res.body, {
      status: 200,
      headers: {
        "content-type": res.headers.get("content-type") ?? "application/octet-stream",
        "content-disposition": `inline; filename="${name}"`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
        "content-security-policy": MATERIAL_PASS_CSP,
        "x-frame-options": "SAMEORIGIN",
      },
    });
  });

  app.post("/filings/:id/approve", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return consoleNotFound(c);
    const { lang } = useConsoleLang(c);
    const number = role === "regulator" ? ((await formField(c, "registrationNumber")) ?? "").trim() : undefined;
    const res = await callApi(
      c,
      "POST",
      `${API[role]}/filings/${id}/approve`,
      role === "regulator" ? { json: number ? { registrationNumber: number } : {} } : {},
    );
    if (res.ok) {
      return c.redirect(
        role === "reviewer" ? `${home}?done=approved&id=${id}` : `${home}/filings/${id}?done=approved&id=${id}`,
        303,
      );
    }
    const { messages, general } = refused(res.problem, STAFF_TEXT[lang]);
    const byField = messages.filter((m) => m.path === "registrationNumber").map((m) => m.message);
    const rest = messages.filter((m) => m.path !== "" && m.path !== "registrationNumber").map((m) => m.message);
    return filingPage(c, role, id, { approve: { number, byField, general: [...general, ...rest] } }, res.status);
  });

  app.post("/filings/:id/reject", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) return consoleNotFound(c);
    const { lang } = useConsoleLang(c);
    const s = STAFF_TEXT[lang];
    const fields = await formFields(c);
    const checked = [fields.field ?? []].flat();
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (/^(pick|error|suggest):/.test(name) && typeof value === "string") values[name] = value;
    }
    // A reason written wins over the common one picked; an empty suggestion takes the common reason's.
    const reasons = checked.map((field) => {
      const common = s.commonReasons[Number(values[`pick:${field}`] ?? 0) - 1];
      return {
        field,
        error: (values[`error:${field}`] ?? "").trim() || common?.error || "",
        suggest: (values[`suggest:${field}`] ?? "").trim() || common?.suggest || "",
      };
    });
    const res = await callApi(c, "POST", `${API[role]}/filings/${id}/reject`, { json: { reasons } });
    if (res.ok) {
      return c.redirect(
        role === "reviewer" ? `${home}?done=rejected&id=${id}` : `${home}/filings/${id}?done=rejected&id=${id}`,
        303,
      );
    }
    const { messages, general } = refused(res.problem, s);
    const byPath: Record<string, string[]> = {};
    for (const m of messages) {
      const index = /^reasons\[(\d+)\]/.exec(m.path)?.[1];
      const field = index === undefined ? undefined : checked[Number(index)];
      if (field === undefined) {
        if (m.path !== "") general.push(m.message);
      } else {
        byPath[field] = [...(byPath[field] ?? []), m.message];
      }
    }
    return filingPage(c, role, id, { reject: { checked, values, byPath, general } }, res.status);
  });

  return app;
}
