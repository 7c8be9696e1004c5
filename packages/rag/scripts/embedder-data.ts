/**
 * Training and evaluation pairs of the built-in embedder, none from a benchmark question:
 * - knowledge-graph entity cards (definition, parents, symptoms, drugs, ICD-10 codes; the entity's own names left
 *   out) against the entity's name and synonyms, from the KG subset shipped in `@quarkmed/data-synth`;
 * - inverse-cloze pairs (a sentence vs the rest of its passage) cut from the retrieval corpora themselves (every
 *   PubMedQA abstract section and every CMExam explanation of the benchmark files, never their questions), and
 *   from the shipped medical text (`data/medical-text`, CMExam records with the question removed).
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '@quarkmed/model';
import type { KnowledgeGraph } from '@quarkmed/data-synth';

/** Held-out fraction of the entity cards (never trained on; the quality test's split). */
export const HELD_OUT = 0.2;
/** Seed of the held-out split (shared by the training script and the quality test). */
export const SPLIT_SEED = 7;

/** A text pair: `query` should embed near `passage`. */
export interface TextPair {
  query: string;
  passage: string;
  kind: 'kg' | 'ict';
}

/** An entity card and the names that should find it. */
export interface EntityCard {
  id: string;
  card: string;
  names: string[];
}

const REL_LIMIT = 6;

function uniq(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x.trim().length > 0))];
}

/**
 * Entity cards of the diseases and symptoms of `kg` that have a definition. The card never contains the entity's
 * own name or synonyms as such, so finding it from a name needs more than string identity.
 */
export function buildEntityCards(kg: KnowledgeGraph): EntityCard[] {
  const out: EntityCard[] = [];
  const nameOf = (id: string): string | undefined => kg.entity(id)?.name;
  const entities = [...kg.entities('disease'), ...kg.entities('symptom')].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const e of entities) {
    if (e.obsolete || !e.definition || !e.name) continue;
    const parents = uniq(kg.parents(e.id).map(nameOf).filter((x): x is string => !!x)).slice(0, 3);
    const symptoms = uniq(kg.triples({ subject: e.id, predicate: 'has_symptom' }).map((t) => nameOf(t.object) ?? '')).slice(0, REL_LIMIT);
    const drugs = uniq(kg.triples({ object: e.id, predicate: 'treats' }).map((t) => nameOf(t.subject) ?? '')).slice(0, REL_LIMIT);
    const codes = uniq(e.xrefs.ICD10CM ?? []).slice(0, 3);
    const parts = [e.definition.replace(/\s+/g, ' ').trim()];
    if (parents.length) parts.push(`Is a: ${parents.join(', ')}.`);
    if (symptoms.length) parts.push(`Symptoms: ${symptoms.join(', ')}.`);
    if (drugs.length) parts.push(`Treated with: ${drugs.join(', ')}.`);
    if (codes.length) parts.push(`ICD-10-CM: ${codes.join(', ')}.`);
    const names = uniq([e.name, ...e.synonyms, ...(e.names?.zh ?? [])]);
    out.push({ id: e.id, card: parts.join(' '), names });
  }
  return out;
}

/** Seeded split of cards into training and held-out sets (`heldOut` of them held out). */
export function splitCards(cards: readonly EntityCard[], heldOut: number, seed: number): { train: EntityCard[]; test: EntityCard[] } {
  const rand = mulberry32(seed);
  const idx = cards.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const n = Math.round(cards.length * heldOut);
  const test = new Set(idx.slice(0, n));
  return { train: cards.filter((_, i) => !test.has(i)), test: cards.filter((_, i) => test.has(i)) };
}

/** The parts of `text` after each `boundary` match, trimmed, those of at least `minLength` characters. */
function parts(text: string, boundary: RegExp, minLength: number): string[] {
  return text
    .split(boundary)
    .map((x) => x.trim())
    .filter((x) => x.length >= minLength);
}

/** Sentences of an English or Chinese passage. */
export function sentences(text: string): string[] {
  return parts(text, /(?<=[.!?。！？；])\s*/u, 8);
}

/** KG pairs from training cards: each name (up to `maxNames`) vs its card. */
export function cardPairs(cards: readonly EntityCard[], maxNames: number): TextPair[] {
  const out: TextPair[] = [];
  for (const c of cards) for (const n of c.names.slice(0, maxNames)) out.push({ query: n, passage: c.card, kind: 'kg' });
  return out;
}

/**
 * A retrieval-corpus document the inverse-cloze pairs are cut from. `group` joins documents that count as the same
 * source (the sections of one PubMedQA abstract), so that they are never each other's in-batch negatives.
 */
export interface CorpusDoc {
  group: string;
  pool: 'pubmedqa' | 'cmexam';
  text: string;
}

/**
 * The benchmark retrieval corpora as documents, never their questions: every PubMedQA abstract section of
 * `pubmedqa/pqal_dev500.json` (no QUESTION, no LONG_ANSWER) and every CMExam Explanation of `cmexam/dev1000.jsonl`
 * (no Question, no Options; missing and `nan` explanations skipped).
 *
 * @throws Error naming the file when the data folder lacks it
 */
export function retrievalCorpusDocs(dataDir: string): CorpusDoc[] {
  const need = (rel: string): string => {
    const p = join(dataDir, rel);
    if (!existsSync(p)) throw new Error(`${p}: not found (pass --data <folder holding pubmedqa/ and cmexam/>)`);
    return readFileSync(p, 'utf8');
  };
  const pq = JSON.parse(need('pubmedqa/pqal_dev500.json')) as Record<string, { CONTEXTS: string[] }>;
  const docs: CorpusDoc[] = [];
  for (const [pmid, v] of Object.entries(pq)) for (const c of v.CONTEXTS) docs.push({ group: `pubmedqa:${pmid}`, pool: 'pubmedqa', text: c });
  need('cmexam/dev1000.jsonl')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .forEach((l, i) => {
      const e = (JSON.parse(l) as { Explanation?: unknown }).Explanation;
      if (typeof e === 'string' && e.trim() !== '' && e.trim() !== 'nan') docs.push({ group: `cmexam:${i}`, pool: 'cmexam', text: e.trim() });
    });
  return docs;
}

/** Sentences of a passage for inverse cloze; a one-sentence passage is split at commas (`，,`) instead. */
export function clozeUnits(text: string): string[] {
  const s = parts(text, /(?<=[.!?。！？；;])\s*/u, 6);
  return s.length >= 2 ? s : parts(text, /(?<=[，,])\s*/u, 4);
}

/** An inverse-cloze pair with the document group it came from (for hard-negative batching). */
export interface GroupedPair extends TextPair {
  group: string;
}

/** Options of {@link corpusClozePairs}. */
export interface ClozeOptions {
  /**
   * Also draw clauses (comma-separated parts, at least 6 characters) of multi-clause sentences as queries, for
   * `pools` only: shorter queries, closer to an exam stem than a whole sentence. Default: none.
   */
  clausePools?: readonly CorpusDoc['pool'][];
  /** Probability that a pair keeps its query unit in the passage (Lee et al. 2019 keep 10 %). Default 0. */
  keep?: number;
}

/** Comma clauses of a sentence, when it has two or more of at least 6 characters. */
function clauses(sentence: string): string[] {
  const c = parts(sentence, /(?<=[，,：:])\s*/u, 6);
  return c.length >= 2 ? c : [];
}

/**
 * Inverse-cloze pairs from corpus documents: for each document with at least two cloze units, up to `perDoc`
 * distinct units, each paired with the document with that unit removed (or, with probability `options.keep`, the
 * whole document). Seeded; with no options, the pairs the shipped checkpoint's first version was trained on.
 */
export function corpusClozePairs(docs: readonly CorpusDoc[], perDoc: number, seed: number, options: ClozeOptions = {}): GroupedPair[] {
  const rand = mulberry32(seed);
  const keep = options.keep ?? 0;
  const out: GroupedPair[] = [];
  for (const d of docs) {
    const u = clozeUnits(d.text);
    if (u.length < 2) continue;
    const sep = d.pool === 'cmexam' ? '' : ' ';
    // A candidate: the query text, and the passage without it.
    const candidates: [string, string][] = u.map((unit, i) => [unit, u.filter((_, j) => j !== i).join(sep)]);
    if (options.clausePools?.includes(d.pool)) {
      u.forEach((unit, i) => {
        for (const c of clauses(unit)) candidates.push([c, u.map((x, j) => (j === i ? x.replace(c, '') : x)).join(sep)]);
      });
    }
    const order = candidates.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order.slice(0, perDoc)) {
      const [query, rest] = candidates[i]!;
      const passage = keep > 0 && rand() < keep ? u.join(sep) : rest;
      out.push({ query, passage, kind: 'ict', group: d.group });
    }
  }
  return out;
}
