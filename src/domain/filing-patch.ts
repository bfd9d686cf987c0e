import { ENDED_WITHOUT_APPROVAL, type FilingStatus } from "./filing-state";
import { applyMergePatch } from "./merge-patch";
import { type Problem, problem } from "./problems";

/**
 * Filings sent as what changes (docs/rules.md#read-back): a change as a JSON Merge Patch on the app's registration
 * (`{type: "change", appId, patch}`), a resubmission as one on an ended filing (`{resubmitOf, patch}` in the dry run,
 * `{patch}` at `POST /v1/filings/{id}/resubmit`). The stored request is patched on the server and then checked in
 * full like any request, so its problems are at request paths; the envelope's own problems are at `appId`,
 * `resubmitOf` and `patch`.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export type PatchEnvelope =
  | { kind: "full" }
  | { kind: "change"; appId: string | undefined; patch: Json; problems: Problem[] }
  | { kind: "resubmit"; filingId: string | undefined; patch: Json; problems: Problem[] };

function idAt(body: Json, key: string, problems: Problem[]): string | undefined {
  const value = body[key];
  if (typeof value === "string" && value.trim() !== "" && value.length <= 64) return value.trim();
  if (value === undefined) problems.push(problem(key, "REQUIRED"));
  else if (typeof value !== "string") problems.push(problem(key, "INVALID_TYPE", { expected: "string" }));
  else problems.push(problem(key, "INVALID_FORMAT"));
  return undefined;
}

/** The patch of an envelope: an object, else a problem at `patch` (and an empty patch, so the rest still checks). */
export function patchOf(body: Json, problems: Problem[]): Json {
  const patch = body.patch;
  if (isObject(patch)) return patch;
  problems.push(
    patch === undefined ? problem("patch", "REQUIRED") : problem("patch", "INVALID_TYPE", { expected: "object" }),
  );
  return {};
}

function unknownKeys(body: Json, known: readonly string[]): Problem[] {
  return Object.keys(body)
    .filter((k) => !known.includes(k))
    .map((k) => problem(k, "UNKNOWN_FIELD"));
}

/**
 * What a filing body is: a full request (any body without a `patch`, checked as it stands), a change by patch, or a
 * resubmission by patch (only where `resubmit` is allowed: the dry run).
 */
export function readPatchEnvelope(body: unknown, opts: { resubmit: boolean }): PatchEnvelope {
  if (!isObject(body)) return { kind: "full" };
  if (opts.resubmit && "resubmitOf" in body) {
    const problems = unknownKeys(body, ["resubmitOf", "patch"]);
    const filingId = idAt(body, "resubmitOf", problems);
    return { kind: "resubmit", filingId, patch: patchOf(body, problems), problems };
  }
  if (body.type === "change" && "patch" in body) {
    const problems = unknownKeys(body, ["type", "appId", "patch"]);
    const appId = idAt(body, "appId", problems);
    return { kind: "change", appId, patch: patchOf(body, problems), problems };
  }
  return { kind: "full" };
}

/** The body of `POST /v1/filings/{id}/resubmit`: `{patch}` and nothing else. */
export function readResubmitBody(body: unknown): { patch: Json; problems: Problem[] } {
  if (!isObject(body)) return { patch: {}, problems: [problem("", "NOT_AN_OBJECT")] };
  const problems = unknownKeys(body, ["patch"]);
  return { patch: patchOf(body, problems), problems };
}

/** The stored request with the patch applied; its type and app stay the ones given whatever the patch says. */
export function patchRequest(base: unknown, patch: Json, fixed: { type: string; appId: string }): Json {
  const merged = applyMergePatch(base, patch);
  return { ...(isObject(merged) ? merged : {}), type: fixed.type, appId: fixed.appId };
}

/** A filing may be corrected and resubmitted once it ended without approval: rejected, withdrawn or expired. */
export const RESUBMITTABLE: readonly FilingStatus[] = ENDED_WITHOUT_APPROVAL;

export function mayBeResubmitted(status: FilingStatus): boolean {
  return RESUBMITTABLE.includes(status);
}

/**
 * A registration's stored request as the base of a change by patch: a face verification is spent by the filing that
 * named it, not held by the registration, so the principals' `verificationId`s are left out and the change names
 * its own (docs/rules.md#verifications). A resubmission keeps them: it may use again what its ended filing used.
 */
export function changeBase(request: unknown): unknown {
  if (!isObject(request)) return request;
  const copy = structuredClone(request);
  for (const part of [copy.organizer, copy.service]) {
    if (isObject(part) && isObject(part.principal)) delete part.principal.verificationId;
  }
  return copy;
}
