import type { FieldCode } from "../domain/problems";
/**
 * Where a webhook may point (docs/rules.md#webhooks): https only; never `localhost` or a literal private, loopback, link-local or
 * otherwise non-public address. In development mode http and loopback are allowed, private ranges never.
 * Returns the problem code, or null when the URL is acceptable.
 *
 * Literal addresses are classified from the URL parser's own serialization: WHATWG URL parsing turns every IPv4
 * spelling (decimal, hex, octal, short forms) into dotted decimal and every IPv6 address into lower-case hex groups,
 * so only those two forms need reading here.
 */
export function webhookUrlProblem(raw: string, development: boolean): FieldCode | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "INVALID_FORMAT";
  }
  if (url.protocol !== "https:" && !(development && url.protocol === "http:")) return "WEBHOOK_URL_NOT_HTTPS";
  if (url.username || url.password) return "INVALID_FORMAT";
  // A trailing dot ("localhost.") names the same host.
  const host = url.hostname.replace(/\.+$/, "").toLowerCase();
  const kind = host.startsWith("[") ? ipv6Kind(host.slice(1, -1)) : ipv4Kind(host);
  const loopback = kind === "loopback" || (kind === null && (host === "localhost" || host.endsWith(".localhost")));
  if (loopback) return development ? null : "WEBHOOK_URL_PRIVATE";
  return kind === "non-public" ? "WEBHOOK_URL_PRIVATE" : null;
}

type AddressKind = "public" | "loopback" | "non-public";

/** IPv4 blocks that are not public unicast (IANA special-purpose registry): [first octets as a number, prefix]. */
const IPV4_NON_PUBLIC: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // this network
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // shared address space (carrier-grade NAT)
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

function ipv4Number(dotted: string): number | null {
  const parts = dotted.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function ipv4Kind(host: string): AddressKind | null {
  const n = ipv4Number(host);
  return n === null ? null : classifyIpv4(n);
}

function classifyIpv4(n: number): AddressKind {
  if (n >>> 24 === 127) return "loopback";
  for (const [base, bits] of IPV4_NON_PUBLIC) {
    const size = 2 ** (32 - bits);
    if (Math.floor(n / size) === Math.floor((ipv4Number(base) as number) / size)) return "non-public";
  }
  return "public";
}

/** Eight 16-bit groups from the URL parser's IPv6 serialization (hex groups, at most one "::"). */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const read = (part: string | undefined) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const head = read(halves[0]);
  const tail = read(halves[1]);
  const groups = halves.length === 2 ? [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail] : head;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function ipv6Kind(text: string): AddressKind | null {
  const g = ipv6Groups(text);
  if (!g) return null;
  const zeros = (count: number) => g.slice(0, count).every((x) => x === 0);
  if (zeros(7) && g[7] === 1) return "loopback"; // ::1
  // ::ffff:a.b.c.d is that IPv4 address.
  if (zeros(5) && g[5] === 0xffff) return classifyIpv4((g[6] as number) * 65536 + (g[7] as number));
  const first = g[0] as number;
  // Only global unicast (2000::/3) is public, less its documentation (2001:db8::/32, 3fff::/20), Teredo (2001::/32)
  // and 6to4 (2002::/16) blocks, which stand for or tunnel to other addresses.
  if (first >> 13 !== 1) return "non-public";
  const second = g[1] as number;
  if (first === 0x2002 || (first === 0x2001 && (second === 0 || second === 0xdb8))) return "non-public";
  if (first === 0x3fff && second >> 12 === 0) return "non-public";
  return "public";
}
