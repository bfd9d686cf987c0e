/**
 * Service languages (服务语言) a mini program may declare, as BCP 47 tags (RFC 5646). Chinese is split by
 * script (zh-Hans / zh-Hant) rather than by region, since that is what a reader of the service sees. The list
 * covers the minority languages in official use in China (Tibetan, Uyghur, Mongolian, Yi, Zhuang, Korean,
 * Kazakh) and the common foreign languages.
 * Tags are matched exactly in their canonical case.
 */
export const LANGUAGES = [
  { code: "zh-Hans", name: "简体中文", nameEn: "Chinese (Simplified)" },
  { code: "zh-Hant", name: "繁體中文", nameEn: "Chinese (Traditional)" },
  { code: "en", name: "英语", nameEn: "English" },
  { code: "bo", name: "藏语", nameEn: "Tibetan" },
  { code: "ug", name: "维吾尔语", nameEn: "Uyghur" },
  { code: "mn", name: "蒙古语", nameEn: "Mongolian" },
  { code: "ii", name: "彝语", nameEn: "Yi (Nuosu)" },
  { code: "za", name: "壮语", nameEn: "Zhuang" },
  { code: "ko", name: "朝鲜语", nameEn: "Korean" },
  { code: "kk", name: "哈萨克语", nameEn: "Kazakh" },
  { code: "ja", name: "日语", nameEn: "Japanese" },
  { code: "fr", name: "法语", nameEn: "French" },
  { code: "de", name: "德语", nameEn: "German" },
  { code: "es", name: "西班牙语", nameEn: "Spanish" },
  { code: "ru", name: "俄语", nameEn: "Russian" },
  { code: "ar", name: "阿拉伯语", nameEn: "Arabic" },
  { code: "pt", name: "葡萄牙语", nameEn: "Portuguese" },
] as const satisfies readonly { code: string; name: string; nameEn: string }[];

export type Language = (typeof LANGUAGES)[number]["code"];

const CODES: ReadonlySet<string> = new Set(LANGUAGES.map((l) => l.code));

export function isLanguage(x: unknown): x is Language {
  return typeof x === "string" && CODES.has(x);
}
