// Webhook hosts: no URL reaches an internal address, however it is spelled or whatever its name resolves to.
// - the URLs an attacker's probe got stored (names spelling private addresses, internal names) are refused;
// - names a stub DNS-over-HTTPS service answers with private, link-local or unique-local addresses are refused when
//   the URL is set (the service runs with WEBHOOK_DOH_URL pointing at the stub);
// - a name that answered a public address when it was set and a private one later (rebinding) is refused at the
//   ping, before anything is sent.
import { createServer } from "node:http";
import { call, expectEq, newAccount, serviceFor } from "../lib.mjs";

const PORT = 8951;
const DOH_PORT = 8952;

/** The service resolves webhook hosts through the stub below (a service shared with other checks too). */
export const serviceVars = { WEBHOOK_DOH_URL: `http://127.0.0.1:${DOH_PORT}/dns-query` };

/** The URLs refused by their spelling. */
const SPELLED = [
  "https://10.0.0.1.nip.io/x",
  "https://169.254.169.254.nip.io/latest",
  "https://a9fea9fe.nip.io/",
  "https://metadata.google.internal/x",
  "https://internal.corp/x",
  "https://10-0-0-1.sslip.io/x",
  "https://app-192-168-1-20.sslip.io/x",
  "https://fd00--1.sslip.io/x",
  "https://printer.local/x",
  "https://router.home.arpa/x",
  "https://nas.lan/x",
  "https://receiver/x",
  "https://10.0.0.1/x",
  "https://[::ffff:169.254.169.254]/x",
];

/** Names the stub resolver answers with non-public addresses: [name, type, address]. */
const RESOLVED = [
  ["hooks.private.test", "A", "10.0.0.7"],
  ["metadata.private.test", "A", "169.254.169.254"],
  ["shared.private.test", "A", "100.64.1.1"],
  ["v6.private.test", "AAAA", "fd00::1"],
];

/** A DoH service in JSON form answering from RESOLVED; `rebind.test` answers public until `rebound` is set. */
function stubResolver() {
  const state = { rebound: false, queries: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const name = url.searchParams.get("name") ?? "";
    const type = url.searchParams.get("type") ?? "A";
    state.queries++;
    const answers = [];
    for (const [n, t, address] of RESOLVED) {
      if (n === name && t === type) answers.push({ name, type: t === "A" ? 1 : 28, data: address });
    }
    if (name === "rebind.test" && type === "A") {
      answers.push({ name, type: 1, data: state.rebound ? "192.168.0.10" : "93.184.216.34" });
    }
    if (name === "hooks.public.test" && type === "A") answers.push({ name, type: 1, data: "93.184.216.34" });
    res.writeHead(200, { "content-type": "application/dns-json" }).end(JSON.stringify({ Status: 0, Answer: answers }));
  });
  return {
    state,
    up: () => new Promise((resolve) => server.listen(DOH_PORT, "127.0.0.1", resolve)),
    down: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const codeOf = (res) => res.body?.errors?.[0]?.code;

export async function check({ log, shared }) {
  const notes = [];
  const doh = stubResolver();
  await doh.up();
  let service;
  try {
    service = await serviceFor(shared, { port: PORT, vars: serviceVars });
    const url = service.url;
    const dev = await newAccount(url, "developer");
    const put = (target) => call(url, "/v1/webhook", { key: dev.key, method: "PUT", body: { url: target } });

    let spelled = 0;
    for (const target of SPELLED) {
      const res = await put(target);
      if (res.status === 422 && codeOf(res) === "WEBHOOK_URL_PRIVATE") spelled++;
      else notes.push(`stored: ${target} (${res.status} ${codeOf(res) ?? ""})`);
    }
    log(`${spelled}/${SPELLED.length} spelled URLs refused`);

    const queriesBefore = doh.state.queries;
    let resolved = 0;
    for (const [name] of RESOLVED) {
      const res = await put(`https://${name}/hook`);
      if (res.status === 422 && codeOf(res) === "WEBHOOK_URL_PRIVATE") resolved++;
      else notes.push(`stored: ${name} (${res.status})`);
    }
    const asked = doh.state.queries - queriesBefore;
    log(`${resolved}/${RESOLVED.length} names resolving to private addresses refused (${asked} DNS queries)`);

    const publicName = await put("https://hooks.public.test/hook");
    // Set while it answers a public address, then rebound: the ping checks again and sends nothing.
    const rebindSet = await put("https://rebind.test/hook");
    doh.state.rebound = true;
    const ping = await call(url, "/v1/webhook/test", { key: dev.key, method: "POST" });
    log(`rebound name: set ${rebindSet.status}, ping ${JSON.stringify(ping.body?.error ?? ping.body)}`);

    return {
      name: "ssrf",
      ok: true,
      figures: {
        "spelled URLs refused (nip.io, sslip.io, hex, internal names, literals)": expectEq(spelled, SPELLED.length),
        "names resolving to private addresses refused": expectEq(resolved, RESOLVED.length),
        "DNS queries made for them (A and AAAA each)": expectEq(asked, RESOLVED.length * 2),
        "a public name accepted": expectEq(publicName.status === 201 || publicName.status === 200, true),
        "a rebound name refused at the ping": expectEq(ping.body?.error?.kind, "refused_address"),
        "nothing sent to the rebound name": expectEq(ping.body?.status, 0),
      },
      notes,
    };
  } finally {
    await service?.close();
    await doh.down();
  }
}
