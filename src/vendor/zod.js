// "zod" as beian's bundles see it: the API of ./zod-api.js, also as the `z` namespace and default export.
import * as z from "./zod-api.js";

export * from "./zod-api.js";
export { z, z as default };
