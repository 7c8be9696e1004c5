/**
 * Streaming reader for delimited files (TSV, CSV with RFC 4180 quoting, including quoted fields that span
 * lines) with a header row, and a generic triple loader with a column mapping.
 *
 * @packageDocumentation
 */
import { DelimitedRecordParser } from './delimited-parser';
import { IssueCollector, LoadOptionsError, type IssueOptions } from './errors';
import { isPredicate, type KnowledgeGraph } from './knowledge-graph';
import { inputBaseName, inputLabel, readLines, type LineInput } from './lines';
import type { LoadResult } from './obo';
import type { AuthorityLevel, EntityKind, Language, Predicate } from './types';

/** One data row: fields by (trimmed) header name, and the 1-based line where the row starts. */
export interface DelimitedRow {
  line: number;
  fields: Record<string, string>;
}

/** Options of {@link readDelimited}. */
export interface DelimitedOptions {
  /** Field delimiter; default: tab if the header line has a tab, otherwise comma. */
  delimiter?: string;
  /** Quote character (default `"`); fields wrapped in it may contain the delimiter, newlines and doubled quotes. */
  quote?: string;
  /** Column names when the file has no header row (then the first line is data). */
  header?: readonly string[];
  /**
   * Most characters a record with an open quoted field may take up across lines (default
   * {@link DEFAULT_MAX_QUOTED_SPAN}). Past it, the record is reported as an unterminated quoted field, its lines are
   * skipped and reading resumes on the next line, so one stray quote costs at most this much memory.
   */
  maxQuotedSpan?: number;
}

/**
 * Split one record into fields with quote handling. Returns `undefined` when a quoted field is still open at
 * the end (the caller appends the next line). Linear in the length of `s`.
 *
 * @throws LoadOptionsError for an empty delimiter or a quote that overlaps it.
 */
export function splitDelimited(s: string, delimiter: string, quote = '"'): string[] | undefined {
  return new DelimitedRecordParser(delimiter, quote).push(s);
}

/** Default of {@link DelimitedOptions.maxQuotedSpan}: 1 MiB characters. */
export const DEFAULT_MAX_QUOTED_SPAN = 1 << 20;

function isBlank(text: string): boolean {
  return text.trim() === ''; // scans leading and trailing whitespace only
}

/**
 * Stream the rows of a delimited file. Rows whose field count differs from the header, and quoted fields left
 * open (at the end of the file, or over {@link DelimitedOptions.maxQuotedSpan} characters), are reported to
 * `issues` and skipped. Time is linear in the input, memory bounded by the longest record.
 *
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param issues - where malformed rows are reported (its `file` labels errors).
 * @param opts - delimiter, quote, explicit columns, quoted-span bound.
 * @throws LoadOptionsError for an invalid delimiter, quote or `maxQuotedSpan`.
 * @throws LoadError for unreadable input, and at the first malformed row when `issues` is strict.
 */
export async function* readDelimited(input: LineInput, issues: IssueCollector, opts: DelimitedOptions = {}): AsyncGenerator<DelimitedRow> {
  let header: string[] | undefined = opts.header ? [...opts.header] : undefined;
  const quote = opts.quote ?? '"';
  const maxSpan = opts.maxQuotedSpan ?? DEFAULT_MAX_QUOTED_SPAN;
  if (!Number.isInteger(maxSpan) || maxSpan < 1) throw new LoadOptionsError('maxQuotedSpan', `maxQuotedSpan must be a positive integer, got ${String(maxSpan)}`);
  let parser = opts.delimiter === undefined ? undefined : new DelimitedRecordParser(opts.delimiter, quote);
  let start = 0;
  for await (const { line, text } of readLines(input, issues.file)) {
    if (!parser?.open && isBlank(text)) continue;
    parser ??= new DelimitedRecordParser(text.includes('\t') ? '\t' : ',', quote);
    if (!parser.open) start = line;
    const fields = parser.push(text);
    if (!fields) {
      if (parser.pendingChars > maxSpan) {
        parser.reset();
        issues.report(start, `unterminated quoted field (over ${maxSpan} characters, lines ${start}–${line} skipped)`);
      }
      continue;
    }
    if (!header) {
      header = fields.map((h) => h.trim());
      continue;
    }
    if (fields.length !== header.length) {
      issues.report(start, `expected ${header.length} fields (${header.join(', ')}), got ${fields.length}`);
      continue;
    }
    const row: Record<string, string> = {};
    for (let k = 0; k < header.length; k++) row[header[k] as string] = (fields[k] as string).trim();
    yield { line: start, fields: row };
  }
  if (parser?.open) issues.report(start, 'unterminated quoted field at end of file');
}

/** How the columns of a delimited file map to a triple. */
export interface TripleColumns {
  /** Column holding the subject id. */
  subject: string;
  /** Column holding the object id or literal. */
  object: string;
  /** Column holding the predicate; or give `predicate` in the options for a fixed one. */
  predicate?: string;
  /** Optional columns with names that create/merge entities for subject and object. */
  subjectName?: string;
  objectName?: string;
  /** Optional column holding the authority level (A–E) per row. */
  authority?: string;
}

/** Options of {@link loadTriplesDelimited}. */
export interface TripleLoadOptions extends IssueOptions, DelimitedOptions {
  columns: TripleColumns;
  /** Fixed predicate for every row (when there is no predicate column). */
  predicate?: Predicate;
  /** Map raw predicate values (e.g. `DM`) to predicates (e.g. `treats`); rows mapping to `null` are skipped. */
  predicateMap?: Record<string, Predicate | null>;
  /** Source label (default: file base name). */
  source?: string;
  /** Authority when there is no authority column (default `'C'`). */
  authority?: AuthorityLevel;
  /** Kinds of entities created from the name columns (default `'other'`). */
  subjectKind?: EntityKind;
  objectKind?: EntityKind;
  /** The object is a literal in this language, not an entity id. */
  objectLiteral?: Language;
  /** Extra row check: return a message to report the row as malformed (and skip it). */
  validate?: (fields: Record<string, string>) => string | undefined;
}

/**
 * Load triples from a delimited file with a header row. Rows with an empty subject/object, an unknown predicate
 * or an invalid authority are reported as issues. With `subjectName`/`objectName` columns, the named entities
 * are created (or merged) too.
 *
 * @param kg - the graph to fill.
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param opts - column mapping and provenance.
 * @throws LoadOptionsError when neither `columns.predicate` nor `predicate` is given.
 */
export async function loadTriplesDelimited(kg: KnowledgeGraph, input: LineInput, opts: TripleLoadOptions): Promise<LoadResult> {
  const file = opts.file ?? inputLabel(input);
  const issues = new IssueCollector(file, opts.strict, opts.onIssue);
  const source = opts.source ?? inputBaseName(input) ?? 'tsv';
  const cols = opts.columns;
  if (!cols.predicate && !opts.predicate) {
    throw new LoadOptionsError('columns.predicate', 'loadTriplesDelimited: give columns.predicate or a fixed opts.predicate');
  }
  let entities = 0;
  let triples = 0;
  let skipped = 0;
  let checkedHeader = false;
  for await (const { line, fields } of readDelimited(input, issues, { delimiter: opts.delimiter, quote: opts.quote, header: opts.header, maxQuotedSpan: opts.maxQuotedSpan })) {
    if (!checkedHeader) {
      checkedHeader = true;
      const missing = Object.values(cols).filter((c) => c !== undefined && !(c in fields));
      if (missing.length) {
        issues.report(line, `columns ${missing.join(', ')} not in header (${Object.keys(fields).join(', ')})`);
        return { source, entities, triples, skipped, issues: issues.issues };
      }
    }
    const invalid = opts.validate?.(fields);
    if (invalid) {
      issues.report(line, invalid);
      continue;
    }
    const subject = fields[cols.subject] ?? '';
    const object = fields[cols.object] ?? '';
    if (!subject || !object) {
      issues.report(line, `empty ${!subject ? `subject (${cols.subject})` : `object (${cols.object})`}`);
      continue;
    }
    let predicate: Predicate | null | undefined = opts.predicate;
    if (cols.predicate) {
      const raw = fields[cols.predicate] ?? '';
      if (opts.predicateMap && raw in opts.predicateMap) predicate = opts.predicateMap[raw];
      else if (isPredicate(raw)) predicate = raw;
      else {
        issues.report(line, `unknown predicate ${JSON.stringify(raw)} in column ${cols.predicate}`);
        continue;
      }
    }
    if (predicate === null) {
      skipped++;
      continue;
    }
    if (!predicate) continue;
    const authority = cols.authority ? (fields[cols.authority] as AuthorityLevel) : (opts.authority ?? 'C');
    if (!['A', 'B', 'C', 'D', 'E'].includes(authority)) {
      issues.report(line, `authority must be A–E, got ${JSON.stringify(authority)}`);
      continue;
    }
    if (cols.subjectName && fields[cols.subjectName]) {
      if (!kg.has(subject)) entities++;
      kg.addEntity({ id: subject, kind: opts.subjectKind ?? 'other', name: fields[cols.subjectName] as string, language: 'en', synonyms: [], xrefs: {} });
    }
    if (!opts.objectLiteral && cols.objectName && fields[cols.objectName]) {
      if (!kg.has(object)) entities++;
      kg.addEntity({ id: object, kind: opts.objectKind ?? 'other', name: fields[cols.objectName] as string, language: 'en', synonyms: [], xrefs: {} });
    }
    const added = kg.addTriple({
      subject,
      predicate,
      object,
      ...(opts.objectLiteral ? { objectIsLiteral: true, objectLanguage: opts.objectLiteral } : {}),
      source,
      authority,
    });
    if (added) triples++;
  }
  return { source, entities, triples, skipped, issues: issues.issues };
}
