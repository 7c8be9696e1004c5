import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { getOntology, buildEquivalencePairs, EquivalenceJudge, EquivalenceJudgeError, pairFeatures, PAIR_FEATURE_DIM, type EquivalencePair } from '../../src/judges/index';
import { useShippedVerifierData } from '../../src/node/index';

useShippedVerifierData(); // the shipped ICD-10 / Disease Ontology files, read from disk

/** Held-out accuracy the seeded run must reach (measured: 0.762 with seed 7/1, hidden 32). */
const MIN_HELD_OUT_ACCURACY = 0.72;

describe('EquivalenceJudge', () => {
  let train: EquivalencePair[];
  let test: EquivalencePair[];
  let judge: EquivalenceJudge;

  beforeAll(async () => {
    await initBackend('cpu', { log: false });
    ({ train, test } = buildEquivalencePairs(getOntology(), { seed: 7 }));
    ({ judge } = await EquivalenceJudge.train(train, { seed: 1 }));
  });

  it('builds balanced pairs split by concept, deterministically', () => {
    const all = [...train, ...test];
    const pos = all.filter((p) => p.label === 1).length;
    expect(pos / all.length).toBeCloseTo(0.5, 1);
    const trainGroups = new Set(train.map((p) => p.group));
    expect(test.some((p) => trainGroups.has(p.group))).toBe(false);
    expect(test.length / all.length).toBeGreaterThan(0.1);
    const again = buildEquivalencePairs(getOntology(), { seed: 7 });
    expect(again.test.slice(0, 20)).toEqual(test.slice(0, 20));
    expect(buildEquivalencePairs(getOntology(), { seed: 8 }).test.slice(0, 20)).not.toEqual(test.slice(0, 20));
  });

  it('features are symmetric', () => {
    const f = pairFeatures('heart attack', 'Myocardial infarction');
    expect(f).toHaveLength(PAIR_FEATURE_DIM);
    expect(Array.from(pairFeatures('Myocardial infarction', 'heart attack'))).toEqual(Array.from(f));
  });

  it(`reaches >= ${MIN_HELD_OUT_ACCURACY} accuracy on held-out pairs and beats a string-similarity baseline`, () => {
    const ev = judge.evaluate(test);
    expect(ev.n).toBe(test.length);
    expect(ev.accuracy).toBeGreaterThanOrEqual(MIN_HELD_OUT_ACCURACY);
    // baseline: character-trigram Jaccard (feature 0) with the threshold that is best on the training pairs
    const simTrain = train.map((p) => pairFeatures(p.a, p.b)[0]!);
    let bestT = 0;
    let bestAcc = 0;
    for (let t = 0; t <= 1; t += 0.02) {
      const acc = train.filter((p, i) => (simTrain[i]! >= t ? 1 : 0) === p.label).length / train.length;
      if (acc > bestAcc) [bestAcc, bestT] = [acc, t];
    }
    const baseline = test.filter((p) => (pairFeatures(p.a, p.b)[0]! >= bestT ? 1 : 0) === p.label).length / test.length;
    console.info(`equivalence judge held-out accuracy ${ev.accuracy.toFixed(3)} (n=${ev.n}); trigram-Jaccard baseline ${baseline.toFixed(3)}`);
    expect(ev.accuracy).toBeGreaterThan(baseline);
  });

  it('is symmetric, serialisable and usable as a verifier', () => {
    expect(judge.probability('asthma', 'bronchial asthma')).toBeCloseTo(judge.probability('bronchial asthma', 'asthma'), 6);
    const copy = EquivalenceJudge.fromJSON(JSON.parse(JSON.stringify(judge.toJSON())));
    expect(copy.probability('gastric ulcer', 'stomach ulcer')).toBeCloseTo(judge.probability('gastric ulcer', 'stomach ulcer'), 6);
    const r = judge.verify('Answer: Myocardial infarction', 'myocardial infarction');
    expect(r).toMatchObject({ verdict: 'correct', reward: 1, source: 'model' });
    expect(judge.verify('Answer: fracture of femur', 'myocardial infarction')).toMatchObject({ verdict: 'incorrect', reward: 0 });
    expect(() => EquivalenceJudge.fromJSON({ ...judge.toJSON(), b2: [] })).toThrow(/json.b2 must have 1 numbers, got 0/);
  });

  it('rejects bad training input', async () => {
    await expect(EquivalenceJudge.train([], { seed: 1 })).rejects.toThrow(EquivalenceJudgeError);
    await expect(EquivalenceJudge.train(train.slice(0, 4), { seed: 1.5 })).rejects.toThrow(/options.seed/);
  });
});
