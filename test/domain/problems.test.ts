import { describe, expect, it } from "vitest";
import { onePerPath, type Problem } from "../../src/domain/problems";

describe("one problem per path (docs/rules.md#error-codes)", () => {
  it("prefers any other code to a size bound, whichever came first", () => {
    const empty: Problem[] = [
      { path: "commitment.letter", code: "TOO_SHORT", params: { min: 1 } },
      { path: "commitment.letter", code: "REQUIRED" },
    ];
    expect(onePerPath(empty)).toEqual([{ path: "commitment.letter", code: "REQUIRED" }]);
    expect(onePerPath([...empty].reverse())).toEqual([{ path: "commitment.letter", code: "REQUIRED" }]);
  });

  it("otherwise keeps the first reported, and paths in the order first seen", () => {
    const problems: Problem[] = [
      { path: "b", code: "INVALID_CHARACTERS" },
      { path: "a", code: "TOO_LONG", params: { max: 5 } },
      { path: "b", code: "TOO_SHORT", params: { min: 20 } },
      { path: "a", code: "TOO_SHORT", params: { min: 1 } },
      { path: "c", code: "INVALID_FORMAT" },
      { path: "c", code: "INVALID_FORMAT" },
      { path: "c", code: "UNKNOWN_REGION" },
    ];
    expect(onePerPath(problems)).toEqual([
      { path: "b", code: "INVALID_CHARACTERS" },
      { path: "a", code: "TOO_LONG", params: { max: 5 } },
      { path: "c", code: "INVALID_FORMAT" },
    ]);
  });
});
