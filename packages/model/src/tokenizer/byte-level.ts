/**
 * GPT-2 byte-level alphabet: every byte 0..255 maps to one printable Unicode character, so any UTF-8 byte
 * sequence is a string of "visible" symbols (space is `Ġ` U+0120, newline is `Ċ` U+010A).
 *
 * @packageDocumentation
 */

function buildByteToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out = new Array<string>(256);
  for (let i = 0; i < bs.length; i++) out[bs[i]] = String.fromCharCode(cs[i]);
  return out;
}

/** `BYTE_TO_UNICODE[b]` is the one-character symbol of byte `b` (the GPT-2 `bytes_to_unicode` table). */
export const BYTE_TO_UNICODE: readonly string[] = buildByteToUnicode();

/** Inverse of {@link BYTE_TO_UNICODE}: char code of a symbol → byte. */
export const UNICODE_TO_BYTE: ReadonlyMap<number, number> = new Map(
  BYTE_TO_UNICODE.map((ch, b) => [ch.charCodeAt(0), b] as [number, number]),
);

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * UTF-8 bytes of `text`. Lone surrogates cannot be UTF-8 encoded and become U+FFFD (`EF BF BD`), as in
 * `TextEncoder` and Hugging Face tokenizers.
 */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 bytes; invalid or truncated sequences become U+FFFD (never throws). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Byte-level string (one symbol per byte) of `text`'s UTF-8 bytes. */
export function toByteLevel(text: string): string {
  const bytes = utf8Encode(text);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_UNICODE[bytes[i]];
  return s;
}

/**
 * Bytes of a byte-level string. Characters outside the byte-level alphabet (which a well-formed byte-level
 * vocabulary never contains) are passed through as their own UTF-8 bytes.
 */
export function fromByteLevel(symbols: string): Uint8Array {
  const out: number[] = [];
  for (const ch of symbols) {
    const b = ch.length === 1 ? UNICODE_TO_BYTE.get(ch.charCodeAt(0)) : undefined;
    if (b !== undefined) out.push(b);
    else for (const x of utf8Encode(ch)) out.push(x);
  }
  return Uint8Array.from(out);
}

/**
 * `text` with every lone surrogate replaced by U+FFFD: what a byte-level round trip
 * (`decode(encode(text))`) returns, since lone surrogates have no UTF-8 encoding.
 */
export function toWellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
