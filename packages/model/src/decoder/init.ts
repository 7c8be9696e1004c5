/**
 * Deterministic weight initialisation: every tensor draws from its own PRNG stream, seeded from the model
 * seed and the tensor's name, so adding or reordering tensors never changes the others.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Mulberry32 } from '../training/rng';

/**
 * A seeded 32-bit PRNG (mulberry32) returning floats in [0, 1): the package's one generator
 * (`Mulberry32`) as a function.
 */
export function mulberry32(seed: number): () => number {
  const rng = new Mulberry32(seed);
  return () => rng.next();
}

/**
 * The seed of the tensor `name` in a model seeded with `seed`: FNV-1a over the name, mixed with the seed
 * (murmur3 finaliser). Deterministic and independent of creation order.
 */
export function deriveSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.imul(seed >>> 0, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `size` samples of normal(0, std) (Box–Muller on mulberry32), deterministic in `seed`. */
export function normalValues(size: number, std: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    let u1 = rand();
    while (u1 <= 0) u1 = rand();
    const u2 = rand();
    const r = std * Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < size) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** How a weight is initialised. */
export type InitSpec = { kind: 'normal'; std: number } | { kind: 'ones' } | { kind: 'zeros' };

/**
 * A float32 tensor of `shape` initialised per `spec`; normal draws use `deriveSeed(seed, name)`.
 * The caller owns the tensor.
 */
export function initTensor(shape: number[], spec: InitSpec, seed: number, name: string): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (spec.kind === 'ones') return tf.ones(shape, 'float32');
  if (spec.kind === 'zeros') return tf.zeros(shape, 'float32');
  return tf.tensor(normalValues(size, spec.std, deriveSeed(seed, name)), shape, 'float32');
}

/**
 * A trainable `tf.Variable` named `name` when that name is free in the engine; when another live variable
 * already holds it (two models at once), the name gets a `#n` suffix so both can coexist.
 */
export function makeVariable(initial: tf.Tensor, name: string): tf.Variable {
  const registered = tf.engine().registeredVariables;
  let unique = name;
  for (let n = 1; registered[unique] !== undefined; n++) unique = `${name}#${n}`;
  const v = tf.variable(initial, true, unique);
  initial.dispose();
  return v;
}
