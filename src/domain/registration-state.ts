/**
 * A registration's statuses (docs/rules.md#numbers): active until a cancellation filing ends it (`cancelled`, or
 * `access_removed` for a cancellation of access only) or the bureau revokes it (`revoked`). An ended number is never
 * issued again.
 */
export const REGISTRATION_STATUSES = ["active", "cancelled", "revoked", "access_removed"] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
export type EndedRegistrationStatus = Exclude<RegistrationStatus, "active">;

/**
 * What the end of a registration does to its app (docs/rules.md#apps): the app is delisted with this reason, and its
 * owner is told with this event.
 */
export const REGISTRATION_ENDING = {
  cancelled: { delistReason: "registration_cancelled", event: "registration.cancelled" },
  revoked: { delistReason: "registration_revoked", event: "registration.revoked" },
  access_removed: { delistReason: "access_removed", event: "registration.cancelled" },
} as const satisfies Record<EndedRegistrationStatus, { delistReason: string; event: string }>;
