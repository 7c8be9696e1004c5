/**
 * Records of a JSON benchmark file with the line each starts on, for every JSON layout benchmark files use:
 * JSON Lines (one object per line; blank lines allowed), a JSON array of objects, or a JSON object whose values
 * are the records keyed by id (PubMedQA's `{"<pmid>": {...}}`). The layout is detected from the text.
 *
 * A top-level scanner (linear, string- and escape-aware) finds each record's span, and each span is parsed on its
 * own, so a syntax error or a record that is not an object is reported with its own line.
 *
 * @packageDocumentation
 */
import { EvalDataError } from './eval-data-error';

/** One record of a JSON benchmark file. */
export interface JsonRecord {
  /** The parsed record (a JSON object). */
  value: Record<string, unknown>;
  /** 1-based line where the record starts. */
  line: number;
  /** The key of a keyed layout (`{"<id>": {...}}`), else undefined. */
  key?: string;
}

/** The layout of a JSON benchmark file. */
export type JsonLayout = 'jsonl' | 'array' | 'keyed';

/** A top-level span found by the scanner. */
interface Span {
  start: number;
  end: number;
}

const WS = new Set([32, 9, 10, 13]);

/** Skips white space from `i`. */
function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  return i;
}

/** The end (exclusive) of the JSON value starting at `i`, by bracket depth and string state; -1 when unterminated. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    for (let j = i + 1; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 92) j++;
      else if (d === 34) return j + 1;
      else if (d === 10) return -1;
    }
    return -1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    let inString = false;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (inString) {
        if (d === 92) j++;
        else if (d === 34) inString = false;
        continue;
      }
      if (d === 34) inString = true;
      else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // a scalar: up to the next delimiter
  let j = i;
  while (j < text.length && !WS.has(text.charCodeAt(j)) && text[j] !== ',' && text[j] !== ']' && text[j] !== '}') j++;
  return j;
}

/** Line numbers of offsets: counts newlines incrementally (offsets must be increasing). */
class LineCounter {
  private pos = 0;
  private line = 1;
  constructor(private readonly text: string) {}
  lineAt(offset: number): number {
    for (; this.pos < offset; this.pos++) if (this.text.charCodeAt(this.pos) === 10) this.line++;
    return this.line;
  }
}

function parseObject(text: string, span: Span, file: string, line: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text.slice(span.start, span.end));
  } catch (e) {
    throw new EvalDataError(file, line, `invalid JSON (${e instanceof Error ? e.message : String(e)})`, undefined, { cause: e });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new EvalDataError(file, line, `a record must be a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  }
  return v as Record<string, unknown>;
}

/**
 * Detects the layout of a JSON benchmark text: `[` → array; `{` followed by another value after the first object →
 * JSON Lines; a single object whose values are all objects → keyed; a single other object → JSON Lines of one record.
 */
export function detectJsonLayout(text: string): JsonLayout {
  const i = skipWs(text, 0);
  if (text[i] === '[') return 'array';
  if (text[i] !== '{') return 'jsonl';
  const end = valueEnd(text, i);
  if (end < 0) return 'jsonl';
  if (skipWs(text, end) < text.length) return 'jsonl';
  try {
    const v = JSON.parse(text.slice(i, end)) as Record<string, unknown>;
    const vals = Object.values(v);
    if (vals.length > 0 && vals.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return 'keyed';
  } catch {
    // reported by the JSON Lines reader with its line
  }
  return 'jsonl';
}

/**
 * Every record of a JSON benchmark text, each with its line.
 *
 * @param text - the file's text.
 * @param file - the name used in errors.
 * @param layout - force a layout (default: {@link detectJsonLayout}).
 * @throws {@link EvalDataError} with file and line for invalid JSON, a record that is not an object, or a file
 * that holds no record.
 */
export function readJsonRecords(text: string, file: string, layout: JsonLayout = detectJsonLayout(text)): JsonRecord[] {
  const lines = new LineCounter(text);
  const out: JsonRecord[] = [];
  if (layout === 'jsonl') {
    let start = 0;
    let line = 1;
    while (start <= text.length) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      const raw = text.slice(start, nl);
      if (raw.trim().length > 0) out.push({ value: parseObject(text, { start, end: nl }, file, line), line });
      start = nl + 1;
      line++;
    }
  } else {
    const open = layout === 'array' ? '[' : '{';
    const close = layout === 'array' ? ']' : '}';
    let i = skipWs(text, 0);
    if (text[i] !== open) throw new EvalDataError(file, lines.lineAt(i), `expected ${open} at the start of a JSON ${layout === 'array' ? 'array' : 'object'} file`);
    i = skipWs(text, i + 1);
    let expectValue = true;
    for (;;) {
      if (i >= text.length) throw new EvalDataError(file, lines.lineAt(text.length), `unterminated JSON ${layout === 'array' ? 'array' : 'object'}: missing ${close}`);
      if (text[i] === close) {
        i = skipWs(text, i + 1);
        if (i < text.length) throw new EvalDataError(file, lines.lineAt(i), `unexpected text after the closing ${close}`);
        break;
      }
      if (!expectValue) {
        if (text[i] !== ',') throw new EvalDataError(file, lines.lineAt(i), `expected , or ${close} between records, got ${JSON.stringify(text[i])}`);
        i = skipWs(text, i + 1);
        expectValue = true;
        continue;
      }
      let key: string | undefined;
      const recordLine = lines.lineAt(i);
      if (layout === 'keyed') {
        const kEnd = valueEnd(text, i);
        if (text[i] !== '"' || kEnd < 0) throw new EvalDataError(file, recordLine, 'expected a string key');
        key = JSON.parse(text.slice(i, kEnd)) as string;
        i = skipWs(text, kEnd);
        if (text[i] !== ':') throw new EvalDataError(file, lines.lineAt(i), `expected : after the key ${JSON.stringify(key)}`);
        i = skipWs(text, i + 1);
      }
      const vLine = lines.lineAt(i);
      const end = valueEnd(text, i);
      if (end < 0) throw new EvalDataError(file, vLine, 'unterminated JSON value (a missing closing bracket or quote)');
      const value = parseObject(text, { start: i, end }, file, vLine);
      out.push(key !== undefined ? { value, line: recordLine, key } : { value, line: vLine });
      i = skipWs(text, end);
      expectValue = false;
    }
  }
  if (out.length === 0) throw new EvalDataError(file, 0, 'the file holds no record');
  return out;
}
