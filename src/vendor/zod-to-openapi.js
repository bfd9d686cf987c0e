// What the Worker needs of @asteasolutions/zod-to-openapi at run time: the `.openapi()` method on zod schemas and a
// registry @hono/zod-openapi can register routes with. The OpenAPI document itself is generated ahead of time from the
// same routes with the full library (scripts/build-openapi.mjs → public/openapi.json) and served as a static asset,
// so the generator (about 30 KB minified) stays out of the Worker. The Worker and the tests in workerd resolve the
// package here (wrangler.toml [alias], read by vitest.config.ts); types come from the package. @hono/zod-openapi
// imports each name below by name, so one it needs and this file lacks fails bundling ("No matching export").
// Upgrading either package: README.md "Dependencies".

/** Route and schema registrations are only needed to write the document, which the build step does. */
export class OpenAPIRegistry {
  definitions = [];
  register(_refId, schema) {
    return schema;
  }
  registerParameter(_refId, schema) {
    return schema;
  }
  registerPath() {}
  registerWebhook() {}
  registerComponent(type, name, component) {
    return { name, ref: { $ref: `#/components/${type}/${name}` }, component };
  }
}

class PrebuiltDocument {
  generateDocument() {
    throw new Error("The OpenAPI document is generated at build time (scripts/build-openapi.mjs)");
  }
}
export class OpenApiGeneratorV3 extends PrebuiltDocument {}
export class OpenApiGeneratorV31 extends PrebuiltDocument {}

/** Documentation metadata only: parsing is the schema's own, so `.openapi()` keeps the schema as it is. */
export function extendZodWithOpenApi(zod) {
  if (typeof zod.ZodType.prototype.openapi === "undefined") {
    zod.ZodType.prototype.openapi = function openapi() {
      return this;
    };
  }
}

export function getOpenApiMetadata() {
  return {};
}
