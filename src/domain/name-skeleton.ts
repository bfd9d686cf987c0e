import confusables from "unhomoglyph/data.json";

/**
 * What two service names are compared as for SERVICE_NAME_TAKEN (docs/rules.md#preflight): a skeleton in the sense of
 * Unicode's UTS #39 (Unicode Security Mechanisms, section 4), case-insensitive, so that names a person reads as the
 * same collide however they are spelled:
 * 1. NFKC and case folding (full-width and compatibility forms, upper case: `ＡＢＣ`, `ABC` → `abc`);
 * 2. default-ignorable code points removed (`示例\u200b助手` → `示例助手`; the text rule refuses them in new text,
 *    but names stored before it may hold them);
 * 3. each character replaced by its prototype in Unicode's confusables table (`confusables.txt`, as the `unhomoglyph`
 *    package ships it), between NFD decompositions: Cyrillic `а` → Latin `a`, `0` → `O`, `1` → `l`, `m` → `rn`;
 * 4. folded to lower case again (the prototypes are of either case) and runs of white space made one space.
 * A skeleton is for comparing only, never for display.
 */

const PROTOTYPES = new Map<string, string>(Object.entries(confusables as Record<string, string>));
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

function fold(text: string): string {
  // Upper then lower case approximates full case folding (ß → SS → ss, ς → Σ → σ).
  return text.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

function prototypes(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFD")) out += PROTOTYPES.get(ch) ?? ch;
  return out.normalize("NFD");
}

export function nameSkeleton(name: string): string {
  const folded = fold(name).replace(IGNORABLE, "");
  return fold(prototypes(folded)).normalize("NFD").replace(IGNORABLE, "").replace(/\s+/g, " ").trim();
}
