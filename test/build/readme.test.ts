/**
 * README.md's walk-through, read without running it (`npm run test:readme` runs it against a fresh service): every
 * block a reader pastes is pasteable, and the rules test/readme/run.mjs reads blocks by.
 */
import { describe, expect, it } from "vitest";
import { expectedError, fencedBlocks, pasteProblems, readReadme, walkthroughScript } from "../readme/run.mjs";

const block = (text: string, lang = "sh", words: string[] = []) => ({ lang, words, text, line: 1 });

describe("README.md", () => {
  it("has no placeholder, no curl that hides an error answer, no malformed marker in its sh and shell blocks", () => {
    expect(readReadme().problems).toEqual([]);
  });

  it("starts with the quick start, not run by the walk-through; the walk-through follows", () => {
    const { blocks } = readReadme();
    const [quickStart] = blocks;
    expect(quickStart?.lang).toBe("shell");
    expect(quickStart?.text).toMatch(/^npm install && npm start\b/);
    expect(quickStart?.text).toMatch(/^npm test\b/m);
    expect(blocks.filter((b) => b.lang === "sh").length).toBeGreaterThan(5);
  });
});

describe("the README test's rules", () => {
  it("reads fences with their info strings and lines", () => {
    const blocks = fencedBlocks("text\n```sh expect-error=409\ncurl x\n```\n\n```json\n{}\n```\n");
    expect(blocks).toEqual([
      { lang: "sh", words: ["expect-error=409"], text: "curl x", line: 2 },
      { lang: "json", words: [], text: "{}", line: 6 },
    ]);
    expect(expectedError(blocks[0] as never)).toEqual({ status: "409" });
    expect(() => expectedError(block("x", "sh", ["expect-error"]))).toThrow(/expect-error=<status>/);
  });

  it("flags placeholders outside comments and curls without --fail-with-body, continuation lines included", () => {
    expect(pasteProblems(block('curl -sS --fail-with-body $API/x   # → {"id": "fil_…"}'))).toEqual([]);
    expect(pasteProblems(block("curl -s $API/filings/fil_…/history"))).toHaveLength(2);
    expect(pasteProblems(block("curl -sS $API/x \\\n  --fail-with-body -d '{}'"))).toEqual([]);
    expect(pasteProblems(block("X=$(curl -s $API/x | jq -r .id)"))[0]).toMatch(/--fail-with-body/);
    expect(pasteProblems(block("curl -sS --fail-with-body -X PUT $API/webhook ... -d '{}'"))[0]).toMatch(/placeholder/);
    expect(pasteProblems(block('cat <<JSON\n{"a": "…"}\nJSON'))[0]).toMatch(/placeholder/);
  });

  it("runs the blocks in one bash against the service's own port; an expected error must end in its status", () => {
    const script = walkthroughScript(
      [block("curl -sS --fail-with-body http://localhost:8787/health"), block("false", "sh", ["expect-error=409"])],
      "http://127.0.0.1:5555",
    );
    expect(script).toMatch(/^set -eo pipefail/);
    expect(script).toContain("http://127.0.0.1:5555/health");
    expect(script).not.toContain("localhost:8787");
    expect(script).toContain(`grep -q '"status":409'`);
  });
});
