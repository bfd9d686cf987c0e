import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ConfigError, configOf } from "../../src/config";
import { DEFAULT_SCHEDULE } from "../../src/webhooks/schedule";

describe("configOf", () => {
  it("takes the documented defaults for unset vars", () => {
    expect(configOf({ PUBLIC_ORIGIN: "https://beian.example.com", AUDIT_KEY: env.AUDIT_KEY })).toEqual({
      development: false,
      publicOrigin: "https://beian.example.com",
      quotas: { individual: 5, organization: 50 },
      publicRateLimitPeriodS: 60,
      delivery: DEFAULT_SCHEDULE,
      dohUrl: null,
      faceVerification: "service_principal",
      identityProvider: null,
      certificateMinValidDays: 30,
      submissionsPerDay: 100,
    });
  });

  it("reads the face verification policy, and starts verifications with the simulator in development only", () => {
    const production = { PUBLIC_ORIGIN: "https://beian.example.com", AUDIT_KEY: env.AUDIT_KEY };
    expect(configOf({ ...production, FACE_VERIFICATION: "both" }).faceVerification).toBe("both");
    expect(configOf({ ...production, FACE_VERIFICATION: "off" }).faceVerification).toBe("off");
    expect(configOf({ ENVIRONMENT: "development" }).identityProvider).toBe("simulator");
    expect(configOf({ ENVIRONMENT: "development", IDENTITY_PROVIDER: "simulator" }).identityProvider).toBe("simulator");
    // Production refuses the simulator, which passes anyone who presses a button.
    expect(() => configOf({ IDENTITY_PROVIDER: "simulator" })).toThrow(ConfigError);
    expect(() => configOf({ ...production, ENVIRONMENT: "production", IDENTITY_PROVIDER: "simulator" })).toThrow(
      "IDENTITY_PROVIDER",
    );
  });

  it("reads every var", () => {
    const config = configOf({
      ENVIRONMENT: "development",
      QUOTA_INDIVIDUAL: "3",
      QUOTA_ORGANIZATION: " 200 ",
      PUBLIC_RATE_LIMIT_PERIOD: "10",
      WEBHOOK_TIMEOUT_MS: "1500",
      WEBHOOK_DOH_URL: "https://dns.google/resolve",
    });
    expect(config).toMatchObject({
      development: true,
      quotas: { individual: 3, organization: 200 },
      publicRateLimitPeriodS: 10,
      delivery: { timeoutMs: 1500 },
      dohUrl: "https://dns.google/resolve",
    });
  });

  it.each([
    [{ QUOTA_INDIVIDUAL: "abc" }, "QUOTA_INDIVIDUAL"],
    [{ QUOTA_INDIVIDUAL: "0" }, "QUOTA_INDIVIDUAL"],
    [{ QUOTA_ORGANIZATION: "-5" }, "QUOTA_ORGANIZATION"],
    [{ QUOTA_ORGANIZATION: "2.5" }, "QUOTA_ORGANIZATION"],
    [{ ENVIRONMENT: "dev" }, "ENVIRONMENT"],
    [{ PUBLIC_RATE_LIMIT_PERIOD: "30" }, "PUBLIC_RATE_LIMIT_PERIOD"],
    [{ WEBHOOK_TIMEOUT_MS: "fast" }, "WEBHOOK_TIMEOUT_MS"],
    [{ WEBHOOK_DOH_URL: "dns.google" }, "WEBHOOK_DOH_URL"],
    [{}, "PUBLIC_ORIGIN"],
    [{ PUBLIC_ORIGIN: "http://beian.example.com" }, "PUBLIC_ORIGIN"],
    [{ PUBLIC_ORIGIN: "https://beian.example.com/path" }, "PUBLIC_ORIGIN"],
    [{ PUBLIC_ORIGIN: "beian.example.com" }, "PUBLIC_ORIGIN"],
    [{ ENVIRONMENT: "development", PUBLIC_ORIGIN: "javascript:alert(1)" }, "PUBLIC_ORIGIN"],
    [{ ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://beian.example.com" }, "AUDIT_KEY"],
    [{ ENVIRONMENT: "development", AUDIT_KEY: "a1:c2hvcnQ=" }, "AUDIT_KEY"],
    [{ FACE_VERIFICATION: "sometimes" }, "FACE_VERIFICATION"],
    [{ IDENTITY_PROVIDER: "acme" }, "IDENTITY_PROVIDER"],
  ])("refuses %o, naming the variable", (vars, name) => {
    expect(() => configOf(vars)).toThrow(ConfigError);
    expect(() => configOf(vars)).toThrow(name);
  });

  it("reads PUBLIC_ORIGIN as an origin; development may leave it out, production may not", () => {
    expect(configOf({ PUBLIC_ORIGIN: " https://Beian.Example.com/ ", AUDIT_KEY: env.AUDIT_KEY }).publicOrigin).toBe(
      "https://beian.example.com",
    );
    expect(configOf({ ENVIRONMENT: "development" }).publicOrigin).toBeUndefined();
    expect(configOf({ ENVIRONMENT: "development", PUBLIC_ORIGIN: "http://localhost:8787" }).publicOrigin).toBe(
      "http://localhost:8787",
    );
  });

  it("parses a set of bindings once", () => {
    const vars = { QUOTA_INDIVIDUAL: "7", PUBLIC_ORIGIN: "https://beian.example.com", AUDIT_KEY: env.AUDIT_KEY };
    expect(configOf(vars)).toBe(configOf(vars));
  });

  it("fails every request loudly, not with a repaired default, when a var is bad", async () => {
    const app = createApp();
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("http://beian.test/health"), { ...env, QUOTA_INDIVIDUAL: "five" }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});
