import { inBeijing } from "./identifiers";

export { BEIJING_OFFSET_MS, beijingToday, inBeijing } from "./identifiers";

/** `YYYY-MM-DD HH:mm:ss` in Beijing time (UTC+8, no daylight saving), as MIIT's query shows record times. */
export function beijingDateTime(at: Date): string {
  return inBeijing(at).toISOString().slice(0, 19).replace("T", " ");
}
