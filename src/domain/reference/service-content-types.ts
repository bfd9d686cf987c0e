import type { PreApprovalType } from "./pre-approval-types";
import data from "./service-content-types.json";

/**
 * 服务内容: beian's own two-level taxonomy of what a mini program does (docs/rules.md#identifiers). It is a data file so that
 * product staff can revise it without touching code; a revision bumps `version`, and codes once published are
 * never reused for something else (filings keep the codes they were submitted with).
 * Filings may only choose second-level codes; `requiresPreApprovals` names the permits a filing choosing that
 * code must carry.
 */
export type ServiceContentType = {
  code: string;
  name: string;
  nameEn: string;
  parent: string | null;
  requiresPreApprovals: readonly PreApprovalType[];
};

// The JSON's pre-approval codes are plain strings to TypeScript; the reference test checks each one is a
// known pre-approval type.
export const SERVICE_CONTENT_TYPES: readonly ServiceContentType[] = data.items as ServiceContentType[];
export const SERVICE_CONTENT_VERSION: string = data.version;

const BY_CODE: ReadonlyMap<string, ServiceContentType> = new Map(SERVICE_CONTENT_TYPES.map((t) => [t.code, t]));

export function findServiceContentType(code: string): ServiceContentType | undefined {
  return BY_CODE.get(code);
}
