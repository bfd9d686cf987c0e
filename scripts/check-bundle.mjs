// Bundles the Worker as a deployment would (`wrangler deploy --dry-run`), so a bundling error fails
// `npm test` at once, and prints the bundle's size. (A zod function the trimmed zod in src/vendor/ lacks is a type
// error wherever the sources read it: tsconfig.json "paths".)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { root, run } from "./lib.mjs";

const outdir = join(root, ".wrangler", "dry-run");
await run("wrangler", ["deploy", "--dry-run", "--outdir", outdir, "--minify"], { quiet: true });
const bundle = readFileSync(join(outdir, "index.js"));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`Worker bundle: ${kib(bundle.length)} minified, ${kib(gzipSync(bundle).length)} gzip`);
