import * as tf from '@tensorflow/tfjs-core';

/**
 * Random sequences in which every token from position `lag` on repeats the token `lag` positions back: only
 * attention can learn it. Returns inputs and next-token targets, both int32 [batch, seq].
 */
export function lagCopyBatch(
  rand: () => number,
  batch: number,
  seq: number,
  vocab: number,
  lag: number,
): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const full = new Int32Array(batch * (seq + 1));
  for (let b = 0; b < batch; b++) {
    const row = b * (seq + 1);
    for (let i = 0; i <= seq; i++) {
      full[row + i] = i < lag ? Math.floor(rand() * vocab) : full[row + i - lag];
    }
  }
  const inputs = new Int32Array(batch * seq);
  const targets = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    inputs.set(full.subarray(b * (seq + 1), b * (seq + 1) + seq), b * seq);
    targets.set(full.subarray(b * (seq + 1) + 1, b * (seq + 1) + seq + 1), b * seq);
  }
  return { inputs: tf.tensor2d(inputs, [batch, seq], 'int32'), targets: tf.tensor2d(targets, [batch, seq], 'int32') };
}
