import type { FieldCode } from "../domain/problems";
import { hostKind, isAddressLiteral, webhookHost, webhookUrlProblem } from "./url";

/**
 * What a webhook host resolves to, for the check that its addresses are public (docs/rules.md#webhooks). A Worker
 * cannot ask the system resolver, so production asks a DNS-over-HTTPS service (`dohResolver`); tests hand in a stub.
 * `addresses` answers every A and AAAA address of the name (after CNAMEs), `[]` for a name with none (NXDOMAIN
 * included), and throws `ResolveError` when the service could not answer.
 */
export type HostResolver = { addresses(host: string): Promise<string[]> };

export class ResolveError extends Error {
  override name = "ResolveError";
}

/** The DNS-over-HTTPS service production asks unless `WEBHOOK_DOH_URL` names another. */
export const DEFAULT_DOH_URL = "https://cloudflare-dns.com/dns-query";
const DOH_TIMEOUT_MS = 3000;
const RECORD_TYPES = [
  ["A", 1],
  ["AAAA", 28],
] as const;

type DohAnswer = { Status?: number; Answer?: { type?: number; data?: string }[] };

/**
 * A resolver over DNS over HTTPS in its JSON form (`?name=&type=`, `accept: application/dns-json`), as Cloudflare's
 * and Google's services answer it: one query for A and one for AAAA.
 */
export function dohResolver(endpoint: string, fetcher: typeof fetch = fetch): HostResolver {
  return {
    async addresses(host) {
      const answers = await Promise.all(
        RECORD_TYPES.map(async ([name, code]) => {
          const url = new URL(endpoint);
          url.searchParams.set("name", host);
          url.searchParams.set("type", name);
          let body: DohAnswer;
          try {
            const res = await fetcher(url.toString(), {
              headers: { accept: "application/dns-json" },
              signal: AbortSignal.timeout(DOH_TIMEOUT_MS),
            });
            if (!res.ok) throw new ResolveError(`DNS over HTTPS answered ${res.status}`);
            body = (await res.json()) as DohAnswer;
          } catch (e) {
            throw e instanceof ResolveError ? e : new ResolveError(`DNS over HTTPS failed: ${String(e)}`);
          }
          // NOERROR and NXDOMAIN are answers; SERVFAIL and the rest are not.
          if (body.Status !== 0 && body.Status !== 3) throw new ResolveError(`DNS status ${body.Status}`);
          return (body.Answer ?? []).filter((a) => a.type === code && typeof a.data === "string").map((a) => a.data);
        }),
      );
      return answers.flat() as string[];
    },
  };
}

/** The resolver a deployment uses: its DoH service in production; in development only one configured. */
export function resolverFor(config: { development: boolean; dohUrl: string | null }): HostResolver | null {
  if (config.dohUrl) return dohResolver(config.dohUrl);
  return config.development ? null : dohResolver(DEFAULT_DOH_URL);
}

/** An answer's kind: an IPv4 address as dotted decimal, an IPv6 one in brackets as a URL would carry it. */
function addressKind(address: string) {
  return hostKind(address.includes(":") ? `[${address.toLowerCase()}]` : address);
}

export type UrlRefusal = { code: FieldCode } | { unresolved: string } | null;

/**
 * The whole webhook URL policy: the spelling (`webhookUrlProblem`), then, for a name, what it resolves to — any
 * private, link-local or other non-public answer refuses it, a loopback one outside development. Checked when the
 * URL is set and again before every POST, so a name that rebinds to an internal address after it was set is
 * caught at delivery. `{unresolved}` when the resolver could not answer (the caller decides: setting the URL
 * accepts it, a delivery does not go out).
 */
export async function webhookUrlRefusal(
  raw: string,
  { development, resolver }: { development: boolean; resolver: HostResolver | null },
): Promise<UrlRefusal> {
  const problem = webhookUrlProblem(raw, development);
  if (problem) return { code: problem };
  const host = webhookHost(new URL(raw));
  if (!resolver || isAddressLiteral(host)) return null;
  let addresses: string[];
  try {
    addresses = await resolver.addresses(host);
  } catch (e) {
    return { unresolved: e instanceof Error ? e.message : String(e) };
  }
  for (const address of addresses) {
    const kind = addressKind(address);
    if (kind === "non-public" || (kind === "loopback" && !development)) return { code: "WEBHOOK_URL_PRIVATE" };
  }
  return null;
}
