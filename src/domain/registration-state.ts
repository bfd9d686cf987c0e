/**
 * A registration's statuses (docs/rules.md#numbers): active until a cancellation filing ends it (`cancelled`, or
 * `access_removed` for a cancellation of access only) or the bureau revokes it (`revoked`). An ended number is never
 * issued again.
 */
export const REGISTRATION_STATUSES = ["active", "cancelled", "revoked", "access_removed"] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
export type EndedRegistrationStatus = Exclude<RegistrationStatus, "active">;

/**
 * Where a registration's number comes from: `beian` issued it (allocated, or the bureau's number on an approval
 * here), or it was `imported` with the platform's catalogue (docs/rules.md#registration-import).
 */
export const REGISTRATION_SOURCES = ["beian", "imported"] as const;
export type RegistrationSource = (typeof REGISTRATION_SOURCES)[number];

/**
 * What the end of a registration does to its app (docs/rules.md#apps): the app is delisted with this reason, and its
 * owner is told with this event.
 */
export const REGISTRATION_ENDING = {
  cancelled: { delistReason: "registration_cancelled", event: "registration.cancelled" },
  revoked: { delistReason: "registration_revoked", event: "registration.revoked" },
  access_removed: { delistReason: "access_removed", event: "registration.cancelled" },
} as const satisfies Record<EndedRegistrationStatus, { delistReason: string; event: string }>;

/** What the bureau may report of a registration it changed outside this platform (docs/rules.md#bureau-sync). */
export type SyncOutcome =
  | { outcome: "applied"; move: "end"; status: EndedRegistrationStatus }
  | { outcome: "applied"; move: "reinstate" }
  | { outcome: "unchanged" }
  | { outcome: "unknown_number" }
  | { outcome: "refused"; code: "INVALID_TRANSITION" | "REGISTRATION_EXISTS" };

/**
 * One change the bureau reports, judged against the registration as beian holds it: an active registration may end
 * (cancelled, revoked, access removed) as the transitions inside beian end it; an ended one may come back to active
 * when its app holds no other active registration. One ended status never turns into another: why a registration
 * ended is the bureau's record of that event, not something a later sync rewrites. Reporting the status it already
 * has changes nothing, so a replayed sync is harmless.
 */
export function judgeSyncChange(
  current: { status: RegistrationStatus; appHasOtherActive: boolean } | undefined,
  target: RegistrationStatus,
): SyncOutcome {
  if (!current) return { outcome: "unknown_number" };
  if (current.status === target) return { outcome: "unchanged" };
  if (target !== "active") {
    return current.status === "active"
      ? { outcome: "applied", move: "end", status: target }
      : { outcome: "refused", code: "INVALID_TRANSITION" };
  }
  if (current.appHasOtherActive) return { outcome: "refused", code: "REGISTRATION_EXISTS" };
  return { outcome: "applied", move: "reinstate" };
}

/**
 * What the public change feed names a change to a public record (docs/rules.md#public-lookup): a record's first
 * appearance, a change of its fields, each ending, and a return to active.
 */
export const PUBLIC_CHANGES = ["issued", "updated", "cancelled", "revoked", "access_removed", "reinstated"] as const;
export type PublicChangeKind = (typeof PUBLIC_CHANGES)[number];
