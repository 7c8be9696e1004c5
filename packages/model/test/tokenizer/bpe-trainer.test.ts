import { describe, expect, it } from 'vitest';
import {
  BYTE_TO_UNICODE,
  countPreTokens,
  DEFAULT_SPECIAL_TOKENS,
  learnMerges,
  TokenizerOptionError,
  trainBpe,
  utf8Encode,
  type TrainBpeProgress,
} from '../../src/tokenizer/index';
import { mulberry32, paragraphs, readMedical } from './helpers';

/** Reference trainer: recounts every pair before each merge (slow, obviously correct), same tie rule. */
function naiveMerges(wordCounts: Map<string, number>, vocabSize: number, minFrequency: number, specials: string[]): [string, string][] {
  const vocab = [...specials, ...BYTE_TO_UNICODE];
  const ids = new Map(vocab.map((t, i) => [t, i]));
  let words = [...wordCounts].map(([w, c]) => ({ sym: [...utf8Encode(w)].map((b) => specials.length + b), c }));
  const merges: [string, string][] = [];
  while (vocab.length < vocabSize) {
    const counts = new Map<string, number>();
    for (const { sym, c } of words) for (let i = 0; i + 1 < sym.length; i++) counts.set(`${sym[i]},${sym[i + 1]}`, (counts.get(`${sym[i]},${sym[i + 1]}`) ?? 0) + c);
    let best: [number, number] | undefined;
    let bestC = 0;
    for (const [k, c] of counts) {
      const [a, b] = k.split(',').map(Number);
      if (c > bestC || (c === bestC && best !== undefined && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestC = c;
      }
    }
    if (best === undefined || bestC < minFrequency) break;
    const [a, b] = best;
    const s = vocab[a] + vocab[b];
    let x = ids.get(s);
    if (x === undefined) {
      x = vocab.length;
      vocab.push(s);
      ids.set(s, x);
    }
    merges.push([vocab[a], vocab[b]]);
    words = words.map(({ sym, c }) => {
      const out: number[] = [];
      for (let i = 0; i < sym.length; ) {
        if (i + 1 < sym.length && sym[i] === a && sym[i + 1] === b) {
          out.push(x as number);
          i += 2;
        } else out.push(sym[i++]);
      }
      return { sym: out, c };
    });
  }
  return merges;
}

describe('trainBpe', () => {
  it('learns the most frequent pair first, breaks ties by smaller ids, respects minFrequency', () => {
    const corpus = ['ab', 'ab', 'ab', 'cd', 'cd', 'ef', 'ef'];
    const t3 = trainBpe(corpus, { vocabSize: 300, minFrequency: 3, specialTokens: [] });
    expect(t3.merges).toEqual([['a', 'b']]);
    expect(t3.vocabSize).toBe(257);
    const t2 = trainBpe(corpus, { vocabSize: 300, minFrequency: 2, specialTokens: [] });
    expect(t2.merges).toEqual([
      ['a', 'b'],
      ['c', 'd'], // tie with "e f" at count 2: 'c' < 'e'
      ['e', 'f'],
    ]);
    const t1 = trainBpe(['xy'], { vocabSize: 300, minFrequency: 1, specialTokens: [] });
    expect(t1.merges).toEqual([['x', 'y']]);
    expect(trainBpe(['xy'], { vocabSize: 300, specialTokens: [] }).merges).toEqual([]); // default minFrequency 2
  });

  it('matches a recount-every-merge reference on a tie-heavy random corpus', () => {
    const rand = mulberry32(42);
    const alphabet = ['a', 'b', 'c', ' ', '心', 'é'];
    const docs: string[] = [];
    for (let d = 0; d < 60; d++) {
      let s = '';
      const n = 5 + Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      docs.push(s);
    }
    const specials = ['<s>'];
    const counts = countPreTokens(docs, specials);
    for (const minFrequency of [1, 2, 4]) {
      const fast = learnMerges(counts, { vocabSize: 257 + 120, minFrequency, specialTokens: specials });
      expect(fast.merges).toEqual(naiveMerges(counts, 257 + 120, minFrequency, specials));
      for (const c of fast.mergeCounts) expect(c).toBeGreaterThanOrEqual(minFrequency);
    }
  });

  it('is deterministic and hits the requested vocabulary size on the medical text', () => {
    const docs = [...paragraphs(readMedical('en')), ...paragraphs(readMedical('zh'))];
    const progress: TrainBpeProgress[] = [];
    const a = trainBpe(docs, { vocabSize: 1500, onProgress: (p) => progress.push(p), progressEvery: 400 });
    const b = trainBpe(docs.slice(), { vocabSize: 1500 });
    expect(a.vocabSize).toBe(1500);
    expect(a.merges).toEqual(b.merges);
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.specialTokenIds).toEqual([0, 1, 2, 3]);
    expect(DEFAULT_SPECIAL_TOKENS.map((t) => a.tokenToId(t))).toEqual([0, 1, 2, 3]);
    expect(a.idToToken(4)).toBe(BYTE_TO_UNICODE[0]);
    expect(a.idToToken(4 + 0x20)).toBe('Ġ');
    expect(a.bosTokenId).toBe(0);
    expect(a.eosTokenId).toBe(0);
    expect(a.padTokenId).toBe(3);
    expect(progress.filter((p) => p.phase === 'merge').map((p) => p.merges)).toEqual([400, 800, 1200]);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', vocabSize: 1500, targetVocabSize: 1500, documents: docs.length });
    // a frequent English word and a frequent Chinese word are single tokens
    expect(a.encode(' patients')).toHaveLength(1);
    expect(a.encode('患者').length).toBeLessThanOrEqual(2);
  });

  it('never learns from special tokens in the corpus and accepts a single string', () => {
    const tok = trainBpe('<|im_end|><|im_end|><|im_end|> zz zz', { vocabSize: 400 });
    for (const [l, r] of tok.merges) expect(l + r).not.toMatch(/[|<>]/);
    expect(tok.merges).toContainEqual(['Ġ', 'z']);
  });

  it('rejects bad options with typed errors naming the field', () => {
    expect(() => trainBpe(['a'], { vocabSize: 100 })).toThrow(TokenizerOptionError);
    expect(() => trainBpe(['a'], { vocabSize: 100 })).toThrow(/options\.vocabSize.*260/);
    expect(() => trainBpe(['a'], { vocabSize: 300, minFrequency: 0 })).toThrow(/options\.minFrequency/);
    expect(() => trainBpe(['a'], { vocabSize: 300, specialTokens: ['<a>', '<a>'] })).toThrow(/options\.specialTokens\[1\]/);
    expect(() => trainBpe(['a', 3 as unknown as string], { vocabSize: 300 })).toThrow(/corpus\[1\]/);
  });
});
