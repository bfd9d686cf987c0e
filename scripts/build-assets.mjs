// Copies the API reference renderer from its npm package into the Worker's static assets (public/vendor),
// so /docs needs no outside network. Run by `npm start`, `npm test` and wrangler's build step.
import { cpSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const out = join(import.meta.dirname, "..", "public", "vendor", "swagger-ui");
mkdirSync(out, { recursive: true });
for (const file of ["swagger-ui.css", "swagger-ui-bundle.js", "LICENSE"]) {
  cpSync(join(swaggerDir, file), join(out, file));
}

await import("./build-openapi.mjs");
