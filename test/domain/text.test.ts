import { describe, expect, it } from "vitest";
import { issuesToProblems } from "../../src/domain/problems";
import {
  charCount,
  checkText,
  displayText,
  hasForbiddenCharacters,
  normalizeText,
  textSchema,
} from "../../src/domain/text";

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
    ["LRM", "a\u200eb"],
    ["RLM", "a\u200fb"],
    ["ALM", "a\u061cb"],
    ["a trailing RLO", "示例助手\u202e"],
    ["a zero-width space", "示例出行\u200b助手"],
    ["a word joiner", "示例出行\u2060助手"],
    ["a soft hyphen", "示例\u00ad助手"],
    ["a byte order mark inside (at either end it is trimmed)", "示\ufeff例"],
    ["a zero-width non-joiner", "a\u200cb"],
    ["a zero-width joiner between letters", "示例\u200d助手"],
    ["a Hangul filler", "a\u3164b"],
    ["a combining grapheme joiner", "a\u034fb"],
    ["a tag character", "a\u{E0041}b"],
    ["a variation selector with nothing to select", "\ufe0f示例"],
    ["a variation selector after a space", "a \ufe0fb"],
    ["two variation selectors in a row", "\u263a\ufe0f\ufe0e"],
    ["a joiner after an emoji but before a letter", "\u{1F44D}\u200dx"],
  ];
  it.each(refused)("refuses %s, in one-line and multi-line text", (_, value) => {
    expect(checkText(value, { max: 50 })).toEqual({ ok: false, code: "INVALID_CHARACTERS" });
    expect(checkText(value, { max: 50, multiline: true })).toEqual({ ok: false, code: "INVALID_CHARACTERS" });
  });

  it("keeps line feeds in multi-line text only", () => {
    expect(checkText("第一行\n第二行", { max: 50 })).toEqual({ ok: false, code: "INVALID_CHARACTERS" });
    expect(checkText("第一行\r\n第二行", { max: 50, multiline: true })).toEqual({ ok: true, value: "第一行\n第二行" });
  });

  it("accepts astral characters, emoji with their selectors and joiners, ideographic variants, accents", () => {
    const accepted = [
      "𠮷野家",
      "👩‍💻 开发",
      "\u{1F3F3}\ufe0f\u200d\u{1F308}", // rainbow flag: selector, then joiner
      "\u{1F44D}\u{1F3FD}", // thumbs up, skin tone
      "\u{1F469}\u{1F3FD}\u200d\u{1F4BB}", // skin tone before the joiner
      "\u263a\ufe0e 文本", // text presentation selector
      "葛\u{E0100}城", // an ideographic variation sequence
      "Ünïcödé",
    ];
    for (const value of accepted) {
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

  it("shows stored text without what the rule refuses, keeping emoji sequences whole", () => {
    expect(displayText("示例助手\u202e")).toBe("示例助手");
    expect(displayText("\u202e示例\u200b出行\u2066助手\u0000")).toBe("示例出行助手");
    expect(displayText("👩‍💻 \u{1F3F3}\ufe0f\u200d\u{1F308}")).toBe("👩‍💻 \u{1F3F3}\ufe0f\u200d\u{1F308}");
    expect(displayText("正常的名字")).toBe("正常的名字");
  });
});
