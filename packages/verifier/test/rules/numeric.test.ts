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

describe('compound and clinical units', () => {
  it.each([
    ['26.1 kg/m2', 26.1, 'kg/m2'],
    ['Answer: 26.12 kg/m²', 26.12, 'kg/m²'],
    ['125 mL/h', 125, 'mL/h'],
    ['Rate = 1000 mL / 8 h = 125 mL/hr', 125, 'mL/hr'],
    ['100 units/mL', 100, 'units/mL'],
    ['Answer: 5 IU/mL', 5, 'IU/mL'],
    ['93.3 mmHg', 93.3, 'mmHg'],
    ['Answer: 20 mcg/kg/min', 20, 'mcg/kg/min'],
    ['Answer: 4500 cells/µL', 4500, 'cells/µL'],
    ['Answer: 72 bpm', 72, 'bpm'],
    ['About 67 mL/min', 67, 'mL/min'],
    ['Answer: 125 mL per hour', 125, 'mL per hour'],
    ['答案：93毫米汞柱', 93, '毫米汞柱'],
    ['Answer: 5 mg per the protocol', 5, 'mg'],
    ['Answer: 5 mg/foo', 5, 'mg/foo'],
    ['Answer: -3', -3, ''],
  ])('%j → %d %s', (text, value, unit) => {
    const q = extractQuantity(text);
    expect('reason' in q).toBe(false);
    if (!('reason' in q)) {
      expect(q.value).toBeCloseTo(value, 9);
      expect(q.unit).toBe(unit);
    }
  });

  it('takes the longest unit and converts compound units of the same dimensions', () => {
    expect(verifyNumeric('26.1 kg/m2', { value: 26.1, unit: 'kg/m²', tolerance: { abs: 0.1 } }).reward).toBe(1);
    // "kg/m2" is not "kg": a mass is not a BMI
    expect(verifyNumeric('26.1 kg', { value: 26.1, unit: 'kg/m2' }).details?.unitMismatch).toBe(true);
    expect(verifyNumeric('Answer: 3 L/day', { value: 125, unit: 'mL/h', tolerance: { abs: 1 } }).reward).toBe(1);
    expect(verifyNumeric('125 L/h', { value: 125, unit: 'mL/h', tolerance: { abs: 1 } }).reward).toBe(0);
    expect(verifyNumeric('Answer: 1 g/L', { value: 100, unit: 'mg/dL' }).reward).toBe(1);
    expect(verifyNumeric('Answer: 12.4 kPa', { value: 93, unit: 'mmHg', tolerance: { abs: 0.5 } }).reward).toBe(1);
    expect(verifyNumeric('Answer: 1000 mL/8 h', { value: 125, unit: 'mL/h', tolerance: { abs: 1 } }).reward).toBe(1);
    expect(verifyNumeric('Answer: 93 mmHg/min', { value: 93, unit: 'mmHg' }).verdict).toBe('incorrect');
    expect(verifyNumeric('WBC = 4.5 × 10^9/L', { value: 4500, unit: 'cells/µL', tolerance: { rel: 1e-9 } }).reward).toBe(1);
    expect(verifyNumeric('WBC = 4.5 × 10^9/L', { value: 4.5, unit: '10^9/L' }).reward).toBe(1);
    expect(verifyNumeric('Answer: 5 mg/foo', { value: 5, unit: 'mg' }).details?.unitMismatch).toBe(true);
    expect(verifyNumeric('Answer: 5 mg/foo', { value: 5, unit: 'MG/foo' }).reward).toBe(1);
    // a unit with a unitless reference is still a mismatch (unless %)
    expect(verifyNumeric('Answer: 7 days', { value: 7 }).verdict).toBe('incorrect');
  });

  it('recognises Chinese weak cues after quantity nouns', () => {
    expect(verifyNumeric('剂量为300 mg。', { value: 300, unit: 'mg' }).reward).toBe(1);
    expect(verifyNumeric('体重20 kg，用量约为300毫克', { value: 300, unit: 'mg' }).reward).toBe(1);
    expect(verifyNumeric('滴速应为125 mL/h', { value: 125, unit: 'mL/h' }).reward).toBe(1);
    expect(verifyNumeric('计算：15×20 等于 300 mg', { value: 300, unit: 'mg' }).reward).toBe(1);
    // a strong cue (答案) wins over a later weak one
    expect(verifyNumeric('答案：300 mg。每日总量为900 mg', { value: 300, unit: 'mg' }).reward).toBe(1);
    // a cue inside reasoning does not count
    expect(verifyNumeric('<think>剂量为300 mg</think>', { value: 300, unit: 'mg' }).verdict).toBe('unparseable');
  });
});
