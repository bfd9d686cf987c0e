import { z } from "zod";
import { FACE_POLICIES, type FacePolicy } from "./domain/verification";
import { AuditKeyring } from "./lib/crypto";
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
  /** Certificates must stay valid this many days after submission (`CERTIFICATE_EXPIRING`); 0 turns it off. */
  certificateMinValidDays: number;
  /** Filings one account may submit per Beijing day (`SUBMISSION_QUOTA_EXCEEDED`). */
  submissionsPerDay: number;
  /** The public rate limiter's period in seconds: what `Retry-After` tells a limited client. */
  publicRateLimitPeriodS: 10 | 60;
  /**
   * The origin absolute URLs on pages and in snippets are built from (`https://beian.example.com`): required in
   * production; in development, unset means the request's own origin. Never the request's Host header in production,
   * which a client chooses.
   */
  publicOrigin?: string;
  delivery: DeliverySchedule;
  /**
   * The DNS-over-HTTPS service webhook hosts are resolved through (`WEBHOOK_DOH_URL`); null for the default, which
   * production uses and development skips (src/webhooks/resolver.ts).
   */
  dohUrl: string | null;
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

const days = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^(0|[1-9]\d{0,2})$/, "a whole number from 0 to 999")
    .transform(Number)
    .optional()
    .transform((n) => n ?? fallback);

const VarsSchema = z.object({
  ENVIRONMENT: z.enum(["development", "production"]).optional(),
  QUOTA_INDIVIDUAL: quota(5),
  QUOTA_ORGANIZATION: quota(50),
  CERTIFICATE_MIN_VALID_DAYS: days(30),
  SUBMISSIONS_PER_DAY: quota(100),
  PUBLIC_RATE_LIMIT_PERIOD: z.enum(["10", "60"]).optional(),
  WEBHOOK_DOH_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, "an http(s) URL")
    .refine((v) => URL.canParse(v), "an http(s) URL")
    .optional(),
  PUBLIC_ORIGIN: z
    .string()
    .trim()
    .optional()
    .refine((raw) => !raw || originOf(raw) !== undefined, "an origin such as https://beian.example.com (no path)")
    .transform((raw) => (raw ? originOf(raw) : undefined)),
  FACE_VERIFICATION: z.enum(FACE_POLICIES).optional(),
  IDENTITY_PROVIDER: z.enum(["simulator"]).optional(),
});

/** `raw` as an origin (scheme, host, port), if it is one: http(s), no credentials, path, query or fragment. */
function originOf(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const bare = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
  return (url.protocol === "https:" || url.protocol === "http:") && bare && url.origin !== "null"
    ? url.origin
    : undefined;
}

/** The vars the settings are read from (a subset of the Worker's bindings). */
type Vars = {
  ENVIRONMENT?: string;
  QUOTA_INDIVIDUAL?: string;
  QUOTA_ORGANIZATION?: string;
  CERTIFICATE_MIN_VALID_DAYS?: string;
  SUBMISSIONS_PER_DAY?: string;
  PUBLIC_RATE_LIMIT_PERIOD?: string;
  PUBLIC_ORIGIN?: string;
  WEBHOOK_RETRY_DELAYS_SECONDS?: string;
  WEBHOOK_TIMEOUT_MS?: string;
  WEBHOOK_DOH_URL?: string;
  AUDIT_KEY?: string;
  AUDIT_OLD_KEYS?: string;
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
    env.CERTIFICATE_MIN_VALID_DAYS,
    env.SUBMISSIONS_PER_DAY,
    env.PUBLIC_RATE_LIMIT_PERIOD,
    env.PUBLIC_ORIGIN,
    env.WEBHOOK_RETRY_DELAYS_SECONDS,
    env.WEBHOOK_TIMEOUT_MS,
    env.WEBHOOK_DOH_URL,
    env.AUDIT_KEY,
    env.AUDIT_OLD_KEYS,
    env.FACE_VERIFICATION,
    env.IDENTITY_PROVIDER,
  ].join("\u0000");
  const known = parsed.get(key);
  if (known) return known;
  const vars = VarsSchema.safeParse({
    ENVIRONMENT: env.ENVIRONMENT,
    QUOTA_INDIVIDUAL: env.QUOTA_INDIVIDUAL,
    QUOTA_ORGANIZATION: env.QUOTA_ORGANIZATION,
    CERTIFICATE_MIN_VALID_DAYS: env.CERTIFICATE_MIN_VALID_DAYS,
    SUBMISSIONS_PER_DAY: env.SUBMISSIONS_PER_DAY,
    PUBLIC_RATE_LIMIT_PERIOD: env.PUBLIC_RATE_LIMIT_PERIOD,
    WEBHOOK_DOH_URL: env.WEBHOOK_DOH_URL,
    PUBLIC_ORIGIN: env.PUBLIC_ORIGIN,
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
  if (!development && !vars.data.PUBLIC_ORIGIN?.startsWith("https://")) {
    throw new ConfigError("Invalid configuration: PUBLIC_ORIGIN: an https origin is required in production");
  }
  // The audit key signs every audit row and anchor: production needs one, and a key that is set must parse.
  if (env.AUDIT_KEY || env.AUDIT_OLD_KEYS || vars.data.ENVIRONMENT !== "development") {
    try {
      new AuditKeyring({ AUDIT_KEY: env.AUDIT_KEY, AUDIT_OLD_KEYS: env.AUDIT_OLD_KEYS });
    } catch (e) {
      throw new ConfigError(`Invalid configuration: AUDIT_KEY: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const config: Config = {
    development,
    quotas: { individual: vars.data.QUOTA_INDIVIDUAL, organization: vars.data.QUOTA_ORGANIZATION },
    certificateMinValidDays: vars.data.CERTIFICATE_MIN_VALID_DAYS,
    submissionsPerDay: vars.data.SUBMISSIONS_PER_DAY,
    publicRateLimitPeriodS: vars.data.PUBLIC_RATE_LIMIT_PERIOD === "10" ? 10 : 60,
    ...(vars.data.PUBLIC_ORIGIN ? { publicOrigin: vars.data.PUBLIC_ORIGIN } : {}),
    delivery,
    dohUrl: vars.data.WEBHOOK_DOH_URL ?? null,
    faceVerification: vars.data.FACE_VERIFICATION ?? "service_principal",
    // Development starts verifications with the simulator unless told otherwise; production only with a real one.
    identityProvider: development ? "simulator" : null,
  };
  if (parsed.size >= 16) parsed.clear();
  parsed.set(key, config);
  return config;
}
