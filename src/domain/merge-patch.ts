/**
 * JSON Merge Patch (RFC 7396): how a change or a resubmission is sent as only what differs (docs/rules.md#read-back).
 * An object in the patch merges into the target key by key; `null` removes a key; anything else (a list, a string, a
 * number) replaces the target's value whole. A patch that is not an object replaces the whole target.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
