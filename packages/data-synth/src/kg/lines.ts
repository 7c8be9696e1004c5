/**
 * Streaming line input for the loaders: a file path (read with `readline`, never slurped) or any (async)
 * iterable of lines (in-memory fixtures, other streams).
 *
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** What a loader reads: a file path, or lines (without terminators) as an iterable or async iterable. */
export type LineInput = string | Iterable<string> | AsyncIterable<string>;

/** One input line with its 1-based number. */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * Split in-memory text into lines (for fixtures): `\n` and `\r\n` both end a line; a final empty line is dropped.
 *
 * @param text - the whole text.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The label used in issues for an input: the path, or `fallback` for in-memory lines. */
export function inputLabel(input: LineInput, fallback = '<input>'): string {
  return typeof input === 'string' ? input : fallback;
}

/**
 * Iterate the lines of `input` with their 1-based numbers, stripping a UTF-8 BOM from the first line and a
 * trailing `\r` from every line. Files are streamed with `readline` (memory stays bounded by the longest line).
 *
 * @param input - a file path or an (async) iterable of lines.
 */
export async function* readLines(input: LineInput): AsyncGenerator<NumberedLine> {
  let n = 0;
  if (typeof input === 'string') {
    const stream = createReadStream(input, { encoding: 'utf8' });
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const raw of rl) {
        n++;
        yield { line: n, text: clean(raw, n) };
      }
    } finally {
      rl.close();
      stream.destroy();
    }
    return;
  }
  for await (const raw of input as AsyncIterable<string>) {
    n++;
    yield { line: n, text: clean(raw, n) };
  }
}

function clean(raw: string, n: number): string {
  let s = raw;
  if (n === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.endsWith('\r')) s = s.slice(0, -1);
  return s;
}
