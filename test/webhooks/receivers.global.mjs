// Real receivers for the webhook tests, in Node beside the test pool (vitest globalSetup): the Worker's fetch in
// workerd reaches them over loopback, so the tests see the errors workerd really produces. Their ports reach the
// tests through `inject("webhookReceivers")` (test/webhooks/receivers.d.ts).
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

/** @param {import("vitest/node").TestProject} project */
export default async function setup(project) {
  // Answers every request with the status its path starts with (`/410/…` → 410), 200 otherwise.
  const answering = createServer((req, res) => {
    req.resume();
    res.writeHead(Number(/^\/([1-5]\d\d)(\/|$)/.exec(req.url ?? "")?.[1] ?? 200)).end();
  });
  // Accepts the connection, reads the request and never answers.
  const sockets = new Set();
  const stalling = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  // A port nothing listens on: bound once, then released.
  const released = createTcpServer();
  const closed = await listen(released);
  await new Promise((resolve) => released.close(resolve));
  project.provide("webhookReceivers", { answering: await listen(answering), stalling: await listen(stalling), closed });
  return async () => {
    for (const socket of sockets) socket.destroy();
    answering.closeAllConnections();
    await Promise.all([answering, stalling].map((s) => new Promise((resolve) => s.close(resolve))));
  };
}
