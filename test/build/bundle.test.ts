/**
 * scripts/check-bundle.mjs on probes (fixtures/) that break its rules: one bundling at all, one each of the rules on
 * what the bundle ships. That it passes what keeps them, `npm test` shows first, on the Worker itself.
 */
import { describe, expect, it } from "vitest";
import { checkBundle } from "./support.mjs";

describe.concurrent("the bundle check", { timeout: 120_000 }, () => {
  it("fails a module that imports by name a zod function the Worker's zod lacks", async () => {
    const { code, output } = await checkBundle("missing-name.js");
    expect(output).toMatch(/No matching export in "src\/vendor\/zod\.ts" for import "tuple"/);
    expect(output).toMatch(/Bundling failed/);
    expect(code).toBe(1);
  });

  it("fails a bundle that reads off zod a name it lacks, or ships zod's locales or the generator", async () => {
    const { code, output } = await checkBundle("past-the-shims.js");
    expect(output).toMatch(/Import "tuple" will always be undefined/);
    expect(output).toMatch(/reads a name its import does not export/);
    expect(output).toMatch(/ships zod locales other than English: .*node_modules\/zod\/v4\/locales\//);
    expect(output).toMatch(/ships zod-to-openapi's document generator/);
    expect(code).toBe(1);
  });
});
