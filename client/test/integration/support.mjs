// What the client's runs against the service need of Node: the service (wrangler dev on private state and its own
// port, as the reliability checks start it), a webhook receiver on 127.0.0.1, valid files and identifiers.
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import { pdf, png } from "../../../scripts/material-files.mjs";
import { prepareState, startService } from "../../../scripts/service.mjs";
import { KEYS, mobile, residentId, unique, uscc } from "../../../test/reliability/lib.mjs";

export { KEYS, mobile, pdf, png, residentId, unique, uscc };

/** The service with migrations applied and the demo accounts seeded, on 127.0.0.1:`port`. */
export async function startBeian(port) {
  const state = await prepareState();
  const service = await startService({ state, port });
  return {
    url: service.url,
    async stop() {
      await service.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** A webhook receiver on 127.0.0.1 (a free port) keeping each request's headers and raw body; it answers 204. */
export async function startReceiver() {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    received,
    /** Resolves once `test(received)` holds, or rejects after `timeoutMs`. */
    async until(test, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!test(received)) {
        if (Date.now() > deadline) throw new Error(`the receiver waited ${timeoutMs / 1000} s in vain`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
