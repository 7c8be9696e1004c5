import { describe, expect, it } from 'vitest';
import { curriculumOrder, CurriculumError } from '../../src/mix/curriculum';

describe('curriculumOrder', () => {
  it('puts atomic before composite, stably', () => {
    const recs = [
      { id: 1, level: 'composite' },
      { id: 2, level: 'atomic' },
      { id: 3, level: 'composite' },
      { id: 4, level: 'atomic' },
      { id: 5, level: 'atomic' },
    ];
    expect(curriculumOrder(recs).map((r) => r.id)).toEqual([2, 4, 5, 1, 3]);
    expect(recs.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]); // input untouched
  });

  it('supports custom level names, numeric levels and an accessor', () => {
    const recs = ['c:hard', 'a:easy', 'b:mid', 'd:easy'].map((s) => ({ s }));
    const order = curriculumOrder(recs, { level: (r) => r.s.split(':')[1], levels: ['easy', 'mid', 'hard'] });
    expect(order.map((r) => r.s)).toEqual(['a:easy', 'd:easy', 'b:mid', 'c:hard']);
    const nums = [3, 1, 2, 1].map((level, i) => ({ level, i }));
    expect(curriculumOrder(nums).map((r) => r.i)).toEqual([1, 3, 2, 0]);
  });

  it('handles missing levels by policy', () => {
    const recs = [{ id: 1, level: 'composite' }, { id: 2 }, { id: 3, level: 'atomic' }];
    expect(() => curriculumOrder(recs)).toThrow(/records\[1\] has no level/);
    expect(curriculumOrder(recs, { missing: 'last' }).map((r) => r.id)).toEqual([3, 1, 2]);
    expect(curriculumOrder(recs, { missing: 'first' }).map((r) => r.id)).toEqual([2, 3, 1]);
  });

  it('rejects unknown and mixed levels', () => {
    expect(() => curriculumOrder([{ level: 'atomic' }, { level: 'expert' }])).toThrow(CurriculumError);
    expect(() => curriculumOrder([{ level: 'atomic' }, { level: 'expert' }])).toThrow(/records\[1\] has unknown level 'expert'; known levels: atomic, composite/);
    expect(() => curriculumOrder([{ level: 1 }, { level: 'atomic' }])).toThrow(/records\[1\] has a string level/);
  });
});
