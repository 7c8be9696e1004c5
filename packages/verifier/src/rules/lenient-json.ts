/**
 * A tolerant JSON reader for model output: fenced or unfenced JSON, trailing commas, single-quoted strings,
 * unquoted keys, `//`, `/* *\/` and `#` comments, Python literals (`None`, `True`, `False`), and missing closing
 * braces/brackets (closed at the end of the text or where a value cannot continue). Linear time: nesting deeper
 * than {@link MAX_DEPTH} stops the parse, and {@link findJsonValues} bounds the total work by a multiple of the
 * input length.
 *
 * @packageDocumentation
 */

/** Deepest nesting read. */
export const MAX_DEPTH = 64;

/** A value read by {@link parseLenient}. */
export type LenientValue = string | number | boolean | null | LenientValue[] | { [key: string]: LenientValue };

/** Thrown (as a plain object: no stack capture) when the text is not a value. */
const FAIL = { fail: true };
const KEY_RE = /[A-Za-z_$\u4e00-\u9fff][\w$\u4e00-\u9fff-]{0,63}/y;
const SCALAR_RE = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|true|false|null|None|True|False|NaN|[A-Za-z_\u4e00-\u9fff][^,\]}\n:"']{0,200}/y;

/** Reads one JSON value at `pos`; returns the value and where it ended, or null. */
export function parseLenient(text: string, pos = 0): { value: LenientValue; end: number } | null {
  const r = readValue(text, pos);
  return r.value === undefined ? null : { value: r.value, end: r.end };
}

/** {@link parseLenient} that also reports how far it read on failure (for work bounds). */
function readValue(text: string, pos: number): { value: LenientValue | undefined; end: number } {
  const p = new Reader(text, pos);
  try {
    p.ws();
    const value = p.value(0);
    return { value, end: p.i };
  } catch (e) {
    if (e === FAIL) return { value: undefined, end: Math.max(p.i, pos + 1) };
    throw e;
  }
}

class Reader {
  i: number;
  constructor(
    readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else if (c === 47 /* / */ && s.charCodeAt(this.i + 1) === 47) {
        const e = s.indexOf('\n', this.i);
        this.i = e < 0 ? s.length : e;
      } else if (c === 47 && s.charCodeAt(this.i + 1) === 42 /* * */) {
        const e = s.indexOf('*/', this.i + 2);
        this.i = e < 0 ? s.length : e + 2;
      } else if (c === 35 /* # */) {
        const e = s.indexOf('\n', this.i);
        this.i = e < 0 ? s.length : e;
      } else return;
    }
  }

  value(depth: number): LenientValue {
    if (depth > MAX_DEPTH) throw FAIL;
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'") return this.string();
    return this.scalar();
  }

  object(depth: number): { [key: string]: LenientValue } {
    const out: { [key: string]: LenientValue } = {};
    this.i++;
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === undefined) return out; // missing closing brace at the end
      if (c === '}') {
        this.i++;
        return out;
      }
      if (c === ',') {
        this.i++;
        continue;
      }
      let key: string;
      if (c === '"' || c === "'") key = this.string();
      else {
        const m = KEY_RE;
        m.lastIndex = this.i;
        const k = m.exec(this.s);
        if (!k) {
          if (Object.keys(out).length > 0) return out; // cannot continue: close here
          throw FAIL;
        }
        key = k[0];
        this.i += key.length;
      }
      this.ws();
      if (this.s[this.i] !== ':' && this.s[this.i] !== '：') {
        if (Object.keys(out).length > 0) return out;
        throw FAIL;
      }
      this.i++;
      this.ws();
      if (this.i >= this.s.length) {
        out[key] = null;
        return out;
      }
      out[key] = this.value(depth + 1);
      this.ws();
      const d = this.s[this.i];
      if (d === ',') this.i++;
      else if (d === '}') {
        this.i++;
        return out;
      } else if (d === undefined) return out;
      else if (d !== '"' && d !== "'") return out; // missing comma/brace followed by prose: close here
    }
  }

  array(depth: number): LenientValue[] {
    const out: LenientValue[] = [];
    this.i++;
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === undefined) return out;
      if (c === ']') {
        this.i++;
        return out;
      }
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') return out; // mismatched closer: close here
      out.push(this.value(depth + 1));
      this.ws();
      const d = this.s[this.i];
      if (d === ',') this.i++;
      else if (d === ']') {
        this.i++;
        return out;
      } else if (d === undefined) return out;
      else if (d !== '"' && d !== "'" && d !== '{' && d !== '[') return out;
    }
  }

  string(): string {
    const s = this.s;
    const q = s[this.i]!;
    let out = '';
    let j = this.i + 1;
    let chunk = j;
    for (; j < s.length; j++) {
      const c = s[j]!;
      if (c === '\\') {
        out += s.slice(chunk, j);
        const e = s[j + 1];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'u' ? String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16) || 0xfffd) : (e ?? '');
        j += e === 'u' ? 5 : 1;
        chunk = j + 1;
        continue;
      }
      if (c === q) {
        out += s.slice(chunk, j);
        this.i = j + 1;
        return out;
      }
      if (c === '\n' && q === "'") break; // an apostrophe, not a string
    }
    if (q === "'") {
      this.i = j; // for work accounting: this much was read
      throw FAIL;
    }
    out += s.slice(chunk, j);
    this.i = j; // unterminated string: up to the end
    return out;
  }

  scalar(): LenientValue {
    const m = SCALAR_RE;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) throw FAIL;
    this.i += r[0].length;
    const t = r[0];
    if (t === 'true' || t === 'True') return true;
    if (t === 'false' || t === 'False') return false;
    if (t === 'null' || t === 'None' || t === 'NaN') return null;
    if (/^-?(?:\d|\.\d)/.test(t)) return Number(t);
    return t.trim(); // an unquoted word: kept as a string
  }
}

/** Whether an object body can start at `p` (after blanks): a key (quoted or a word), `}` or the end. */
function canStartObjectBody(text: string, p: number): boolean {
  let i = p;
  while (i < text.length && i - p < 64) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  if (i >= text.length || i - p >= 64) return true;
  const c = text.charCodeAt(i);
  return c === 34 || c === 39 || c === 125 || c === 95 || c === 36 || c === 47 || c === 35 || c === 44 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0x4e00 && c <= 0x9fff);
}

function isOpener(c: number): boolean {
  return c === 91 || c === 123;
}

/**
 * Every JSON value (object or array) found in `text`: the contents of fenced code blocks first (in order), then
 * objects/arrays outside fences, scanning left to right. Bounded work (failed parses read at most ~2× the text
 * length in all, so a flood of openers such as `[[[[…` stays fast).
 */
export function findJsonValues(text: string): Array<{ value: LenientValue; start: number; end: number; fenced: boolean }> {
  const out: Array<{ value: LenientValue; start: number; end: number; fenced: boolean }> = [];
  const fenceRe = /```[A-Za-z]*[^\n]*\n?/g;
  const fences: Array<[number, number]> = [];
  for (let m = fenceRe.exec(text); m; m = fenceRe.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const close = text.indexOf('```', bodyStart);
    const bodyEnd = close < 0 ? text.length : close;
    fences.push([bodyStart, bodyEnd]);
    fenceRe.lastIndex = close < 0 ? text.length : close + 3;
  }
  for (const [a, b] of fences) {
    const body = text.slice(a, b);
    const i = body.search(/[{[]/);
    if (i < 0) continue;
    const r = parseLenient(body, i);
    if (r && typeof r.value === 'object' && r.value !== null) out.push({ value: r.value, start: a + i, end: a + r.end, fenced: true });
  }
  let budget = 2 * text.length + 10_000;
  let fi = 0;
  for (let i = 0; i < text.length && budget > 0; i++) {
    while (fi < fences.length && fences[fi]![1] <= i) fi++;
    if (fi < fences.length && i >= fences[fi]![0] - 3 && i < fences[fi]![1]) {
      i = fences[fi]![1];
      continue;
    }
    const c = text.charCodeAt(i);
    if (c !== 123 && c !== 91) continue;
    // A run of more openers than MAX_DEPTH cannot parse from its start: begin where at most MAX_DEPTH + 1 remain.
    let j = i;
    while (j < text.length && j - i <= MAX_DEPTH + 1 && isOpener(text.charCodeAt(j))) j++;
    if (j - i > MAX_DEPTH + 1) {
      while (j < text.length && isOpener(text.charCodeAt(j))) j++;
      i = j - MAX_DEPTH - 2;
      continue;
    }
    if (c === 123 && !canStartObjectBody(text, i + 1)) continue; // "{\\boxed…", "{ 1": no key can follow
    const r = readValue(text, i);
    budget -= r.end - i;
    if (r.value !== undefined && typeof r.value === 'object' && r.value !== null) {
      out.push({ value: r.value, start: i, end: r.end, fenced: false });
      i = Math.max(i, r.end - 1);
    }
  }
  return out;
}
