// Sample attachments for trying the API by hand (README's walk-through): samples/licence.png, samples/id-card.png
// (1280 × 720, as a card photo must be) and samples/commitment.pdf. `npm start` writes them; `npm run samples`
// writes them alone; `npm run samples -- catalogue <n>` writes a catalogue to import instead (scripts/sample-catalogue.mjs).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { root } from "./lib.mjs";
import { pdf, png } from "./material-files.mjs";

export const samplesDir = join(root, "samples");

/** Writes the sample files (again: they are the same bytes every time); returns the directory. */
export function writeSampleMaterials(dir = samplesDir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "licence.png"), png(1280, 900));
  writeFileSync(join(dir, "id-card.png"), png(1280, 720));
  writeFileSync(join(dir, "commitment.pdf"), pdf("承诺书"));
  return dir;
}

if (process.argv[1] === import.meta.filename) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      bad: { type: "string", default: "0" },
      jsonl: { type: "boolean", default: false },
      owner: { type: "string", default: "acc_demo_developer" },
    },
  });
  if (positionals[0] === "catalogue") {
    const n = Number(positionals[1] ?? 1000);
    const bad = Number(values.bad);
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(bad) || bad < 0 || bad > n) {
      console.error("usage: npm run samples -- catalogue <rows> [--bad <rows>] [--jsonl] [--owner <accountId>]");
      process.exit(1);
    }
    const { writeSampleCatalogue } = await import("./sample-catalogue.mjs");
    const files = writeSampleCatalogue(samplesDir, n, { bad, jsonl: values.jsonl, owner: values.owner });
    console.log(`Wrote ${files.join(" and ")} (${n} rows each, ${bad} of them spoiled)`);
  } else {
    console.log(`Wrote licence.png, id-card.png and commitment.pdf to ${writeSampleMaterials()}`);
  }
}
