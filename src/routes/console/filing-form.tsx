import type { FC } from "hono/jsx";
import { isRequestPath } from "../../domain/filing-request";
import { findMaterialField, materialFieldOf } from "../../domain/materials";
import {
  CERTIFICATE_TYPES,
  LANGUAGES,
  NATURES,
  PRE_APPROVAL_TYPES,
  SERVICE_CONTENT_TYPES,
} from "../../domain/reference";
import { type DevText, fieldLabel } from "./developer-text";
import { CsrfField } from "./layout";
import type { ConsoleLang } from "./text";

/**
 * The filing form of the developer console (docs/rules.md#consoles): one input per field of the filing schema, named
 * by the field's path in the request (`organizer.certificate.number`, `service.preApprovals[0].type`), so every
 * problem the API reports at a path is shown beside the input of that name. The form is turned into a request here
 * and only here, for the check, the live check and the submission alike; every rule is the API's.
 */

/** A form's values by field path (several for the checkbox groups). */
export type Values = Record<string, string[]>;

/** A problem as the API answers it, in the console's language. */
export type FieldProblem = { path: string; code?: string; message: string; suggest?: string };

/** The fields that are lists of codes (checkbox groups). */
const MULTI = new Set(["service.serviceContentTypes", "service.languages"]);
/** The lists of objects, rows of the form; one empty row more than filled is shown, up to the schema's bound. */
export const ROW_LISTS = { "service.preApprovals": 12, otherMaterials: 10 } as const;

/** Upload inputs are named `upload:<path>`: the file for the material whose `mediaId` goes at `<path>`. */
export const UPLOAD_PREFIX = "upload:";

export const first = (values: Values, path: string): string => values[path]?.[0] ?? "";

/** The filing fields of a parsed form body: only names that are paths of a request; files are taken apart. */
export function valuesOfBody(body: Record<string, unknown>): { values: Values; files: Map<string, File> } {
  const values: Values = {};
  const files = new Map<string, File>();
  for (const [name, raw] of Object.entries(body)) {
    const list = Array.isArray(raw) ? raw : [raw];
    if (name.startsWith(UPLOAD_PREFIX)) {
      const path = name.slice(UPLOAD_PREFIX.length);
      const file = list.find((v): v is File => v instanceof File && v.size > 0);
      if (file && isRequestPath("new", path) && findMaterialField(materialFieldOf(path))) files.set(path, file);
      continue;
    }
    if (!isRequestPath("new", name)) continue;
    values[name] = list.filter((v): v is string => typeof v === "string");
  }
  return { values, files };
}

const rowPattern = (list: string) => new RegExp(`^${list.replace(/[.[\]]/g, (ch) => `\\${ch}`)}\\[(\\d+)\\]\\.(.+)$`);

/**
 * Rows of a list whose every field is empty are dropped and the rest renumbered, so the paths of the request (and
 * of the problems the API answers) are the paths of the form shown next. A row holding a path of `keep` (a failed
 * upload) stays; `rename` maps each moved path to its new one.
 */
export function compactRows(values: Values, keep: ReadonlySet<string> = new Set()) {
  const out: Values = {};
  const rename = new Map<string, string>();
  const rows = new Map<string, Map<number, [string, string[]][]>>();
  for (const [path, vals] of Object.entries(values)) {
    const list = Object.keys(ROW_LISTS).find((l) => path.startsWith(`${l}[`));
    const m = list ? rowPattern(list).exec(path) : null;
    if (!list || !m) {
      out[path] = vals;
      continue;
    }
    const byIndex = rows.get(list) ?? new Map<number, [string, string[]][]>();
    rows.set(list, byIndex);
    const row = byIndex.get(Number(m[1])) ?? [];
    byIndex.set(Number(m[1]), row);
    row.push([m[2] as string, vals]);
  }
  for (const path of keep) {
    for (const [list, byIndex] of rows) {
      const m = rowPattern(list).exec(path);
      if (m && !byIndex.has(Number(m[1]))) byIndex.set(Number(m[1]), []);
    }
    for (const list of Object.keys(ROW_LISTS)) {
      const m = rowPattern(list).exec(path);
      if (m && !rows.has(list)) rows.set(list, new Map([[Number(m[1]), []]]));
    }
  }
  for (const [list, byIndex] of rows) {
    let next = 0;
    for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
      const row = byIndex.get(index) ?? [];
      const kept = [...keep].some((p) => p.startsWith(`${list}[${index}].`));
      if (!kept && row.every(([, v]) => v.every((s) => s.trim() === ""))) continue;
      for (const [rest, vals] of row) out[`${list}[${next}].${rest}`] = vals;
      for (const p of keep) {
        if (p.startsWith(`${list}[${index}].`))
          rename.set(p, `${list}[${next}].${p.slice(`${list}[${index}].`.length)}`);
      }
      next++;
    }
  }
  return { values: out, rename };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Sets `value` at a request path (`a.b[0].c`), making the objects and lists on the way. */
function setPath(target: Json, path: string, value: unknown): void {
  const keys = [...path.matchAll(/([A-Za-z][A-Za-z0-9]*)|\[(\d+)\]/g)].map((m) => m[1] ?? Number(m[2]));
  let here: Json | unknown[] = target;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const container = here as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    // A name that is a part of another (`organizer` beside `organizer.name`) gives way to the deeper one.
    if (typeof container[key] !== "object" || container[key] === null) {
      container[key] = typeof keys[i + 1] === "number" ? [] : {};
    }
    here = container[key] as Json;
  });
}

/**
 * The request a form stands for: every non-empty field at its path (an empty field is left out, so the API names
 * what is required), the checkbox groups as lists, the commitment as a boolean.
 */
export function formToRequest(values: Values, fixed: { type: string; appId: string }): Json {
  const out: Json = {};
  for (const [path, vals] of Object.entries(values)) {
    if (path === "type" || path === "appId" || path === "commitment.accepted") continue;
    if (MULTI.has(path)) {
      const list = vals.filter((v) => v !== "");
      if (list.length > 0) setPath(out, path, list);
      continue;
    }
    const value = vals[0] ?? "";
    if (value !== "") setPath(out, path, value);
  }
  setPath(out, "commitment.accepted", (values["commitment.accepted"] ?? []).includes("true"));
  return { type: fixed.type, appId: fixed.appId, ...out };
}

/** A stored request (as the API shows it) as form values: the start of a change or a resubmission. */
export function requestToValues(request: unknown): Values {
  const out: Values = {};
  const walk = (value: unknown, path: string) => {
    if (MULTI.has(path) && Array.isArray(value)) out[path] = value.map(String);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    else if (typeof value === "boolean") out[path] = value ? ["true"] : [];
    else if (value !== null && value !== undefined) out[path] = [String(value)];
  };
  walk(request, "");
  return out;
}

/**
 * A JSON Merge Patch (RFC 7396) taking `base` to `next`: what a change or a resubmission sends, so a field left as
 * it was (a masked value among them) keeps its stored value. `type` and `appId` are fixed by the route.
 */
export function mergeDiff(base: unknown, next: Json, top = true): Json {
  const patch: Json = {};
  const from = isObject(base) ? base : {};
  for (const [key, value] of Object.entries(next)) {
    if (top && (key === "type" || key === "appId")) continue;
    const old = from[key];
    if (JSON.stringify(old) === JSON.stringify(value)) continue;
    if (isObject(old) && isObject(value)) {
      const inner = mergeDiff(old, value, false);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else patch[key] = value;
  }
  for (const key of Object.keys(from)) {
    if (top && (key === "type" || key === "appId")) continue;
    if (!(key in next)) patch[key] = null;
  }
  return patch;
}

/**
 * The field a problem is shown at: its own input, else the nearest enclosing field the form labels (a list's item
 * at the list's group, `service.serviceContentTypes[1]` at `service.serviceContentTypes`); "" when none (the
 * summary above the form lists every problem anyway).
 */
export function fieldOf(d: DevText, path: string): string {
  let p = path;
  while (p !== "") {
    if (fieldLabel(d, p) !== p) return p;
    const stripped = p.replace(/\[\d+\]$/, "");
    p = stripped !== p ? stripped : p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "";
  }
  return "";
}

/** A field's element id: `organizer.certificate.number` → `f-organizer-certificate-number`. */
export const fid = (path: string) => `f-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}`;

export type Region = { code: string; name: string };
export type Verification = { path: string; id: string; url: string };

export type FormState = {
  d: DevText;
  lang: ConsoleLang;
  values: Values;
  /** Problems by the field they are shown at. */
  problems: Map<string, FieldProblem[]>;
  /** A rejected filing's reasons by the field they are shown at (a resubmission). */
  reasons: Map<string, { error: string; suggest: string }[]>;
  /** Uploaded materials' content types by mediaId, for the previews. */
  materials: Map<string, string>;
  regions: { provinces: Region[]; cities: Region[]; districts: Region[] };
  verification?: Verification;
};

function describedBy(id: string, opts: { hint?: boolean; invalid: boolean }): string | undefined {
  const ids = [opts.hint ? `${id}-h` : "", opts.invalid ? `${id}-e` : ""].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** The problems and reasons of a field, where the live check writes its own (`data-errors-for`). */
const Slot: FC<{ f: FormState; path: string }> = ({ f, path }) => {
  const problems = f.problems.get(path) ?? [];
  const reasons = f.reasons.get(path) ?? [];
  return (
    <span class="field-error" id={`${fid(path)}-e`} data-errors-for={path} hidden={!problems.length && !reasons.length}>
      {problems.map((p) => (
        <span class="problem">
          {p.message}
          {p.suggest ? <span class="suggest">{p.suggest}</span> : null}
        </span>
      ))}
      {reasons.map((r) => (
        <span class="reason">
          {r.error}
          {r.suggest ? <span class="suggest">{r.suggest}</span> : null}
        </span>
      ))}
    </span>
  );
};

const invalid = (f: FormState, path: string) =>
  (f.problems.get(path)?.length ?? 0) + (f.reasons.get(path)?.length ?? 0) > 0;

type InputProps = { f: FormState; path: string; label?: string; req?: boolean; hint?: string; type?: string };

const Input: FC<InputProps> = ({ f, path, label, req, hint, type }) => {
  const id = fid(path);
  const bad = invalid(f, path);
  return (
    <div class="field" data-field={path}>
      <label for={id}>
        {label ?? fieldLabel(f.d, path)}
        {req ? " *" : ""}
      </label>
      <input
        id={id}
        name={path}
        type={type ?? "text"}
        value={first(f.values, path)}
        aria-invalid={bad ? "true" : undefined}
        aria-describedby={describedBy(id, { hint: !!hint, invalid: bad })}
      />
      {hint ? (
        <span class="hint" id={`${id}-h`}>
          {hint}
        </span>
      ) : null}
      <Slot f={f} path={path} />
    </div>
  );
};

const TextArea: FC<InputProps> = ({ f, path, req, hint }) => {
  const id = fid(path);
  const bad = invalid(f, path);
  return (
    <div class="field" data-field={path}>
      <label for={id}>
        {fieldLabel(f.d, path)}
        {req ? " *" : ""}
      </label>
      <textarea
        id={id}
        name={path}
        rows={4}
        aria-invalid={bad ? "true" : undefined}
        aria-describedby={describedBy(id, { hint: !!hint, invalid: bad })}
      >
        {first(f.values, path)}
      </textarea>
      {hint ? (
        <span class="hint" id={`${id}-h`}>
          {hint}
        </span>
      ) : null}
      <Slot f={f} path={path} />
    </div>
  );
};

type Option = { value: string; label: string };

const Select: FC<InputProps & { options: Option[]; region?: string }> = ({ f, path, label, req, options, region }) => {
  const id = fid(path);
  const bad = invalid(f, path);
  const current = first(f.values, path);
  const known = current === "" || options.some((o) => o.value === current);
  return (
    <div class="field" data-field={path}>
      <label for={id}>
        {label ?? fieldLabel(f.d, path)}
        {req ? " *" : ""}
      </label>
      <select
        id={id}
        name={path}
        data-region={region}
        aria-invalid={bad ? "true" : undefined}
        aria-describedby={describedBy(id, { invalid: bad })}
      >
        <option value="">{f.d.choose}</option>
        {known ? null : (
          <option value={current} selected>
            {current}
          </option>
        )}
        {options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
      <Slot f={f} path={path} />
    </div>
  );
};

const named = (f: FormState, item: { name: string; nameEn: string }) => (f.lang === "en" ? item.nameEn : item.name);

/**
 * A material: the file chosen here is uploaded (POST /v1/materials, checked there) when the form is checked or
 * submitted, and its `mediaId` kept in the hidden field of the path, with a preview, for the next round.
 */
const Upload: FC<{ f: FormState; path: string; label?: string; req?: boolean }> = ({ f, path, label, req }) => {
  const id = fid(path);
  const bad = invalid(f, path);
  const mediaId = first(f.values, path);
  const spec = findMaterialField(materialFieldOf(path));
  const type = f.materials.get(mediaId);
  const href = `/console/materials/${encodeURIComponent(mediaId)}`;
  return (
    <div class="field upload" data-field={path}>
      <label for={id}>
        {label ?? fieldLabel(f.d, path)}
        {req ? " *" : ""}
      </label>
      <input type="hidden" name={path} value={mediaId} />
      {mediaId ? (
        <span class="uploaded" id={`${id}-h`}>
          {type?.startsWith("image/") ? (
            <a href={href} class="thumb">
              <img src={href} alt={`${label ?? fieldLabel(f.d, path)} ${mediaId}`} />
            </a>
          ) : null}
          <span>
            {f.d.uploaded}: <a href={href}>{mediaId}</a> ({f.d.replaceFile})
          </span>
        </span>
      ) : null}
      <input
        id={id}
        type="file"
        name={`${UPLOAD_PREFIX}${path}`}
        accept={spec?.accepts.join(",")}
        aria-invalid={bad ? "true" : undefined}
        aria-describedby={describedBy(id, { hint: !!mediaId, invalid: bad })}
      />
      <Slot f={f} path={path} />
    </div>
  );
};

const certificateOptions = (f: FormState, personal: boolean): Option[] =>
  CERTIFICATE_TYPES.filter((t) => !personal || t.personal).map((t) => ({ value: t.code, label: named(f, t) }));

const Person: FC<{ f: FormState; base: "organizer.principal" | "service.principal"; legend: string }> = ({
  f,
  base,
  legend,
}) => {
  const p = (rest: string) => `${base}.${rest}`;
  const verification = f.verification?.path === base ? f.verification : undefined;
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div class="fields">
        <Input f={f} path={p("name")} req />
        <Select f={f} path={p("certificate.type")} req options={certificateOptions(f, true)} />
        <Input f={f} path={p("certificate.number")} req />
        <Input f={f} path={p("certificate.validFrom")} req hint={f.d.dateHint} />
        <Input f={f} path={p("certificate.validTo")} req hint={f.d.validToHint} />
        <Input f={f} path={p("birthDate")} hint={f.d.dateHint} />
        <Input f={f} path={p("mobile")} type="tel" req />
        <Input f={f} path={p("emergencyContact")} type="tel" req />
        <Input f={f} path={p("email")} type="email" req />
      </div>
      <div class="fields">
        <Upload f={f} path={p("certificate.front")} req />
        <Upload f={f} path={p("certificate.back")} />
        <Upload f={f} path={p("residencePermit")} />
      </div>
      <div class="fields">
        <Input f={f} path={p("verificationId")} req={base === "service.principal"} />
        <div class="field">
          <button type="submit" name="_action" value={`verify:${base}`} class="secondary">
            {f.d.startVerification}
          </button>
        </div>
      </div>
      {verification ? (
        <p class="ok" role="status">
          {f.d.verificationStarted}{" "}
          <a href={verification.url} target="_blank" rel="noopener">
            {f.d.openVerification}
          </a>
        </p>
      ) : null}
    </fieldset>
  );
};

/** A checkbox group (content types, languages): the group's problems are at the list's path. */
const Choices: FC<{ f: FormState; path: string; groups: { legend?: string; options: Option[] }[] }> = ({
  f,
  path,
  groups,
}) => {
  const id = fid(path);
  const bad = invalid(f, path);
  const chosen = new Set(f.values[path] ?? []);
  return (
    <fieldset id={id} data-field={path} aria-describedby={bad ? `${id}-e` : undefined}>
      <legend>{fieldLabel(f.d, path)} *</legend>
      <Slot f={f} path={path} />
      {groups.map((g) => (
        <div class="choice-group">
          {g.legend ? <p class="hint">{g.legend}</p> : null}
          <div class="choices">
            {g.options.map((o) => (
              <label>
                <input
                  type="checkbox"
                  name={path}
                  value={o.value}
                  checked={chosen.has(o.value)}
                  aria-invalid={bad ? "true" : undefined}
                />{" "}
                {o.label}
              </label>
            ))}
          </div>
        </div>
      ))}
    </fieldset>
  );
};

function rowCount(values: Values, list: keyof typeof ROW_LISTS): number {
  let filled = 0;
  for (const path of Object.keys(values)) {
    const m = rowPattern(list).exec(path);
    if (m) filled = Math.max(filled, Number(m[1]) + 1);
  }
  return Math.min(filled + 1, ROW_LISTS[list]);
}

const contentGroups = (f: FormState) =>
  SERVICE_CONTENT_TYPES.filter((t) => t.parent === null).map((top) => ({
    legend: named(f, top),
    options: SERVICE_CONTENT_TYPES.filter((t) => t.parent === top.code).map((t) => ({
      value: t.code,
      label: named(f, t),
    })),
  }));

export type FormFrame = {
  action: string;
  csrf: string | undefined;
  idempotencyKey: string;
  type: string;
  appId: string;
  submitLabel: string;
};

/** Every problem above the form, each a link to its field: read first by a screen reader, and by the live check. */
const Summary: FC<{ f: FormState; all: FieldProblem[] }> = ({ f, all }) => (
  <div class="error" id="problems" role="alert" tabindex={-1} hidden={all.length === 0}>
    <p>{f.d.problemsTitle(all.length)}</p>
    <ul>
      {all.map((p) => {
        const at = fieldOf(f.d, p.path);
        return (
          <li>
            {at ? <a href={`#${fid(at)}`}>{fieldLabel(f.d, at)}</a> : <code>{p.path || "-"}</code>}: {p.message}
          </li>
        );
      })}
    </ul>
  </div>
);

export const FilingForm: FC<{ f: FormState; frame: FormFrame; all: FieldProblem[] }> = ({ f, frame, all }) => {
  const preApprovalRows = rowCount(f.values, "service.preApprovals");
  const otherRows = rowCount(f.values, "otherMaterials");
  const { provinces, cities, districts } = f.regions;
  const toOptions = (rs: Region[]) => rs.map((r) => ({ value: r.code, label: r.name }));
  return (
    <form method="post" action={frame.action} enctype="multipart/form-data" class="filing-form" novalidate>
      <Summary f={f} all={all} />
      <CsrfField csrf={frame.csrf} />
      <input type="hidden" name="_idem" value={frame.idempotencyKey} />
      <input type="hidden" name="type" value={frame.type} />
      <input type="hidden" name="appId" value={frame.appId} />
      <fieldset>
        <legend>{f.d.organizer}</legend>
        <div class="fields">
          <Select
            f={f}
            path="organizer.nature"
            req
            options={NATURES.map((n) => ({ value: n.code, label: named(f, n) }))}
          />
          <Input f={f} path="organizer.name" req />
          <Select f={f} path="organizer.certificate.type" req options={certificateOptions(f, false)} />
          <Input f={f} path="organizer.certificate.number" req />
          <Input f={f} path="organizer.certificate.validFrom" hint={f.d.dateHint} />
          <Input f={f} path="organizer.certificate.validTo" hint={f.d.validToHint} />
        </div>
        <div class="fields">
          <Select f={f} path="organizer.region.province" req options={toOptions(provinces)} region="province" />
          <Select f={f} path="organizer.region.city" req options={toOptions(cities)} region="city" />
          <Select f={f} path="organizer.region.district" options={toOptions(districts)} region="district" />
          <div class="field">
            <button type="submit" name="_action" value="check" class="secondary" data-regions-update>
              {f.d.updateRegions}
            </button>
          </div>
        </div>
        <div class="fields">
          <Input f={f} path="organizer.certificateAddress" />
          <Input f={f} path="organizer.address" req />
        </div>
        <div class="fields">
          <Upload f={f} path="organizer.certificate.photo" />
          <Upload f={f} path="organizer.authorizationLetter" />
        </div>
      </fieldset>
      <Person f={f} base="organizer.principal" legend={f.d.organizerPrincipal} />
      <fieldset>
        <legend>{f.d.legalRepresentative}</legend>
        <div class="fields">
          <Input f={f} path="organizer.legalRepresentative.name" />
          <Select f={f} path="organizer.legalRepresentative.certificate.type" options={certificateOptions(f, true)} />
          <Input f={f} path="organizer.legalRepresentative.certificate.number" />
          <Input f={f} path="organizer.legalRepresentative.certificate.validFrom" hint={f.d.dateHint} />
          <Input f={f} path="organizer.legalRepresentative.certificate.validTo" hint={f.d.validToHint} />
          <Input f={f} path="organizer.legalRepresentative.mobile" type="tel" />
        </div>
      </fieldset>
      <fieldset>
        <legend>{f.d.service}</legend>
        <div class="fields">
          <Input f={f} path="service.name" req />
        </div>
        <TextArea f={f} path="service.description" req />
        <Choices f={f} path="service.serviceContentTypes" groups={contentGroups(f)} />
        <fieldset id={fid("service.preApprovals")} data-field="service.preApprovals">
          <legend>{fieldLabel(f.d, "service.preApprovals")}</legend>
          <p class="hint">{f.d.preApprovalsHint}</p>
          <Slot f={f} path="service.preApprovals" />
          {Array.from({ length: preApprovalRows }, (_, i) => (
            <div class="fields">
              <Select
                f={f}
                path={`service.preApprovals[${i}].type`}
                options={PRE_APPROVAL_TYPES.map((t) => ({ value: t.code, label: named(f, t) }))}
              />
              <Input f={f} path={`service.preApprovals[${i}].approvalNumber`} />
              <Upload f={f} path={`service.preApprovals[${i}].document`} />
            </div>
          ))}
        </fieldset>
        <Choices
          f={f}
          path="service.languages"
          groups={[{ options: LANGUAGES.map((l) => ({ value: l.code, label: named(f, l) })) }]}
        />
      </fieldset>
      <Person f={f} base="service.principal" legend={f.d.servicePrincipal} />
      <fieldset>
        <legend>{f.d.commitment}</legend>
        <div class="field" data-field="commitment.accepted">
          <label>
            <input
              type="checkbox"
              id={fid("commitment.accepted")}
              name="commitment.accepted"
              value="true"
              checked={first(f.values, "commitment.accepted") === "true"}
              aria-invalid={invalid(f, "commitment.accepted") ? "true" : undefined}
              aria-describedby={invalid(f, "commitment.accepted") ? `${fid("commitment.accepted")}-e` : undefined}
            />{" "}
            {fieldLabel(f.d, "commitment.accepted")} *
          </label>
          <Slot f={f} path="commitment.accepted" />
        </div>
        <Upload f={f} path="commitment.letter" req />
      </fieldset>
      <fieldset>
        <legend>{f.d.otherMaterials}</legend>
        {Array.from({ length: otherRows }, (_, i) => (
          <div class="fields">
            <Upload f={f} path={`otherMaterials[${i}].mediaId`} />
            <Input f={f} path={`otherMaterials[${i}].description`} />
          </div>
        ))}
      </fieldset>
      <p class="ok" id="checked" role="status" hidden>
        {f.d.checkedOk}
      </p>
      <div class="toolbar">
        <button type="submit" name="_action" value="check" class="secondary">
          {f.d.check}
        </button>
        <button type="submit" name="_action" value="submit">
          {frame.submitLabel}
        </button>
      </div>
    </form>
  );
};
