export type Lang = "en" | "zh";

/** Picks zh when Accept-Language ranks any zh tag above every en tag (RFC 9110 §12.5.4 q-values). */
export function preferredLang(header: string | undefined | null): Lang {
  if (!header) return "en";
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(",")) {
    const [tag = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const lang: Lang | undefined = tag.startsWith("zh") ? "zh" : tag.startsWith("en") ? "en" : undefined;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? "en";
}
