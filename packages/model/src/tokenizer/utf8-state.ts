/**
 * A byte-at-a-time UTF-8 validator: the state after a prefix of bytes is one of 8 small integers (0 = every
 * character complete; 1..7 = inside a multi-byte character, with the range the next byte must fall in), or
 * {@link UTF8_INVALID} once the bytes can no longer be valid UTF-8. It follows the well-formed byte sequences of
 * Unicode (table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF.
 *
 * @packageDocumentation
 */

/** Every character so far is complete. */
export const UTF8_COMPLETE = 0;
/** The bytes can no longer be well-formed UTF-8. */
export const UTF8_INVALID = -1;

// states: 1 need 1 (80-BF); 2 need 2 (80-BF); 3 need 2 after E0 (A0-BF); 4 need 2 after ED (80-9F);
// 5 need 3 (80-BF); 6 need 3 after F0 (90-BF); 7 need 3 after F4 (80-8F)
const TABLE: Int8Array = (() => {
  const t = new Int8Array(8 * 256).fill(UTF8_INVALID);
  for (let b = 0; b < 256; b++) {
    let s0 = UTF8_INVALID;
    if (b < 0x80) s0 = 0;
    else if (b >= 0xc2 && b <= 0xdf) s0 = 1;
    else if (b === 0xe0) s0 = 3;
    else if (b === 0xed) s0 = 4;
    else if (b >= 0xe1 && b <= 0xef) s0 = 2;
    else if (b === 0xf0) s0 = 6;
    else if (b >= 0xf1 && b <= 0xf3) s0 = 5;
    else if (b === 0xf4) s0 = 7;
    t[b] = s0;
    const cont = b >= 0x80 && b <= 0xbf;
    if (cont) t[1 * 256 + b] = 0;
    if (cont) t[2 * 256 + b] = 1;
    if (b >= 0xa0 && b <= 0xbf) t[3 * 256 + b] = 1;
    if (b >= 0x80 && b <= 0x9f) t[4 * 256 + b] = 1;
    if (cont) t[5 * 256 + b] = 2;
    if (b >= 0x90 && b <= 0xbf) t[6 * 256 + b] = 2;
    if (b >= 0x80 && b <= 0x8f) t[7 * 256 + b] = 2;
  }
  return t;
})();

/** Number of validator states (valid ones are `0 .. UTF8_STATES - 1`). */
export const UTF8_STATES = 8;

/**
 * The validator state after `bytes`, starting from `state` (default complete).
 * @returns a state in `[0, 8)`, or {@link UTF8_INVALID}.
 */
export function utf8Advance(bytes: ArrayLike<number>, state: number = UTF8_COMPLETE): number {
  let s = state;
  for (let i = 0; i < bytes.length && s >= 0; i++) s = TABLE[s * 256 + (bytes[i] & 0xff)];
  return s;
}

/** Number of continuation bytes still needed in `state` (0 when complete). */
export function utf8Pending(state: number): number {
  if (state <= 0) return 0;
  return state === 1 ? 1 : state <= 4 ? 2 : 3;
}

/**
 * Like {@link utf8Advance}, but as a decoder reads the bytes: an ill-formed sequence becomes U+FFFD and reading
 * resumes at the offending byte, so the result is never invalid. It tells whether decoded text ends inside a
 * character that later bytes may still complete (a result > 0).
 */
export function utf8AdvanceLenient(bytes: ArrayLike<number>, state: number = UTF8_COMPLETE): number {
  let s = state < 0 ? UTF8_COMPLETE : state;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] & 0xff;
    let next = TABLE[s * 256 + b];
    if (next < 0 && s !== UTF8_COMPLETE) next = TABLE[b]; // the partial character ends as U+FFFD; b starts afresh
    s = next < 0 ? UTF8_COMPLETE : next;
  }
  return s;
}
