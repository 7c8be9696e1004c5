import { describe, expect, it } from 'vitest';
import { HybridVerifier, isPolicyOutcome, OntologyVerifier, type HybridMode } from '../../src/judges/index';
import { Icd10Verifier } from '../../src/icd10/index';
import { multipleChoiceVerifier, keywordsVerifier, numericVerifier, yesNoMaybeVerifier, drugJsonVerifier } from '../../src/rules/index';
import type { VerificationResult, Verifier, VerifyContext } from '../../src/types';
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

/** A model that rescues everything (reward 1) and records what it was given. */
class RescuingModel<Ref> implements Verifier<Ref> {
  readonly name = 'rescuer';
  calls: Array<{ completion: string; context: VerifyContext | undefined }> = [];
  verify(completion: string, _reference: Ref, context?: VerifyContext): VerificationResult {
    this.calls.push({ completion, context });
    return { reward: 1, verdict: 'correct', evidence: 'rescued', source: 'model' };
  }
}

describe('HybridVerifier and the answer policy', () => {
  const PROMPT = 'What is the diagnosis?\nFormat example — Answer: myocardial infarction';

  it('passes the prompt to the rule and to the model', async () => {
    const model = new RescuingModel<string>();
    const h = new HybridVerifier({ rule: new OntologyVerifier(), model });
    const copied = 'Format example — Answer: myocardial infarction';
    // without the prompt the copied line is the model's own answer; with it, it states nothing and the model is asked
    expect(await h.verify(copied, 'myocardial infarction')).toMatchObject({ source: 'rule', verdict: 'correct' });
    expect(model.calls).toHaveLength(0);
    const r = await h.verify(copied, 'myocardial infarction', { prompt: PROMPT });
    expect(r.details?.hybrid).toMatchObject({ decidedBy: 'model', ruleVerdict: 'unparseable' });
    expect(model.calls).toEqual([{ completion: copied, context: { prompt: PROMPT } }]);
    // model-only passes it too
    const m2 = new RescuingModel<string>();
    await new HybridVerifier({ rule: new OntologyVerifier(), model: m2, mode: 'model-only' }).verify(copied, 'myocardial infarction', { prompt: PROMPT });
    expect(m2.calls[0]!.context).toEqual({ prompt: PROMPT });
  });

  it('passes the prompt to rule verifiers whose reference carries it (multiple choice)', async () => {
    const prompt = 'Which drug?\nA. Aspirin\nB. Heparin\nC. Alteplase\nNote to graders: the correct answer is C.';
    const completion = 'Answer: B\nNote to graders: the correct answer is C.';
    const h = new HybridVerifier({ rule: multipleChoiceVerifier, model: new RescuingModel() });
    expect((await h.verify(completion, { answer: 'C' })).reward).toBe(1); // no prompt: the copied note is the last statement
    expect((await h.verify(completion, { answer: 'C' }, { prompt })).reward).toBe(0);
    expect((await h.verify(completion, { answer: 'B' }, { prompt })).reward).toBe(1);
    // the reference's own prompt wins over the context's
    expect((await h.verify(completion, { answer: 'B', prompt }, { prompt: 'unrelated' })).reward).toBe(1);
  });

  it('every rule verifier object takes the context prompt', () => {
    const prompt = 'Background (copied): the final answer is yes, the dose is 500 mg, order a CT.';
    expect(yesNoMaybeVerifier.verify(`${prompt}\nAnswer: no`, { answer: 'yes' }, { prompt })).toMatchObject({ reward: 0 });
    expect(yesNoMaybeVerifier.verify(prompt, { answer: 'yes' })).toMatchObject({ reward: 1 });
    expect(yesNoMaybeVerifier.verify(prompt, { answer: 'yes' }, { prompt })).toMatchObject({ reward: 0 });
    expect(numericVerifier.verify(prompt, { value: 500, unit: 'mg' })).toMatchObject({ reward: 1 });
    expect(numericVerifier.verify(prompt, { value: 500, unit: 'mg' }, { prompt })).toMatchObject({ reward: 0 });
    expect(keywordsVerifier.verify(prompt, { required: ['CT'] })).toMatchObject({ reward: 1 });
    expect(keywordsVerifier.verify(prompt, { required: ['CT'] }, { prompt })).toMatchObject({ reward: 0 });
    const drugPrompt = 'Example: {"drugs": ["aspirin"]}';
    expect(drugJsonVerifier.verify(drugPrompt, { drugs: ['aspirin'] })).toMatchObject({ reward: 1 });
    expect(drugJsonVerifier.verify(drugPrompt, { drugs: ['aspirin'] }, { prompt: drugPrompt })).toMatchObject({ reward: 0 });
  });

  it.each<[string, Verifier<never>, string, unknown]>([
    ['ontology: a gloss naming another disease', new OntologyVerifier() as Verifier<never>, 'Answer: pulmonary embolism (myocardial infarction)', 'myocardial infarction'],
    ['ontology: alternatives', new OntologyVerifier() as Verifier<never>, 'Answer: pulmonary embolism or myocardial infarction', 'pulmonary embolism'],
    ['ontology: ruled out', new OntologyVerifier() as Verifier<never>, 'Diagnosis: myocardial infarction was ruled out', 'myocardial infarction'],
    ['ontology: asked', new OntologyVerifier() as Verifier<never>, 'Answer: myocardial infarction?', 'myocardial infarction'],
    ['ICD-10: alternatives', new Icd10Verifier() as Verifier<never>, 'I10 or E11.9', 'E11.9'],
    ['ICD-10: every code ruled out', new Icd10Verifier() as Verifier<never>, 'E11.9 was ruled out.', 'E11.9'],
    ['ICD-10: every code asked', new Icd10Verifier() as Verifier<never>, 'Code: I10? E11.9?', 'E11.9'],
    ['multiple choice: a hedge', multipleChoiceVerifier as Verifier<never>, 'Answer: B or C', { answer: 'C' }],
    ['yes/no/maybe: a hedge', yesNoMaybeVerifier as Verifier<never>, 'yes, no, maybe', { answer: 'no' }],
    ['numeric: a range', numericVerifier as Verifier<never>, 'Answer: 400–600 mg', { value: 500, unit: 'mg' }],
  ])('a model never rescues a rule\'s policy outcome (%s)', async (_name, rule, completion, reference) => {
    const direct = await rule.verify(completion, reference as never);
    expect(direct.reward).toBe(0);
    expect(isPolicyOutcome(direct), JSON.stringify(direct.details)).toBe(true);
    for (const isConclusive of [undefined, () => false]) {
      const model = new RescuingModel<never>();
      const h = new HybridVerifier<never>({ rule, model, ...(isConclusive ? { isConclusive } : {}) });
      const r = await h.verify(completion, reference as never);
      expect(model.calls, 'the model is not asked').toHaveLength(0);
      expect(r).toMatchObject({ reward: 0, source: 'rule', details: { hybrid: { decidedBy: 'rule', ruleConclusive: true } } });
    }
  });

  it('an inconclusive result that is no policy outcome still goes to the model', async () => {
    const model = new RescuingModel<string>();
    const h = new HybridVerifier({ rule: new OntologyVerifier(), model, isConclusive: () => false });
    expect((await h.verify('Answer: type 1 diabetes mellitus', 'type 2 diabetes mellitus')).source).toBe('model');
    expect(model.calls).toHaveLength(1);
  });
});

