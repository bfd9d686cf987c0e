import type { Config } from "../config";

/**
 * The identity provider (a face-verification service the platform contracts) behind 人脸核验, as beian sees it:
 * `start` opens a check for one verification and answers where the person completes it; the result comes back later
 * through the provider's signed callback, `POST /v1/identity/callback` (src/routes/identity.ts). A real provider's
 * adapter implements this one interface; the development simulator (below) is beian's own page.
 */
export type IdentityTask = {
  verificationId: string;
  /** A secret of this verification alone; the simulator puts it in the page's URL. */
  token: string;
  /** Where beian answers (scheme, host and port), for adapters whose pages are beian's own. */
  origin: string;
  /** When the task lapses (ISO 8601 UTC). */
  expiresAt: string;
};

export interface IdentityProvider {
  readonly name: string;
  start(task: IdentityTask): Promise<{ url: string }>;
}

/**
 * Development only (config refuses it in production): `url` is beian's page `/verify/{token}`, where pressing 通过
 * or 不通过 sends the result through the same signed callback path a real provider uses.
 */
export const simulator: IdentityProvider = {
  name: "simulator",
  async start(task) {
    return { url: `${task.origin}/verify/${task.token}` };
  },
};

/** The provider the deployment is configured with, or null when it has none. */
export function identityProviderOf(config: Pick<Config, "identityProvider">): IdentityProvider | null {
  return config.identityProvider === "simulator" ? simulator : null;
}
