import { describe, expect, it } from "vitest";
import { issuesToProblems } from "../../src/domain/problems";
import { charCount, checkText, hasForbiddenCharacters, normalizeText, textSchema } from "../../src/domain/text";

const DECOMPOSED = "Cafe\u0301 e\u0301le\u0300ve"; // "Café élève" with combining accents
const COMPOSED = "Caf\u00e9 \u00e9l\u00e8ve";

describe("the text rule (docs/rules.md#text)", () => {
  it("counts code points, not UTF-16 units", () => {
    expect(charCount("𠮷野家")).toBe(3);
    expect(charCount("")).toBe(0);
    expect(charCount("e\u0301")).toBe(2);
  });

  it("trims and composes to NFC", () => {
    expect(normalizeText(`  ${DECOMPOSED}\t\n`)).toBe(COMPOSED);
    expect(normalizeText("\u3000示例\u3000")).toBe("示例");
  });

  it("makes CR LF and lone CR line feeds in multi-line text only", () => {
    expect(normalizeText("a\r\nb\rc", true)).toBe("a\nb\nc");
    expect(normalizeText("a\r\nb", false)).toBe("a\r\nb");
  });

  const refused: [string, string][] = [
    ["NUL", "a\u0000b"],
    ["BEL", "a\u0007b"],
    ["ESC (an ANSI escape)", "a\u001b[31mred"],
    ["a tab inside", "a\tb"],
    ["DEL", "a\u007fb"],
    ["C1 CSI", "a\u009bb"],
    ["a lone high surrogate", "a\ud800b"],
    ["a lone low surrogate", "a\udc00b"],
    ["a reversed pair", "a\udc00\ud800b"],
    ["LRE", "a\u202ab"],
    ["RLO", "a\u202eb"],
    ["LRI", "a\u2066b"],
    ["PDI", "a\u2069b"],
  ];
  it.each(refused)("refuses %s, in one-line and multi-line text", (_, value) => {
    expect(checkText(value, { max: 50 })).toEqual({ ok: false, code: "INVALID_CHARACTERS" });
    expect(checkText(value, { max: 50, multiline: true })).toEqual({ ok: false, code: "INVALID_CHARACTERS" });
  });

  it("keeps line feeds in multi-line text only", () => {
    expect(checkText("第一行\n第二行", { max: 50 })).toEqual({ ok: false, code: "INVALID_CHARACTERS" });
    expect(checkText("第一行\r\n第二行", { max: 50, multiline: true })).toEqual({ ok: true, value: "第一行\n第二行" });
  });

  it("accepts what is not a control: astral characters, emoji, ZWJ sequences, marks that are not embeddings", () => {
    for (const value of ["𠮷野家", "👩‍💻 开发", "a\u200fb", "a\u200db", "Ünïcödé"]) {
      expect(hasForbiddenCharacters(value)).toBe(false);
      expect(checkText(value, { max: 50 }).ok).toBe(true);
    }
  });

  it("checks lengths after normalization, characters first", () => {
    expect(checkText("   ", { max: 5 })).toEqual({ ok: false, code: "TOO_SHORT", min: 1 });
    expect(checkText("𠮷𠮷𠮷𠮷𠮷", { max: 5 })).toEqual({ ok: true, value: "𠮷𠮷𠮷𠮷𠮷" });
    expect(checkText("𠮷𠮷𠮷𠮷𠮷𠮷", { max: 5 })).toEqual({ ok: false, code: "TOO_LONG", max: 5 });
    // Six code points decomposed, five composed: the stored form is what counts.
    expect(checkText("e\u0301e\u0301e\u0301", { max: 3 })).toEqual({ ok: true, value: "\u00e9\u00e9\u00e9" });
    expect(checkText("\u0000", { min: 5, max: 10 })).toEqual({ ok: false, code: "INVALID_CHARACTERS" });
    expect(checkText("abc", { min: 5, max: 10 })).toEqual({ ok: false, code: "TOO_SHORT", min: 5 });
  });

  it("as a schema: parses to the normal form and reports one field code per value", () => {
    const schema = textSchema({ max: 5 });
    expect(schema.parse(` ${"e\u0301"} `)).toBe("\u00e9");
    const problems = (value: unknown) => {
      const parsed = schema.safeParse(value);
      return parsed.success ? [] : issuesToProblems(parsed.error.issues, value);
    };
    expect(problems("a\u001bb")).toEqual([{ path: "", code: "INVALID_CHARACTERS", params: {} }]);
    expect(problems("")).toEqual([{ path: "", code: "TOO_SHORT", params: { min: 1 } }]);
    expect(problems("123456")).toEqual([{ path: "", code: "TOO_LONG", params: { max: 5 } }]);
    expect(problems(5)).toEqual([{ path: "", code: "INVALID_TYPE", params: { expected: "string" } }]);
  });
});
