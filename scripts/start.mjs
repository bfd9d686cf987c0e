// `npm start`: the service on http://localhost:8787 with an embedded local D1 — migrations applied,
// demo data seeded, development keys printed, sample attachments written to samples/ for the README's walk-through.
// The cron can be triggered at /__scheduled. PORT picks another port; BEIAN_STATE_DIR another local state (the
// README test, test/readme/run.mjs, starts it so on a fresh directory).
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { localArgs, readDevVars, root, run, scratchDir, startWrangler, waitForHealth } from "./lib.mjs";
import { writeSampleMaterials } from "./sample-materials.mjs";
import { DEMO_ACCOUNTS, seedCatalogue, seedDatabase, seedFilings } from "./seed.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const url = `http://localhost:${PORT}`;

if (!existsSync(join(root, ".dev.vars"))) {
  copyFileSync(join(root, ".dev.vars.example"), join(root, ".dev.vars"));
  console.log("Created .dev.vars from .dev.vars.example (development secrets).");
}
mkdirSync(scratchDir, { recursive: true });

await run("node", [join(root, "scripts", "build-assets.mjs")]);
console.log("Applying migrations to the local D1…");
await run("wrangler", ["d1", "migrations", "apply", "DB", ...localArgs], { quiet: true });
console.log("Seeding demo accounts and apps…");
await seedDatabase();
const samples = writeSampleMaterials();

const server = startWrangler([
  "dev",
  ...localArgs,
  "--port",
  String(PORT),
  "--ip",
  "127.0.0.1",
  "--test-scheduled",
  "--show-interactive-dev-session=false",
]);
const stop = () => server.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));

// Whatever ends this script (a failed seed included) ends the server with it.
process.on("exit", stop);

await waitForHealth(url, 90_000);
const filings = await seedFilings(url);
const catalogue = await seedCatalogue(url);
const admin = readDevVars().ADMIN_BOOTSTRAP_KEY;

const pad = (s, n) => s + " ".repeat(Math.max(n - [...s].length, 1));
console.log(`
beian is running at ${url}
  lookup page   ${url}/
  consoles      ${url}/console/login   (sign in with a development key below)
  API docs      ${url}/docs   (OpenAPI: ${url}/openapi.json)
  cron, once    ${url}/__scheduled

Development keys (Authorization: Bearer <key>, or the console's sign-in):
${DEMO_ACCOUNTS.map((a) => `  ${pad(a.role, 10)} ${pad(a.id, 20)} ${a.key}`).join("\n")}
  ${pad("bootstrap", 10)} ${pad("ADMIN_BOOTSTRAP_KEY", 20)} ${admin ?? "(see .dev.vars)"}

Demo filings (three apps of the developer; the second filed by the provider):
${filings.map((f) => `  ${pad(f.appId, 18)} ${pad(f.status, 16)} ${f.number ?? ""}`.trimEnd()).join("\n")}
Sample attachments for the README's walk-through: ${samples}
Catalogue: ${catalogue.apps} imported apps under the 2023 notice and a demo policy; run the cron once:
  curl "${url}/__scheduled?cron=*/10+*+*+*+*"   then   GET /v1/admin/enforcement/runs
Try: curl -H "Authorization: Bearer ${DEMO_ACCOUNTS[0].key}" ${url}/v1/filings
`);
