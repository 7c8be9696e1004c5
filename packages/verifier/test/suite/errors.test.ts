/**
 * Every error the package throws extends VerifierError and names the field at fault: bad references and
 * options of every rule verifier, the ICD-10 verifier, the ontology resolver, the judges and the hybrid; and no
 * source file constructs a raw Error / TypeError / RangeError.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  EquivalenceJudge,
  EquivalenceJudgeError,
  formatReward,
  HybridVerifier,
  HybridVerifierError,
  Icd10Verifier,
  OntologyVerifier,
  VerifierArgumentError,
  VerifierError,
  verifyDrugJson,
  verifyKeywords,
  verifyMultipleChoice,
  verifyNumeric,
  verifyYesNoMaybe,
  withFormat,
  multipleChoiceVerifier,
  type DrugJsonReference,
  type KeywordReference,
  type MultipleChoiceReference,
  type NumericReference,
  type YesNoMaybeReference,
} from '../../src/index';
import { useShippedVerifierData } from '../../src/node/index';

useShippedVerifierData();

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Calls `f`, expects a VerifierArgumentError (a VerifierError) whose field and message name `field`. */
function expectField(f: () => unknown, field: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected an error naming ${field}`).toBeInstanceOf(VerifierArgumentError);
  expect(err).toBeInstanceOf(VerifierError);
  expect((err as VerifierArgumentError).field).toBe(field);
  expect((err as Error).message.startsWith(`${field}: `), (err as Error).message).toBe(true);
  expect((err as Error).name).toBe('VerifierArgumentError');
}

describe('no raw errors', () => {
  it('no source file constructs Error, TypeError, RangeError or SyntaxError directly', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(30);
    const raw = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => /\bnew (?:Error|TypeError|RangeError|SyntaxError)\(/.test(line))
        .map(([line, i]) => `${f.slice(SRC.length)}:${i + 1}: ${line.trim()}`),
    );
    expect(raw).toEqual([]);
  });

  it('every error class the sources declare extends VerifierError', () => {
    for (const f of sources(SRC)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/class (\w+Error) extends (\w+)/g)) {
        if (m[1] === 'VerifierError') continue;
        expect(m[2], `${m[1]} in ${f}`).toMatch(/Error$/);
        expect(m[2], `${m[1]} in ${f}`).not.toMatch(/^(?:Error|TypeError|RangeError|SyntaxError)$/);
      }
    }
  });
});

describe('rule verifiers name the field of a bad reference', () => {
  it.each<[string, () => unknown, string]>([
    ['mc: null reference', () => verifyMultipleChoice('A', null as unknown as MultipleChoiceReference), 'ref'],
    ['mc: no letter', () => verifyMultipleChoice('A', { answer: '' }), 'answer'],
    ['mc: not a letter', () => verifyMultipleChoice('A', { answer: 'B2' }), 'answer'],
    ['mc: gold not an option', () => verifyMultipleChoice('A', { answer: 'F', options: { A: 'x', B: 'y' } }), 'answer'],
    ['mc: mode', () => verifyMultipleChoice('A', { answer: 'A', mode: 'lenient' as 'exact' }), 'mode'],
    ['mc: responseType', () => verifyMultipleChoice('A', { answer: 'A', responseType: 'many' as 'single' }), 'responseType'],
    ['mc: letters', () => verifyMultipleChoice('A', { answer: 'A', letters: 5 as unknown as string }), 'letters'],
    ['yes/no: null reference', () => verifyYesNoMaybe('yes', null as unknown as YesNoMaybeReference), 'ref'],
    ['yes/no: label', () => verifyYesNoMaybe('yes', { answer: 'perhaps' as 'yes' }), 'answer'],
    ['numeric: reference', () => verifyNumeric('5', 7 as unknown as NumericReference), 'ref'],
    ['numeric: value', () => verifyNumeric('5', { value: 'five' }), 'value'],
    ['numeric: value type', () => verifyNumeric('5', { value: null as unknown as number }), 'value'],
    ['numeric: non-finite', () => verifyNumeric('5', { value: Infinity }), 'value'],
    ['numeric: tolerance', () => verifyNumeric('5', { value: 5, tolerance: { abs: -1 } }), 'tolerance'],
    ['numeric: tolerance type', () => verifyNumeric('5', { value: 5, tolerance: 0.1 as unknown as { abs: number } }), 'tolerance'],
    ['numeric: unit', () => verifyNumeric('5', { value: 5, unit: 3 as unknown as string }), 'unit'],
    ['numeric: molar mass', () => verifyNumeric('5', { value: 5, molarMass: -180 }), 'molarMass'],
    ['keywords: reference', () => verifyKeywords('CT', undefined as unknown as KeywordReference), 'ref'],
    ['keywords: required', () => verifyKeywords('CT', { required: 'CT' as unknown as string[] }), 'required'],
    ['keywords: required item', () => verifyKeywords('CT', { required: ['CT', 5 as unknown as string] }), 'required[1]'],
    ['keywords: forbidden', () => verifyKeywords('CT', { required: [], forbidden: 7 as unknown as string[] }), 'forbidden'],
    ['keywords: synonyms', () => verifyKeywords('CT', { required: ['CT'], synonyms: { CT: 'computed tomography' as unknown as string[] } }), 'synonyms.CT'],
    ['keywords: penalty', () => verifyKeywords('CT', { required: ['CT'], forbiddenPenalty: -1 }), 'forbiddenPenalty'],
    ['drug JSON: reference', () => verifyDrugJson('{}', null as unknown as DrugJsonReference), 'ref'],
    ['drug JSON: drugs', () => verifyDrugJson('{}', { drugs: ['aspirin', 3 as unknown as string] }), 'drugs'],
    ['drug JSON: field', () => verifyDrugJson('{}', { drugs: ['aspirin'], field: 1 as unknown as string }), 'field'],
    ['drug JSON: synonyms', () => verifyDrugJson('{}', { drugs: ['aspirin'], synonyms: { aspirin: [1] as unknown as string[] } }), 'synonyms.aspirin'],
    ['format: spec', () => formatReward('x', null as unknown as { sections: string[] }), 'spec'],
    ['format: empty spec', () => formatReward('x', {}), 'spec'],
    ['format: sections', () => formatReward('x', { sections: 'Diagnosis' as unknown as string[] }), 'spec.sections'],
    ['withFormat: weight', () => withFormat(multipleChoiceVerifier, { sections: ['Answer'] }, -1), 'weight'],
    ['withFormat: verifier', () => withFormat({} as typeof multipleChoiceVerifier, { sections: ['Answer'] }, 1), 'verifier'],
    ['withFormat: spec at construction', () => withFormat(multipleChoiceVerifier, {}, 1), 'spec'],
    ['ICD-10: system', () => new Icd10Verifier({ system: 'icd9' as 'icd10' }), 'options.system'],
    ['ICD-10: scope', () => new Icd10Verifier({ scope: 'last' as 'all' }), 'options.scope'],
    ['ICD-10: penalizeInvalid', () => new Icd10Verifier({ penalizeInvalid: 'yes' as unknown as boolean }), 'options.penalizeInvalid'],
    ['ontology: credit', () => new OntologyVerifier({ broaderCredit: 1.5 }), 'options.broaderCredit'],
    ['ontology: credit type', () => new OntologyVerifier({ narrowerCredit: '1' as unknown as number }), 'options.narrowerCredit'],
    ['ontology: reference', () => new OntologyVerifier().verify('Answer: asthma', '  '), 'reference'],
  ])('%s', (_name, f, field) => expectField(f, field));

  it('a valid reference still verifies (the checks are not over-eager)', () => {
    expect(verifyNumeric('Answer: 5 mg', { value: 5, unit: 'mg', tolerance: { abs: 0 }, molarMass: 180.16 }).reward).toBe(1);
    expect(verifyKeywords('Order a CT.', { required: [['CT', 'computed tomography']], forbidden: ['MRI'], synonyms: { CT: ['CAT scan'] } }).reward).toBe(1);
    expect(verifyDrugJson('{"drugs": ["Lipitor"]}', { drugs: ['atorvastatin'], field: 'drugs', synonyms: { atorvastatin: ['Lipitor'] } }).reward).toBe(1);
    expect(verifyMultipleChoice('Answer: B', { answer: 'B', mode: 'partial', responseType: 'single', letters: 'ABCD' }).reward).toBe(1);
  });
});

describe('judges name the field of bad input', () => {
  it('EquivalenceJudge.fromJSON and verify', () => {
    expect(() => EquivalenceJudge.fromJSON(null as unknown as Parameters<typeof EquivalenceJudge.fromJSON>[0])).toThrow(EquivalenceJudgeError);
    expect(() => EquivalenceJudge.fromJSON(null as unknown as Parameters<typeof EquivalenceJudge.fromJSON>[0])).toThrow(/^json: /);
  });

  it('HybridVerifier options', () => {
    const rule = new OntologyVerifier();
    expect(() => new HybridVerifier(null as unknown as { rule: typeof rule; model: typeof rule })).toThrow(HybridVerifierError);
    expect(() => new HybridVerifier({ rule, model: rule, isConclusive: true as unknown as () => boolean })).toThrow(/options.isConclusive/);
    expect(() => new HybridVerifier({ rule, model: {} as typeof rule })).toThrow(/options.model/);
  });
});
