// The test pool's bindings: the Worker's own (worker-configuration.d.ts, from `wrangler types`) and the migrations
// vitest.config.ts reads for test/setup.ts.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
