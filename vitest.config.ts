import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./drizzle");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: "development",
            // Test-only secrets; development values live in .dev.vars.example.
            PII_KEY: "k1:7N9mE2sQ0pW4xV1bC8dF6gH3jK5lZ7aB9nM2qR4tY6s=",
            BLIND_INDEX_KEY: "test-blind-index-key-0123456789abcdef",
            ADMIN_BOOTSTRAP_KEY: "bk_test_bootstrap_admin_key_0123456789",
          },
        },
      }),
    ],
    // zod as the Worker bundle has it (wrangler.toml [alias]): without the locales.
    resolve: { alias: [{ find: /^zod$/, replacement: "/src/vendor/zod.ts" }] },
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts"],
    },
  };
});
