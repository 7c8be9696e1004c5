/**
 * The pure sampling functions against hand-computed expectations.
 */
import { describe, expect, it } from 'vitest';
import {
  SamplingError,
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  createRng,
  greedy,
  logSoftmax,
  logSumExp,
  processLogits,
  sampleCategorical,
  sampleNext,
  softmax,
  tokenLogProb,
} from '../../src/generation/index';
import { applyMinP } from '../../src/generation/sampling';

const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);
const kept = (row: Float32Array): number[] => [...row].flatMap((x, i) => (x === -Infinity ? [] : [i]));

describe('softmax / logSoftmax / logSumExp', () => {
  it('match closed forms', () => {
    const row = f32([0, Math.log(2), Math.log(3), -Infinity]);
    expect(logSumExp(row)).toBeCloseTo(Math.log(6), 6);
    const p = softmax(row);
    expect([...p].map((x) => +x.toFixed(7))).toEqual([+(1 / 6).toFixed(7), +(2 / 6).toFixed(7), 0.5, 0]);
    const lp = logSoftmax(row);
    expect(lp[2]).toBeCloseTo(Math.log(0.5), 6);
    expect(lp[3]).toBe(-Infinity);
    expect(tokenLogProb(row, 1)).toBeCloseTo(Math.log(1 / 3), 6);
  });

  it('is stable for large logits', () => {
    const p = softmax(f32([1000, 1000]));
    expect(p[0]).toBeCloseTo(0.5, 12);
    expect(logSumExp(f32([1000, 1000]))).toBeCloseTo(1000 + Math.log(2), 4);
  });

  it('rejects all -Infinity, NaN and bad ids', () => {
    expect(() => softmax(f32([-Infinity, -Infinity]))).toThrow(SamplingError);
    expect(() => greedy(f32([1, NaN]))).toThrow(/logits\[1\] is NaN/);
    expect(() => tokenLogProb(f32([1, 2]), 2)).toThrow(/id must be an integer in \[0, 2\), got 2/);
    expect(() => softmax(new Float32Array(0))).toThrow(/non-empty/);
    expect(() => softmax([1, 2] as unknown as Float32Array)).toThrow(TypeError);
  });
});

describe('greedy', () => {
  it('returns the argmax, first index on ties', () => {
    expect(greedy(f32([0.1, 3, -2, 3]))).toBe(1);
    expect(greedy(f32([-Infinity, -5, -Infinity]))).toBe(1);
  });
});

describe('applyTemperature', () => {
  it('divides the logits', () => {
    expect([...applyTemperature(f32([2, -4, 1]), 2)]).toEqual([1, -2, 0.5]);
    expect([...applyTemperature(f32([2, -Infinity]), 0.5)]).toEqual([4, -Infinity]);
  });
  it('rejects non-positive temperatures', () => {
    expect(() => applyTemperature(f32([1]), 0)).toThrow(/temperature must be a finite number > 0, got 0/);
    expect(() => applyTemperature(f32([1]), -1)).toThrow(SamplingError);
  });
  it('does not mutate its input', () => {
    const row = f32([2, 4]);
    applyTemperature(row, 2);
    expect([...row]).toEqual([2, 4]);
  });
});

describe('applyTopK', () => {
  it('keeps exactly the k largest', () => {
    const row = f32([0.5, 3, -1, 2, 2.5, 0]);
    expect(kept(applyTopK(row, 1))).toEqual([1]);
    expect(kept(applyTopK(row, 3))).toEqual([1, 3, 4]);
    const out = applyTopK(row, 3);
    expect([out[1], out[3], out[4]]).toEqual([3, 2, 2.5]);
  });
  it('breaks ties at the k-th value by lower id', () => {
    expect(kept(applyTopK(f32([1, 5, 1, 1, 0]), 2))).toEqual([0, 1]);
  });
  it('k >= V is a copy', () => {
    const row = f32([1, 2, 3]);
    expect([...applyTopK(row, 3)]).toEqual([1, 2, 3]);
    expect([...applyTopK(row, 10)]).toEqual([1, 2, 3]);
  });
  it('rejects bad k', () => {
    expect(() => applyTopK(f32([1]), 0)).toThrow(/k must be a positive integer, got 0/);
    expect(() => applyTopK(f32([1]), 1.5)).toThrow(SamplingError);
  });
});

describe('applyTopP', () => {
  // probabilities 0.5, 0.25, 0.125, 0.125 (in shuffled order)
  const row = f32([Math.log(0.125), Math.log(0.5), Math.log(0.125), Math.log(0.25)]);
  it('keeps the minimal nucleus', () => {
    expect(kept(applyTopP(row, 0.4))).toEqual([1]);
    expect(kept(applyTopP(row, 0.5))).toEqual([1]);
    expect(kept(applyTopP(row, 0.6))).toEqual([1, 3]);
    expect(kept(applyTopP(row, 0.75))).toEqual([1, 3]);
    expect(kept(applyTopP(row, 0.8))).toEqual([0, 1, 3]); // tie between ids 0 and 2: lower id first
    expect(kept(applyTopP(row, 0.9999))).toEqual([0, 1, 2, 3]);
  });
  it('keeps the logits of the survivors unchanged', () => {
    const out = applyTopP(row, 0.6);
    expect(out[1]).toBe(row[1]);
    expect(out[3]).toBe(row[3]);
  });
  it('always keeps at least one token', () => {
    expect(kept(applyTopP(f32([0, 0, 0, 0]), 1e-9))).toEqual([0]);
  });
  it('p = 1 is a copy; bad p is rejected', () => {
    expect([...applyTopP(row, 1)]).toEqual([...row]);
    expect(() => applyTopP(row, 0)).toThrow(/p must be a number in \(0, 1\], got 0/);
    expect(() => applyTopP(row, 1.5)).toThrow(SamplingError);
  });
});

describe('applyRepetitionPenalty', () => {
  it('divides positive logits and multiplies negative ones, once per distinct id (HF semantics)', () => {
    const row = f32([2, -2, 0, 4, -1]);
    const out = applyRepetitionPenalty(row, [0, 1, 2, 0, 0, 1], 2);
    expect([...out]).toEqual([1, -4, 0, 4, -1]);
  });
  it('penalty < 1 encourages, 1 is a copy', () => {
    expect([...applyRepetitionPenalty(f32([2, -2]), [0, 1], 0.5)]).toEqual([4, -1]);
    expect([...applyRepetitionPenalty(f32([2, -2]), [0, 1], 1)]).toEqual([2, -2]);
  });
  it('rejects bad penalties and context ids', () => {
    expect(() => applyRepetitionPenalty(f32([1]), [0], 0)).toThrow(/penalty must be a finite number > 0, got 0/);
    expect(() => applyRepetitionPenalty(f32([1, 2]), [0, 5], 2)).toThrow(/context\[1\] must be an integer in \[0, 2\), got 5/);
  });
});

describe('processLogits / sampleNext', () => {
  it('applies penalty → temperature → top-k → top-p in HF order', () => {
    const row = f32([4, 2, 1, 0]);
    // penalty 2 on id 0: 4 → 2, so ids 0 and 1 tie at 2; temperature 2 halves: [1, 1, 0.5, 0]; top-k 3 drops id 3
    const out = processLogits(row, [0], { repetitionPenalty: 2, temperature: 2, topK: 3 });
    expect([...out]).toEqual([1, 1, 0.5, -Infinity]);
    // top-p 0.5 then keeps the two tied tokens: p(0) = p(1) = 0.384 after top-k, so one alone is < 0.5
    expect(kept(processLogits(row, [0], { repetitionPenalty: 2, temperature: 2, topK: 3, topP: 0.5 }))).toEqual([0, 1]);
  });

  it('temperature 0 is greedy after the penalty', () => {
    const row = f32([4, 3, 1]);
    expect(sampleNext(row, [], { temperature: 0 })).toBe(0);
    expect(sampleNext(row, [0], { temperature: 0, repetitionPenalty: 2 })).toBe(1);
  });

  it('a tiny temperature samples the greedy token', () => {
    const row = f32([0.3, 1.2, 1.1, -0.5]);
    const rng = createRng(7);
    for (let i = 0; i < 200; i++) expect(sampleNext(row, [], { temperature: 1e-3 }, rng)).toBe(1);
  });

  it('rejects invalid options and a missing rng', () => {
    const row = f32([0, 1]);
    expect(() => sampleNext(row, [], { temperature: -1 })).toThrow(/temperature must be a finite number >= 0, got -1/);
    expect(() => sampleNext(row, [], { topK: -1 })).toThrow(/topK must be a non-negative integer/);
    expect(() => sampleNext(row, [], { topP: 0 })).toThrow(/topP must be a number in \(0, 1\]/);
    expect(() => sampleNext(row, [], { repetitionPenalty: 0 })).toThrow(/repetitionPenalty/);
    expect(() => sampleNext(row, [], { temperature: 1 })).toThrow(/rng is required/);
  });
});

describe('createRng / sampleCategorical', () => {
  it('is reproducible per (seed, stream) and differs across seeds and streams', () => {
    const draw = (seed: number, stream = 0) => {
      const r = createRng(seed, stream);
      return Array.from({ length: 8 }, () => r.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, 0)).not.toEqual(draw(42, 1));
    for (const u of draw(5)) {
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
    expect(() => createRng(-1)).toThrow(/seed must be an integer in \[0, 2\^32\), got -1/);
    expect(() => createRng(1.5)).toThrow(SamplingError);
  });

  it('uniforms have mean 1/2 and variance 1/12 (N = 20000, 5 sigma)', () => {
    const r = createRng(1);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      s += u;
      s2 += u * u;
    }
    const mean = s / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - mean * mean - 1 / 12)).toBeLessThan(0.003);
  });

  it('empirical frequencies match the softmax within 5 standard errors (N = 20000)', () => {
    const row = f32([1, 0, 2, -1, -Infinity, 0.5]);
    const p = softmax(row);
    const n = 20000;
    const counts = new Array<number>(row.length).fill(0);
    const rng = createRng(123);
    for (let i = 0; i < n; i++) counts[sampleCategorical(row, rng)]!++;
    expect(counts[4]).toBe(0); // -Infinity is never drawn
    for (let i = 0; i < row.length; i++) {
      const se = Math.sqrt((p[i]! * (1 - p[i]!)) / n);
      expect(Math.abs(counts[i]! / n - p[i]!)).toBeLessThanOrEqual(5 * se + 1e-12);
    }
    // Pearson chi-square over the 5 live categories (4 dof): the 0.999 quantile is 18.47.
    let chi2 = 0;
    for (let i = 0; i < row.length; i++) if (p[i]! > 0) chi2 += (counts[i]! - n * p[i]!) ** 2 / (n * p[i]!);
    expect(chi2).toBeLessThan(18.47);
  });

  it('seeded sampling is reproducible', () => {
    const row = f32([0.2, 0.1, 0.4, 0.3]);
    const run = () => {
      const rng = createRng(99);
      return Array.from({ length: 50 }, () => sampleNext(row, [], { temperature: 1.3, topK: 3 }, rng));
    };
    const a = run();
    expect(a).toEqual(run());
    expect(a).not.toContain(1); // top-k 3 removed the smallest logit
    expect(new Set(a).size).toBe(3);
  });
});

describe('applyMinP (Hugging Face MinPLogitsWarper)', () => {
  const probsRow = f32([0.5, 0.25, 0.15, 0.1].map(Math.log));

  it('keeps tokens with p >= minP · p_max and removes the rest', () => {
    // p_max = 0.5: minP 0.35 → threshold 0.175 keeps 0.5 and 0.25; minP 0.25 → 0.125 also keeps 0.15
    expect(kept(applyMinP(probsRow, 0.35))).toEqual([0, 1]);
    expect(kept(applyMinP(probsRow, 0.25))).toEqual([0, 1, 2]);
    const out = applyMinP(probsRow, 0.35);
    expect(out[0]).toBe(probsRow[0]); // survivors keep their logits
    expect(out[1]).toBe(probsRow[1]);
    expect([...probsRow].map((x) => Math.exp(x))[3]).toBeCloseTo(0.1, 6); // input untouched
  });

  it('matches the probability-space rule on random rows', () => {
    const rng = createRng(3);
    for (let t = 0; t < 50; t++) {
      const row = f32(Array.from({ length: 20 }, () => (rng.next() - 0.5) * 8));
      const minP = rng.next();
      const p = softmax(row);
      const pMax = Math.max(...p);
      const want = [...p].flatMap((q, i) => (q >= minP * pMax ? [i] : []));
      expect(kept(applyMinP(row, minP))).toEqual(want);
    }
  });

  it('minP 0 changes nothing, minP 1 keeps only the maximum (every tie), -Infinity stays removed', () => {
    expect([...applyMinP(probsRow, 0)]).toEqual([...probsRow]);
    expect(kept(applyMinP(f32([1, 3, 3, 2]), 1))).toEqual([1, 2]);
    expect(kept(applyMinP(f32([-Infinity, 0, 0]), 0.5))).toEqual([1, 2]);
  });

  it('runs after the temperature in processLogits: a hotter distribution keeps more tokens', () => {
    // raw ratios to the max: 1, .5, .3, .2 → minP 0.4 keeps 2; at T = 2 the ratios are their square roots
    // (1, .71, .55, .45) → all 4 survive
    expect(kept(processLogits(probsRow, [], { temperature: 1, minP: 0.4 }))).toEqual([0, 1]);
    expect(kept(processLogits(probsRow, [], { temperature: 2, minP: 0.4 }))).toEqual([0, 1, 2, 3]);
    // after top-k 3 as well (HF order: top-k, top-p, then min-p)
    expect(kept(processLogits(probsRow, [], { temperature: 2, topK: 3, minP: 0.4 }))).toEqual([0, 1, 2]);
    expect([...processLogits(probsRow, [], { temperature: 1, minP: null })]).toEqual([...probsRow]);
    // greedy ignores it
    expect(sampleNext(probsRow, [], { temperature: 0, minP: 0.9 })).toBe(0);
  });

  it('sampling never draws a token min-p removed, and draws every kept one', () => {
    const rng = createRng(11);
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) seen.add(sampleNext(probsRow, [], { temperature: 1, minP: 0.25 }, rng));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('rejects minP outside [0, 1], naming it', () => {
    expect(() => applyMinP(probsRow, -0.1)).toThrow(/applyMinP: minP must be a number in \[0, 1\], got -0.1/);
    expect(() => applyMinP(probsRow, NaN)).toThrow(SamplingError);
    expect(() => applyMinP(f32([-Infinity, -Infinity]), 0.5)).toThrow(/every logit is -Infinity/);
    expect(() => processLogits(probsRow, [], { temperature: 1, minP: 1.5 })).toThrow(/processLogits: minP must be a number in \[0, 1\] or null, got 1.5/);
    expect(() => sampleNext(probsRow, [], { minP: 'x' as never })).toThrow(/minP/);
  });
});
