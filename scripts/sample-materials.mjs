// Sample attachments for trying the API by hand (README's walk-through): samples/licence.png, samples/id-card.png
// (1280 × 720, as a card photo must be) and samples/commitment.pdf. `npm start` writes them; `npm run samples`
// writes them alone.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  console.log(`Wrote licence.png, id-card.png and commitment.pdf to ${writeSampleMaterials()}`);
}
