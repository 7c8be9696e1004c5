import { describe, expect, it } from 'vitest';
import { convertUnit, extractQuantity, GLUCOSE_MOLAR_MASS, verifyNumeric } from '../../src/rules/numeric';

describe('extractQuantity', () => {
  it.each([
    ['The answer is 1,250 mg.', 1250, 'mg'],
    ['Answer: 1.5e-3 g', 0.0015, 'g'],
    ['Final answer: 2.5 × 10^3 mL', 2500, 'mL'],
    ['答案：5.5 mmol/L', 5.5, 'mmol/L'],
    ['答案：５．５ mmol/L', 5.5, 'mmol/L'],
    ['dose = 10 mg/kg × 7 kg = 70 mg. Answer: 70 mg', 70, 'mg'],
    ['\\boxed{42}', 42, ''],
    ['{"answer": 12.5, "unit": "mL"}', 12.5, 'mL'],
    ['Answer: −3', -3, ''],
    ['45%', 45, '%'],
    ['x = 3 so y = 4', 4, ''],
  ])('%j → %d %s', (text, value, unit) => {
    const q = extractQuantity(text);
    expect('reason' in q).toBe(false);
    if (!('reason' in q)) {
      expect(q.value).toBeCloseTo(value, 9);
      expect(q.unit).toBe(unit);
    }
  });

  it('ignores reasoning and quoted passages and reports nothing stated', () => {
    expect('reason' in extractQuantity('<think>answer: 5</think>')).toBe(true);
    expect('reason' in extractQuantity('The text says "the answer is 5 mg".')).toBe(true);
    expect('reason' in extractQuantity('It is about twelve.')).toBe(true);
    const q = extractQuantity('We measured 3 then 4 and finally 9 units', true);
    expect(!('reason' in q) && q.value).toBe(9);
  });
});

describe('convertUnit', () => {
  it('converts within a dimension and mass↔molar only with a molar mass', () => {
    expect(convertUnit(1, 'g', 'mg')).toBeCloseTo(1000, 9);
    expect(convertUnit(250, 'mcg', 'mg')).toBeCloseTo(0.25, 12);
    expect(convertUnit(250, 'µg', 'mg')).toBeCloseTo(0.25, 12);
    expect(convertUnit(2, 'L', 'mL')).toBeCloseTo(2000, 9);
    expect(convertUnit(10, 'lb', 'kg')).toBeCloseTo(4.5359237, 9);
    expect(convertUnit(5.5, 'mmol/L', 'mg/dL')).toBeNull();
    expect(convertUnit(5.5, 'mmol/L', 'mg/dL', GLUCOSE_MOLAR_MASS)).toBeCloseTo(99.0858, 4);
    expect(convertUnit(99.0858, 'mg/dL', 'mmol/L', GLUCOSE_MOLAR_MASS)).toBeCloseTo(5.5, 4);
    expect(convertUnit(1, 'mg', 'mL')).toBeNull();
  });
});

describe('verifyNumeric', () => {
  it('applies tolerance and units', () => {
    expect(verifyNumeric('Answer: 0.5 g', { value: 500, unit: 'mg' }).reward).toBe(1);
    expect(verifyNumeric('Answer: 0.51 g', { value: 500, unit: 'mg' }).reward).toBe(0);
    expect(verifyNumeric('Answer: 0.51 g', { value: 500, unit: 'mg', tolerance: { rel: 0.05 } }).reward).toBe(1);
    expect(verifyNumeric('Answer: 502', { value: 500, unit: 'mg', tolerance: { abs: 2 } }).reward).toBe(1);
    expect(verifyNumeric('Answer: 99 mg/dL', { value: '5.5 mmol/L', tolerance: { rel: 0.01 }, molarMass: GLUCOSE_MOLAR_MASS }).reward).toBe(1);
    const mism = verifyNumeric('Answer: 99 mg/dL', { value: '5.5 mmol/L', tolerance: { rel: 0.01 } });
    expect(mism).toMatchObject({ reward: 0, verdict: 'incorrect' });
    expect(mism.details?.unitMismatch).toBe(true);
    expect(verifyNumeric('nothing here', { value: 1 }).verdict).toBe('unparseable');
    expect(() => verifyNumeric('1', { value: 'abc' })).toThrow(/value/);
    expect(() => verifyNumeric('1', { value: 1, tolerance: { abs: -1 } })).toThrow(/tolerance/);
  });
});
