import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ConfigError, configOf } from "../../src/config";
import { DEFAULT_SCHEDULE } from "../../src/webhooks/schedule";

describe("configOf", () => {
  it("takes the documented defaults for unset vars", () => {
    expect(configOf({ AUDIT_KEY: env.AUDIT_KEY })).toEqual({
      development: false,
      quotas: { individual: 5, organization: 50 },
      publicRateLimitPeriodS: 60,
      delivery: DEFAULT_SCHEDULE,
      dohUrl: null,
    });
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
    [{ ENVIRONMENT: "production" }, "AUDIT_KEY"],
    [{ ENVIRONMENT: "development", AUDIT_KEY: "a1:c2hvcnQ=" }, "AUDIT_KEY"],
  ])("refuses %o, naming the variable", (vars, name) => {
    expect(() => configOf(vars)).toThrow(ConfigError);
    expect(() => configOf(vars)).toThrow(name);
  });

  it("parses a set of bindings once", () => {
    const vars = { QUOTA_INDIVIDUAL: "7", AUDIT_KEY: env.AUDIT_KEY };
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
