// Bundles the Worker as a deployment would (`wrangler deploy --dry-run`), so a bundling error fails
// `npm test` at once, and prints the bundle's size. Also checks that every zod function the sources call is in
// the trimmed zod the bundle ships (src/vendor/zod-api.js), since type-checking reads the full package's types.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { root, run } from "./lib.mjs";

// Names used only in type positions (z.infer<…>, z.core.$ZodIssue).
const TYPE_ONLY = new Set(["infer", "input", "output", "core"]);
const zodApi = await import(join(root, "src", "vendor", "zod-api.js"));
const missing = new Set();
for (const entry of readdirSync(join(root, "src"), { recursive: true })) {
  if (!/\.tsx?$/.test(entry)) continue;
  for (const [, name] of readFileSync(join(root, "src", entry), "utf8").matchAll(/\bz\.([A-Za-z_$][\w$]*)/g)) {
    if (!TYPE_ONLY.has(name) && !(name in zodApi)) missing.add(`z.${name} (${entry})`);
  }
}
if (missing.size > 0) {
  console.error(`src/vendor/zod-api.js does not export: ${[...missing].join(", ")}`);
  process.exit(1);
}

const outdir = join(root, ".wrangler", "dry-run");
await run("wrangler", ["deploy", "--dry-run", "--outdir", outdir, "--minify"], { quiet: true });
const bundle = readFileSync(join(outdir, "index.js"));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`Worker bundle: ${kib(bundle.length)} minified, ${kib(gzipSync(bundle).length)} gzip`);
