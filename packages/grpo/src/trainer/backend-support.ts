/**
 * What a training step needs of the active tfjs backend. The GRPO and DPO steps read nothing back synchronously,
 * except inside a mixture-of-experts policy: `@quarkmed/model`'s MoE layer reads its top-k routing back with
 * `dataSync`, which webgpu cannot do in Node (tfjs' webgpu `readSync` needs `OffscreenCanvas`). That case is named
 * before the first step instead of failing deep inside it.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { GrpoTrainerError } from './errors';
import type { PolicyModel } from './policy-model';

/**
 * Throws when a step of `model` cannot run on the active backend here: a MoE policy on webgpu without
 * `OffscreenCanvas` (Node).
 *
 * @throws {@link GrpoTrainerError} naming `options.model`
 */
export function assertStepRunsHere(model: PolicyModel): void {
  const moe = (model.config as { moe?: unknown }).moe;
  if (moe && tf.getBackend() === 'webgpu' && typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined') {
    throw new GrpoTrainerError(
      'options.model',
      "is a mixture-of-experts policy, whose routing @quarkmed/model reads back synchronously; webgpu cannot read synchronously without OffscreenCanvas (webgpu in Node): train it on cpu, wasm or tensorflow, or in a browser",
    );
  }
}
