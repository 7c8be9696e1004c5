/**
 * Hard-negative batching for contrastive training: a batch is made of small clusters of documents that BM25 finds
 * similar to each other, so the in-batch negatives are the passages a lexical retriever confuses, at no extra
 * compute (no extra passages are encoded).
 *
 * @packageDocumentation
 */
import { mulberry32 } from '@quarkmed/model';
import { Bm25Index } from '../src/sparse/bm25-index';
import type { TextPair } from './embedder-data';

/** A pair and the group (source document) it belongs to; pairs of one group never share a batch. */
export interface PoolPair extends TextPair {
  group: string;
}

/** One pool of pairs (pairs of a pool share batches; pools do not mix). */
export interface PairPool {
  name: string;
  pairs: readonly PoolPair[];
}

/** Options of {@link hardNegativeBatches}. */
export interface HardNegativeOptions {
  /** Pairs per batch. */
  batchSize: number;
  /** Documents per BM25 cluster (an anchor and its nearest neighbours). */
  clusterSize: number;
  seed: number;
}

interface PreparedPool {
  name: string;
  groups: string[];
  pairsOf: Map<string, PoolPair[]>;
  neighbours: Map<string, string[]>;
}

function prepare(pool: PairPool, clusterSize: number): PreparedPool {
  const pairsOf = new Map<string, PoolPair[]>();
  for (const p of pool.pairs) {
    const list = pairsOf.get(p.group);
    if (list) list.push(p);
    else pairsOf.set(p.group, [p]);
  }
  const groups = [...pairsOf.keys()];
  // One BM25 document per group: its longest passage (for a pair, the passage is the document minus one sentence).
  // The analysis the shipped checkpoint was trained with (the default before Intl.Segmenter words were added), so that
  // the recorded command still reproduces it.
  const index = new Bm25Index({ analyzer: { cjk: { ngrams: [1, 2], segmenter: false } } });
  const textOf = (g: string): string => pairsOf.get(g)!.reduce((a, p) => (p.passage.length > a.length ? p.passage : a), '');
  index.addDocuments(groups.map((g) => ({ pageContent: textOf(g), metadata: { id: g } })));
  const neighbours = new Map<string, string[]>();
  for (const g of groups) {
    const q = textOf(g).slice(0, 240);
    const hits = index.search(q, clusterSize * 2 + 1).map((h) => h.document.metadata.id as string);
    neighbours.set(
      g,
      hits.filter((h) => h !== g),
    );
  }
  return { name: pool.name, groups, pairsOf, neighbours };
}

/**
 * An endless, seeded stream of batches of pairs. Each batch comes from one pool (chosen in proportion to its pair
 * count) and is filled with clusters: a random anchor group plus its BM25 nearest groups not yet in the batch,
 * one random pair of each group.
 */
export function* hardNegativeBatches(pools: readonly PairPool[], options: HardNegativeOptions): Generator<PoolPair[]> {
  const { batchSize, clusterSize } = options;
  const rand = mulberry32(options.seed);
  const prepared = pools.filter((p) => p.pairs.length > 0).map((p) => prepare(p, clusterSize));
  const weights = prepared.map((p) => pools.find((q) => q.name === p.name)!.pairs.length);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  for (;;) {
    let r = rand() * total;
    let pi = 0;
    while (r >= weights[pi]! && pi < weights.length - 1) r -= weights[pi++]!;
    const pool = prepared[pi]!;
    const limit = Math.min(batchSize, pool.groups.length);
    const used = new Set<string>();
    const batch: PoolPair[] = [];
    const add = (g: string): void => {
      used.add(g);
      batch.push(pick(pool.pairsOf.get(g)!));
    };
    while (batch.length < limit) {
      const anchor = pick(pool.groups);
      if (used.has(anchor)) continue;
      add(anchor);
      let n = 1;
      for (const g of pool.neighbours.get(anchor)!) {
        if (n >= clusterSize || batch.length >= limit) break;
        if (!used.has(g)) {
          add(g);
          n++;
        }
      }
    }
    yield batch;
  }
}
