/**
 * Byte-level BPE training. Pre-token ("word") frequencies are counted once; merges then update pair counts
 * incrementally (pair → words that contain it, and a max-heap of pair counts refreshed lazily), so each merge
 * only touches the words that contain the merged pair.
 *
 * Ties are broken deterministically: the most frequent pair wins, and among equally frequent pairs the one
 * with the smaller (left id, right id). Ids are: special tokens in the given order, then the 256 byte symbols
 * in byte order, then merged tokens in merge order. The same corpus and options always give the same tokenizer.
 *
 * @packageDocumentation
 */
import { BYTE_TO_UNICODE, utf8Encode } from './byte-level';
import { BpeTokenizer, MAX_VOCAB_SIZE } from './bpe-tokenizer';
import { TokenizerOptionError } from './errors';
import { AddedTokenSplitter, preTokenize } from './pre-tokenizer';

/** Special tokens added by default (ids 0..3). */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|pad|>'];

/** Progress report of {@link trainBpe}. */
export interface TrainBpeProgress {
  /** `count`: pre-token counting (reported every 1000 documents); `merge`: merging; `done`: finished. */
  phase: 'count' | 'merge' | 'done';
  /** Documents read so far. */
  documents: number;
  /** Distinct pre-tokens counted. */
  distinctWords: number;
  /** Merges learned so far. */
  merges: number;
  /** Current vocabulary size. */
  vocabSize: number;
  /** Requested vocabulary size. */
  targetVocabSize: number;
}

/** Options of {@link trainBpe}. */
export interface TrainBpeOptions {
  /** Final vocabulary size, special tokens and the 256 byte symbols included. Training stops earlier when no
   * pair reaches `minFrequency`. */
  vocabSize: number;
  /** A pair must occur at least this often (summed over the corpus) to be merged. Default 2. */
  minFrequency?: number;
  /** Added special tokens, ids 0..n-1, never split and never learned from. Default {@link DEFAULT_SPECIAL_TOKENS}. */
  specialTokens?: readonly string[];
  /** BOS token; default `<|endoftext|>` when it is a special token. */
  bosToken?: string | null;
  /** EOS token; default `<|endoftext|>` when it is a special token. */
  eosToken?: string | null;
  /** Padding token; default `<|pad|>` when it is a special token. */
  padToken?: string | null;
  /** See {@link BpeTokenizerInit.addBosToken}. Default false. */
  addBosToken?: boolean;
  /** See {@link BpeTokenizerInit.addEosToken}. Default false. */
  addEosToken?: boolean;
  /** Chat template stored with the tokenizer (default: none, i.e. ChatML). */
  chatTemplate?: string | null;
  /** Called during counting and every `progressEvery` merges. */
  onProgress?: (progress: TrainBpeProgress) => void;
  /** Merges between `merge` progress reports. Default 500. */
  progressEvery?: number;
}

const SHIFT = 2 ** 21;

/** Max-heap of (count, pair key): larger count first, then smaller key. Entries may be stale (checked on pop). */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes the top; returns [count, key]. */
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastC = this.counts.pop() as number;
    const lastK = this.keys.pop() as number;
    const n = this.keys.length;
    if (n > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && this.before(l, m)) m = l;
        if (r < n && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Counts pre-tokens of a corpus (special tokens are cut out and not counted).
 * @param corpus one string (a single document) or an iterable of documents.
 */
export function countPreTokens(
  corpus: Iterable<string> | string,
  specialTokens: readonly string[] = [],
  onDocument?: (documents: number, distinctWords: number) => void,
): Map<string, number> {
  const splitter = new AddedTokenSplitter(specialTokens.map((t, i) => [t, i] as const));
  const counts = new Map<string, number>();
  const docs: Iterable<string> = typeof corpus === 'string' ? [corpus] : corpus;
  if (docs === null || typeof (docs as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new TokenizerOptionError('corpus', 'must be a string or an iterable of strings');
  }
  let n = 0;
  for (const doc of docs) {
    if (typeof doc !== 'string') throw new TokenizerOptionError(`corpus[${n}]`, `must be a string, got ${typeof doc}`);
    for (const seg of splitter.split(doc)) {
      if (seg.id !== undefined) continue;
      for (const piece of preTokenize(seg.text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
    }
    n++;
    if (onDocument !== undefined && n % 1000 === 0) onDocument(n, counts.size);
  }
  onDocument?.(n, counts.size);
  return counts;
}

/** Result of {@link learnMerges}. */
export interface LearnedMerges {
  /** Token strings by id (specials, 256 byte symbols, merged tokens). */
  vocab: string[];
  /** Merges in rank order. */
  merges: [string, string][];
  /** Corpus frequency of each merged pair when it was merged (non-increasing up to ties). */
  mergeCounts: number[];
}

/**
 * Learns BPE merges from pre-token counts (the core of {@link trainBpe}).
 * @param wordCounts pre-token → frequency.
 */
export function learnMerges(
  wordCounts: ReadonlyMap<string, number>,
  options: { vocabSize: number; minFrequency?: number; specialTokens?: readonly string[]; onMerge?: (merges: number, vocabSize: number) => void },
): LearnedMerges {
  const specials = options.specialTokens ?? [];
  const minFrequency = options.minFrequency ?? 2;
  const vocab: string[] = [...specials, ...BYTE_TO_UNICODE];
  const tokenToId = new Map<string, number>();
  vocab.forEach((t, i) => tokenToId.set(t, i));
  const base = specials.length;

  const words: number[][] = [];
  const counts: number[] = [];
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  for (const [w, c] of wordCounts) {
    const bytes = utf8Encode(w);
    if (bytes.length < 2) continue;
    const sym = new Array<number>(bytes.length);
    for (let i = 0; i < bytes.length; i++) sym[i] = base + bytes[i];
    const wi = words.length;
    words.push(sym);
    counts.push(c);
    for (let i = 0; i < sym.length - 1; i++) {
      const k = sym[i] * SHIFT + sym[i + 1];
      pairCount.set(k, (pairCount.get(k) ?? 0) + c);
      const list = pairWords.get(k);
      if (list === undefined) pairWords.set(k, [wi]);
      else if (list[list.length - 1] !== wi) list.push(wi);
    }
  }
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(c, k);

  const merges: [string, string][] = [];
  const mergeCounts: number[] = [];
  const stamp = new Int32Array(words.length);
  let stampId = 0;
  const addCount = (k: number, delta: number): void => {
    const v = (pairCount.get(k) ?? 0) + delta;
    if (v === 0) pairCount.delete(k);
    else pairCount.set(k, v);
  };

  while (vocab.length < options.vocabSize && heap.size > 0) {
    const [cnt, key] = heap.pop();
    const cur = pairCount.get(key) ?? 0;
    if (cur !== cnt) {
      if (cur > 0) heap.push(cur, key);
      continue;
    }
    if (cur < minFrequency) break;
    const a = Math.floor(key / SHIFT);
    const b = key - a * SHIFT;
    const merged = vocab[a] + vocab[b];
    let x = tokenToId.get(merged);
    if (x === undefined) {
      x = vocab.length;
      vocab.push(merged);
      tokenToId.set(merged, x);
    }
    merges.push([vocab[a], vocab[b]]);
    mergeCounts.push(cur);

    const list = pairWords.get(key) ?? [];
    pairWords.delete(key);
    stampId++;
    const touched = new Set<number>();
    for (const w of list) {
      if (stamp[w] === stampId) continue;
      stamp[w] = stampId;
      const sym = words[w];
      const out: number[] = [];
      let changed = false;
      for (let i = 0; i < sym.length; ) {
        if (i < sym.length - 1 && sym[i] === a && sym[i + 1] === b) {
          out.push(x);
          i += 2;
          changed = true;
        } else {
          out.push(sym[i]);
          i++;
        }
      }
      if (!changed) continue;
      const c = counts[w];
      for (let i = 0; i < sym.length - 1; i++) addCount(sym[i] * SHIFT + sym[i + 1], -c);
      for (let i = 0; i < out.length - 1; i++) {
        const k = out[i] * SHIFT + out[i + 1];
        addCount(k, c);
        if (out[i] === x || out[i + 1] === x) {
          touched.add(k);
          const l = pairWords.get(k);
          if (l === undefined) pairWords.set(k, [w]);
          else if (l[l.length - 1] !== w) l.push(w);
        }
      }
      words[w] = out;
    }
    pairCount.delete(key);
    for (const k of touched) {
      const c = pairCount.get(k);
      if (c !== undefined && c > 0) heap.push(c, k);
    }
    options.onMerge?.(merges.length, vocab.length);
  }
  return { vocab, merges, mergeCounts };
}

/**
 * Trains a byte-level BPE tokenizer on `corpus`.
 *
 * @param corpus one string (a single document) or an iterable of documents; special tokens occurring in the
 * text are cut out and not learned from.
 * @throws TokenizerOptionError for an invalid `vocabSize`, `minFrequency` or `specialTokens`.
 *
 * @example
 * ```ts
 * const tok = trainBpe(paragraphs, { vocabSize: 8192 });
 * tok.decode(tok.encode('心浊音界 acute appendicitis')); // same text back
 * ```
 */
export function trainBpe(corpus: Iterable<string> | string, options: TrainBpeOptions): BpeTokenizer {
  const specials = options.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
  if (!Array.isArray(specials)) throw new TokenizerOptionError('options.specialTokens', 'must be an array of strings');
  const seen = new Set<string>();
  specials.forEach((t, i) => {
    if (typeof t !== 'string' || t.length === 0) {
      throw new TokenizerOptionError(`options.specialTokens[${i}]`, 'must be a non-empty string');
    }
    if (seen.has(t)) throw new TokenizerOptionError(`options.specialTokens[${i}]`, `${JSON.stringify(t)} is repeated`);
    seen.add(t);
  });
  const minVocab = specials.length + 256;
  const { vocabSize } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < minVocab || vocabSize > MAX_VOCAB_SIZE) {
    throw new TokenizerOptionError(
      'options.vocabSize',
      `must be an integer in [${minVocab}, ${MAX_VOCAB_SIZE}] (${specials.length} special tokens + 256 bytes at least), got ${vocabSize}`,
    );
  }
  const minFrequency = options.minFrequency ?? 2;
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw new TokenizerOptionError('options.minFrequency', `must be a positive integer, got ${minFrequency}`);
  }
  const every = options.progressEvery ?? 500;
  const report = options.onProgress;
  let documents = 0;
  let distinctWords = 0;
  const wordCounts = countPreTokens(corpus, specials, (d, w) => {
    documents = d;
    distinctWords = w;
    report?.({ phase: 'count', documents: d, distinctWords: w, merges: 0, vocabSize: minVocab, targetVocabSize: vocabSize });
  });
  const learned = learnMerges(wordCounts, {
    vocabSize,
    minFrequency,
    specialTokens: specials,
    onMerge: (m, v) => {
      if (report !== undefined && m % every === 0) {
        report({ phase: 'merge', documents, distinctWords, merges: m, vocabSize: v, targetVocabSize: vocabSize });
      }
    },
  });
  report?.({
    phase: 'done',
    documents,
    distinctWords,
    merges: learned.merges.length,
    vocabSize: learned.vocab.length,
    targetVocabSize: vocabSize,
  });
  const pick = (given: string | null | undefined, fallback: string): string | null =>
    given !== undefined ? given : seen.has(fallback) ? fallback : null;
  return new BpeTokenizer({
    vocab: new Map(learned.vocab.map((t, i) => [t, i] as [string, number])),
    merges: learned.merges,
    addedTokens: specials.map((content, id) => ({ id, content, special: true })),
    bosToken: pick(options.bosToken, '<|endoftext|>'),
    eosToken: pick(options.eosToken, '<|endoftext|>'),
    padToken: pick(options.padToken, '<|pad|>'),
    addBosToken: options.addBosToken,
    addEosToken: options.addEosToken,
    chatTemplate: options.chatTemplate,
  });
}
