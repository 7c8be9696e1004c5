import { describe, expect, it } from 'vitest';
import { HybridVerifier, OntologyVerifier, type HybridMode } from '../../src/judges/index';
import type { VerificationResult, Verifier } from '../../src/types';
import { useShippedVerifierData } from '../../src/node/index';

useShippedVerifierData(); // the shipped ICD-10 / Disease Ontology files, read from disk

/** A model stub that counts calls and says 'correct' for answers containing "T2DM". */
class StubModel implements Verifier<string> {
  readonly name = 'stub';
  calls = 0;
  verify(completion: string): VerificationResult {
    this.calls++;
    const ok = completion.includes('T2DM');
    return { reward: ok ? 1 : 0, verdict: ok ? 'correct' : 'incorrect', evidence: 'stub', source: 'model' };
  }
}

describe('HybridVerifier', () => {
  const cases: [string, string][] = [
    ['Answer: heart attack', 'myocardial infarction'], // rule: conclusive correct
    ['Answer: type 1 diabetes mellitus', 'type 2 diabetes mellitus'], // rule: conclusive incorrect
    ['Answer: T2DM', 'type 2 diabetes mellitus'], // rule: unknown → model
  ];

  it('asks the model only when the rule is inconclusive and records who decided', async () => {
    const model = new StubModel();
    const h = new HybridVerifier({ rule: new OntologyVerifier(), model });
    const r = await Promise.all(cases.map(([c, ref]) => h.verify(c, ref)));
    expect(r.map((x) => [x.source, x.verdict])).toEqual([
      ['rule', 'correct'],
      ['rule', 'incorrect'],
      ['model', 'correct'],
    ]);
    expect(model.calls).toBe(1);
    expect(h.counts).toEqual({ rule: 2, model: 1 });
    expect(r[2]!.details?.hybrid).toMatchObject({ decidedBy: 'model', ruleConclusive: false, ruleVerdict: 'incorrect' });
  });

  it.each<[HybridMode, string[], number]>([
    ['rule-only', ['rule:correct', 'rule:incorrect', 'rule:incorrect'], 0],
    ['model-only', ['model:incorrect', 'model:incorrect', 'model:correct'], 3],
  ])('mode %s', async (mode, expected, calls) => {
    const model = new StubModel();
    const h = new HybridVerifier({ rule: new OntologyVerifier(), model, mode });
    const r = await Promise.all(cases.map(([c, ref]) => h.verify(c, ref)));
    expect(r.map((x) => `${x.source}:${x.verdict}`)).toEqual(expected);
    expect(model.calls).toBe(calls);
  });

  it('uses a custom conclusiveness test and rejects bad options', async () => {
    const model = new StubModel();
    const h = new HybridVerifier({ rule: new OntologyVerifier(), model, isConclusive: (x) => x.verdict === 'correct' });
    expect((await h.verify('Answer: type 1 diabetes mellitus', 'type 2 diabetes mellitus')).source).toBe('model');
    expect(() => new HybridVerifier({ rule: new OntologyVerifier(), model, mode: 'both' as HybridMode })).toThrow(/options.mode/);
  });
});
