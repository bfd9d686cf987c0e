/**
 * The published OpenAPI document (public/openapi.json, written by scripts/build-openapi.mjs and served as a static
 * asset) is the one the routes describe. Checked in Node, where the full zod and @asteasolutions/zod-to-openapi are
 * as they are for the build step: the Worker, and so the tests in workerd, have no generator
 * (src/vendor/zod-to-openapi.js).
 */
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { openApiDocument } from "../../src/openapi";
import { readPublishedDocument } from "./support.mjs";

describe("the OpenAPI document", () => {
  it("public/openapi.json is the routes' own (`node scripts/build-assets.mjs` rewrites it; `npm test` does)", () => {
    expect(readPublishedDocument()).toEqual(JSON.parse(JSON.stringify(openApiDocument(createApp()))));
  });
});
