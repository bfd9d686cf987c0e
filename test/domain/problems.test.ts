import { describe, expect, it } from "vitest";
import { duplicateProblems, onePerPath, type Problem } from "../../src/domain/problems";

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

describe("duplicateProblems", () => {
  it("marks every repeat of a key, never the first, and skips rows without one", () => {
    expect(duplicateProblems(["a", "b", "a", undefined, undefined, "a"], (i) => `rows[${i}].id`)).toEqual([
      { path: "rows[2].id", code: "DUPLICATE" },
      { path: "rows[5].id", code: "DUPLICATE" },
    ]);
    expect(duplicateProblems([], (i) => `rows[${i}]`)).toEqual([]);
  });
});
