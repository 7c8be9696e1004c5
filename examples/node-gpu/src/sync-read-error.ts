/**
 * The known limit of the recipe on WebGPU in Node: stages that read a tensor synchronously (`dataSync`,
 * `arraySync`: the verifier's equivalence judge in `rl1` and `eval`, the reward model in `rl2`) fail inside
 * `@tensorflow/tfjs-backend-webgpu`, whose synchronous read needs `OffscreenCanvas`, which Node lacks.
 *
 * @packageDocumentation
 */
import { StageError } from '@quarkmed/pipeline';
import { ExampleError } from '@quarkmed/example-node-cpu';

/** A stage failed on WebGPU in Node because it read a tensor synchronously. */
export class WebGPUSyncReadError extends ExampleError {
  constructor(
    /** The stage (from the recipe's StageError). */
    readonly stage: string,
    options?: { cause?: unknown },
  ) {
    super(
      `webgpu: stage ${stage} reads a tensor synchronously (dataSync/arraySync), which tfjs-backend-webgpu cannot do in Node (no OffscreenCanvas). ` +
        'Run the model stages on webgpu with `skip: [rl1, rl2, eval]` in the config (ci.yaml does), or use --backend tensorflow',
      'skip',
      options,
    );
    this.name = 'WebGPUSyncReadError';
  }
}

/** Whether `e` is the recipe's StageError caused by a synchronous read on WebGPU in Node. */
export function isWebGPUSyncRead(e: unknown): e is StageError {
  if (!(e instanceof StageError)) return false;
  const cause = e.cause;
  return /OffscreenCanvas is not defined/.test(`${e.message} ${cause instanceof Error ? cause.message : ''}`);
}
