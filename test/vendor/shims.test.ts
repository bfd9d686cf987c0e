/**
 * The tests run the zod and zod-to-openapi the Worker ships (src/vendor/, aliased in wrangler.toml and so in
 * vitest.config.ts), not the packages'.
 */
import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import * as zod from "zod";
import { createApp } from "../../src/app";
import { openApiDocument } from "../../src/openapi";

describe("the Worker's zod (src/vendor/zod-api.ts)", () => {
  it("is zod's own functions, without those beian does not call and without the locales", () => {
    expect(z.string).toBe(zod.string);
    expect(z.string().max(3).safeParse("abcd").success).toBe(false);
    expect("tuple" in z).toBe(false);
    expect("locales" in zod).toBe(false);
  });

  it("a zod function it lacks is a type error wherever it is read (`npm run check`)", () => {
    // @ts-expect-error: tsconfig.json "paths" gives the type-checker the Worker's zod
    expect(z.tuple).toBeUndefined();
    // @ts-expect-error: the same through destructuring
    const { tuple } = zod;
    expect(tuple).toBeUndefined();
  });
});

describe("the Worker's zod-to-openapi (src/vendor/zod-to-openapi.js)", () => {
  it("documentation metadata leaves a schema and its parsing as they are", () => {
    const schema = z.string().max(3);
    expect(schema.openapi({ example: "abc" })).toBe(schema);
    expect(schema.openapi("Short").safeParse("abcd").success).toBe(false);
  });

  it("has no document generator: the routes cannot write their document in the Worker", () => {
    expect(() => openApiDocument(createApp())).toThrow(/build time/);
  });
});
