/**
 * How personal data is shown to owners (docs/rules.md#privacy): enough to recognise a value, not enough to use it.
 * `4405**********0014`, `138****5678`, `z***@example.com`.
 */
export function maskCertificateNumber(value: string): string {
  const chars = [...value];
  if (chars.length <= 4) return "*".repeat(chars.length);
  const keep = chars.length >= 12 ? 4 : 1;
  return chars.slice(0, keep).join("") + "*".repeat(chars.length - 2 * keep) + chars.slice(-keep).join("");
}

export function maskMobile(value: string): string {
  if (value.length < 7) return "*".repeat(value.length);
  return `${value.slice(0, 3)}${"*".repeat(value.length - 7)}${value.slice(-4)}`;
}

export function maskEmail(value: string): string {
  const at = value.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${value[0]}***${value.slice(at)}`;
}

/** First character, then `*` for the rest: how an individual organizer's name appears publicly (张**). */
export function maskName(value: string): string {
  const chars = [...value];
  return (chars[0] ?? "") + "*".repeat(Math.max(chars.length - 1, 0));
}

/**
 * Whether a certificate number, mobile or email reads as one of the masks above (`4405**********0014`,
 * `138****5678`, `z***@example.com`, `****`): such a value was copied from an answer, not typed, and is never stored
 * as data (`MASKED_VALUE`, docs/rules.md#read-back). No real value of these fields has a `*` where masks put them.
 */
export function isMaskedForm(value: string): boolean {
  const v = value.trim();
  return /^[^*]{0,4}\*+[^*]{0,4}$/.test(v) || /^[^@*]\*{3}@/.test(v);
}
