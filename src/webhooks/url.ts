import ipaddr from "ipaddr.js";

/**
 * Where a webhook may point (SPEC §7): https only; never `localhost` or a literal private, loopback, link-local or
 * otherwise non-public address. In development mode http and loopback are allowed, private ranges never.
 * Returns the problem code, or null when the URL is acceptable.
 */
export function webhookUrlProblem(raw: string, development: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "INVALID_FORMAT";
  }
  if (url.protocol !== "https:" && !(development && url.protocol === "http:")) return "WEBHOOK_URL_NOT_HTTPS";
  if (url.username || url.password) return "INVALID_FORMAT";
  // A trailing dot ("localhost.") names the same host.
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "")
    .toLowerCase();
  const loopbackName = host === "localhost" || host.endsWith(".localhost");
  if (ipaddr.isValid(host)) {
    let address = ipaddr.parse(host);
    if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
      address = (address as ipaddr.IPv6).toIPv4Address();
    }
    const range = address.range();
    if (range === "loopback") return development ? null : "WEBHOOK_URL_PRIVATE";
    if (range !== "unicast") return "WEBHOOK_URL_PRIVATE";
    return null;
  }
  if (loopbackName) return development ? null : "WEBHOOK_URL_PRIVATE";
  return null;
}
