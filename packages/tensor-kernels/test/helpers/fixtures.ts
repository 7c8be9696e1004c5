/**
 * Loading of the PyTorch reference fixtures written by `scripts/gen_fixtures.py` (see that script for the
 * JSON layout and the precision: float32 inputs, float64 reference math, float32-rounded results).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

/** The ops that have a fixture file `test/fixtures/<op>.json`. */
export const FIXTURE_OPS = [
  'rmsNorm',
  'rope',
  'causalAttention',
  'swiglu',
  'crossEntropy',
  'tokenLogProbs',
  'adamw',
] as const;

/** Name of a fused op with fixtures. */
export type FixtureOp = (typeof FIXTURE_OPS)[number];

/** One tensor of a fixture: flat row-major values and a shape. */
export interface TensorFixture {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: number[];
}

/** One reference case: inputs, op options, upstream gradients, expected outputs and input gradients. */
export interface FixtureCase {
  name: string;
  seed: number;
  inputs: Record<string, TensorFixture>;
  /** Op options as the TS op takes them (absent keys exercise the op's defaults). */
  attrs: Record<string, number>;
  /** Upstream gradient per output name. */
  dy: Record<string, TensorFixture>;
  /** Expected forward result per output name. */
  outputs: Record<string, TensorFixture>;
  /** Expected gradient per float input name (VJP with {@link dy}). */
  grads: Record<string, TensorFixture>;
}

/** A fixture file. */
export interface FixtureFile {
  op: FixtureOp;
  torch: string;
  command: string;
  precision: string;
  cases: FixtureCase[];
}

const cache = new Map<FixtureOp, FixtureFile>();

/** Reads and parses `test/fixtures/<op>.json` (cached). */
export function loadFixture(op: FixtureOp): FixtureFile {
  let f = cache.get(op);
  if (!f) {
    const url = new URL(`../fixtures/${op}.json`, import.meta.url);
    f = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as FixtureFile;
    if (f.op !== op || !Array.isArray(f.cases) || f.cases.length === 0) {
      throw new Error(`fixture ${op}.json is malformed (op ${String(f.op)}, ${f.cases?.length} cases)`);
    }
    cache.set(op, f);
  }
  return f;
}

/** Creates a tensor with the fixture's values, shape and dtype. */
export function toTensor(t: TensorFixture): tf.Tensor {
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (size !== t.data.length) {
    throw new RangeError(`fixture tensor of shape [${t.shape}] has ${t.data.length} values`);
  }
  return t.dtype === 'int32'
    ? tf.tensor(Int32Array.from(t.data), t.shape, 'int32')
    : tf.tensor(Float32Array.from(t.data), t.shape, 'float32');
}
