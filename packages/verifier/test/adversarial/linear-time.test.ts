/**
 * Linear time up to 4 MB on the worst input shapes (./worst-shapes.ts), for every rule verifier. Ratio-based:
 * 8× the input must cost well under the 64× of quadratic work (absolute numbers are in `pnpm bench verifier`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useShippedVerifierData } from '../../src/node/index';
import { Icd10Verifier } from '../../src/icd10/index';
import { verifyDrugJson, verifyKeywords, verifyMultipleChoice, verifyNumeric, verifyYesNoMaybe } from '../../src/rules/index';
import { fillShape, WORST_SHAPES } from './worst-shapes';

const MB = 1 << 20;
const OPTIONS = { A: 'Aspirin', B: 'Ibuprofen', C: 'Acetaminophen', D: 'Warfarin' };
let icd: Icd10Verifier;
beforeAll(() => {
  useShippedVerifierData();
  icd = new Icd10Verifier();
});

const verifyAll = (s: string): void => {
  verifyMultipleChoice(s, { answer: 'AC', options: OPTIONS, mode: 'partial' });
  verifyMultipleChoice(s, { answer: 'B' });
  verifyYesNoMaybe(s, { answer: 'yes' });
  verifyNumeric(s, { value: 5.5, unit: 'mmol/L', lastNumberFallback: true });
  verifyKeywords(s, { required: [['CT', 'computed tomography'], '肌钙蛋白'], forbidden: ['MRI'] });
  verifyDrugJson(s, { drugs: ['aspirin'] });
  icd.verify(s, 'I10');
};

/** The fastest of `runs` timings (ms) of every verifier on `text`. */
function best(text: string, runs: number): number {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    verifyAll(text);
    min = Math.min(min, performance.now() - t0);
  }
  return Math.max(min, 1);
}

describe('every rule verifier stays linear up to 4 MB on the worst shapes', () => {
  it.each(WORST_SHAPES)('%s', (_name, unit) => {
    const small = fillShape(unit, MB / 2);
    const large = fillShape(unit, 4 * MB);
    best(fillShape(unit, MB / 8), 1); // warm up
    const tSmall = best(small, 3);
    const tLarge = best(large, 2);
    // 8x the input: linear ~8x; quadratic ~64x. Allow scheduling noise on a shared machine.
    expect(tLarge / tSmall).toBeLessThan(32); // half of quadratic's 64x: room for GC and scheduling noise
  }, 120_000);
});
