// The values of zod's classic API that beian uses, and nothing else. zod's own entry re-exports `z` as a namespace
// object, and @hono/zod-openapi passes that object to a function, so a bundler must keep every name in it — every
// schema type and every locale of every language among them (355 KiB of an 811 KiB Worker, minified). The Worker
// and the tests resolve "zod" to ./zod.ts (wrangler.toml [alias]; vitest.config.ts), and so does the type-checker
// (tsconfig.json "paths"): a zod function missing here is a type error wherever it is read. Everything comes
// from "zod/v4", a path zod's export map publishes, and only the names below reach the bundle.
// Upgrading zod or adding a name: README.md "Dependencies".

// Types cost nothing at run time: all of them, so z.infer, z.core.$ZodIssue and the schema classes type-check.
export type * from "zod/v4";
export {
  array,
  boolean,
  coerce,
  enum,
  literal,
  null,
  number,
  object,
  record,
  strictObject,
  string,
  union,
  unknown,
  ZodError,
  ZodString,
  ZodType,
} from "zod/v4";
