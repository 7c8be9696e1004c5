/**
 * Strict streaming UTF-8 decoding into lines, with the position of the first invalid byte (line and byte offset)
 * when the input is not UTF-8. Linear in the input; memory bounded by the longest line.
 *
 * @packageDocumentation
 */
import { LoadError } from './errors';

const NL = 0x0a;
const EMPTY = new Uint8Array(0);

/**
 * Offset of the first invalid UTF-8 sequence in `bytes[start..]`, or -1. A sequence cut off by the end of `bytes`
 * counts as invalid only when `final`.
 */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, final = false): number {
  const n = bytes.length;
  let i = start;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return final ? i : -1;
      const c = bytes[i + k] as number;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Start of a multi-byte sequence left incomplete at the end of `tail`, or `tail.length`. */
function incompleteStart(tail: Uint8Array): number {
  for (let k = tail.length - 1; k >= 0 && k >= tail.length - 3; k--) {
    const b = tail[k] as number;
    if (b < 0x80) return tail.length;
    if (b >= 0xc0) {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return k + len > tail.length ? k : tail.length;
    }
  }
  return tail.length;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(NL); i !== -1 && i < end; i = bytes.indexOf(NL, i + 1)) n++;
  return n;
}

function invalid(file: string, line: number, offset: number, byte: number | undefined): LoadError {
  const what = byte === undefined ? 'a truncated multi-byte sequence at the end of the input' : `byte 0x${byte.toString(16).padStart(2, '0')}`;
  return new LoadError(file, line, `invalid UTF-8: ${what} at byte offset ${offset} (the input must be UTF-8)`);
}

/**
 * The lines (without `\n`) of UTF-8 `chunks`, decoded strictly, in batches (the lines completed by each chunk, so
 * that the per-line cost stays synchronous). A final empty line is dropped, as for a file that ends with a newline.
 *
 * @param chunks - the bytes, in order.
 * @param file - label for errors.
 * @throws LoadError naming the line and byte offset of the first invalid UTF-8 sequence.
 */
export async function* utf8Lines(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, file: string): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let parts: string[] = [];
  let line = 1;
  let offset = 0;
  let prevTail: Uint8Array = EMPTY;
  const split = (text: string): string[] => {
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      parts.push(text.slice(start, nl));
      out.push(parts.length === 1 ? (parts[0] as string) : parts.join(''));
      parts = [];
      line++;
      start = nl + 1;
    }
    if (start < text.length) parts.push(text.slice(start));
    return out;
  };
  try {
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) throw new LoadError(file, line, `byte input must yield Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}`);
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        // Find the first invalid sequence, starting with one left open at the end of the previous chunk.
        const from = incompleteStart(prevTail);
        const joined = new Uint8Array(prevTail.length + chunk.length);
        joined.set(prevTail);
        joined.set(chunk, prevTail.length);
        const at = firstInvalidUtf8(joined, from);
        const pos = at < 0 ? 0 : Math.max(0, at - prevTail.length);
        throw invalid(file, line + countNewlines(chunk, pos), offset + (at < 0 ? 0 : at - prevTail.length), at < 0 ? undefined : joined[at]);
      }
      const batch = split(text);
      if (batch.length > 0) yield batch;
      offset += chunk.length;
      prevTail = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : concatTail(prevTail, chunk);
    }
    let rest: string;
    try {
      rest = decoder.decode();
    } catch {
      throw invalid(file, line, offset - (prevTail.length - incompleteStart(prevTail)), undefined);
    }
    const batch = split(rest);
    if (batch.length > 0) yield batch;
  } catch (error) {
    if (error instanceof LoadError) throw error;
    throw new LoadError(file, line, `cannot read input: ${(error as Error)?.message ?? String(error)}`);
  }
  if (parts.length > 0) yield [parts.join('')];
}

function concatTail(prev: Uint8Array, chunk: Uint8Array): Uint8Array {
  const j = new Uint8Array(prev.length + chunk.length);
  j.set(prev);
  j.set(chunk, prev.length);
  return j.subarray(Math.max(0, j.length - 3));
}
