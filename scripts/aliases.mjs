// The [alias] table of wrangler.toml, for the tools that bundle or run the Worker's modules without wrangler
// (vitest.config.ts), so they resolve modules as the Worker bundle does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// import.meta.url, not import.meta.dirname: Vite rewrites the former when it bundles vitest.config.ts.
const root = fileURLToPath(new URL("..", import.meta.url));

/** Each alias as a Vite alias: matched whole, as wrangler matches them ("zod/v4" stays zod's own). */
export function workerAliases() {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const table = /^\[alias\]$([\s\S]*?)^\[/m.exec(toml)?.[1] ?? "";
  const aliases = [...table.matchAll(/^"?([^"\s=#]+)"?\s*=\s*"([^"]+)"/gm)].map(([, name, path]) => ({
    find: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`),
    replacement: join(root, path),
  }));
  if (aliases.length === 0) throw new Error("wrangler.toml: no [alias] entries read");
  return aliases;
}
