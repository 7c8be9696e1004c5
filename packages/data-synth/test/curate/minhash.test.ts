import { describe, expect, it } from 'vitest';
import { jaccard, MinHasher, shingles, tokenize } from '../../src/curate/minhash';
import { mulberry32 } from '../../src/random';

describe('shingles', () => {
  it('mixed unit: Chinese characters and English words are tokens', () => {
    expect(tokenize('急性喉炎 CRP-value 12', 'mixed')).toEqual(['急', '性', '喉', '炎', 'crp', 'value', '12']);
    expect(tokenize('急性喉炎 CRP', 'word')).toEqual(['急性喉炎', 'crp']);
    expect(tokenize('Ab  c', 'char')).toEqual(['a', 'b', ' ', 'c']);
  });

  it('k-shingles of words, characters, and a short text as one shingle', () => {
    expect([...shingles('the cat sat on the mat', { unit: 'word', k: 3 })]).toEqual(['the cat sat', 'cat sat on', 'sat on the', 'on the mat']);
    expect([...shingles('霍乱弧菌', { unit: 'char', k: 2 })]).toEqual(['霍乱', '乱弧', '弧菌']);
    expect([...shingles('霍乱弧菌', { k: 2 })]).toEqual(['霍 乱', '乱 弧', '弧 菌']);
    expect([...shingles('two words', { k: 5 })]).toEqual(['two words']);
    expect(shingles('  ...  ', { k: 5 }).size).toBe(0);
    expect(() => shingles('x', { k: 0 })).toThrow(/k must be a positive integer, got 0/);
  });

  it('jaccard of sets', () => {
    expect(jaccard(new Set([1, 2, 3]), new Set([2, 3, 4]))).toBeCloseTo(0.5);
    expect(jaccard(new Set(), new Set())).toBe(1);
    expect(jaccard(new Set([1]), new Set([2]))).toBe(0);
  });
});

describe('MinHasher', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const t = 'Cholera is an acute diarrhoeal infection caused by ingestion of food or water contaminated with Vibrio cholerae.';
    const a = new MinHasher({ seed: 3 }).signature(t);
    const b = new MinHasher({ seed: 3 }).signature(t);
    const c = new MinHasher({ seed: 4 }).signature(t);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBe(128);
    expect(MinHasher.estimate(a, a)).toBe(1);
  });

  // A seeded set of random pairs with true Jaccard spread over [0, 1]: with n = 256 permutations the estimate's
  // standard deviation is √(J(1−J)/n) ≤ 0.031, so every pair must be within 0.125 (4σ) and the mean absolute
  // error below 0.03; the mean signed error (bias) must be below 0.01.
  it('estimates the true Jaccard within the stated tolerance over 200 seeded random pairs', () => {
    const rand = mulberry32(2024);
    const vocab = Array.from({ length: 400 }, (_, i) => `w${i}`);
    const word = (): string => vocab[Math.floor(rand() * vocab.length)]!;
    const mh = new MinHasher({ numPerm: 256, seed: 11, unit: 'word', k: 3 });
    let absErr = 0;
    let signed = 0;
    let maxErr = 0;
    const trues: number[] = [];
    const N = 200;
    for (let p = 0; p < N; p++) {
      const base = Array.from({ length: 80 + Math.floor(rand() * 120) }, word);
      const keep = rand(); // fraction of positions kept
      const other = base.map((w) => (rand() < keep ? w : word()));
      const a = base.join(' ');
      const b = other.join(' ');
      const truth = jaccard(shingles(a, { unit: 'word', k: 3 }), shingles(b, { unit: 'word', k: 3 }));
      const est = MinHasher.estimate(mh.signature(a), mh.signature(b));
      trues.push(truth);
      absErr += Math.abs(est - truth);
      signed += est - truth;
      maxErr = Math.max(maxErr, Math.abs(est - truth));
    }
    // The pairs cover the range of similarities.
    expect(Math.min(...trues)).toBeLessThan(0.1);
    expect(Math.max(...trues)).toBeGreaterThan(0.8);
    expect(maxErr).toBeLessThan(0.125);
    expect(absErr / N).toBeLessThan(0.03);
    expect(Math.abs(signed / N)).toBeLessThan(0.01);
  });

  it('estimates Chinese character-shingle similarity', () => {
    const mh = new MinHasher({ numPerm: 256, seed: 5, unit: 'char', k: 3 });
    const a = '嘶哑样咳嗽可见于急性喉炎，由于声带炎症或肿瘤压迫喉返神经所致。声带疾患、百日咳表现为鸡鸣样咳嗽。';
    const b = '嘶哑样咳嗽可见于急性喉炎，由于声带炎症或肿瘤压迫喉返神经所致。声带疾病、百日咳表现为鸡鸣样咳嗽。';
    const truth = jaccard(shingles(a, { unit: 'char', k: 3 }), shingles(b, { unit: 'char', k: 3 }));
    const est = MinHasher.estimate(mh.signature(a), mh.signature(b));
    expect(truth).toBeGreaterThan(0.85);
    expect(Math.abs(est - truth)).toBeLessThan(0.125);
  });

  it('rejects bad options and mismatched signatures', () => {
    expect(() => new MinHasher({ numPerm: 0 })).toThrow(/numPerm must be a positive integer, got 0/);
    expect(() => MinHasher.estimate(new Uint32Array(4), new Uint32Array(5))).toThrow(/same length, got 4 and 5/);
  });
});
