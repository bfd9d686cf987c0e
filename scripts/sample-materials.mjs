// Writes sample attachments for trying the API by hand (README): samples/licence.png, samples/id-card.png
// (1280 × 720, as a card photo must be) and samples/commitment.pdf.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./lib.mjs";
import { pdf, png } from "./material-files.mjs";

const dir = join(root, "samples");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "licence.png"), png(1280, 900));
writeFileSync(join(dir, "id-card.png"), png(1280, 720));
writeFileSync(join(dir, "commitment.pdf"), pdf("承诺书"));
console.log(`Wrote licence.png, id-card.png and commitment.pdf to ${dir}`);
