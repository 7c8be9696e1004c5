/**
 * The record state machine behind the delimited reader: fields with RFC 4180 quoting (a quote opens a quoted field
 * only at the start of a field, after optional whitespace; a doubled quote inside is one quote; a quoted field may
 * span lines), fed one line at a time. Each character is looked at once (fields are sliced out with `indexOf`, never
 * built a character at a time), so a record costs time linear in its length however many lines it spans.
 *
 * @packageDocumentation
 */
import { LoadOptionsError } from './errors';

/** JavaScript `String.prototype.trim` whitespace. */
function isWhitespace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Incremental parser of delimited records; one instance per input. */
export class DelimitedRecordParser {
  private fields: string[] = [];
  private parts: string[] = [];
  private inQuotes = false;
  /** The current field had a quoted section (later quotes in it are literal). */
  private quoted = false;
  /** The current field holds only whitespace so far (a quote may still open it). */
  private blank = true;
  private chars = 0;

  /**
   * @param delimiter - field delimiter (non-empty).
   * @param quote - quote string; `''` turns quoting off.
   * @throws LoadOptionsError for an empty delimiter, or a quote that equals or overlaps the delimiter.
   */
  constructor(
    readonly delimiter: string,
    readonly quote: string,
  ) {
    if (typeof delimiter !== 'string' || delimiter.length === 0) throw new LoadOptionsError('delimiter', `delimiter must be a non-empty string, got ${JSON.stringify(delimiter)}`);
    if (typeof quote !== 'string') throw new LoadOptionsError('quote', `quote must be a string, got ${typeof quote}`);
    if (quote && (delimiter.includes(quote) || quote.includes(delimiter))) {
      throw new LoadOptionsError('quote', `quote ${JSON.stringify(quote)} must differ from the delimiter ${JSON.stringify(delimiter)}`);
    }
  }

  /** True while a quoted field is open (the record continues on the next line). */
  get open(): boolean {
    return this.inQuotes;
  }

  /** Characters taken into the unfinished record so far (0 after a complete record). */
  get pendingChars(): number {
    return this.chars;
  }

  /** Drop the unfinished record. */
  reset(): void {
    this.fields = [];
    this.parts = [];
    this.inQuotes = false;
    this.quoted = false;
    this.blank = true;
    this.chars = 0;
  }

  private endField(): void {
    const p = this.parts;
    this.fields.push(p.length === 0 ? '' : p.length === 1 ? (p[0] as string) : p.join(''));
    this.parts = [];
    this.quoted = false;
    this.blank = true;
  }

  /**
   * Feed the next line (without its terminator; it may contain `\n` itself). Returns the record's fields when it is
   * complete, or `undefined` when a quoted field is still open at the end of the line (the line break then belongs
   * to the field).
   */
  push(line: string): string[] | undefined {
    const d = this.delimiter;
    const q = this.quote;
    const dl = d.length;
    const ql = q.length;
    const n = line.length;
    if (this.inQuotes) this.parts.push('\n');
    this.chars += n + 1;
    let i = 0;
    while (i < n) {
      if (this.inQuotes) {
        const j = line.indexOf(q, i);
        if (j < 0) {
          this.parts.push(i === 0 ? line : line.slice(i));
          return undefined;
        }
        if (j > i) this.parts.push(line.slice(i, j));
        if (line.startsWith(q, j + ql)) {
          this.parts.push(q);
          i = j + 2 * ql;
        } else {
          this.inQuotes = false;
          i = j + ql;
        }
        continue;
      }
      if (this.blank && !this.quoted && ql > 0) {
        let k = i;
        while (k < n && isWhitespace(line.charCodeAt(k)) && !line.startsWith(d, k)) k++;
        if (k < n && line.startsWith(q, k)) {
          this.parts = [];
          this.inQuotes = true;
          this.quoted = true;
          i = k + ql;
          continue;
        }
        if (k > i) this.parts.push(line.slice(i, k));
        i = k;
        if (i >= n) break;
        if (!line.startsWith(d, i)) this.blank = false;
      }
      const j = line.indexOf(d, i);
      if (j < 0) {
        this.parts.push(i === 0 ? line : line.slice(i));
        this.blank = false;
        break;
      }
      if (j > i) this.parts.push(line.slice(i, j));
      this.endField();
      i = j + dl;
    }
    if (this.inQuotes) return undefined;
    this.endField();
    const out = this.fields;
    this.fields = [];
    this.chars = 0;
    return out;
  }
}
