// Applies the migrations once to the template local D1 that scripts/service.mjs copies for every new state
// (node_modules/.cache/beian-state/), so the steps after it only copy it. .ci/run runs it beside the type-check.
import { migratedTemplate } from "./service.mjs";

console.log(`Template local D1: ${await migratedTemplate()}`);
