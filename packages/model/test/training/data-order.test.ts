import { describe, expect, it } from 'vitest';
import { DataOrder, epochPermutation } from '../../src/training/data-order';

describe('DataOrder', () => {
  it('visits every example once per epoch, in a seeded order that differs between epochs and seeds', () => {
    const p0 = Array.from(epochPermutation(50, 7, 0));
    const p1 = Array.from(epochPermutation(50, 7, 1));
    expect([...p0].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p0).not.toEqual(p1);
    expect(p0).toEqual(Array.from(epochPermutation(50, 7, 0)));
    expect(p0).not.toEqual(Array.from(epochPermutation(50, 8, 0)));
  });

  it('spans epoch boundaries and resumes identically from its state', () => {
    const a = new DataOrder(7, 3);
    const first = a.next(5);
    const state = a.state();
    expect(state).toEqual({ epoch: 0, cursor: 5 });
    const rest = a.next(12);
    expect(a.state()).toEqual({ epoch: 2, cursor: 3 });
    expect([...first, ...rest.slice(0, 2)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const b = new DataOrder(7, 3);
    b.restore(state);
    expect(b.next(12)).toEqual(rest);
  });

  it('keeps the natural order without shuffling and validates', () => {
    const o = new DataOrder(3, 1, false);
    expect(o.next(7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(() => new DataOrder(0, 1)).toThrow(/size/);
    expect(() => o.restore({ epoch: 0, cursor: 4 })).toThrow(/cursor/);
  });
});
