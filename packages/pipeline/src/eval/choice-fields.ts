/**
 * The options and the gold answer of a multiple-choice record, in every shape benchmark files use:
 *
 * - options: a letter-keyed object (`{"A": "...", "B": "..."}`), a list of strings (with or without `A. `
 *   prefixes), a list of `{key, value}` pairs (BigBIO), columns `opa`, `opb`, … (MedMCQA, CNMLEQA), or one string
 *   with an option per line (`A 原发病\nB 出血部位`, CMExam; the literal two characters `\n` count as a break);
 * - answer: letter(s) (`B`, `ABE`, `A,C`, `["A","C"]`, any case), an option column name (`opd`), an index
 *   (0- or 1-based, as the format says), or the text of an option.
 *
 * Letters are checked against the options: a gold letter that is not an option is an error, never dropped.
 *
 * @packageDocumentation
 */
import { describe, type RecordReader } from './record-reader';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Option letter → text, in letter order. */
export type Options = Record<string, string>;

/** The option columns `opa` … `opj`. */
export const OPTION_COLUMNS = ['opa', 'opb', 'opc', 'opd', 'ope', 'opf', 'opg', 'oph', 'opi', 'opj'] as const;

const PREFIX_RE = /^\s*[(（]?([A-Za-z])\s*(?:[.)）．:：、]\s*|\s+)/;

/** Whitespace collapsed and trimmed, for comparing option texts. */
function norm(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
}

function checkOptionText(r: RecordReader, field: string, v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw r.error(`an option must be a string, got ${describe(v)}`, field);
  const t = v.trim();
  if (t.length === 0) throw r.error('an option is empty', field);
  return t;
}

/** Strips `A. ` prefixes when every entry has its own letter, in order. */
function stripPrefixes(texts: string[]): string[] {
  const m = texts.map((t) => PREFIX_RE.exec(t));
  const all = m.every((x, i) => x !== null && x[1]!.toUpperCase() === LETTERS[i]);
  return all ? texts.map((t, i) => t.slice(m[i]![0].length).trim()) : texts;
}

function fromList(r: RecordReader, field: string, list: unknown[]): Options {
  if (list.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
    const out: Options = {};
    list.forEach((x, i) => {
      const o = x as Record<string, unknown>;
      const key = o.key ?? o.label ?? o.letter;
      const value = o.value ?? o.text;
      if (typeof key !== 'string' || !/^[A-Za-z]$/.test(key.trim())) throw r.error(`option ${i} needs a one-letter "key"`, `${field}[${i}]`);
      const k = key.trim().toUpperCase();
      if (k in out) throw r.error(`duplicate option letter ${k}`, `${field}[${i}]`);
      out[k] = checkOptionText(r, `${field}[${i}]`, value);
    });
    return sortOptions(out);
  }
  const texts = list.map((x, i) => checkOptionText(r, `${field}[${i}]`, x));
  if (texts.length > LETTERS.length) throw r.error(`too many options (${texts.length})`, field);
  const stripped = stripPrefixes(texts);
  return Object.fromEntries(stripped.map((t, i) => [LETTERS[i]!, t]));
}

function fromObject(r: RecordReader, field: string, obj: Record<string, unknown>): Options {
  const out: Options = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = k.trim().toUpperCase();
    if (!/^[A-Z]$/.test(key)) throw r.error(`option keys must be single letters, got ${JSON.stringify(k)}`, field);
    if (key in out) throw r.error(`duplicate option letter ${key}`, field);
    out[key] = checkOptionText(r, `${field}.${k}`, v);
  }
  return sortOptions(out);
}

/** One string with an option per line (`A xx\nB yy`; the literal `\n` counts as a line break). */
function fromLines(r: RecordReader, field: string, s: string): Options {
  const lines = s
    .replace(/\\n/g, '\n')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const out: Options = {};
  lines.forEach((l, i) => {
    const m = PREFIX_RE.exec(l);
    if (!m) throw r.error(`option line ${i + 1} does not start with a letter (${JSON.stringify(l.slice(0, 30))})`, field);
    const key = m[1]!.toUpperCase();
    if (key in out) throw r.error(`duplicate option letter ${key}`, field);
    const text = l.slice(m[0].length).trim();
    if (text.length === 0) throw r.error(`option ${key} is empty`, field);
    out[key] = text;
  });
  return sortOptions(out);
}

function sortOptions(o: Options): Options {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The options of a record, from the first present field of `fields`, or from the `opa`… columns.
 *
 * @param r - the record.
 * @param fields - candidate option fields (e.g. `['options', 'choices']`).
 * @param count - the required number of options, when the format fixes it.
 * @throws {@link EvalDataError} naming the field for missing, empty, duplicate or malformed options, fewer than
 * two options, letters with gaps (`A, B, D`), or a count other than `count`.
 */
export function readOptions(r: RecordReader, fields: readonly string[], count?: number): Options {
  let options: Options;
  let field: string;
  const f = r.first(fields);
  if (f) {
    field = f.name;
    if (Array.isArray(f.value)) options = fromList(r, field, f.value);
    else if (typeof f.value === 'object' && f.value !== null) options = fromObject(r, field, f.value as Record<string, unknown>);
    else if (typeof f.value === 'string') options = fromLines(r, field, f.value);
    else throw r.error(`expected options as an object, a list or lines, got ${describe(f.value)}`, field);
  } else if (r.has(OPTION_COLUMNS[0])) {
    field = 'opa';
    options = {};
    for (let i = 0; i < OPTION_COLUMNS.length; i++) {
      const col = OPTION_COLUMNS[i]!;
      const v = r.value[col];
      if (v === undefined || v === null || v === '') {
        // the columns end at the first absent one; a later present one is a gap
        for (const later of OPTION_COLUMNS.slice(i + 1)) {
          const w = r.value[later];
          if (w !== undefined && w !== null && w !== '') throw r.error(`option column ${later} is set but ${col} is missing`, col);
        }
        break;
      }
      options[LETTERS[i]!] = checkOptionText(r, col, v);
    }
  } else {
    throw r.error(`missing options (expected ${[...fields, 'opa…'].map((n) => JSON.stringify(n)).join(' or ')})`, fields[0]);
  }
  const keys = Object.keys(options);
  if (keys.length < 2) throw r.error(`needs at least two options, got ${keys.length}`, field);
  keys.forEach((k, i) => {
    if (k !== LETTERS[i]) throw r.error(`option letters must run A, B, C, … without gaps, got ${keys.join(', ')}`, field);
  });
  if (count !== undefined && keys.length !== count) throw r.error(`expected ${count} options, got ${keys.length} (${keys.join(', ')})`, field);
  return options;
}

/** How an answer field is read. */
export interface AnswerReading {
  /** Base of integer answers: 0 (`0` = A) or 1 (`1` = A). Integers are refused when undefined. */
  indexBase?: 0 | 1;
  /** Accept several letters (multiple response). Default false. */
  multiple?: boolean;
  /** Accept the text of an option. Default true. */
  optionText?: boolean;
}

/**
 * The gold letters of a record's answer value.
 *
 * @param r - the record.
 * @param field - the answer field's name (for errors).
 * @param value - the answer value.
 * @param options - the record's options.
 * @param how - see {@link AnswerReading}.
 * @returns sorted unique letters.
 * @throws {@link EvalDataError} naming the field when the answer is none of the accepted shapes, names a letter
 * that is not an option, or holds several letters where one is expected.
 */
export function readAnswerLetters(r: RecordReader, field: string, value: unknown, options: Options, how: AnswerReading = {}): string[] {
  const keys = Object.keys(options);
  const check = (letters: string[]): string[] => {
    const uniq = [...new Set(letters)].sort();
    if (uniq.length === 0) throw r.error('is empty', field);
    for (const l of uniq) if (!keys.includes(l)) throw r.error(`answer ${l} is not an option (${keys.join(', ')})`, field);
    if (uniq.length > 1 && !how.multiple) throw r.error(`expected one answer, got ${uniq.join('')}`, field);
    return uniq;
  };
  const fromIndex = (n: number): string => {
    if (how.indexBase === undefined) throw r.error(`an integer answer (${n}) is not allowed here: this format gives letters`, field);
    const i = n - how.indexBase;
    if (!Number.isInteger(n) || i < 0 || i >= keys.length) {
      throw r.error(`answer index ${n} is outside the ${keys.length} options (${how.indexBase}-based)`, field);
    }
    return keys[i]!;
  };
  if (typeof value === 'number') return check([fromIndex(value)]);
  if (Array.isArray(value)) {
    return check(
      value.map((v, i) => {
        if (typeof v === 'number') return fromIndex(v);
        if (typeof v === 'string' && /^\s*[A-Za-z]\s*$/.test(v)) return v.trim().toUpperCase();
        throw r.error(`entry ${i} is not an option letter (${describe(v)})`, field);
      }),
    );
  }
  if (typeof value !== 'string') throw r.error(`expected letters, an index or option text, got ${describe(value)}`, field);
  const s = value.trim();
  if (s.length === 0) throw r.error('is empty', field);
  const col = /^op([a-j])$/i.exec(s);
  if (col) return check([col[1]!.toUpperCase()]);
  if (/^[A-Za-z]$/.test(s)) return check([s.toUpperCase()]);
  if (/^[A-Z](?:\s*[,，、;；/]?\s*[A-Z])+$/.test(s) && how.multiple) return check(s.replace(/[^A-Z]/g, '').split(''));
  if (/^-?\d+$/.test(s) && how.indexBase !== undefined) return check([fromIndex(Number(s))]);
  if (how.optionText !== false) {
    const want = norm(s);
    const hits = keys.filter((k) => norm(options[k]!) === want);
    if (hits.length === 1) return check(hits);
    if (hits.length > 1) throw r.error(`the answer text matches several options (${hits.join(', ')})`, field);
  }
  throw r.error(`${JSON.stringify(s.slice(0, 60))} is neither an option letter${how.indexBase !== undefined ? ', an index' : ''} nor the text of an option`, field);
}
