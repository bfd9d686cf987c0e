/**
 * Who calls beian (docs/rules.md#roles). Every account has exactly one role; a route names the roles it serves and
 * src/domain/permissions.ts decides what a caller of that role may do with a given app or filing.
 */
export const ROLES = ["developer", "provider", "reviewer", "regulator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller: its account, its role, and the key it used (null for the bootstrap key). */
export type Principal = { accountId: string; role: Role; keyId: string | null };
