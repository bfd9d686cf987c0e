import type { Db } from "./db/client";
import type { Principal } from "./domain/roles";
import type { Lang } from "./lib/i18n";
import type { DeliveryMessage, PendingEvent } from "./webhooks/delivery-message";

/** Worker bindings: vars and bindings from wrangler.toml, secrets from .dev.vars / `wrangler secret`. */
export interface Env {
  DB: D1Database;
  ASSETS: Fetcher;
  ENVIRONMENT: string;
  QUOTA_INDIVIDUAL?: string;
  QUOTA_ORGANIZATION?: string;
  PII_KEY: string;
  PII_OLD_KEYS?: string;
  BLIND_INDEX_KEY: string;
  ADMIN_BOOTSTRAP_KEY: string;
  /** Webhook deliveries (producer and consumer in this Worker). */
  DELIVERY_QUEUE?: Queue<DeliveryMessage>;
  /** Seconds to wait after each failed delivery attempt, comma-separated; unset: 10 attempts over ~40 h. */
  WEBHOOK_RETRY_DELAYS_SECONDS?: string;
  /** How long one delivery attempt waits for the receiver's answer; unset: 10000. */
  WEBHOOK_TIMEOUT_MS?: string;
  /** Uploaded filing materials, stored sealed (src/routes/materials.ts). */
  MATERIALS?: R2Bucket;
  /** Workers Rate Limiting binding for the public routes (SPEC §8). */
  PUBLIC_RATE_LIMITER?: RateLimit;
  /** The limiter's period in seconds (10 or 60): what `Retry-After` tells a limited client. */
  PUBLIC_RATE_LIMIT_PERIOD?: string;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    lang: Lang;
    principal: Principal;
    body: unknown;
    /**
     * Events this request wrote that the outbox holds, when the writer knows them exactly (a submission); unset,
     * the hand-off after the answer reads the outbox itself.
     */
    pendingEvents?: PendingEvent[];
  };
};
