import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { components } from "./schema";

/**
 * What a webhook delivery carries: the event as `GET /v1/events` lists it, plus `timestamp` (its creation time, as
 * Standard Webhooks payloads have). `POST /v1/webhook/test` sends one of type `webhook.test` with `data.ping`.
 */
export type WebhookEvent = components["schemas"]["Event"] & { timestamp: string };

/** Request headers as a receiver has them: a fetch `Headers`, or a plain object such as Node's `req.headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export { WebhookVerificationError };

const decoder = new TextDecoder();

/**
 * Checks a delivery's Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
 * docs/rules.md#webhooks) with the endpoint's `whsec_…` secret and returns the event. Throws
 * `WebhookVerificationError` for a bad or missing signature or a timestamp more than 5 minutes off. Pass the body
 * exactly as received (before any JSON parsing): the signature covers its bytes.
 */
export function verifyWebhook(secret: string, headers: WebhookHeaders, rawBody: string | Uint8Array): WebhookEvent {
  const flat: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      flat[name] = value;
    });
  } else {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
  }
  const body = typeof rawBody === "string" ? rawBody : decoder.decode(rawBody);
  const event = new Webhook(secret).verify(body, flat);
  if (!isEvent(event)) throw new WebhookVerificationError("The payload is not an event");
  return event;
}

function isEvent(value: unknown): value is WebhookEvent {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e.id === "string" && typeof e.type === "string" && typeof e.data === "object" && e.data !== null;
}
