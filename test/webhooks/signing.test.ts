import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signatureHeaders } from "../../src/webhooks/signing";

const BODY = JSON.stringify({ id: "evt_01TEST", type: "filing.submitted", data: { filingId: "fil_1", note: "备案" } });

function decodeSecret(secret: string): Uint8Array {
  return Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0));
}

describe("newWebhookSecret", () => {
  it("is whsec_ + standard base64 of 24 random bytes, different every time", () => {
    const secrets = new Set(Array.from({ length: 20 }, () => newWebhookSecret()));
    expect(secrets.size).toBe(20);
    for (const s of secrets) {
      expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(decodeSecret(s)).toHaveLength(24);
    }
  });
});

describe("signatureHeaders verified by the standardwebhooks library", () => {
  it("produces the three headers and verifies as an independent receiver would", async () => {
    const secret = newWebhookSecret();
    const headers = await signatureHeaders("evt_01TEST", BODY, [secret]);
    expect(Object.keys(headers).sort()).toEqual(["webhook-id", "webhook-signature", "webhook-timestamp"]);
    expect(headers["webhook-id"]).toBe("evt_01TEST");
    expect(headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it("matches the library's own signature for the same id, time and body", async () => {
    const secret = newWebhookSecret();
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const headers = await signatureHeaders("msg_1", BODY, [secret], at);
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers["webhook-signature"]).toBe(new Webhook(secret).sign("msg_1", at, BODY));
  });

  it("fails verification for a tampered body, id or signature, or another secret", async () => {
    const secret = newWebhookSecret();
    const headers = await signatureHeaders("evt_01TEST", BODY, [secret]);
    const wh = new Webhook(secret);
    expect(() => wh.verify(BODY.replace("备案", "篡改"), headers)).toThrow(WebhookVerificationError);
    expect(() => wh.verify(`${BODY} `, headers)).toThrow("No matching signature found");
    expect(() => wh.verify(BODY, { ...headers, "webhook-id": "evt_other" })).toThrow("No matching signature found");
    const sig = headers["webhook-signature"] as string;
    const flipped = `v1,${sig.charAt(3) === "A" ? "B" : "A"}${sig.slice(4)}`;
    expect(() => wh.verify(BODY, { ...headers, "webhook-signature": flipped })).toThrow("No matching signature found");
    expect(() => new Webhook(newWebhookSecret()).verify(BODY, headers)).toThrow("No matching signature found");
  });

  it("fails verification for a stale or a future timestamp (receivers reject replays)", async () => {
    const secret = newWebhookSecret();
    const wh = new Webhook(secret);
    const old = await signatureHeaders("evt_01TEST", BODY, [secret], new Date(Date.now() - 10 * 60_000));
    expect(() => wh.verify(BODY, old)).toThrow("Message timestamp too old");
    const future = await signatureHeaders("evt_01TEST", BODY, [secret], new Date(Date.now() + 10 * 60_000));
    expect(() => wh.verify(BODY, future)).toThrow("Message timestamp too new");
    // Re-using an old signature with a fresh timestamp does not verify either.
    const fresh = await signatureHeaders("evt_01TEST", BODY, [secret]);
    expect(() => wh.verify(BODY, { ...old, "webhook-timestamp": fresh["webhook-timestamp"] as string })).toThrow(
      "No matching signature found",
    );
  });

  it("with two secrets (rotation) sends two signatures and each secret verifies alone", async () => {
    const current = newWebhookSecret();
    const previous = newWebhookSecret();
    const headers = await signatureHeaders("evt_01TEST", BODY, [current, previous]);
    const parts = (headers["webhook-signature"] as string).split(" ");
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(p).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(parts[0]).not.toBe(parts[1]);
    expect(new Webhook(current).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(previous).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(newWebhookSecret()).verify(BODY, headers)).toThrow("No matching signature found");
    // Each signature is the one a single-secret attempt at the same time would carry.
    const at = new Date(Number(headers["webhook-timestamp"]) * 1000);
    expect(parts[0]).toBe((await signatureHeaders("evt_01TEST", BODY, [current], at))["webhook-signature"]);
    expect(parts[1]).toBe((await signatureHeaders("evt_01TEST", BODY, [previous], at))["webhook-signature"]);
  });

  it("signs every attempt afresh: same webhook-id, new timestamp, new signature", async () => {
    const secret = newWebhookSecret();
    const wh = new Webhook(secret);
    const t0 = Date.now();
    const first = await signatureHeaders("evt_01TEST", BODY, [secret], new Date(t0 - 60_000));
    const second = await signatureHeaders("evt_01TEST", BODY, [secret], new Date(t0));
    expect(second["webhook-id"]).toBe(first["webhook-id"]);
    expect(Number(second["webhook-timestamp"]) - Number(first["webhook-timestamp"])).toBe(60);
    expect(second["webhook-signature"]).not.toBe(first["webhook-signature"]);
    expect(wh.verify(BODY, first)).toEqual(JSON.parse(BODY));
    expect(wh.verify(BODY, second)).toEqual(JSON.parse(BODY));
    // The same instant signs the same way: the signature depends only on id, time, body and secret.
    expect(await signatureHeaders("evt_01TEST", BODY, [secret], new Date(t0))).toEqual(second);
  });

  it("signs non-ASCII bodies over their UTF-8 bytes", async () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ name: "深圳市示例科技有限公司", emoji: "🚀" });
    const headers = await signatureHeaders("evt_utf8", body, [secret]);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });
});
