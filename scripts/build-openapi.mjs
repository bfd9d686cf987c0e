// Writes beian's OpenAPI document to public/openapi.json: bundles the app for Node with zod and
// @asteasolutions/zod-to-openapi whole (no wrangler.toml [alias]: the Worker ships without the generator;
// src/vendor/), builds the routes and asks them for their document. Run by scripts/build-assets.mjs;
// test/build/openapi.test.ts checks the result against the routes.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const dir = join(root, ".wrangler", "openapi");
const bundle = join(dir, `document-${process.pid}.mjs`);
mkdirSync(dir, { recursive: true });

await build({
  stdin: {
    contents: `import { createApp } from "./src/app.ts";
import { openApiDocument } from "./src/openapi.ts";
export const document = openApiDocument(createApp());`,
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "import"],
  jsx: "automatic",
  jsxImportSource: "hono/jsx",
  // Node's built-ins the Worker imports under nodejs_compat (node:zlib for the export) are Node's own here too.
  external: ["node:*"],
  outfile: bundle,
  logLevel: "warning",
});
try {
  const { document } = await import(pathToFileURL(bundle).href);
  mkdirSync(join(root, "public"), { recursive: true });
  writeFileSync(join(root, "public", "openapi.json"), `${JSON.stringify(document)}\n`);
} finally {
  rmSync(bundle, { force: true });
}
