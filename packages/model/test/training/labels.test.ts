import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { IGNORE_INDEX, countLossTokens, shiftLabels } from '../../src/labels';
import { useCpu } from './helpers';

beforeAll(useCpu);

describe('labels', () => {
  it('shiftLabels moves every row left by one and ignores the last position (tensor and array agree)', () => {
    const rows = [
      [5, 6, IGNORE_INDEX, 8],
      [1, IGNORE_INDEX, 3, 4],
    ];
    const want = [6, IGNORE_INDEX, 8, IGNORE_INDEX, IGNORE_INDEX, 3, 4, IGNORE_INDEX];
    const t = shiftLabels(tf.tensor2d(rows, undefined, 'int32'));
    expect(Array.from(t.dataSync())).toEqual(want);
    expect(Array.from(shiftLabels(Int32Array.from(rows.flat()), [2, 4]))).toEqual(want);
    expect(countLossTokens(Int32Array.from(rows.flat()), [2, 4])).toBe(4);
    expect(Array.from(shiftLabels(tf.tensor2d([[7]], undefined, 'int32')).dataSync())).toEqual([IGNORE_INDEX]);
    expect(() => shiftLabels(Int32Array.from([1, 2, 3]), [2, 2])).toThrow(/\[2, 2\]/);
    t.dispose();
  });
});
