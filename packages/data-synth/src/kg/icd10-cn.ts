/**
 * ICD-10 Chinese names (github.com/chaseliu/ICD-10-CN, MIT): `disease.csv` (tab-separated despite its name:
 * `code, disease`, 3-character codes, dagger `+` / asterisk `*` marks allowed) and the chapter/block catalogue
 * `disease_catalog.csv` (`code_lower_bound, code_upper_bound, level, catalog`).
 *
 * Each Chinese name becomes a `translation` triple (object language `zh`) and an entry in `names.zh` of
 * - the ICD-10-CM category entity with the same 3-character code (`ICD10CM:A00`), always, and
 * - at most one other entity (e.g. a Disease Ontology disease) per category, and only when the mapping is
 *   unambiguous — see {@link loadIcd10Cn} for the rule. An ICD-10 category is often cross-referenced by a broad
 *   DO grouping term (`viral infectious disease` → A94, B34; `diabetes mellitus` → E11), and copying the
 *   category's name onto it would name the group after one of its members.
 * Names of codes that match nothing in the graph are counted in `skipped` (load ICD-10-CM and DO first).
 *
 * @packageDocumentation
 */
import { IssueCollector, type IssueOptions } from './errors';
import { icd10cmId, isIcd10Like, normalizeIcd10 } from './codes';
import type { KnowledgeGraph } from './knowledge-graph';
import { inputLabel, type LineInput } from './lines';
import type { LoadResult } from './obo';
import { readDelimited } from './tsv';
import type { AuthorityLevel, Entity } from './types';

/** Options of {@link loadIcd10Cn}. */
export interface Icd10CnOptions extends IssueOptions {
  /** Source label (default `'icd10_cn'`). */
  source?: string;
  /** Authority (default `'C'`: a community transcription of the national ICD-10 names, not the official file). */
  authority?: AuthorityLevel;
  /**
   * Minimum English title agreement (`titleSimilarity`, 0–1) between a cross-referenced entity's name and
   * the ICD-10-CM title of the category for the entity to get the category's Chinese name (default
   * `ICD10_CN_MIN_TITLE_SIMILARITY`).
   */
  minTitleSimilarity?: number;
}

/**
 * Default threshold of {@link Icd10CnOptions.minTitleSimilarity}: 0.85. With the Dice coefficient of normalised
 * tokens, a name one specifying word short of a title of up to three words is rejected (`diabetes mellitus` vs
 * `Type 2 diabetes mellitus`, 0.67; `mitral valve disease` vs `Rheumatic mitral valve diseases`, 0.8), while
 * titles that differ only in function words, `disease`/`disorder`, possessives or plurals match (1.0), and a
 * long title may differ by one word (`human immunodeficiency virus infectious disease` vs `Human
 * immunodeficiency virus [HIV] disease`, 0.86).
 */
export const ICD10_CN_MIN_TITLE_SIMILARITY = 0.85;

/**
 * Words ignored by {@link titleTokens}: function words and the generic `disease`/`disorder`. ICD qualifiers such
 * as `other`, `unspecified`, `not elsewhere classified` are kept on purpose: they mark residual categories
 * (`Unspecified malaria`, `Other disorders of nervous system`), whose names do not fit the whole disease.
 */
const STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'as', 'at', 'by', 'due', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with',
  'disease', 'diseases', 'disorder', 'disorders',
]);

/**
 * Normalised word set of an English title: NFKC, lower case, split on anything but letters and digits, function
 * words and `disease`/`disorder` dropped (see the list above), a possessive `'s` and a plural `s` stripped
 * (`infections` → `infection`; not after `s`, `u` or `i`, and not from words of 3 letters or fewer).
 *
 * @param title - an English disease or code title.
 */
export function titleTokens(title: string): Set<string> {
  const out = new Set<string>();
  for (const w of title.normalize('NFKC').toLowerCase().replace(/['’]s\b/g, '').split(/[^\p{L}\p{N}]+/u)) {
    if (!w || STOPWORDS.has(w)) continue;
    out.add(w.length > 3 && /[^siu]s$/.test(w) ? w.slice(0, -1) : w);
  }
  return out;
}

/**
 * Agreement of two English titles: the Dice coefficient `2|A∩B| / (|A|+|B|)` of their {@link titleTokens}
 * (1 = same words, 0 = none shared or either empty).
 *
 * @param a - first title.
 * @param b - second title.
 */
export function titleSimilarity(a: string, b: string): number {
  const ta = titleTokens(a);
  const tb = titleTokens(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return (2 * common) / (ta.size + tb.size);
}

/**
 * Words that mark a residual ICD category (`Unspecified malaria`, `Other disorders of peripheral nervous system`,
 * `Suppurative and unspecified otitis media`): its name does not fit a disease whose own name lacks the word.
 */
const RESIDUAL_WORDS: readonly string[] = ['other', 'unspecified', 'nos'];

/**
 * The English forms of an ICD title compared by {@link loadIcd10Cn}: the title, the title without its
 * parenthesised or bracketed parts, and each such part alone (`Osteitis deformans [Paget's disease of bone]`,
 * `Systemic lupus erythematosus (SLE)`).
 */
function titleVariants(title: string): string[] {
  const out = [title, title.replace(/\s*[([][^)\]]*[)\]]/g, '')];
  for (const m of title.matchAll(/[([]([^)\]]*)[)\]]/g)) out.push(m[1] as string);
  return out.filter((t) => t.trim().length > 0);
}

/** A candidate attachment of a category's Chinese names to a cross-referenced entity. */
interface Attachment {
  id: string;
  code: string;
  score: number;
}

/**
 * True when `e`'s ICD-10-CM xrefs include exactly `code` (the 3-character category, not a subcode) and none of
 * them leaves that category: subcodes of it and one-category ranges (`C50-C50`) are fine, a subcode of another
 * category (`I25.1` next to `I70`), another category (`A94` next to `B34`) or a block range (`E08-E13`,
 * `G00-G99`) mark a disease broader than the category.
 */
function mapsExactlyTo(e: Entity, code: string): boolean {
  const xs = e.xrefs['ICD10CM'] ?? [];
  if (!xs.some((x) => normalizeIcd10(x) === code)) return false;
  return xs.every((x) => x.split('-').every((end) => normalizeIcd10(end).slice(0, 3) === code));
}

/**
 * Load ICD-10 Chinese names as `translation` triples and `names.zh`.
 *
 * The ICD-10-CM category entity with the row's code always gets the name. Any other entity (a DO disease) gets it
 * only when the mapping is unambiguous:
 * 1. its ICD-10-CM xrefs contain exactly the 3-character category (a subcode such as `A00.9` alone does not
 *    count) and no code outside it (no second category, no subcode of another one, no block range such as
 *    `E08-E13`): a disease cross-referenced beyond one category is broader than it;
 * 2. the ICD-10-CM category entity is in the graph and its English title agrees with the entity's name:
 *    `titleSimilarity` ≥ `minTitleSimilarity` (default `ICD10_CN_MIN_TITLE_SIMILARITY`) against
 *    the long or short title, either whole, without its bracketed parts, or a bracketed part alone; and the
 *    title is not a residual category (`other`, `unspecified`, `NOS`) unless the name says so too. Without the
 *    category entity there is nothing to check against and no entity gets the name;
 * 3. of all entities that pass 1–2 for the category, it has the highest similarity; on a tie, it is the only one
 *    of the tied entities without an `is_a` ancestor among them (the most general); otherwise nobody gets it;
 * 4. never the same Chinese name as one of its `is_a` parents or children (a guard against duplicate names of
 *    different categories).
 * So `viral infectious disease` (A94 `Unspecified arthropod-borne viral fever` and B34: rules 1 and 2),
 * `diabetes mellitus` (E08-E13 and E11: rules 1 and 3), `major depressive disorder` (F32, F33) and `malaria`
 * (B54 `Unspecified malaria`: rule 2) get no Chinese name, while `type 2 diabetes mellitus` (E11 `Type 2
 * diabetes mellitus`) gets 非胰岛素依赖型糖尿病 and `measles` (B05) 麻疹. The rule prefers a missing name to a wrong
 * one: some right pairs are lost too (`glaucoma`, xrefs H40 and H40-H42). The file is read whole before attaching (it has ~1,600 rows).
 *
 * @param kg - the graph (with ICD-10-CM and DO already loaded).
 * @param input - text, lines or bytes of `disease.csv` (see {@link LineInput}).
 * @param opts - see {@link Icd10CnOptions}.
 */
export async function loadIcd10Cn(kg: KnowledgeGraph, input: LineInput, opts: Icd10CnOptions = {}): Promise<LoadResult> {
  const issues = new IssueCollector(opts.file ?? inputLabel(input), opts.strict, opts.onIssue);
  const source = opts.source ?? 'icd10_cn';
  const authority = opts.authority ?? 'C';
  const minSim = opts.minTitleSimilarity ?? ICD10_CN_MIN_TITLE_SIMILARITY;
  const touched = new Set<string>();
  let triples = 0;
  /** Chinese names per category code, in file order. */
  const names = new Map<string, string[]>();
  for await (const { line, fields } of readDelimited(input, issues, { delimiter: '\t' })) {
    const rawCode = fields['code'];
    const zh = (fields['disease'] ?? '').trim();
    if (rawCode === undefined || !('disease' in fields)) {
      issues.report(line, `expected columns code and disease, got ${Object.keys(fields).join(', ')}`);
      return { source, entities: 0, triples: 0, skipped: 0, issues: issues.issues };
    }
    const code = normalizeIcd10(rawCode.replace(/[+*†]/g, ''));
    if (!isIcd10Like(code) || code.length !== 3) {
      issues.report(line, `code must be a 3-character ICD-10 code, got ${JSON.stringify(rawCode)}`);
      continue;
    }
    if (!zh) {
      issues.report(line, `empty Chinese name for ${code}`);
      continue;
    }
    const list = names.get(code) ?? [];
    if (!list.includes(zh)) list.push(zh);
    names.set(code, list);
  }

  const attach = (id: string, zh: string): void => {
    const before = kg.entity(id)?.names?.zh?.length ?? 0;
    kg.addName(id, 'zh', zh);
    if ((kg.entity(id)?.names?.zh?.length ?? 0) > before) touched.add(id);
    if (kg.addTriple({ subject: id, predicate: 'translation', object: zh, objectIsLiteral: true, objectLanguage: 'zh', source, authority })) triples++;
  };

  // 1–3: the best cross-referenced entity per category
  const accepted = new Map<string, string>(); // entity id → category code
  for (const code of names.keys()) {
    const cat = kg.entity(icd10cmId(code));
    if (!cat) continue;
    const titles = [cat.name, String(cat.attributes?.['shortTitle'] ?? '')].filter(Boolean).flatMap(titleVariants);
    const catTokens = titleTokens(cat.name);
    const scored: Attachment[] = [];
    for (const e of kg.byXref('ICD10CM', code)) {
      if (e.id === cat.id || e.kind === 'code' || !mapsExactlyTo(e, code)) continue;
      const own = titleTokens(e.name);
      if (RESIDUAL_WORDS.some((w) => catTokens.has(w) && !own.has(w))) continue;
      const score = Math.max(...titles.map((t) => titleSimilarity(e.name, t)));
      if (score >= minSim) scored.push({ id: e.id, code, score });
    }
    if (scored.length === 0) continue;
    const top = Math.max(...scored.map((s) => s.score));
    let tied = scored.filter((s) => s.score === top);
    if (tied.length > 1) {
      const ids = new Set(tied.map((s) => s.id));
      tied = tied.filter((s) => !kg.ancestors(s.id).some((a) => ids.has(a)));
    }
    if (tied.length !== 1) continue;
    const w = tied[0] as Attachment;
    accepted.set(w.id, w.code); // rule 1 allows one category per entity
  }

  // the categories themselves, then the accepted entities (4: never a parent's or child's name)
  let skipped = 0;
  const used = new Set<string>();
  for (const [code, zhs] of names) {
    const cat = icd10cmId(code);
    if (kg.has(cat)) {
      used.add(code);
      for (const zh of zhs) attach(cat, zh);
    }
  }
  const zhOf = (id: string): string[] => [...(kg.entity(id)?.names?.zh ?? []), ...(accepted.has(id) ? (names.get(accepted.get(id) as string) ?? []) : [])];
  for (const [id, code] of [...accepted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const neighbours = new Set([...kg.parents(id), ...kg.children(id)].flatMap(zhOf));
    const zhs = (names.get(code) ?? []).filter((zh) => !neighbours.has(zh));
    if (zhs.length === 0) continue;
    used.add(code);
    for (const zh of zhs) attach(id, zh);
  }
  for (const code of names.keys()) if (!used.has(code)) skipped++;
  return { source, entities: touched.size, triples, skipped, issues: issues.issues };
}

/**
 * Load the Chinese chapter titles of `disease_catalog.csv` onto ICD-10-CM chapter entities whose first category
 * matches (level-1 rows; blocks, level 2, have no entities and are skipped).
 *
 * @param kg - the graph (ICD-10-CM loaded with chapters).
 * @param input - text, lines or bytes of `disease_catalog.csv` (see {@link LineInput}).
 * @param opts - see {@link Icd10CnOptions}.
 */
export async function loadIcd10CnCatalog(kg: KnowledgeGraph, input: LineInput, opts: Icd10CnOptions = {}): Promise<LoadResult> {
  const issues = new IssueCollector(opts.file ?? inputLabel(input), opts.strict, opts.onIssue);
  const source = opts.source ?? 'icd10_cn';
  const authority = opts.authority ?? 'C';
  const chapters = kg.entities('other').filter((e) => e.id.startsWith('ICD10CM_CHAPTER:'));
  let entities = 0;
  let triples = 0;
  let skipped = 0;
  for await (const { line, fields } of readDelimited(input, issues, { delimiter: '\t' })) {
    const lo = normalizeIcd10(fields['code_lower_bound'] ?? '');
    const level = fields['level'];
    const zh = (fields['catalog'] ?? '').trim();
    if (!isIcd10Like(lo) || !/^\d+$/.test(level ?? '') || !zh) {
      issues.report(line, `expected code_lower_bound, code_upper_bound, level, catalog; got ${JSON.stringify(fields)}`);
      continue;
    }
    const ch = level === '1' ? chapters.find((c) => c.attributes?.['start'] === lo) : undefined;
    if (!ch) {
      skipped++;
      continue;
    }
    kg.addName(ch.id, 'zh', zh);
    entities++;
    if (kg.addTriple({ subject: ch.id, predicate: 'translation', object: zh, objectIsLiteral: true, objectLanguage: 'zh', source, authority })) triples++;
  }
  return { source, entities, triples, skipped, issues: issues.issues };
}
