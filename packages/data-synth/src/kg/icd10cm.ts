/**
 * Streaming loader for the ICD-10-CM order file (CDC/NCHS), in either of its two layouts:
 *
 * - the tab-separated export with a header row (`order_number, icd10cm_code, valid_billing_code,
 *   icd10cm_short_description, icd10cm_long_description[, poa_exempt, chronic_indicator]`), as in
 *   `icd10cm_order_FY2022.tsv`;
 * - the original fixed-width `icd10cm_order_YYYY.txt`: order number (cols 1–5), code (7–13), billable flag (15),
 *   short title (17–76), long title (78–end).
 *
 * Plus the small chapters table (`chapter_num, chapter_abbr, chapter_desc, code_start, code_end`).
 *
 * @packageDocumentation
 */
import { IssueCollector, type IssueOptions } from './errors';
import { icd10cmId, isIcd10Like, normalizeIcd10 } from './codes';
import type { KnowledgeGraph } from './knowledge-graph';
import { inputBaseName, inputLabel, readLines, type LineInput } from './lines';
import type { LoadResult } from './obo';
import type { AuthorityLevel } from './types';

/** One row of the order file. */
export interface Icd10cmRecord {
  /** 1-based line in the input. */
  line: number;
  order: number;
  /** Code without the dot, e.g. `E119`. */
  code: string;
  /** Valid for billing (a leaf code). */
  billable: boolean;
  shortTitle: string;
  longTitle: string;
  poaExempt?: string;
  chronic?: string;
}

/** One ICD-10-CM chapter. */
export interface Icd10cmChapter {
  num: number;
  abbr: string;
  title: string;
  /** First 3-character category of the chapter, e.g. `E00`. */
  start: string;
  /** Last 3-character category, e.g. `E89`. */
  end: string;
}

const TAB_COLUMNS = {
  order: ['order_number', 'order'],
  code: ['icd10cm_code', 'code'],
  billable: ['valid_billing_code', 'billable', 'header'],
  shortTitle: ['icd10cm_short_description', 'short_description', 'short'],
  longTitle: ['icd10cm_long_description', 'long_description', 'long'],
  poaExempt: ['poa_exempt'],
  chronic: ['chronic_indicator'],
} as const;

/**
 * Stream the records of an ICD-10-CM order file (tab or fixed-width, detected per file from the first data line).
 * Malformed rows (wrong field count, bad code, billable flag other than 0/1, empty title, duplicate code) are
 * reported to `issues` and skipped.
 *
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param issues - where malformed lines are reported.
 */
export async function* readIcd10cmOrder(input: LineInput, issues: IssueCollector): AsyncGenerator<Icd10cmRecord> {
  let cols: Record<keyof typeof TAB_COLUMNS, number> | undefined;
  let first = true;
  const seen = new Set<string>();
  for await (const { line, text } of readLines(input, issues.file)) {
    if (text.trim() === '') continue;
    let rec: Omit<Icd10cmRecord, 'line'> | undefined;
    if (text.includes('\t')) {
      const f = text.split('\t');
      if (first) {
        first = false;
        const lower = f.map((x) => x.trim().toLowerCase());
        if (!/^\d+$/.test(lower[0] ?? '')) {
          const idx = {} as Record<keyof typeof TAB_COLUMNS, number>;
          for (const [k, names] of Object.entries(TAB_COLUMNS) as [keyof typeof TAB_COLUMNS, readonly string[]][]) {
            idx[k] = lower.findIndex((h) => names.includes(h));
          }
          if (idx.code < 0 || idx.billable < 0 || idx.longTitle < 0) {
            issues.report(line, `header must name icd10cm_code, valid_billing_code and icd10cm_long_description columns, got ${JSON.stringify(f)}`);
            return;
          }
          cols = idx;
          continue;
        }
      }
      const c = cols ?? { order: 0, code: 1, billable: 2, shortTitle: 3, longTitle: 4, poaExempt: 5, chronic: 6 };
      const need = Math.max(c.code, c.billable, c.longTitle) + 1;
      if (f.length < need) {
        issues.report(line, `expected at least ${need} tab-separated fields, got ${f.length}`);
        continue;
      }
      const get = (i: number): string => (i >= 0 ? (f[i] ?? '').trim() : '');
      rec = {
        order: c.order >= 0 ? Number(get(c.order)) : 0,
        code: get(c.code),
        billable: get(c.billable) === '1',
        shortTitle: get(c.shortTitle) || get(c.longTitle),
        longTitle: get(c.longTitle),
        ...(get(c.poaExempt) ? { poaExempt: get(c.poaExempt) } : {}),
        ...(get(c.chronic) ? { chronic: get(c.chronic) } : {}),
      };
      const flag = get(c.billable);
      if (flag !== '0' && flag !== '1') {
        issues.report(line, `valid_billing_code must be 0 or 1, got ${JSON.stringify(flag)}`);
        continue;
      }
    } else {
      first = false;
      // Fixed width: 5-digit order, space, 7-char code, space, flag, space, 60-char short title, space, long title.
      const m = /^(\d{5}) (.{7}) ([01]) (.{60}) (.*)$/.exec(text) ?? /^(\d{5}) (\S+)\s+([01]) (.*?)\s{2,}(\S.*)$/.exec(text);
      if (!m) {
        issues.report(line, `not a fixed-width order line (order, code, billable 0/1, short title, long title): ${JSON.stringify(text.slice(0, 60))}`);
        continue;
      }
      rec = {
        order: Number(m[1]),
        code: (m[2] ?? '').trim(),
        billable: m[3] === '1',
        shortTitle: (m[4] ?? '').trim(),
        longTitle: (m[5] ?? '').trim(),
      };
    }
    const code = normalizeIcd10(rec.code);
    if (!isIcd10Like(code)) {
      issues.report(line, `icd10cm_code ${JSON.stringify(rec.code)} is not an ICD-10-CM code`);
      continue;
    }
    if (!rec.longTitle) {
      issues.report(line, `code ${code} has an empty long title`);
      continue;
    }
    if (seen.has(code)) {
      issues.report(line, `duplicate code ${code}`);
      continue;
    }
    seen.add(code);
    yield { line, ...rec, code };
  }
}

/**
 * Read the ICD-10-CM chapters table (tab-separated with header `chapter_num, chapter_abbr, chapter_desc,
 * code_start, code_end`).
 *
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param opts - issue options.
 */
export async function readIcd10cmChapters(input: LineInput, opts: IssueOptions = {}): Promise<{ chapters: Icd10cmChapter[]; issues: IssueCollector['issues'] }> {
  const issues = new IssueCollector(opts.file ?? inputLabel(input), opts.strict, opts.onIssue);
  const chapters: Icd10cmChapter[] = [];
  let header = true;
  for await (const { line, text } of readLines(input, issues.file)) {
    if (!text.trim()) continue;
    const f = text.split('\t').map((x) => x.trim());
    if (header) {
      header = false;
      if (!/^\d+$/.test(f[0] ?? '')) continue;
    }
    const [num, abbr, title, start, end] = f;
    if (f.length < 5 || !/^\d+$/.test(num ?? '') || !isIcd10Like(start ?? '') || !isIcd10Like(end ?? '')) {
      issues.report(line, `expected chapter_num, chapter_abbr, chapter_desc, code_start, code_end; got ${JSON.stringify(text)}`);
      continue;
    }
    chapters.push({ num: Number(num), abbr: abbr ?? '', title: title ?? '', start: normalizeIcd10(start ?? ''), end: normalizeIcd10(end ?? '') });
  }
  return { chapters, issues: issues.issues };
}

/** The chapter containing `code` (compared on its 3-character category), or undefined. */
export function chapterOf(code: string, chapters: readonly Icd10cmChapter[]): Icd10cmChapter | undefined {
  const cat = normalizeIcd10(code).slice(0, 3);
  return chapters.find((c) => c.start <= cat && cat <= c.end);
}

/** KG id of an ICD-10-CM chapter entity, e.g. `ICD10CM_CHAPTER:4`. */
export function chapterId(num: number): string {
  return `ICD10CM_CHAPTER:${num}`;
}

/** Options of {@link loadIcd10cm}. */
export interface Icd10cmLoadOptions extends IssueOptions {
  /** Source label (default: file base name without extension, or `'icd10cm'`). */
  source?: string;
  /** Authority (default `'A'`: the official code set). */
  authority?: AuthorityLevel;
  /** Chapters: 3-character categories get `is_a` to a chapter entity. */
  chapters?: readonly Icd10cmChapter[];
}

/**
 * Load the ICD-10-CM order file into `kg`: one `code` entity per code, id `ICD10CM:E11.9`, name = long title,
 * attributes `billable`, `shortTitle`, `order` (and `chapter`); `is_a` from each code to its nearest loaded
 * prefix (`E11.9` → `E11`), and from each 3-character category to its chapter when `chapters` are given.
 * Every code also gets its own dotted code as an `ICD10CM` xref, so `kg.byXref('ICD10CM', 'E119')` finds it.
 *
 * @param kg - the graph to fill.
 * @param input - text, lines or bytes (see {@link LineInput}).
 * @param opts - see {@link Icd10cmLoadOptions}.
 */
export async function loadIcd10cm(kg: KnowledgeGraph, input: LineInput, opts: Icd10cmLoadOptions = {}): Promise<LoadResult> {
  const file = opts.file ?? inputLabel(input);
  const issues = new IssueCollector(file, opts.strict, opts.onIssue);
  const source = opts.source ?? inputBaseName(input)?.replace(/\.[^.]+$/, '') ?? 'icd10cm';
  const authority = opts.authority ?? 'A';
  const chapters = opts.chapters ?? [];
  let entities = 0;
  let triples = 0;
  for (const ch of chapters) {
    kg.addEntity({ id: chapterId(ch.num), kind: 'other', name: ch.title, language: 'en', synonyms: [], xrefs: {}, attributes: { abbr: ch.abbr, start: ch.start, end: ch.end } });
    entities++;
  }
  const loaded = new Set<string>();
  for await (const r of readIcd10cmOrder(input, issues)) {
    const id = icd10cmId(r.code);
    const ch = chapterOf(r.code, chapters);
    kg.addEntity({
      id,
      kind: 'code',
      name: r.longTitle,
      language: 'en',
      synonyms: [],
      xrefs: { ICD10CM: [r.code] },
      attributes: { billable: r.billable, shortTitle: r.shortTitle, order: r.order, ...(ch ? { chapter: ch.num } : {}) },
    });
    entities++;
    loaded.add(r.code);
    let parent: string | undefined;
    for (let k = r.code.length - 1; k >= 3; k--) {
      const p = r.code.slice(0, k);
      if (loaded.has(p)) {
        parent = icd10cmId(p);
        break;
      }
    }
    if (!parent && r.code.length === 3 && ch) parent = chapterId(ch.num);
    if (parent && kg.addTriple({ subject: id, predicate: 'is_a', object: parent, source, authority })) triples++;
  }
  return { source, entities, triples, skipped: 0, issues: issues.issues };
}
