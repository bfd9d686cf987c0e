import type { FieldCode } from "../domain/problems";
/**
 * Where a webhook may point, by the URL's spelling (docs/rules.md#webhooks): https only; never a host that is or
 * names a private, loopback, link-local or otherwise non-public address (`hostKind`). In development mode http and
 * loopback are allowed, private ranges never. What the name resolves to is `webhookUrlRefusal`'s part.
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
  const kind = hostKind(webhookHost(url));
  if (kind === "loopback") return development ? null : "WEBHOOK_URL_PRIVATE";
  return kind === "non-public" ? "WEBHOOK_URL_PRIVATE" : null;
}

/** The URL's host as the rules read it: lower-case, without the trailing dot that names the same host. */
export function webhookHost(url: URL): string {
  return url.hostname.replace(/\.+$/, "").toLowerCase();
}

/** Whether the host is an address literal (IPv4 as the parser serializes it, or bracketed IPv6), not a name. */
export function isAddressLiteral(host: string): boolean {
  return host.startsWith("[") || ipv4Number(host) !== null;
}

export type AddressKind = "public" | "loopback" | "non-public";

/**
 * Names for private networks, never public (RFC 6761, RFC 6762, RFC 8375, ICANN's `.internal`, and the suffixes
 * RFC 6762 Appendix G lists as in private use): a webhook host under one is internal whatever it resolves to.
 */
const INTERNAL_SUFFIXES = ["local", "internal", "home.arpa", "corp", "home", "lan", "intranet", "localdomain"];

/**
 * What a host is by its spelling: an address literal's kind; `localhost` and `*.localhost` are loopback; a
 * single-label name or one under an internal suffix is non-public; a name whose labels spell an address
 * (`10.0.0.1.nip.io`, `10-0-0-1.sslip.io`, `a9fea9fe.nip.io`, `app-7f000001.nip.io`, `fd00--1.sslip.io`, as
 * wildcard DNS services resolve them) has that address's kind, the least public one when it spells several.
 * Other names are public as far as their spelling tells.
 */
export function hostKind(host: string): AddressKind {
  if (host.startsWith("[")) return ipv6Kind(host.slice(1, -1)) ?? "non-public";
  const literal = ipv4Kind(host);
  if (literal) return literal;
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  if (!host.includes(".")) return "non-public";
  if (INTERNAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) return "non-public";
  return leastPublic(embeddedAddresses(host.split(".")));
}

const RANK: Record<AddressKind, number> = { public: 0, loopback: 1, "non-public": 2 };

function leastPublic(kinds: AddressKind[]): AddressKind {
  return kinds.reduce<AddressKind>((worst, k) => (RANK[k] > RANK[worst] ? k : worst), "public");
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The kinds of every address a name's labels spell, in the forms wildcard DNS services read. */
function embeddedAddresses(labels: string[]): AddressKind[] {
  const out: AddressKind[] = [];
  // Four decimal labels in a row: 10.0.0.1.nip.io, app.192.168.1.2.sslip.io.
  for (let i = 0; i + 4 <= labels.length; i++) {
    const quad = labels.slice(i, i + 4);
    if (quad.every((l) => OCTET.test(l))) out.push(classifyIpv4(ipv4Number(quad.join(".")) as number));
  }
  for (const label of labels) {
    const parts = label.split("-");
    // Four decimal parts in a row within a label: 10-0-0-1, app-10-0-0-1, 10-0-0-1-app.
    for (let i = 0; i + 4 <= parts.length; i++) {
      const quad = parts.slice(i, i + 4);
      if (quad.every((p) => OCTET.test(p))) out.push(classifyIpv4(ipv4Number(quad.join(".")) as number));
    }
    // Eight hex digits: a9fea9fe, app-a9fea9fe.
    for (const part of parts) {
      if (/^[0-9a-f]{8}$/.test(part)) out.push(classifyIpv4(Number.parseInt(part, 16)));
    }
    // IPv6 with dashes for colons (sslip.io): fd00--1, 2001-db8--1, --1.
    if (/^[0-9a-f-]+$/.test(label) && (label.includes("--") || parts.length === 8)) {
      const kind = ipv6Kind(label.replace(/-/g, ":"));
      if (kind) out.push(kind);
    }
  }
  return out;
}

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

export function ipv4Kind(host: string): AddressKind | null {
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

export function ipv6Kind(text: string): AddressKind | null {
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
