import { describe, expect, it } from 'vitest';
import { getOntology, OntologyVerifier, extractAnswerSpan, answerCandidates } from '../../src/judges/index';
import { useShippedVerifierData } from '../../src/node/index';
import { VerifierArgumentError } from '../../src/argument-error';

useShippedVerifierData(); // the shipped ICD-10 / Disease Ontology files, read from disk

const ont = getOntology();

describe('Ontology.relate', () => {
  it.each([
    ['heart attack', 'myocardial infarction', 'equivalent', 'synonym'],
    ['NIDDM', 'type 2 diabetes mellitus', 'equivalent', 'synonym'],
    ['Type II Diabetes Mellitus', 'E11', 'equivalent', 'xref'],
    ['I21.4', 'myocardial infarction', 'narrower', 'is_a'], // I21.4 < I21 = acute MI (DOID:9408) is_a MI,
    ['I21.4', 'I21', 'narrower', 'code-hierarchy'],
    ['myocardial infarction', 'I21.4', 'broader', 'is_a'],
    ['diabetes mellitus', 'type 2 diabetes mellitus', 'broader', 'is_a'],
    ['type 1 diabetes mellitus', 'type 2 diabetes mellitus', 'related', 'sibling'],
    ['非胰岛素依赖型糖尿病', 'E11', 'equivalent', 'synonym'],
    ['Myocardial  infarction.', 'myocardial infarction', 'equivalent', 'string'],
    ['qwerty disease', 'asthma', 'unknown', 'unresolved'],
  ])('%s vs %s → %s', (a, b, relation, via) => {
    expect(ont.relate(a, b)).toMatchObject({ relation, via });
  });

  it('keeps a code with the most specific of the terms that cross-reference it', () => {
    expect(ont.codesOf('DOID:9352')).toEqual(['E11']);
    expect(ont.codesOf('DOID:9351')).not.toContain('E11');
  });
});

describe('answer span', () => {
  it('takes the text after the last marker, or the last line', () => {
    expect(extractAnswerSpan('Reasoning...\nFinal diagnosis: **Myocardial infarction**.')).toBe('Myocardial infarction');
    expect(extractAnswerSpan('<think>Answer: asthma</think>诊断：2型糖尿病。')).toBe('2型糖尿病');
    expect(extractAnswerSpan('line one\nheart attack')).toBe('heart attack');
    expect(answerCandidates('E11.9 (type 2 diabetes mellitus)')).toEqual(['E11.9 (type 2 diabetes mellitus)', 'E11.9', 'type 2 diabetes mellitus']);
  });
});

describe('OntologyVerifier', () => {
  const v = new OntologyVerifier();
  it('scores equivalence, children, parents and unknowns', () => {
    expect(v.verify('The diagnosis is: heart attack', 'myocardial infarction')).toMatchObject({ reward: 1, verdict: 'correct', source: 'rule', details: { conclusive: true } });
    expect(v.verify('Answer: I21.4 (NSTEMI)', 'myocardial infarction')).toMatchObject({ reward: 1, details: { relation: 'narrower' } });
    expect(v.verify('Answer: diabetes mellitus', 'type 2 diabetes mellitus')).toMatchObject({ reward: 0.5, verdict: 'partial' });
    expect(v.verify('Answer: type 1 diabetes mellitus', 'type 2 diabetes mellitus')).toMatchObject({ reward: 0, verdict: 'incorrect', details: { conclusive: true } });
    expect(v.verify('Answer: T2DM', 'type 2 diabetes mellitus')).toMatchObject({ reward: 0, details: { conclusive: false } });
    expect(new OntologyVerifier({ broaderCredit: 0 }).verify('Answer: diabetes mellitus', 'type 2 diabetes mellitus').reward).toBe(0);
    expect(() => v.verify('x', '')).toThrow(VerifierArgumentError);
    expect(() => v.verify('x', '')).toThrow(/^reference: expected a non-empty disease name/);
    expect(() => new OntologyVerifier({ narrowerCredit: 2 })).toThrow(VerifierArgumentError);
    expect(() => new OntologyVerifier({ narrowerCredit: 2 })).toThrow(/options.narrowerCredit/);
  });
});
