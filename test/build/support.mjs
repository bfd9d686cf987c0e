// What the build tests need of Node (they run in Node; the project's types are the Worker's, without Node's).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** public/openapi.json as scripts/build-openapi.mjs last wrote it. */
export function readPublishedDocument() {
  return JSON.parse(readFileSync(`${root}public/openapi.json`, "utf8"));
}
