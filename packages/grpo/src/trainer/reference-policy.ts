/**
 * The reference policy of the KL term: a frozen copy of the initial weights, or (when training LoRA adapters)
 * the same model with its adapters disabled, which is the base model without copying anything. With
 * `syncRefModel` the copy is moved toward the policy every `refModelSyncSteps` steps:
 * `ref ← α · policy + (1 − α) · ref` (TRL's `SyncRefModelCallback`).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { GrpoTrainerError } from './errors';
import { completionLogProbsHost, type PolicyModel, type SequenceBatch } from './policy-model';

/** The part of a `LoraHandle` the reference needs. */
export interface AdapterSwitch {
  enable(): void;
  disable(): void;
  readonly enabled: boolean;
}

/** The reference model: log-probs without gradients, optional weight sync. */
export interface ReferencePolicy {
  readonly kind: 'copy' | 'adapters-disabled';
  /** The copy's weights (copy only; saved with checkpoints when `syncRefModel` moves them). */
  readonly weights?: Map<string, tf.Variable>;
  /** Per-token log-probs of the batch's completions under the reference (`[B * C]`). */
  logProbs(batch: SequenceBatch, temperature: number): Promise<Float32Array>;
  /** `ref ← α · policy + (1 − α) · ref` (copy only). */
  sync(alpha: number): void;
  /** Frees a copied model. */
  dispose(): void;
}

/**
 * A frozen copy: `makeEmpty()` builds a model of the same architecture (e.g. `new LlamaModel(config, { init: 'zeros' })`)
 * and the policy's weights are copied into it by name.
 *
 * @throws {@link GrpoTrainerError} when the copy's weights do not match the policy's names and shapes
 */
export function frozenCopyReference(policy: PolicyModel, makeEmpty: () => PolicyModel): ReferencePolicy {
  const ref = makeEmpty();
  for (const [k, v] of policy.weights) {
    const w = ref.weights.get(k);
    if (!w || !tf.util.arraysEqual(w.shape, v.shape)) {
      ref.dispose?.();
      throw new GrpoTrainerError('refModel', `the reference copy has no weight ${k} of shape [${v.shape.join(', ')}]`);
    }
    w.assign(v);
  }
  return {
    kind: 'copy',
    weights: ref.weights,
    logProbs: (batch, temperature) => completionLogProbsHost(ref, batch, temperature),
    sync(alpha) {
      for (const [k, v] of policy.weights) {
        const w = ref.weights.get(k)!;
        tf.tidy(() => w.assign(tf.add(tf.mul(v, alpha), tf.mul(w, 1 - alpha))));
      }
    },
    dispose: () => ref.dispose?.(),
  };
}

/** The LoRA reference: the policy with its adapters disabled for the forward (no copy; `sync` is not possible). */
export function adaptersDisabledReference(policy: PolicyModel, adapters: AdapterSwitch): ReferencePolicy {
  return {
    kind: 'adapters-disabled',
    async logProbs(batch, temperature) {
      const was = adapters.enabled;
      adapters.disable();
      try {
        return await completionLogProbsHost(policy, batch, temperature);
      } finally {
        if (was) adapters.enable();
      }
    },
    sync() {
      throw new GrpoTrainerError('config.syncRefModel', 'is not possible with LoRA: the reference is the base model (adapters disabled)');
    },
    dispose() {},
  };
}
