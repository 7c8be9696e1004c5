/**
 * Line input of the loaders, without Node built-ins: the whole text as a string, lines as an (async) iterable, or
 * UTF-8 bytes (a `ReadableStream<Uint8Array>`, an async iterable of `Uint8Array` chunks, or a {@link ByteInput} that
 * names where they come from). Bytes are decoded strictly: invalid UTF-8 is a {@link LoadError} naming the file,
 * line and byte offset, never a silent U+FFFD. Memory stays bounded by the longest line.
 *
 * File paths are the business of the Node entry: `fileInput(path)` from `@quarkmed/data-synth/node` gives a
 * {@link ByteInput} for any loader.
 *
 * @packageDocumentation
 */
import { LoadError } from './errors';
import { utf8Lines } from './utf8-lines';

/** UTF-8 bytes with the name of what they are (a file path, a URL), used as the label of issues and errors. */
export interface ByteInput {
  /** Label for issues and errors, and the default `source` of the triples (its base name). */
  name: string;
  /** The bytes, streamed. */
  bytes: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
}

/**
 * What a loader reads: the whole text (a string), lines without terminators (an iterable or async iterable of
 * strings), or UTF-8 bytes (a `Uint8Array`, a `ReadableStream<Uint8Array>`, an async iterable of `Uint8Array`
 * chunks, or a {@link ByteInput}).
 */
export type LineInput = string | Iterable<string> | AsyncIterable<string> | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | ByteInput;

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

function isByteInput(input: unknown): input is ByteInput {
  return typeof input === 'object' && input !== null && typeof (input as ByteInput).name === 'string' && 'bytes' in input;
}

function isReadableStream(input: unknown): input is ReadableStream<Uint8Array> {
  return typeof input === 'object' && input !== null && typeof (input as ReadableStream).getReader === 'function';
}

/** The label used in issues for an input: a {@link ByteInput}'s name, or `fallback`. */
export function inputLabel(input: LineInput, fallback = '<input>'): string {
  return isByteInput(input) ? input.name : fallback;
}

/**
 * The base name of a {@link ByteInput}'s name (`/data/kg/doid.obo` → `doid.obo`), the default `source` of the
 * triples a loader adds; `undefined` for other inputs.
 */
export function inputBaseName(input: LineInput): string | undefined {
  if (!isByteInput(input)) return undefined;
  const parts = input.name.split(/[\\/]/);
  return parts[parts.length - 1] || input.name;
}

/** The chunks of a `ReadableStream` (through its reader, which browsers support everywhere). */
async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Lines of a whole text: `\n` ends a line; a final empty line is dropped (as for a file). */
function* textLines(text: string): Generator<string> {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) yield text.slice(start);
      return;
    }
    yield text.slice(start, nl);
    start = nl + 1;
  }
}

/**
 * Iterate the lines of `input` with their 1-based numbers, stripping a UTF-8 BOM from the first line and a
 * trailing `\r` from every line. Bytes are decoded as strict UTF-8 in streaming fashion.
 *
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param file - label for errors (default {@link inputLabel}).
 * @throws LoadError (any mode) for invalid UTF-8 (with the line and byte offset), for an input of another type,
 *   and for a {@link ByteInput} whose bytes cannot be read (e.g. the Node entry's missing file).
 */
export async function* readLines(input: LineInput, file: string = inputLabel(input)): AsyncGenerator<NumberedLine> {
  let n = 0;
  if (typeof input === 'string' || (!(input instanceof Uint8Array) && typeof input === 'object' && input !== null && Symbol.iterator in input)) {
    for (const raw of typeof input === 'string' ? textLines(input) : (input as Iterable<unknown>)) {
      n++;
      yield { line: n, text: clean(checkedString(raw, n, file), n) };
    }
    return;
  }
  for await (const batch of lineBatches(input, file)) {
    for (const raw of batch) {
      n++;
      yield { line: n, text: clean(raw, n) };
    }
  }
}

/** Lines in batches (one per byte chunk; one per line for line input). */
async function* lineBatches(input: LineInput, file: string): AsyncGenerator<string[]> {
  if (isByteInput(input)) {
    const bytes = isReadableStream(input.bytes) ? streamChunks(input.bytes) : input.bytes;
    yield* utf8Lines(bytes, file);
    return;
  }
  if (isReadableStream(input)) {
    yield* utf8Lines(streamChunks(input), file);
    return;
  }
  if (input instanceof Uint8Array) {
    yield* utf8Lines([input], file);
    return;
  }
  if (typeof input === 'object' && input !== null && Symbol.asyncIterator in input) {
    // Lines or byte chunks: the first item decides.
    const it = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) return;
    const rest: AsyncIterable<unknown> = { [Symbol.asyncIterator]: () => it };
    if (first.value instanceof Uint8Array) {
      yield* utf8Lines(prepend(first.value, rest as AsyncIterable<Uint8Array>, file), file);
    } else {
      yield* checkedStrings(prepend(first.value, rest, file), file);
    }
    return;
  }
  throw new LoadError(file, 0, `input must be text, lines or UTF-8 bytes, got ${input === null ? 'null' : typeof input}`);
}

async function* prepend<T>(first: unknown, rest: AsyncIterable<unknown>, file: string): AsyncGenerator<T> {
  yield first as T;
  for await (const x of rest) {
    if (first instanceof Uint8Array && !(x instanceof Uint8Array)) throw new LoadError(file, 0, `byte input yielded a ${typeof x} after Uint8Array chunks`);
    yield x as T;
  }
}

function checkedString(x: unknown, n: number, file: string): string {
  if (typeof x !== 'string') throw new LoadError(file, n, `line input must yield strings, got ${x === null ? 'null' : typeof x}`);
  return x;
}

async function* checkedStrings(lines: AsyncIterable<unknown>, file: string): AsyncGenerator<string[]> {
  let n = 0;
  for await (const x of lines) yield [checkedString(x, ++n, file)];
}

function clean(raw: string, n: number): string {
  let s = raw;
  if (n === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.endsWith('\r')) s = s.slice(0, -1);
  return s;
}
