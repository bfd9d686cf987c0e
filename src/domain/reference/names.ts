import { findCertificateType } from "./certificate-types";
import { LANGUAGES } from "./languages";
import { NATURES } from "./natures";
import { PRE_APPROVAL_TYPES } from "./pre-approval-types";
import { findServiceContentType } from "./service-content-types";

type Named = { name: string; nameEn: string } | undefined;

/** Which code list a request path's values come from, by the path without its list indexes. */
const LISTS: { pattern: RegExp; find: (code: string) => Named }[] = [
  { pattern: /(^|\.)nature$/, find: (code) => NATURES.find((n) => n.code === code) },
  { pattern: /(^|\.)certificate\.type$/, find: findCertificateType },
  { pattern: /(^|\.)serviceContentTypes$/, find: findServiceContentType },
  { pattern: /(^|\.)languages$/, find: (code) => LANGUAGES.find((l) => l.code === code) },
  { pattern: /(^|\.)preApprovals\.type$/, find: (code) => PRE_APPROVAL_TYPES.find((t) => t.code === code) },
];

/**
 * A stored code as a person reads it, the code kept beside its name so a reviewer can still name it in a reason:
 * `企业（enterprise）`, or `Enterprise (enterprise)` in English. Values of other fields, and codes no list knows,
 * come back as they are.
 */
export function codeWithName(path: string, value: string, lang: "zh" | "en"): string {
  const bare = path.replace(/\[\d+\]/g, "");
  const named = LISTS.find((l) => l.pattern.test(bare))?.find(value);
  if (!named) return value;
  return lang === "zh" ? `${named.name}（${value}）` : `${named.nameEn} (${value})`;
}
