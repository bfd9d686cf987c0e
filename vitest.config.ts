import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { workerAliases } from "./scripts/aliases.mjs";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./drizzle");
  return {
    test: {
      projects: [
        {
          // The Worker, in workerd, as it is bundled.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ENVIRONMENT: "development",
                  // Fuzzing files hundreds of filings from one account; the quota's test reads the setting.
                  SUBMISSIONS_PER_DAY: "1000",
                  // Test-only secrets; development values live in .dev.vars.example.
                  PII_KEY: "k1:7N9mE2sQ0pW4xV1bC8dF6gH3jK5lZ7aB9nM2qR4tY6s=",
                  BLIND_INDEX_KEY: "test-blind-index-key-0123456789abcdef",
                  AUDIT_KEY: "a1:F7KLiZYphRQj+8c2rRwGHF1essZKLqHRo6WGiJyII9o=",
                  ADMIN_BOOTSTRAP_KEY: "bk_test_bootstrap_admin_key_0123456789",
                  IDENTITY_WEBHOOK_SECRET: "whsec_niYIooc2UjrFGl55o4rz1ekWzE+8U24R",
                },
              },
            }),
          ],
          // zod and zod-to-openapi as the Worker bundle has them (wrangler.toml [alias]).
          resolve: { alias: workerAliases() },
          test: {
            name: "worker",
            setupFiles: ["./test/setup.ts"],
            // Real webhook receivers on loopback (test/webhooks/receivers.global.mjs).
            globalSetup: ["./test/webhooks/receivers.global.mjs"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/build/**", "test/scripts/**"],
          },
        },
        {
          // The build, in Node, as scripts/ run it: the full zod and zod-to-openapi (the OpenAPI document is
          // generated with them), and the bundle check.
          test: { name: "build", environment: "node", include: ["test/build/**/*.test.ts"] },
        },
        {
          // The command-line tools in scripts/ (the catalogue import), in Node as `npm run …` runs them.
          test: { name: "scripts", environment: "node", include: ["test/scripts/**/*.test.ts"] },
        },
        {
          // The typed client (client/) against a fake fetch; `npm run client:test` adds its runs against the service.
          test: {
            name: "client",
            environment: "node",
            include: ["client/test/**/*.test.ts"],
            exclude: ["client/test/integration/**"],
          },
        },
      ],
    },
  };
});
