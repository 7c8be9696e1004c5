/**
 * Validation retrieval sets built without any benchmark question, for choosing retrieval parameters (BM25 k1/b,
 * CJK analysis, the hybrid's fusion weights) honestly: inverse-cloze pseudo-queries cut from the retrieval corpora.
 *
 * A pseudo-query is one cloze unit (a sentence, or a clause of a one-sentence text, see `clozeUnits`) of a sampled
 * corpus document; that unit is removed from the document in the validation corpus, so the query's own words are
 * not there to be matched (Lee et al. 2019's inverse cloze task). The gold is the document's group (a PubMedQA
 * abstract: any of its sections counts, as in the benchmark; a CMExam explanation: itself). Every other corpus
 * document is left as it is.
 *
 * The dense embedder was trained on inverse-cloze pairs of the same corpora (`corpusClozePairs(docs, 6, 1)`); a
 * query it was trained on would flatter the dense leg. `exclude` drops those units (for choosing the fusion
 * weight); without it any unit may be drawn (for the BM25 parameters, which nothing was trained on).
 *
 * @packageDocumentation
 */
import { mulberry32 } from '@quarkmed/model';
import { clozeUnits, type CorpusDoc } from './embedder-data';

/** A validation corpus and its pseudo-queries. */
export interface ValidationSet {
  pool: CorpusDoc['pool'];
  passages: { id: string; text: string; gold: string }[];
  queries: { text: string; gold: string }[];
}

/** Options of {@link clozeValidationSet}. */
export interface ValidationOptions {
  /** Pseudo-queries to draw (at most one per document). */
  sample: number;
  seed: number;
  /** `group + '\u0000' + unit` keys of units that may not be drawn (the embedder's training queries). */
  exclude?: ReadonlySet<string>;
}

/** The key of a cloze unit in {@link ValidationOptions.exclude}. */
export const unitKey = (group: string, unit: string): string => `${group}\u0000${unit}`;

/**
 * Inverse-cloze validation set of one pool of `docs` (see the file comment). Deterministic for a seed.
 *
 * @throws Error when the pool has no document with two or more drawable cloze units
 */
export function clozeValidationSet(docs: readonly CorpusDoc[], pool: CorpusDoc['pool'], options: ValidationOptions): ValidationSet {
  const rand = mulberry32(options.seed);
  const inPool = docs.filter((d) => d.pool === pool);
  const order = inPool.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const removed = new Map<number, string>();
  const queries: ValidationSet['queries'] = [];
  for (const i of order) {
    if (queries.length >= options.sample) break;
    const d = inPool[i]!;
    const units = clozeUnits(d.text);
    if (units.length < 2) continue;
    const drawable = units.map((u, j) => [u, j] as const).filter(([u]) => !options.exclude?.has(unitKey(d.group, u)));
    if (drawable.length === 0) continue;
    const [unit, j] = drawable[Math.floor(rand() * drawable.length)]!;
    const sep = pool === 'cmexam' ? '' : ' ';
    removed.set(i, units.filter((_, k) => k !== j).join(sep));
    queries.push({ text: unit, gold: d.group });
  }
  if (queries.length === 0) throw new Error(`${pool}: no document has two or more drawable cloze units`);
  return {
    pool,
    passages: inPool.map((d, i) => ({ id: `${pool}-${i}`, text: removed.get(i) ?? d.text, gold: d.group })),
    queries,
  };
}
