/**
 * What the trainers need of a policy (`LlamaModel` fits), and the per-token log-probabilities and entropies of
 * completions under it, computed as TRL's `_get_per_token_logps_and_entropies`: logits divided by the sampling
 * temperature, then `log_softmax` gathered at the completion tokens.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GenerationModel } from '@quarkmed/model';
import { tokenLogProbs } from '@quarkmed/tensor-kernels';
import { entropyFromLogits } from '../math/entropy';
import { stopGradient } from '../math/stop-gradient';

/** A causal LM the GRPO/DPO trainers can generate from and train (`LlamaModel` satisfies it). */
export interface PolicyModel extends GenerationModel {
  readonly weights: Map<string, tf.Variable>;
  forward(
    inputIds: tf.Tensor2D,
    options?: { attentionMask?: tf.Tensor2D; positions?: tf.Tensor2D; training?: boolean; cache?: ReturnType<GenerationModel['createCache']> },
  ): { logits: tf.Tensor3D };
  /** Frees the weights (used for a reference copy the trainer made). */
  dispose?(): void;
}

/** A padded batch of prompt + completion sequences (host arrays; tensors are made per use). */
export interface SequenceBatch {
  /** `[B, P + C]` ids: prompts left-padded to `P`, completions right-padded to `C`. */
  ids: Int32Array;
  /** `[B, P + C]` attention mask (0 on padding). */
  attentionMask: Int32Array;
  /** `[B, C]` 1 on completion tokens (up to and including a stop id), 0 on padding. */
  completionMask: Float32Array;
  rows: number;
  promptLength: number;
  completionLength: number;
}

/**
 * Right-pads completions and left-pads prompts into one {@link SequenceBatch}.
 *
 * @param promptIds - token ids of each row's prompt (non-empty)
 * @param completionIds - token ids of each row's completion (may be empty)
 * @param padId - the id written on padded positions (masked out, its value does not matter)
 */
export function packSequences(promptIds: readonly (readonly number[])[], completionIds: readonly (readonly number[])[], padId: number): SequenceBatch {
  const rows = promptIds.length;
  const P = Math.max(...promptIds.map((p) => p.length));
  const C = Math.max(1, ...completionIds.map((c) => c.length));
  const T = P + C;
  const ids = new Int32Array(rows * T).fill(padId);
  const attentionMask = new Int32Array(rows * T);
  const completionMask = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const p = promptIds[r]!;
    const c = completionIds[r]!;
    for (let j = 0; j < p.length; j++) {
      ids[r * T + P - p.length + j] = p[j]!;
      attentionMask[r * T + P - p.length + j] = 1;
    }
    for (let j = 0; j < c.length; j++) {
      ids[r * T + P + j] = c[j]!;
      attentionMask[r * T + P + j] = 1;
      completionMask[r * C + j] = 1;
    }
  }
  return { ids, attentionMask, completionMask, rows, promptLength: P, completionLength: C };
}

/** Per-token log-probabilities `[B, C]` of the completion tokens (and their entropies when asked). */
export interface CompletionLogProbs {
  logProbs: tf.Tensor2D;
  entropies?: tf.Tensor2D;
}

/**
 * Log-probabilities of each completion token under `model`, with logits divided by `temperature` (TRL), and
 * optionally the entropy of each position's distribution (without gradient). Differentiable in the log-probs;
 * call inside `tf.tidy` / `tf.variableGrads`.
 */
export function completionLogProbs(
  model: PolicyModel,
  batch: SequenceBatch,
  options: { temperature: number; entropy?: boolean; training?: boolean },
): CompletionLogProbs {
  const { rows: B, promptLength: P, completionLength: C } = batch;
  const T = P + C;
  const ids = tf.tensor2d(batch.ids, [B, T], 'int32');
  const mask = tf.tensor2d(batch.attentionMask, [B, T], 'int32');
  const { logits } = model.forward(ids, { attentionMask: mask, training: options.training ?? false });
  const V = logits.shape[2];
  // Position t predicts token t + 1: the completion tokens P..T-1 are predicted at P-1..T-2.
  let scaled = tf.slice(logits, [0, P - 1, 0], [B, C, V]) as tf.Tensor3D;
  if (options.temperature !== 1 && options.temperature > 0) scaled = tf.div(scaled, options.temperature);
  const targets = tf.slice(ids, [0, P], [B, C]);
  const logProbs = tokenLogProbs(scaled, targets) as tf.Tensor2D;
  if (!options.entropy) return { logProbs };
  const entropies = entropyFromLogits(stopGradient(scaled)) as tf.Tensor2D;
  return { logProbs, entropies };
}

/** {@link completionLogProbs} without gradients, read back to host memory (`[B * C]` row-major). */
export async function completionLogProbsHost(
  model: PolicyModel,
  batch: SequenceBatch,
  temperature: number,
): Promise<Float32Array> {
  const lp = tf.tidy(() => completionLogProbs(model, batch, { temperature }).logProbs);
  try {
    return (await lp.data()) as Float32Array;
  } finally {
    lp.dispose();
  }
}
