/**
 * Held-out knowledge probes: facts of the KG subset ("drug treats disease") rendered with a template seed the corpus
 * did not use, each against three distractors (the same sentence with another disease of the subset). A model
 * answers a probe by likelihood: the sentence with the highest mean token log-probability is its choice. Also
 * with retrieval: the top passages of a BM25 index over the corpus are put before each sentence.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32, type KnowledgeGraph, translateTriples, type Triple, type Doc } from '@quarkmed/data-synth';
import type { LlamaModel, Tokenizer } from '@quarkmed/model';
import { Bm25Index } from '@quarkmed/rag';

/** One probe: sentence 0 is true. */
export interface KnowledgeProbe {
  fact: string;
  /** The retrieval query: the drug's name (never the answer). */
  query: string;
  sentences: string[];
}

/** Builds up to `count` probes from the `treats` facts among `diseases` (pure, seeded). */
export function buildProbes(kg: KnowledgeGraph, diseases: readonly string[], count: number, seed: number): KnowledgeProbe[] {
  const set = new Set(diseases);
  const facts = kg.triples({ predicate: 'treats' }).filter((t) => set.has(t.object));
  const rand = mulberry32(seed);
  const order = facts.map((t) => ({ t, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.t);
  const out: KnowledgeProbe[] = [];
  for (const t of order) {
    if (out.length >= count) break;
    const others = diseases.filter((d) => d !== t.object && !facts.some((f) => f.subject === t.subject && f.object === d));
    if (others.length < 3) continue;
    const picks: string[] = [];
    while (picks.length < 3) {
      const d = others[Math.floor(rand() * others.length)]!;
      if (!picks.includes(d)) picks.push(d);
    }
    const variants: Triple[] = [t, ...picks.map((object) => ({ ...t, object }))];
    const s = translateTriples(kg, variants, { language: 'en', seed: seed ^ 0x9e3779b9 });
    if (s.length !== 4) continue;
    out.push({ fact: `${t.subject} treats ${t.object}`, query: kg.entity(t.subject)?.name ?? t.subject, sentences: s.map((x) => x.text) });
  }
  return out;
}

/** Mean log-probability of each text's tokens after `context` (right padded, one batch). */
export function meanLogProbs(model: LlamaModel, tokenizer: Tokenizer, texts: readonly string[], context = ''): number[] {
  const ctxIds = context === '' ? [] : tokenizer.encode(context);
  const rows = texts.map((t) => tokenizer.encode(t));
  const maxLen = model.config.maxSeqLen;
  const keepCtx = ctxIds.slice(-Math.max(0, maxLen - Math.max(...rows.map((r) => r.length)) - 1));
  const bos = tokenizer.eosTokenId ?? 0;
  const seqs = rows.map((r) => [bos, ...keepCtx, ...r].slice(0, maxLen));
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = seqs.flatMap((s) => [...s, ...new Array<number>(T - s.length).fill(0)]);
  const mask = seqs.flatMap((s) => [...s.map(() => 1), ...new Array<number>(T - s.length).fill(0)]);
  const lp = tf.tidy(() => model.logProbs(tf.tensor2d(ids, [seqs.length, T], 'int32'), tf.tensor2d(mask, [seqs.length, T], 'int32')).arraySync());
  return seqs.map((s, r) => {
    const from = 1 + keepCtx.length; // positions of the text's tokens
    let sum = 0;
    let n = 0;
    for (let p = from; p < s.length; p++) {
      sum += lp[r]![p - 1]!;
      n++;
    }
    return n === 0 ? Number.NEGATIVE_INFINITY : sum / n;
  });
}

/** Correct answers of `model` on `probes` (optionally with retrieved passages before each sentence). */
export function probeCorrect(model: LlamaModel, tokenizer: Tokenizer, probes: readonly KnowledgeProbe[], retrieve?: (query: string) => string): number {
  let correct = 0;
  for (const p of probes) {
    const context = retrieve ? retrieve(p.query) : '';
    const scores = meanLogProbs(model, tokenizer, p.sentences, context);
    if (scores.indexOf(Math.max(...scores)) === 0) correct++;
  }
  return correct;
}

/** A BM25 retriever over the corpus returning the top `k` passages as one context string. */
export function corpusRetriever(docs: readonly Doc[], k: number): (query: string) => string {
  const index = new Bm25Index();
  index.addDocuments(docs.map((d) => ({ pageContent: d.text, metadata: { id: d.id } })));
  return (query: string) =>
    index
      .search(query, k)
      .map((r) => r.document.pageContent)
      .join('\n')
      .concat('\n');
}
