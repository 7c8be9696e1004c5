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

  it('applies the answer policy: hedges, glosses of another disease, ruled-out and asked answers earn 0', () => {
    const DISEASES = ['myocardial infarction', 'pulmonary embolism', 'pneumonia', 'asthma', 'appendicitis', 'migraine'];
    // the properties are not vacuous: the judge credits each stated disease and tells these diseases apart
    for (const g of DISEASES) {
      expect(judge.verify(`Answer: ${g}`, g).reward, g).toBe(1);
      for (const w of DISEASES) if (w !== g) expect(judge.predict(w, g), `${w} vs ${g}`).toBe(false);
    }
    for (const g of DISEASES) {
      for (const w of DISEASES) {
        if (w === g) continue;
        const wrongAlone = judge.verify(`Answer: ${w}`, g).reward;
        expect(wrongAlone).toBe(0);
        for (const hedge of [`Answer: ${w} (${g})`, `Answer: ${g} (${w})`, `Answer: ${g} or ${w}`, `Final diagnosis: ${w}/${g}`, `诊断：${g}或${w}`]) {
          const r = judge.verify(hedge, g);
          expect(r.reward, hedge).toBeLessThanOrEqual(wrongAlone);
          expect(r.details?.hedge, hedge).toBe(true);
        }
        for (const ruledOut of [`Answer: not ${g}`, `Diagnosis: ${g} was ruled out`, `诊断：排除${g}`]) {
          const r = judge.verify(ruledOut, g);
          expect(r.reward, ruledOut).toBe(0);
          expect(r.details?.negated, ruledOut).toBe(true);
        }
        expect(judge.verify(`Answer: ${g}?`, g)).toMatchObject({ reward: 0, details: { questioned: true } });
        // a contrast states its second part
        expect(judge.verify(`Answer: not ${w}; ${g}`, g).reward, `not ${w}; ${g}`).toBe(1);
        expect(judge.verify(`Answer: not ${g}; ${w}`, g).reward, `not ${g}; ${w}`).toBe(0);
      }
    }
  });

  it('a gloss of the same disease is read, copied prompt lines are not, and a bad reference names the field', () => {
    const same = 'Answer: myocardial infarction (Myocardial Infarction)';
    expect(judge.predict('Myocardial Infarction', 'myocardial infarction')).toBe(true);
    expect(judge.verify(same, 'myocardial infarction')).toMatchObject({ reward: 1, verdict: 'correct' });
    const prompt = 'What is the diagnosis?\nFormat example — Answer: myocardial infarction';
    const copied = 'Format example — Answer: myocardial infarction\nAnswer: pneumonia';
    expect(judge.verify(copied, 'pneumonia', { prompt }).reward).toBe(1);
    expect(judge.verify('Format example — Answer: myocardial infarction', 'myocardial infarction', { prompt })).toMatchObject({ reward: 0, verdict: 'unparseable' });
    // without the prompt the copied line is the model's own statement
    expect(judge.verify('Format example — Answer: myocardial infarction', 'myocardial infarction').reward).toBe(1);
    expect(() => judge.verify('Answer: asthma', '')).toThrow(EquivalenceJudgeError);
    expect(() => judge.verify('Answer: asthma', '')).toThrow(/^reference: /);
  });

  it('rejects bad training input', async () => {
    await expect(EquivalenceJudge.train([], { seed: 1 })).rejects.toThrow(EquivalenceJudgeError);
    await expect(EquivalenceJudge.train(train.slice(0, 4), { seed: 1.5 })).rejects.toThrow(/options.seed/);
  });
});
