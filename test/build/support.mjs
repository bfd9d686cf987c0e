// What the build tests need of Node (they run in Node; the project's types are the Worker's, without Node's).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** public/openapi.json as scripts/build-openapi.mjs last wrote it. */
export function readPublishedDocument() {
  return JSON.parse(readFileSync(`${root}public/openapi.json`, "utf8"));
}

/** Runs scripts/check-bundle.mjs on test/build/fixtures/<fixture>: its exit code and everything it printed. */
export function checkBundle(fixture) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["scripts/check-bundle.mjs", `test/build/fixtures/${fixture}`],
      { cwd: root },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, output: stdout + stderr }),
    );
  });
}

/** How many exports module `path` (relative to the repository) has when plain Node imports it, with no bundler. */
export function exportsInPlainNode(path) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", `console.log(Object.keys(await import(${JSON.stringify(root + path)})).length)`],
      { cwd: root },
      (error, stdout, stderr) => (error ? reject(new Error(stderr || String(error))) : resolve(Number(stdout.trim()))),
    );
  });
}
