/**
 * The seed (`npm start`), the benchmarks and the reliability checks load src/domain/identifiers.ts in Node directly,
 * without a bundler: Node resolves no extensionless relative import, so that module must import nothing at run time.
 */
import { describe, expect, it } from "vitest";
import { exportsInPlainNode } from "./support.mjs";

describe("modules the Node scripts load", () => {
  it.each(["src/domain/identifiers.ts"])("%s loads in plain Node", async (path) => {
    expect(await exportsInPlainNode(path)).toBeGreaterThan(0);
  });
});
