import { describe, expect, it } from 'vitest';
import { verifyKeywords } from '../../src/rules/keywords';

const ref = {
  required: [['CT', 'computed tomography', 'CT scan'], 'troponin', ['ECG', 'EKG', 'electrocardiogram']],
  forbidden: ['MRI'],
  synonyms: { troponin: ['hs-cTnT', '肌钙蛋白'] },
};

describe('verifyKeywords', () => {
  it('gives recall over required concepts with synonyms', () => {
    const r = verifyKeywords('Order an EKG and a computed tomography of the chest.', ref);
    expect(r.reward).toBeCloseTo(2 / 3, 12);
    expect(r.verdict).toBe('partial');
    expect(r.details?.missing).toEqual(['troponin']);
    expect(verifyKeywords('急查肌钙蛋白, ECG, CT.', ref).reward).toBe(1);
  });

  it('respects word boundaries and case', () => {
    // "ct" inside "Correct" and "act" is not a mention
    expect(verifyKeywords('Correct: act quickly, check TROPONIN', ref).reward).toBeCloseTo(1 / 3, 12);
  });

  it('penalises forbidden mentions unless negated', () => {
    expect(verifyKeywords('CT, troponin, ECG and an MRI.', ref)).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(verifyKeywords('CT, troponin, ECG. Do not order an MRI.', ref)).toMatchObject({ reward: 1, verdict: 'correct' });
    expect(verifyKeywords('CT, troponin, ECG and an MRI.', { ...ref, forbiddenPenalty: 0.25 }).reward).toBeCloseTo(0.75, 12);
  });

  it('does not count negated required mentions or reasoning', () => {
    const r = verifyKeywords('No need for troponin. Get a CT and ECG.', ref);
    expect(r.reward).toBeCloseTo(2 / 3, 12);
    expect(r.details?.negated).toEqual(['troponin']);
    expect(verifyKeywords('<think>CT, troponin, ECG</think>nothing', ref).reward).toBe(0);
    expect(() => verifyKeywords('x', { required: 'CT' as never })).toThrow(/required/);
  });
});

describe('light English inflection', () => {
  it('counts plurals, -ies plurals and possessives without breaking word boundaries', () => {
    const r = { required: [['troponin', 'cardiac enzymes'], ['ECG', 'EKG'], 'biopsy'] };
    expect(verifyKeywords('EKG and serial troponins.', { required: r.required.slice(0, 2) })).toMatchObject({ reward: 1, verdict: 'correct' });
    expect(verifyKeywords("Serial ECGs, the troponin's trend and two biopsies.", r).reward).toBe(1);
    expect(verifyKeywords("Troponins' peak, EKG, biopsy.", r).reward).toBe(1);
    // a longer word is still not a mention: "troponinase", "ECGraphy", "biopsying"
    expect(verifyKeywords('troponinase, ECGraphy, biopsyx', r).reward).toBe(0);
    // "-s"/"-es" must end the word
    expect(verifyKeywords('troponinsx and ecgesque', r).reward).toBe(0);
  });
  it('applies to forbidden items and keeps negation', () => {
    expect(verifyKeywords('Get an ECG and order MRIs.', { required: ['ECG'], forbidden: ['MRI'] }).reward).toBe(0);
    expect(verifyKeywords('ECG; no troponins needed.', { required: ['ECG', 'troponin'] }).details?.negated).toEqual(['troponin']);
  });
});
