import { z } from "zod";
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
  delivery: DeliverySchedule;
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
});

/** The vars the settings are read from (a subset of the Worker's bindings). */
type Vars = {
  ENVIRONMENT?: string;
  QUOTA_INDIVIDUAL?: string;
  QUOTA_ORGANIZATION?: string;
  CERTIFICATE_MIN_VALID_DAYS?: string;
  SUBMISSIONS_PER_DAY?: string;
  PUBLIC_RATE_LIMIT_PERIOD?: string;
  WEBHOOK_RETRY_DELAYS_SECONDS?: string;
  WEBHOOK_TIMEOUT_MS?: string;
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
    env.WEBHOOK_RETRY_DELAYS_SECONDS,
    env.WEBHOOK_TIMEOUT_MS,
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
  });
  if (!vars.success) {
    const problems = vars.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  let delivery: DeliverySchedule;
  try {
    delivery = deliverySchedule(env);
  } catch (e) {
    throw new ConfigError(`Invalid configuration: ${e instanceof Error ? e.message : String(e)}`);
  }
  const config: Config = {
    development: vars.data.ENVIRONMENT === "development",
    quotas: { individual: vars.data.QUOTA_INDIVIDUAL, organization: vars.data.QUOTA_ORGANIZATION },
    certificateMinValidDays: vars.data.CERTIFICATE_MIN_VALID_DAYS,
    submissionsPerDay: vars.data.SUBMISSIONS_PER_DAY,
    publicRateLimitPeriodS: vars.data.PUBLIC_RATE_LIMIT_PERIOD === "10" ? 10 : 60,
    delivery,
  };
  if (parsed.size >= 16) parsed.clear();
  parsed.set(key, config);
  return config;
}
