/**
 * client/src/schema.d.ts (the typed client's types) is what openapi-typescript generates from the routes' own
 * OpenAPI document: `npm run client:generate` rewrites it after a route changes.
 */
import { describe, expect, it } from "vitest";
import { readClientTypes, renderClientTypes } from "../../scripts/generate-client-types.mjs";
import { createApp } from "../../src/app";
import { openApiDocument } from "../../src/openapi";

describe("the client's types", () => {
  it("client/src/schema.d.ts is generated from the current OpenAPI document (`npm run client:generate`)", async () => {
    const expected = await renderClientTypes(JSON.parse(JSON.stringify(openApiDocument(createApp()))));
    const committed = readClientTypes();
    const lines = { expected: expected.split("\n"), committed: committed.split("\n") };
    const at = lines.expected.findIndex((line, i) => line !== lines.committed[i]);
    expect(
      committed === expected ? "up to date" : `stale from line ${at + 1}: ${lines.committed[at] ?? "(end of file)"}`,
      "run `npm run client:generate` and commit client/src/schema.d.ts",
    ).toBe("up to date");
  });
});
