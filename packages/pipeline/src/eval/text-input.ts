/**
 * What a benchmark loader reads: the file's text or its bytes (decoded as strict UTF-8).
 *
 * @packageDocumentation
 */
import { EvalDataError } from './eval-data-error';

/** The content of a benchmark file: text, or UTF-8 bytes. */
export type TextInput = string | Uint8Array | ArrayBuffer;

/**
 * The text of `input`: bytes are decoded as strict UTF-8 (a leading BOM removed); strings pass (BOM removed).
 *
 * @param input - text or bytes.
 * @param file - the name used in errors.
 * @throws {@link EvalDataError} for invalid UTF-8 (with the line of the first bad byte) or an input of another type.
 */
export function readTextInput(input: TextInput, file: string): string {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (e) {
      throw new EvalDataError(file, badUtf8Line(bytes), 'invalid UTF-8', undefined, { cause: e });
    }
  } else {
    throw new EvalDataError(file, 0, `expected the file's text or bytes, got ${Object.prototype.toString.call(input)}`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The line of the first byte that does not decode (decoding prefixes line by line). */
function badUtf8Line(bytes: Uint8Array): number {
  const dec = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      try {
        dec.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line - 1;
}
