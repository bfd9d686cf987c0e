export type Principal =
  | "anonymous"
  | "malformed"
  | "revoked"
  | "developer"
  | "otherDeveloper"
  | "provider"
  | "reviewer"
  | "regulator"
  | "admin";
export type Outcome = "ok" | 401 | 403 | 404;
export const PRINCIPALS: Principal[];
export const AUTHZ_TABLE: { method: string; path: string; who: Record<Principal, Outcome> }[];
export function routeKey(method: string, path: string): string;
