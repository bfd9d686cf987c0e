// "zod" as beian's Worker sees it: the API of ./zod-api.ts, also as the `z` namespace and the default export, as
// the zod package exports its own.
import * as z from "./zod-api";

export * from "./zod-api";
export { z, z as default };
