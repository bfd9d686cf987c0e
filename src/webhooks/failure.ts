import type { FieldCode } from "../domain/problems";

/**
 * Why a webhook POST did not deliver, in words a developer can act on (docs/rules.md#webhooks): the test ping
 * answers with it and each delivery records it as its `lastError`. Pure: the caller hands in what fetch rejected
 * with or the status it answered.
 */
export const DELIVERY_FAILURE_KINDS = ["dns", "connect", "tls", "timeout", "status", "refused_address"] as const;
export type DeliveryFailureKind = (typeof DELIVERY_FAILURE_KINDS)[number];
export type DeliveryFailure = { kind: DeliveryFailureKind; message: string };

/** What a rejected fetch carries that classification reads. */
export type FetchError = { name: string; message: string };

/** `name` and `message` of whatever fetch rejected with (workerd rejects with Error and DOMException objects). */
export function fetchErrorOf(e: unknown): FetchError {
  if (e instanceof Error || e instanceof DOMException) return { name: e.name, message: e.message };
  return { name: "Error", message: String(e) };
}

/**
 * workerd reports a failed DNS lookup and a failed TLS handshake alike, as "internal error; reference = …" (it logs
 * the cause and keeps it from the Worker). Over http only the lookup can have failed; over https the caller asks
 * whether the host resolves at all (`lookupProbeUrl`) and passes the answer to `classifyFetchError`.
 */
export function isOpaqueFailure(error: FetchError): boolean {
  return /^internal error\b/i.test(error.message);
}

/**
 * Where to ask whether an https URL's host resolves: the same host and port over plain http. Any answer there,
 * even a refused connection, means the name resolved, so the https failure was the handshake. Null for http URLs.
 */
export function lookupProbeUrl(url: string): string | null {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:") return null;
  // The parser keeps an IPv6 host in its brackets.
  return `http://${parsed.hostname}:${parsed.port || "443"}/`;
}

const DNS = /ENOTFOUND|EAI_AGAIN|getaddrinfo|lookup address|name or service not known|dns|resolv/i;
const TLS = /tls|ssl|certificate|handshake|CERT_|self[- ]signed/i;
const CONNECT =
  /network connection lost|connection (refused|reset|closed)|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket|disconnected/i;

/**
 * Classifies what fetch rejected with. `timeoutMs` is the attempt's limit (for the message); `hostResolves` is the
 * lookup probe's finding for an opaque failure over https (see `isOpaqueFailure`), undefined when none was made.
 * The shapes workerd produces: TimeoutError (AbortSignal.timeout), "Network connection lost." (refused, reset or
 * closed before an answer) and "internal error; reference = …" (lookup or handshake); other runtimes name the cause
 * (ENOTFOUND, ECONNREFUSED, certificate …), read by their words.
 */
export function classifyFetchError(
  error: FetchError,
  { https, timeoutMs, hostResolves }: { https: boolean; timeoutMs: number; hostResolves?: boolean },
): DeliveryFailure {
  if (error.name === "TimeoutError" || /due to timeout|timed? ?out/i.test(error.message)) {
    return { kind: "timeout", message: `no answer within ${timeoutMs} ms` };
  }
  if (error.name === "AbortError") return { kind: "timeout", message: "the request was aborted before an answer" };
  if (isOpaqueFailure(error)) {
    if (!https || hostResolves === false) return dns();
    if (hostResolves === true) return tls();
    return { kind: "dns", message: "the host name did not resolve, or the TLS handshake failed" };
  }
  if (DNS.test(error.message)) return dns();
  if (TLS.test(error.message)) return tls();
  if (CONNECT.test(error.message)) {
    return { kind: "connect", message: "the connection was refused or closed before an answer" };
  }
  return { kind: "connect", message: `the request failed: ${error.name}: ${error.message}` };
}

const dns = (): DeliveryFailure => ({ kind: "dns", message: "the host name did not resolve" });
const tls = (): DeliveryFailure => ({
  kind: "tls",
  message: "the TLS handshake failed (certificate, protocol, or no TLS on that port)",
});

/** A `410 Gone` answer disables the endpoint until its URL is set again: to an event and a ping alike. */
export const disablesEndpoint = (status: number): boolean => status === 410;

/** What an answer's status means: null for a 2xx (delivered), otherwise why it is not a delivery. */
export function classifyAnswer(status: number): DeliveryFailure | null {
  if (status >= 200 && status < 300) return null;
  if (disablesEndpoint(status)) {
    return { kind: "status", message: "the endpoint answered 410 Gone: it is disabled until its URL is set again" };
  }
  if (status >= 300 && status < 400) {
    return { kind: "status", message: `the endpoint answered ${status}, a redirect, which is not followed` };
  }
  return { kind: "status", message: `the endpoint answered ${status}` };
}

/** A URL the webhook URL policy refuses (`webhookUrlProblem`), found before anything is sent. */
export function refusedAddress(problem: FieldCode): DeliveryFailure {
  return {
    kind: "refused_address",
    message:
      problem === "WEBHOOK_URL_PRIVATE"
        ? "the URL points at a private, loopback or link-local address, which webhooks may not reach"
        : `the URL is not allowed for webhooks (${problem}); set it again`,
  };
}

/** The failure as a delivery's `lastError` records it: "<kind>: <message>". */
export const describeFailure = (failure: DeliveryFailure): string => `${failure.kind}: ${failure.message}`;
