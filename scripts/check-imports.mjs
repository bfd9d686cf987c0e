// The shape of src/'s import graph, type-only imports included (dpdm reads them as it reads any import):
// - no cycle anywhere;
// - the layers keep their direction (docs/rules.md#layers): the domain imports only the domain; repositories, jobs,
//   webhooks and db never import the HTTP layer (lib/errors, routes, app); routes and lib never touch tables or SQL;
// - client/ (@beian/client, published to filers) stands alone: its own modules, openapi-fetch and standardwebhooks.
// Run by `npm run check` (and so by CI); exits 1 listing every offence.
import { relative } from "node:path";
import { parseCircular, parseDependencyTree } from "dpdm";
import { root } from "./lib.mjs";

const tree = await parseDependencyTree(["src/**/*.ts", "src/**/*.tsx", "client/src/**/*.ts"], {
  context: root,
  cwd: root,
  tsconfig: `${root}/tsconfig.json`,
  transform: false,
  skipDynamicImports: false,
});

/** Rules: a module under `from` may not import a module matching `to`. */
const FORBIDDEN = [
  // src/vendor/ is zod as the Worker ships it (tsconfig paths): a library, like any under node_modules.
  { from: /^src\/domain\//, to: /^src\/(?!domain\/|vendor\/)/, why: "the domain is pure: it imports only the domain" },
  {
    from: /^src\/(repositories|jobs|webhooks|db)\//,
    to: /^src\/(lib\/errors|lib\/router|lib\/validation|routes\/|app)/,
    why: "storage, jobs and webhooks return outcomes; only routes speak HTTP",
  },
  {
    from: /^src\/(routes|lib)\/|^src\/(app|index)\.ts$/,
    to: /^src\/db\/schema\.ts$|^drizzle-orm(\/|$)/,
    why: "the HTTP layer reads and writes through src/repositories/, never tables or SQL",
  },
  {
    from: /^client\//,
    to: /^(?!client\/|openapi-fetch$|standardwebhooks$)/,
    why: "the client ships alone: its own modules, openapi-fetch and standardwebhooks",
  },
];

const offences = [];
for (const circle of parseCircular(tree, false)) {
  offences.push(`cycle: ${[...circle, circle[0]].map((f) => relative(root, f)).join(" -> ")}`);
}
for (const [file, deps] of Object.entries(tree)) {
  const from = relative(root, file);
  for (const dep of deps ?? []) {
    if (!dep.id) continue;
    const resolved = relative(root, dep.id);
    // Packages by the name they are imported as; modules of src/ by their path.
    const to = resolved.startsWith("src/") || resolved.startsWith("client/") ? resolved : dep.request;
    for (const rule of FORBIDDEN) {
      if (rule.from.test(from) && rule.to.test(to)) offences.push(`${from} imports ${to}: ${rule.why}`);
    }
  }
}

if (offences.length > 0) {
  console.error(`Import graph: ${offences.length} problem(s)\n${offences.map((o) => `- ${o}`).join("\n")}`);
  process.exit(1);
}
console.log(`Import graph: ${Object.keys(tree).length} modules, no cycle, layers respected`);
