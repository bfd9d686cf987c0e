// The part of zod's classic API that beian uses, and nothing else. zod's own entry re-exports `z` as a namespace
// object, and @hono/zod-openapi passes that object to a function, so a bundler must keep every name in it — every
// schema type and every locale of every language among them (~300 KB minified). Bundles resolve "zod" to ./zod.js
// (wrangler.toml [alias], vitest.config.ts); types still come from the zod package. `npm test` checks that each
// `z.<name>` the sources use is exported here (scripts/check-bundle.mjs).

export * as coerce from "../../node_modules/zod/v4/classic/coerce.js";
export { ZodError } from "../../node_modules/zod/v4/classic/errors.js";
export {
  array,
  boolean,
  enum,
  literal,
  null,
  number,
  object,
  record,
  strictObject,
  string,
  unknown,
  ZodString,
  ZodType,
} from "../../node_modules/zod/v4/classic/schemas.js";
