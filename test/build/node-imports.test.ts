/**
 * The seed (`npm start`), the benchmarks and the reliability checks load src/domain/identifiers.ts in Node directly,
 * without a bundler: Node resolves no extensionless relative import, so that module must import nothing at run time.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("modules the Node scripts load", () => {
  it.each(["src/domain/identifiers.ts"])("%s loads in plain Node", (path) => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(join(root, path))}); console.log(Object.keys(m).length);`,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(Number(out.trim())).toBeGreaterThan(0);
  });
});
