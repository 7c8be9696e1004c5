import { describe, expect, it } from 'vitest';
import { convertUnit, parseUnit, parseUnitAt } from '../../src/rules/units';

describe('parseUnit', () => {
  it('parses simple, compound and exponent forms', () => {
    expect(parseUnit('kg/m²')).toEqual({ factor: 1000, dims: { g: 1, m: -2 } });
    expect(parseUnit('kg/m2')).toEqual(parseUnit('kg/m^2'));
    expect(parseUnit('kg·m⁻²')).toEqual(parseUnit('kg/m²'));
    expect(parseUnit('mL/h')?.dims).toEqual({ m: 3, s: -1 });
    expect(parseUnit('mL/min/1.73 m²')?.dims).toEqual({ m: 1, s: -1 });
    expect(parseUnit('units/mL')?.dims).toEqual({ U: 1, m: -3 });
    expect(parseUnit('mg/kg/day')?.dims).toEqual({ s: -1 });
    expect(parseUnit('mg/foo')).toBeNull();
    expect(parseUnit('M')).toBeNull(); // "million", not molar
    expect(parseUnit('')).toBeNull();
  });

  it('stops before a slash that is not followed by a unit', () => {
    expect(parseUnitAt('mmHg/80', 0)?.text).toBe('mmHg');
    expect(parseUnitAt('mL / 8 h', 0)?.text).toBe('mL');
    expect(parseUnitAt('grapes', 0)).toBeNull();
    expect(parseUnitAt('mg daily', 0)?.text).toBe('mg');
  });
});

describe('convertUnit (compound)', () => {
  it.each([
    [125, 'mL/h', 'L/day', 3],
    [125, 'mL/hr', 'mL/h', 125],
    [1, 'mL/min', 'mL/h', 60],
    [100, 'mg/dL', 'g/L', 1],
    [14, 'g/dL', 'g/L', 140],
    [100, 'U/mL', 'units/mL', 100],
    [100, 'IU/mL', 'units/L', 100000],
    [26.1, 'kg/m2', 'kg/m²', 26.1],
    [1, 'kg/m²', 'g/cm²', 0.1],
    [93, 'mmHg', 'mm Hg', 93],
    [7.5, 'kPa', 'mmHg', 56.2550],
    [72, 'bpm', 'beats/min', 72],
    [16, 'breaths/min', '/min', 16],
    [300, 'cells/µL', 'cells/mm³', 300],
    [15, 'mg/kg/day', 'mg/kg/d', 15],
    [10, 'mcg/kg/min', 'mg/kg/h', 0.6],
    [5, 'mM', 'mmol/L', 5],
    [1, '10^9/L', 'cells/µL', 1000],
    [2, 'kcal', 'kJ', 8.368],
  ])('%d %s → %s = %d', (v, from, to, want) => {
    expect(convertUnit(v, from, to)).toBeCloseTo(want, 3);
  });

  it('refuses different dimensions, and mass↔amount without a molar mass', () => {
    expect(convertUnit(125, 'mL/h', 'mL')).toBeNull();
    expect(convertUnit(26, 'kg/m2', 'kg')).toBeNull();
    expect(convertUnit(140, 'mEq/L', 'mmol/L')).toBeNull();
    expect(convertUnit(5.5, 'mmol/L', 'g/L')).toBeNull();
    expect(convertUnit(5.5, 'mmol/L', 'g/L', 180.156)).toBeCloseTo(0.990858, 6);
    expect(convertUnit(1, 'mmHg', 'mL')).toBeNull();
  });
});

describe('unit lookup hygiene', () => {
  it('does not read Object.prototype names as units', () => {
    for (const w of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) {
      expect(parseUnitAt(w, 0), w).toBeNull();
      expect(parseUnit(`mg/${w}`), w).toBeNull();
    }
  });
});
