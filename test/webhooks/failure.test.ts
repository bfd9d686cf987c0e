import { describe, expect, it } from "vitest";
import {
  classifyAnswer,
  classifyFetchError,
  describeFailure,
  disablesEndpoint,
  fetchErrorOf,
  isOpaqueFailure,
  lookupProbeUrl,
  refusedAddress,
} from "../../src/webhooks/failure";

// The shapes workerd's fetch rejects with, as observed against real endpoints (test/webhooks/routes.test.ts drives
// the same through the route): a closed port, a reset, a hang-up and a non-HTTP answer all read "Network connection
// lost."; a name that does not resolve and a failed TLS handshake both read "internal error; reference = <id>".
const WORKERD = {
  connectionLost: { name: "Error", message: "Network connection lost." },
  opaque: { name: "Error", message: "internal error; reference = guojonr3sndoqpka34tdvse5" },
  timeout: { name: "TimeoutError", message: "The operation was aborted due to timeout" },
  aborted: { name: "AbortError", message: "The operation was aborted" },
};
const http = { https: false, timeoutMs: 10_000 };
const https = { https: true, timeoutMs: 10_000 };

describe("classifyFetchError", () => {
  it("reads workerd's timeout, abort and lost connection", () => {
    expect(classifyFetchError(WORKERD.timeout, { https: true, timeoutMs: 2500 })).toEqual({
      kind: "timeout",
      message: "no answer within 2500 ms",
    });
    expect(classifyFetchError(WORKERD.aborted, http).kind).toBe("timeout");
    expect(classifyFetchError(WORKERD.connectionLost, http)).toEqual({
      kind: "connect",
      message: "the connection was refused or closed before an answer",
    });
    expect(classifyFetchError({ ...WORKERD.connectionLost, name: "TypeError" }, https).kind).toBe("connect");
  });

  it("an opaque failure is DNS over http; over https the lookup probe decides between DNS and TLS", () => {
    expect(isOpaqueFailure(WORKERD.opaque)).toBe(true);
    expect(isOpaqueFailure(WORKERD.connectionLost)).toBe(false);
    expect(classifyFetchError(WORKERD.opaque, http)).toEqual({ kind: "dns", message: "the host name did not resolve" });
    expect(classifyFetchError(WORKERD.opaque, { ...https, hostResolves: false }).kind).toBe("dns");
    expect(classifyFetchError(WORKERD.opaque, { ...https, hostResolves: true }).kind).toBe("tls");
    // No finding (the probe timed out): DNS, saying it may be either.
    expect(classifyFetchError(WORKERD.opaque, https)).toEqual({
      kind: "dns",
      message: "the host name did not resolve, or the TLS handshake failed",
    });
  });

  it("reads the causes other runtimes name, and keeps the words of anything unknown", () => {
    expect(classifyFetchError({ name: "Error", message: "getaddrinfo ENOTFOUND hooks.example" }, https).kind).toBe(
      "dns",
    );
    expect(classifyFetchError({ name: "Error", message: "connect ECONNREFUSED 1.2.3.4:443" }, https).kind).toBe(
      "connect",
    );
    expect(classifyFetchError({ name: "Error", message: "self-signed certificate" }, https).kind).toBe("tls");
    expect(classifyFetchError({ name: "RangeError", message: "something new" }, https)).toEqual({
      kind: "connect",
      message: "the request failed: RangeError: something new",
    });
  });

  it("fetchErrorOf takes Errors, DOMExceptions and anything else", () => {
    expect(fetchErrorOf(new DOMException("The operation was aborted due to timeout", "TimeoutError"))).toEqual(
      WORKERD.timeout,
    );
    expect(fetchErrorOf(new TypeError("Network connection lost."))).toEqual({
      name: "TypeError",
      message: "Network connection lost.",
    });
    expect(fetchErrorOf("boom")).toEqual({ name: "Error", message: "boom" });
  });
});

describe("lookupProbeUrl", () => {
  it("asks the same host and port over plain http, for https URLs only", () => {
    expect(lookupProbeUrl("https://hooks.example/beian?x=1")).toBe("http://hooks.example:443/");
    expect(lookupProbeUrl("https://hooks.example:8443/a")).toBe("http://hooks.example:8443/");
    expect(lookupProbeUrl("https://[2001:4860::8888]/a")).toBe("http://[2001:4860::8888]:443/");
    expect(lookupProbeUrl("http://hooks.example/a")).toBeNull();
  });
});

describe("classifyAnswer", () => {
  it("a 2xx delivers; a redirect, 410 and every other status are status failures", () => {
    expect(classifyAnswer(200)).toBeNull();
    expect(classifyAnswer(204)).toBeNull();
    expect(classifyAnswer(301)).toEqual({
      kind: "status",
      message: "the endpoint answered 301, a redirect, which is not followed",
    });
    expect(classifyAnswer(410)?.message).toContain("disabled");
    expect(classifyAnswer(500)).toEqual({ kind: "status", message: "the endpoint answered 500" });
    expect(disablesEndpoint(410)).toBe(true);
    expect(disablesEndpoint(404)).toBe(false);
  });
});

describe("refusedAddress and describeFailure", () => {
  it("names the policy's problem and records kind and message in one line", () => {
    expect(refusedAddress("WEBHOOK_URL_PRIVATE").kind).toBe("refused_address");
    expect(refusedAddress("WEBHOOK_URL_NOT_HTTPS").message).toContain("WEBHOOK_URL_NOT_HTTPS");
    expect(describeFailure({ kind: "dns", message: "the host name did not resolve" })).toBe(
      "dns: the host name did not resolve",
    );
  });
});
