// `npm run client:test`: the client's tests, those against a fake fetch and those against the running service
// (integration/: wrangler dev on private state). `npm test` runs the first kind only (the root vitest.config.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "client",
    environment: "node",
    include: ["client/test/**/*.test.ts"],
    // Starting wrangler dev takes a while on a busy machine; each call then waits on the service.
    hookTimeout: 180_000,
    testTimeout: 60_000,
  },
});
