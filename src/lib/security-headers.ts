import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";

/**
 * The policy for HTML that brings none of its own: the API reference at /docs, whose Swagger UI scripts and styles
 * come from this Worker's static assets, sets inline styles and data: icons, and calls the API from the page.
 * The public pages send a stricter policy of their own (hashes of their one style and script), kept as it is.
 */
export const DEFAULT_HTML_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Powerful browser features no page of beian uses, turned off for the page and anything it might embed. */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "midi=()",
  "payment=()",
  "usb=()",
].join(", ");

/** One year; without includeSubDomains, which would bind every other host of the deployer's domain. */
export const HSTS = "max-age=31536000";

/**
 * Headers every answer carries: no content sniffing (a JSON or SVG body is never run as HTML or script), and a
 * referrer that tells other sites the origin only, never a search query in the URL; in production,
 * Strict-Transport-Security, so a browser that has been here once never speaks plain HTTP to the host again
 * (development serves http://localhost, where it would only get in the way). HTML gets a Content-Security-Policy
 * that forbids framing (clickjacking) when it has none, a Permissions-Policy turning off the features it does not
 * use, and Cross-Origin-Opener-Policy `same-origin`, so a window it opens or that opens it shares no browsing
 * context with another site. An SVG badge is meant to be embedded, as an image, and keeps its own policy.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    let headers = c.res.headers;
    const set = (name: string, value: string) => {
      if (headers.has(name)) return;
      try {
        headers.set(name, value);
      } catch {
        // Headers of a response fetched from elsewhere (the asset binding) are immutable: answer with a copy.
        c.res = new Response(c.res.body, c.res);
        headers = c.res.headers;
        headers.set(name, value);
      }
    };
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "strict-origin-when-cross-origin");
    // Settings that failed to parse leave no config: the answer is a 500, still sent as production would send it.
    if (!c.get("config")?.development) set("strict-transport-security", HSTS);
    if (/^text\/html\b/i.test(headers.get("content-type") ?? "")) {
      set("content-security-policy", DEFAULT_HTML_CSP);
      set("x-frame-options", "DENY");
      set("permissions-policy", PERMISSIONS_POLICY);
      set("cross-origin-opener-policy", "same-origin");
    }
  };
}
