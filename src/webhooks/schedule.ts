import { z } from "zod";

/**
 * When deliveries are retried and how long each waits for an answer (docs/rules.md#webhooks): 10 attempts over about
 * 40 hours unless the deployment sets another schedule.
 */
export const MAX_ATTEMPTS = 10;
/** Seconds to wait after attempt n (1-based) fails; the queue's longest delay is 12 h. */
export const RETRY_DELAYS_S = [60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 43200];
export const DELIVERY_TIMEOUT_MS = 10_000;
/** The queue's longest delay, and the retries it allows a message (wrangler.toml `max_retries`). */
const MAX_QUEUE_DELAY_S = 43_200;
const MAX_QUEUE_RETRIES = 12;

/** When to retry and how long to wait for an answer: the production schedule unless the environment sets another. */
export type DeliverySchedule = {
  /** Seconds to wait after attempt n (1-based) fails; the attempts are one more than the delays. */
  delaysSeconds: number[];
  maxAttempts: number;
  timeoutMs: number;
};

export const DEFAULT_SCHEDULE: DeliverySchedule = {
  delaysSeconds: RETRY_DELAYS_S,
  maxAttempts: MAX_ATTEMPTS,
  timeoutMs: DELIVERY_TIMEOUT_MS,
};

const DelaysSchema = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, "comma-separated whole seconds")
  .transform((s) => s.split(",").map((d) => Number(d.trim())))
  .refine((d) => d.length <= MAX_QUEUE_RETRIES, `at most ${MAX_QUEUE_RETRIES} delays (the queue's max_retries)`)
  .refine((d) => d.every((n) => n <= MAX_QUEUE_DELAY_S), `each delay at most ${MAX_QUEUE_DELAY_S} s`);
const TimeoutSchema = z
  .string()
  .trim()
  .regex(/^\d+$/, "whole milliseconds")
  .transform(Number)
  .refine((n) => n >= 100 && n <= 60_000, "between 100 and 60000 ms");

/**
 * The schedule `env` asks for: `WEBHOOK_RETRY_DELAYS_SECONDS` ("60,300,…", the delay after each failed attempt)
 * and `WEBHOOK_TIMEOUT_MS`. Unset means the production default; a malformed value throws, so a misconfigured
 * deployment fails its deliveries loudly instead of retrying on a schedule nobody chose.
 */
export function deliverySchedule(env: {
  WEBHOOK_RETRY_DELAYS_SECONDS?: string;
  WEBHOOK_TIMEOUT_MS?: string;
}): DeliverySchedule {
  const schedule = { ...DEFAULT_SCHEDULE };
  if (env.WEBHOOK_RETRY_DELAYS_SECONDS !== undefined && env.WEBHOOK_RETRY_DELAYS_SECONDS !== "") {
    const parsed = DelaysSchema.safeParse(env.WEBHOOK_RETRY_DELAYS_SECONDS);
    if (!parsed.success) {
      throw new Error(`WEBHOOK_RETRY_DELAYS_SECONDS: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    }
    schedule.delaysSeconds = parsed.data;
    schedule.maxAttempts = parsed.data.length + 1;
  }
  if (env.WEBHOOK_TIMEOUT_MS !== undefined && env.WEBHOOK_TIMEOUT_MS !== "") {
    const parsed = TimeoutSchema.safeParse(env.WEBHOOK_TIMEOUT_MS);
    if (!parsed.success) {
      throw new Error(`WEBHOOK_TIMEOUT_MS: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    }
    schedule.timeoutMs = parsed.data;
  }
  return schedule;
}
