import { describe, expect, it } from "vitest";
import { dohResolver, type HostResolver, ResolveError, webhookUrlRefusal } from "../../src/webhooks/resolver";

/** A resolver answering from a table; a name not in it has no addresses. Records what it was asked. */
function stubResolver(table: Record<string, string[] | Error>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async addresses(host) {
      asked.push(host);
      const answer = table[host];
      if (answer instanceof Error) throw answer;
      return answer ?? [];
    },
  };
}

const resolver = stubResolver({
  "private.example.com": ["93.184.216.34", "10.0.0.7"],
  "metadata.example.com": ["169.254.169.254"],
  "v6.example.com": ["2606:4700::1111", "fd00::1"],
  "mapped.example.com": ["::ffff:192.168.1.1"],
  "loop.example.com": ["127.0.0.1"],
  "public.example.com": ["93.184.216.34", "2606:4700::1111"],
  "down.example.com": new ResolveError("DNS over HTTPS answered 503"),
});

describe("webhookUrlRefusal: what a name resolves to", () => {
  it("refuses a name any of whose addresses is private, link-local or otherwise non-public, in both modes", async () => {
    for (const host of ["private", "metadata", "v6", "mapped"]) {
      for (const development of [false, true]) {
        expect(await webhookUrlRefusal(`https://${host}.example.com/h`, { development, resolver }), host).toEqual({
          code: "WEBHOOK_URL_PRIVATE",
        });
      }
    }
  });

  it("refuses a loopback answer outside development, and accepts public answers and names with none", async () => {
    const url = "https://loop.example.com/h";
    expect(await webhookUrlRefusal(url, { development: false, resolver })).toEqual({ code: "WEBHOOK_URL_PRIVATE" });
    expect(await webhookUrlRefusal(url, { development: true, resolver })).toBeNull();
    expect(await webhookUrlRefusal("https://public.example.com/h", { development: false, resolver })).toBeNull();
    expect(await webhookUrlRefusal("https://nothing.example.com/h", { development: false, resolver })).toBeNull();
  });

  it("reports a resolver that could not answer, and asks nothing for address literals or refused spellings", async () => {
    expect(await webhookUrlRefusal("https://down.example.com/h", { development: false, resolver })).toEqual({
      unresolved: "DNS over HTTPS answered 503",
    });
    const quiet = stubResolver({});
    expect(await webhookUrlRefusal("https://93.184.216.34/h", { development: false, resolver: quiet })).toBeNull();
    expect(await webhookUrlRefusal("https://10.0.0.1.nip.io/h", { development: false, resolver: quiet })).toEqual({
      code: "WEBHOOK_URL_PRIVATE",
    });
    expect(quiet.asked).toEqual([]);
  });
});

describe("dohResolver", () => {
  /** A DoH service answering JSON per record type, recording the queries. */
  function service(answers: Record<string, unknown> | ((type: string) => Response)) {
    const queries: string[] = [];
    const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      queries.push(
        `${url.searchParams.get("name")} ${url.searchParams.get("type")} ${new Headers(init?.headers).get("accept")}`,
      );
      const type = url.searchParams.get("type") as string;
      if (typeof answers === "function") return answers(type);
      return Response.json(answers[type]);
    }) as typeof fetch;
    return { fetcher, queries };
  }

  it("asks for A and AAAA in JSON and answers the addresses, CNAMEs aside", async () => {
    const { fetcher, queries } = service({
      A: {
        Status: 0,
        Answer: [
          { name: "hooks.example.com", type: 5, data: "edge.example.net." },
          { name: "edge.example.net", type: 1, data: "10.1.2.3" },
        ],
      },
      AAAA: { Status: 0, Answer: [{ name: "edge.example.net", type: 28, data: "2606:4700::1" }] },
    });
    const addresses = await dohResolver("https://doh.test/dns-query", fetcher).addresses("hooks.example.com");
    expect(addresses).toEqual(["10.1.2.3", "2606:4700::1"]);
    expect(queries.sort()).toEqual([
      "hooks.example.com A application/dns-json",
      "hooks.example.com AAAA application/dns-json",
    ]);
  });

  it("answers no addresses for NXDOMAIN and throws for a failed service", async () => {
    const nx = service({ A: { Status: 3 }, AAAA: { Status: 3 } });
    expect(await dohResolver("https://doh.test/q", nx.fetcher).addresses("nope.example.com")).toEqual([]);
    const servfail = service({ A: { Status: 2 }, AAAA: { Status: 0 } });
    await expect(dohResolver("https://doh.test/q", servfail.fetcher).addresses("x.example.com")).rejects.toThrow(
      ResolveError,
    );
    const down = service(() => new Response("busy", { status: 503 }));
    await expect(dohResolver("https://doh.test/q", down.fetcher).addresses("x.example.com")).rejects.toThrow(
      "DNS over HTTPS answered 503",
    );
  });
});
