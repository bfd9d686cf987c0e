import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { verifyWebhook, WebhookVerificationError } from "../src";

const secret = `whsec_${btoa("0123456789abcdefghijklmn")}`;
const event = {
  id: "evt_1",
  type: "filing.submitted",
  timestamp: "2026-12-02T08:00:00.000Z",
  createdAt: "2026-12-02T08:00:00.000Z",
  data: { filingId: "fil_1", appId: "wx0123456789abcdef", type: "new", status: "platform_review" },
};
const body = JSON.stringify(event);

/** The headers beian sends with a delivery (docs/rules.md#webhooks), signed by the specification's own library. */
function signed(payload = body, key = secret) {
  const at = new Date();
  return {
    "webhook-id": event.id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(key).sign(event.id, at, payload),
  };
}

describe("verifyWebhook", () => {
  it("returns the event for a good signature, from plain headers, fetch Headers or bytes", () => {
    expect(verifyWebhook(secret, signed(), body)).toEqual(event);
    expect(verifyWebhook(secret, new Headers(signed()), new TextEncoder().encode(body))).toEqual(event);
    const upper = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), [v]]));
    expect(verifyWebhook(secret, upper, body).id).toBe("evt_1");
  });

  it("accepts either signature during a secret rotation", () => {
    const other = `whsec_${btoa("nmlkjihgfedcba9876543210")}`;
    const headers = signed();
    const both = {
      ...headers,
      "webhook-signature": `${signed(body, other)["webhook-signature"]} ${headers["webhook-signature"]}`,
    };
    expect(verifyWebhook(secret, both, body).id).toBe("evt_1");
    expect(verifyWebhook(other, both, body).id).toBe("evt_1");
  });

  it("refuses a changed body, another secret, missing headers and an old timestamp", () => {
    const headers = signed();
    expect(() => verifyWebhook(secret, headers, body.replace("fil_1", "fil_2"))).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(`whsec_${btoa("x".repeat(24))}`, headers, body)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, { "webhook-id": event.id }, body)).toThrow(WebhookVerificationError);
    const old = Math.floor(Date.now() / 1000) - 600;
    const stale = {
      "webhook-id": event.id,
      "webhook-timestamp": String(old),
      "webhook-signature": new Webhook(secret).sign(event.id, new Date(old * 1000), body),
    };
    expect(() => verifyWebhook(secret, stale, body)).toThrow(WebhookVerificationError);
  });

  it("refuses a signed payload that is not an event", () => {
    const payload = JSON.stringify({ hello: "world" });
    expect(() => verifyWebhook(secret, signed(payload), payload)).toThrow(WebhookVerificationError);
  });
});
