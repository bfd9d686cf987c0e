const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The characters after an id's `prefix_`: 26 of Crockford's base32 alphabet. */
export const ID_BODY_LENGTH = 26;

/**
 * Prefixed, time-ordered identifiers (`fil_01JD…`): a ULID body (48-bit millisecond time + 80 random bits,
 * Crockford base32), so ids sort by creation time and serve directly as list cursors.
 */
export function newId(prefix: string, now = Date.now()): string {
  const time = timePart(now);
  const random = crypto.getRandomValues(new Uint8Array(16));
  let rand = "";
  for (const b of random) rand += CROCKFORD[b % 32];
  return `${prefix}_${time}${rand}`;
}

/** An id's time characters: the millisecond time in 10 Crockford base32 characters. */
function timePart(ms: number): string {
  let time = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** The least id made at or after `ms`: every id of `prefix` made since sorts at or above it. */
export function idFloor(prefix: string, ms: number): string {
  return `${prefix}_${timePart(ms)}`;
}
