import { type FilingStatus, STAFF_VISIBLE } from "./filing-state";
import type { Principal } from "./roles";

/**
 * Who may do what with an app, a filing or a material (docs/rules.md#permissions). Routes read the facts (an app's
 * owner, whether the caller holds a grant for it, a filing's submitter) and ask here. The one rule that runs as SQL,
 * who may read a filing, is built in src/repositories/filings.ts from FILING_READERS below, so the two cannot drift.
 *
 * These answer yes or no; the routes choose the status (mostly the 404 a missing thing gets, so that nothing tells an
 * outsider what exists; 403 where the caller already sees the filing, as for a withdrawal).
 */

type Caller = Pick<Principal, "accountId" | "role">;

/** An app as it stands to the caller: its owner, and whether the caller holds a grant for it. */
export type AppAccess = { ownerAccountId: string; granted: boolean };

/** An app is managed (listed, granted, read) by its owner alone. */
export function mayManageApp(caller: Pick<Principal, "accountId">, app: { ownerAccountId: string }): boolean {
  return app.ownerAccountId === caller.accountId;
}

/**
 * Filing for an app: a developer for the apps it owns, a provider for the apps granted to it (grants are given to
 * providers only). No other role files.
 */
export function mayFileFor(caller: Caller, app: AppAccess): boolean {
  switch (caller.role) {
    case "developer":
      return mayManageApp(caller, app);
    case "provider":
      return app.granted;
    default:
      return false;
  }
}

/**
 * A cancellation of a whole organizer ends every one of its registrations, so the caller must be able to file for
 * every app with an active registration of that organizer (`ORGANIZER_APPS_NOT_HELD` otherwise).
 */
export function mayCancelOrganizer(caller: Caller, apps: readonly AppAccess[]): boolean {
  return apps.every((app) => mayFileFor(caller, app));
}

/** The ways an account can stand to a filing: it submitted it, it owns the app, it holds a grant for the app. */
export const FILING_RELATIONS = ["submitter", "app_owner", "grantee"] as const;
export type FilingRelation = (typeof FILING_RELATIONS)[number];

/**
 * Who may read a filing: its submitter (also after a grant it filed under has ended), the app's owner, and a
 * provider while it holds a grant for the app. The SQL predicate `visibleTo` is built from this list.
 */
export const FILING_READERS: readonly FilingRelation[] = ["submitter", "app_owner", "grantee"];

/** Who may withdraw a filing: its submitter, and the app's owner, so a developer can stop a provider's filing. */
export const FILING_WITHDRAWERS: readonly FilingRelation[] = ["submitter", "app_owner"];

/** Who may correct and resubmit an ended filing: as for withdrawing, its submitter and the app's owner. */
export const FILING_RESUBMITTERS: readonly FilingRelation[] = ["submitter", "app_owner"];

/**
 * How `caller` stands to a filing of `app` (undefined when the app is not known). `granted` may be left out where
 * the caller's grants were not read; the caller then does not count as a grantee.
 */
export function filingRelations(
  caller: Pick<Principal, "accountId">,
  filing: { submitterAccountId: string },
  app: { ownerAccountId: string; granted?: boolean } | undefined,
): FilingRelation[] {
  const holds: Record<FilingRelation, boolean> = {
    submitter: filing.submitterAccountId === caller.accountId,
    app_owner: app !== undefined && app.ownerAccountId === caller.accountId,
    grantee: app?.granted === true,
  };
  return FILING_RELATIONS.filter((r) => holds[r]);
}

export function mayReadFiling(
  caller: Pick<Principal, "accountId">,
  filing: { submitterAccountId: string },
  app: AppAccess | undefined,
): boolean {
  return filingRelations(caller, filing, app).some((r) => FILING_READERS.includes(r));
}

export function mayWithdrawFiling(
  caller: Pick<Principal, "accountId">,
  filing: { submitterAccountId: string },
  app: { ownerAccountId: string } | undefined,
): boolean {
  return filingRelations(caller, filing, app).some((r) => FILING_WITHDRAWERS.includes(r));
}

export function mayResubmitFiling(
  caller: Pick<Principal, "accountId">,
  filing: { submitterAccountId: string },
  app: { ownerAccountId: string } | undefined,
): boolean {
  return filingRelations(caller, filing, app).some((r) => FILING_RESUBMITTERS.includes(r));
}

/**
 * A filing may use a material uploaded by the caller or by the app's owner: a provider filing for a developer's
 * app may use the developer's uploads. Anyone else's material is, to this filing, one that does not exist.
 */
export function mayUseMaterial(
  caller: Pick<Principal, "accountId">,
  material: { ownerAccountId: string },
  app: { ownerAccountId: string } | undefined,
): boolean {
  return material.ownerAccountId === caller.accountId || material.ownerAccountId === app?.ownerAccountId;
}

/** A filing that references a material: its status and its app's owner. */
export type ReferencingFiling = { filingId: string; status: FilingStatus; appOwnerAccountId: string };

/**
 * Who may read a material: its uploader; the owner of an app with a filing that references it; a reviewer or the
 * regulator while such a filing is in their queue, the read then audited against that filing (`staffFilingId`).
 * Null for anyone else. The uploader needs no references, so a caller may ask first with none and read them only
 * when that answers null.
 */
export function materialReadAccess(
  caller: Caller,
  material: { ownerAccountId: string },
  references: readonly ReferencingFiling[],
): { staffFilingId: string | null } | null {
  if (material.ownerAccountId === caller.accountId) return { staffFilingId: null };
  if (references.some((r) => r.appOwnerAccountId === caller.accountId)) return { staffFilingId: null };
  const queue: readonly FilingStatus[] =
    caller.role === "reviewer" || caller.role === "regulator" ? STAFF_VISIBLE[caller.role] : [];
  const inQueue = references.find((r) => queue.includes(r.status));
  return inQueue ? { staffFilingId: inQueue.filingId } : null;
}

/**
 * Who may start a face verification for an app and read it (docs/rules.md#verifications): whoever may file for the
 * app, as a filing names it; its requester also after a grant it asked under has ended.
 */
export function mayReadVerification(
  caller: Caller,
  verification: { requesterAccountId: string },
  app: AppAccess | undefined,
): boolean {
  return verification.requesterAccountId === caller.accountId || (app !== undefined && mayFileFor(caller, app));
}
