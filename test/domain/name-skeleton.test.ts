import { describe, expect, it } from "vitest";
import { nameSkeleton } from "../../src/domain/name-skeleton";

describe("service-name skeletons (docs/rules.md#preflight)", () => {
  const same: [string, string, string][] = [
    ["case", "Beian Helper", "BEIAN HELPER"],
    ["full width (NFKC)", "ＢＥＩＡＮ助手", "beian助手"],
    ["runs of white space", "示例 出行  助手", "示例 出行 助手"],
    ["a zero-width space", "示例出行助手", "示例出行\u200b助手"],
    ["a word joiner", "示例出行助手", "示例出行\u2060助手"],
    ["a soft hyphen", "示例出行助手", "示例\u00ad出行助手"],
    ["a right-to-left override at the end", "示例出行助手", "示例出行助手\u202e"],
    ["Cyrillic letters for Latin ones", "Paypal", "\u0420\u0430\u0443\u0440\u0430l"],
    ["Greek omicron for o", "Foo", "F\u03bf\u03bf"],
    ["digits for letters", "Hello", "He11o"],
    ["zero for O", "OK助手", "0K助手"],
    ["rn for m", "mall", "rnall"],
    ["mathematical letters", "Ruby", "\u211c\u{1d602}\u{1d41b}\u{1d432}"],
    ["a decomposed accent", "Caf\u00e9", "Cafe\u0301"],
  ];
  it.each(same)("equal across %s", (_, a, b) => {
    expect(nameSkeleton(a)).toBe(nameSkeleton(b));
  });

  const different: [string, string][] = [
    ["示例出行助手", "示例出游助手"],
    ["Beian Helper 1", "Beian Helper 2"],
    ["天气", "天气预报"],
  ];
  it.each(different)("tells %s from %s", (a, b) => {
    expect(nameSkeleton(a)).not.toBe(nameSkeleton(b));
  });
});
