// Bundles the Worker as a deployment does (`wrangler deploy --dry-run --minify`), prints its size, and fails — so
// `npm test` stops before any test runs — when:
// - bundling fails, among other reasons when a module imports by name what a shim in src/vendor/ does not export
//   (esbuild's "No matching export", an error);
// - a module reads from an `import * as` namespace a name the module does not export (esbuild's warning
//   "import-is-undefined": the Worker would call undefined);
// - the bundle's module graph (esbuild's metafile, the bytes each input file puts in the bundle) holds a zod locale
//   other than English (zod's default messages) or any file of @asteasolutions/zod-to-openapi: what the shims keep
//   out, and what an import past the aliases (`"zod/v4"`, a file of either package) brings back;
// - the bundle is over its gzip budget.
// One use the bundler cannot see: `z.<name>` read from the `z` object that "zod" and @hono/zod-openapi export. The
// type-checker sees it (tsconfig.json "paths"). test/build/bundle.test.ts runs this check on probes that break each
// rule: `node scripts/check-bundle.mjs <entry>` bundles that entry instead of the Worker's.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { root, run } from "./lib.mjs";

/**
 * docs/decisions.md "Build": about 220 KiB for the API and public pages (29 of them Unicode's confusables table), and
 * the consoles' server-rendered pages on top; past this, find what grew before raising it.
 */
const GZIP_BUDGET_KIB = 280;
/** Files the bundle must not ship, by their path under node_modules. */
const KEPT_OUT = [
  { pattern: /^node_modules\/zod\/(?:.+\/)?locales\/(?!en\.js$)/, what: "zod locales other than English" },
  { pattern: /^node_modules\/@asteasolutions\/zod-to-openapi\//, what: "zod-to-openapi's document generator" },
];

const entry = process.argv[2];
mkdirSync(join(root, ".wrangler"), { recursive: true });
const outdir = entry ? mkdtempSync(join(root, ".wrangler", "check-")) : join(root, ".wrangler", "dry-run");
const metafile = join(outdir, "bundle-meta.json");
let warnings = "";
let bundle;
let shipped;
let failure;
try {
  await run(
    "wrangler",
    ["deploy", ...(entry ? [entry] : []), "--dry-run", "--minify", "--outdir", outdir, "--metafile", metafile],
    {
      quiet: true,
      onStderr: (chunk) => {
        warnings += chunk;
        process.stderr.write(chunk);
      },
    },
  );
  const { outputs } = JSON.parse(readFileSync(metafile, "utf8"));
  const [bundlePath, bundleMeta] = Object.entries(outputs).find(([path]) => path.endsWith(".js"));
  bundle = readFileSync(join(root, bundlePath));
  shipped = Object.entries(bundleMeta.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path.replace(/^(?:.*\/)?node_modules\//, "node_modules/"));
} catch (error) {
  failure = error;
} finally {
  if (entry) rmSync(outdir, { recursive: true, force: true });
}
if (failure) {
  console.error(`Bundling failed (above): ${failure.message}`);
  process.exit(1);
}
const gzip = gzipSync(bundle).length;

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`${entry ?? "Worker"} bundle: ${kib(bundle.length)} minified, ${kib(gzip)} gzip`);

const problems = [];
if (warnings.includes("[import-is-undefined]")) {
  problems.push("a module reads a name its import does not export (the warning above)");
}
for (const { pattern, what } of KEPT_OUT) {
  const files = shipped.filter((path) => pattern.test(path));
  if (files.length > 0) {
    problems.push(`the bundle ships ${what}: ${files.slice(0, 3).join(", ")}${files.length > 3 ? ", …" : ""}`);
  }
}
if (gzip > GZIP_BUDGET_KIB * 1024) problems.push(`the bundle is over its budget of ${GZIP_BUDGET_KIB} KiB gzip`);
if (problems.length > 0) {
  console.error(`${problems.join("\n")}\nsrc/vendor/ and README.md "Dependencies" say why and what to do.`);
  process.exit(1);
}
