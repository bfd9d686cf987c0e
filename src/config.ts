import { z } from "zod";
import { FACE_POLICIES, type FacePolicy } from "./domain/verification";
import { type DeliverySchedule, deliverySchedule } from "./webhooks/schedule";

/**
 * The deployment's settings, read from the Worker's vars once per set of bindings and checked: a value that does not
 * parse fails every request loudly (logged with the variable's name, answered as a 500) rather than being repaired
 * into a default nobody chose. Unset optional vars take the documented defaults (docs/rules.md#limits).
 */
export type Config = {
  /** Development mode (`npm start`, tests): http and loopback webhooks, and the regulator may approve without a number. */
  development: boolean;
  /** How many mini programs one organizer may hold or have in filing (docs/rules.md#preflight). */
  quotas: { individual: number; organization: number };
  /** The public rate limiter's period in seconds: what `Retry-After` tells a limited client. */
  publicRateLimitPeriodS: 10 | 60;
  delivery: DeliverySchedule;
  /** Which principals of a `new` or `change` filing must name a passed face verification (docs/rules.md#verifications). */
  faceVerification: FacePolicy;
  /**
   * The identity provider face verifications are started with: the simulator (development only: its page passes or
   * fails a check at a press), or none, when a deployment has not configured one (starting a verification is then 503).
   */
  identityProvider: "simulator" | null;
};

const quota = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,5}$/, "a whole number from 1 to 999999")
    .transform(Number)
    .optional()
    .transform((n) => n ?? fallback);

const VarsSchema = z.object({
  ENVIRONMENT: z.enum(["development", "production"]).optional(),
  QUOTA_INDIVIDUAL: quota(5),
  QUOTA_ORGANIZATION: quota(50),
  PUBLIC_RATE_LIMIT_PERIOD: z.enum(["10", "60"]).optional(),
  FACE_VERIFICATION: z.enum(FACE_POLICIES).optional(),
  IDENTITY_PROVIDER: z.enum(["simulator"]).optional(),
});

/** The vars the settings are read from (a subset of the Worker's bindings). */
type Vars = {
  ENVIRONMENT?: string;
  QUOTA_INDIVIDUAL?: string;
  QUOTA_ORGANIZATION?: string;
  PUBLIC_RATE_LIMIT_PERIOD?: string;
  WEBHOOK_RETRY_DELAYS_SECONDS?: string;
  WEBHOOK_TIMEOUT_MS?: string;
  FACE_VERIFICATION?: string;
  IDENTITY_PROVIDER?: string;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parsed settings by the values they were read from: a deployment has one set, a test run a few. */
const parsed = new Map<string, Config>();

/** The settings of `env`, parsed on first use and kept for as long as the isolate lives. */
export function configOf(env: Vars): Config {
  const key = [
    env.ENVIRONMENT,
    env.QUOTA_INDIVIDUAL,
    env.QUOTA_ORGANIZATION,
    env.PUBLIC_RATE_LIMIT_PERIOD,
    env.WEBHOOK_RETRY_DELAYS_SECONDS,
    env.WEBHOOK_TIMEOUT_MS,
    env.FACE_VERIFICATION,
    env.IDENTITY_PROVIDER,
  ].join("\u0000");
  const known = parsed.get(key);
  if (known) return known;
  const vars = VarsSchema.safeParse({
    ENVIRONMENT: env.ENVIRONMENT,
    QUOTA_INDIVIDUAL: env.QUOTA_INDIVIDUAL,
    QUOTA_ORGANIZATION: env.QUOTA_ORGANIZATION,
    PUBLIC_RATE_LIMIT_PERIOD: env.PUBLIC_RATE_LIMIT_PERIOD,
    FACE_VERIFICATION: env.FACE_VERIFICATION,
    IDENTITY_PROVIDER: env.IDENTITY_PROVIDER,
  });
  if (!vars.success) {
    const problems = vars.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const development = vars.data.ENVIRONMENT === "development";
  // The simulator passes anyone who presses a button: a deployment that names it outside development is refused.
  if (!development && vars.data.IDENTITY_PROVIDER === "simulator") {
    throw new ConfigError("Invalid configuration: IDENTITY_PROVIDER: the simulator is for development only");
  }
  let delivery: DeliverySchedule;
  try {
    delivery = deliverySchedule(env);
  } catch (e) {
    throw new ConfigError(`Invalid configuration: ${e instanceof Error ? e.message : String(e)}`);
  }
  const config: Config = {
    development,
    quotas: { individual: vars.data.QUOTA_INDIVIDUAL, organization: vars.data.QUOTA_ORGANIZATION },
    publicRateLimitPeriodS: vars.data.PUBLIC_RATE_LIMIT_PERIOD === "10" ? 10 : 60,
    delivery,
    faceVerification: vars.data.FACE_VERIFICATION ?? "service_principal",
    // Development starts verifications with the simulator unless told otherwise; production only with a real one.
    identityProvider: development ? "simulator" : null,
  };
  if (parsed.size >= 16) parsed.clear();
  parsed.set(key, config);
  return config;
}
