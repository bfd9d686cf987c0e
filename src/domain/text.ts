import { z } from "zod";

/**
 * The one rule for free text (docs/rules.md#text): every name, address, description and reason the API accepts is
 * trimmed and put in Unicode normalization form C (NFC), then refused with `INVALID_CHARACTERS` if it holds
 * - a control character: C0 (U+0000–U+001F), DEL (U+007F) or C1 (U+0080–U+009F), except the line feed in multi-line
 *   fields (whose CR LF and lone CR are first made LF);
 * - a lone surrogate (UTF-16 that encodes no character; JSON can carry one as a `\ud800` escape);
 * - a bidirectional control (the embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, the marks U+200E,
 *   U+200F and U+061C), which can make text read differently from how it is stored (a name shown backwards, a reason
 *   that hides words);
 * - a default-ignorable code point (Unicode's Default_Ignorable_Code_Point: U+00AD, U+200B–U+200F, U+2060–U+206F,
 *   U+FEFF, U+3164, the fillers, tags…), which renders as nothing, so `示例\u200b助手` would pass for `示例助手`.
 *   Two uses are legitimate and stay: a variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF) right after a visible
 *   character (the emoji or text form of a symbol, an ideographic variant), and a zero-width joiner between two
 *   emoji (👩‍💻), the emoji before it optionally carrying its own selector or skin tone.
 * Lengths are counted in code points (what JSON Schema's `minLength`/`maxLength` count), after normalization.
 * The normalized value is what is stored and handed on.
 */

export type TextRule = {
  /** Fewest code points after normalization (default 1). */
  min?: number;
  /** Most code points after normalization. */
  max: number;
  /** Whether line feeds may stay (descriptions, reasons); everywhere else they are refused like other controls. */
  multiline?: boolean;
};

export type TextCheck =
  | { ok: true; value: string }
  | { ok: false; code: "INVALID_CHARACTERS" }
  | { ok: false; code: "TOO_SHORT"; min: number }
  | { ok: false; code: "TOO_LONG"; max: number };

/** Bidirectional controls: explicit embeddings, overrides, isolates and the implicit marks (LRM, RLM, ALM). */
const BIDI_CONTROLS = "\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069";
const FORBIDDEN = new RegExp(`[\\p{Cc}\\p{Cs}\\p{Default_Ignorable_Code_Point}${BIDI_CONTROLS}]`, "u");
/** Every character FORBIDDEN names, for removal from text that was stored before the rule (`displayText`). */
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, "gu");
/** The default-ignorables that are part of what text shows: they are taken out before FORBIDDEN looks. */
const LEGITIMATE_IGNORABLES = [
  // A variation selector right after a visible character (letter, number, symbol, punctuation).
  /(?<=[\p{L}\p{N}\p{S}\p{P}])[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu,
  // A zero-width joiner between two emoji (the first may carry VS16 or a skin tone): 👩‍💻, 🏳️‍🌈.
  /(?<=\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]?)\u200D(?=\p{Extended_Pictographic})/gu,
];

function withoutLegitimateIgnorables(text: string): string {
  let out = text;
  for (const re of LEGITIMATE_IGNORABLES) out = out.replace(re, "");
  return out;
}

/** Characters as people count them (code points), not UTF-16 units: `𠮷` is one. */
export function charCount(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Trimmed and NFC; in multi-line text every line break is a line feed. */
export function normalizeText(raw: string, multiline = false): string {
  const text = multiline ? raw.replace(/\r\n?/g, "\n") : raw;
  return text.trim().normalize("NFC");
}

/** Whether normalized text holds a character the rule refuses. */
export function hasForbiddenCharacters(text: string, multiline = false): boolean {
  return FORBIDDEN.test(withoutLegitimateIgnorables(multiline ? text.replaceAll("\n", "") : text));
}

/**
 * Text as it may be shown on a page: what the rule refuses taken out (line feeds too). For text stored before the
 * rule held, or written by a path that does not go through it, so a bidirectional override or an invisible
 * character never reaches a title or a heading.
 */
export function displayText(text: string): string {
  if (!hasForbiddenCharacters(text)) return text;
  const kept = new Set<number>();
  for (const re of LEGITIMATE_IGNORABLES) for (const m of text.matchAll(re)) kept.add(m.index);
  return text.replace(FORBIDDEN_ALL, (ch: string, offset: number) => (kept.has(offset) ? ch : ""));
}

/** The text rule on one value: its normalized form, or the first thing wrong with it (characters, then length). */
export function checkText(raw: string, rule: TextRule): TextCheck {
  const value = normalizeText(raw, rule.multiline);
  if (hasForbiddenCharacters(value, rule.multiline)) return { ok: false, code: "INVALID_CHARACTERS" };
  const min = rule.min ?? 1;
  const n = charCount(value);
  if (n < min) return { ok: false, code: "TOO_SHORT", min };
  if (n > rule.max) return { ok: false, code: "TOO_LONG", max: rule.max };
  return { ok: true, value };
}

/**
 * The text rule as a schema: a string, parsed to its normalized form, with one issue naming the first thing wrong
 * (mapped to field codes by `issuesToProblems`). Its published bounds are the rule's, in code points.
 */
export function textSchema(rule: TextRule) {
  const min = rule.min ?? 1;
  return (
    z
      .string()
      .overwrite((raw) => normalizeText(raw, rule.multiline))
      .check((ctx) => {
        const checked = checkText(ctx.value, rule);
        if (checked.ok) return;
        const base = { input: ctx.value, message: checked.code };
        if (checked.code === "INVALID_CHARACTERS") {
          ctx.issues.push({ ...base, code: "custom", params: { code: "INVALID_CHARACTERS" } });
        } else if (checked.code === "TOO_SHORT") {
          ctx.issues.push({ ...base, code: "too_small", origin: "string", minimum: checked.min, inclusive: true });
        } else {
          ctx.issues.push({ ...base, code: "too_big", origin: "string", maximum: checked.max, inclusive: true });
        }
      })
      // Bounds hold after trimming, so a text of spaces alone is too short: the document says so with `\S` (some
      // character that is not white space), which is what trimming leaves at least one of.
      .meta({ minLength: min, maxLength: rule.max, ...(min > 0 ? { pattern: "\\S" } : {}) })
  );
}
