/**
 * A guard for WebGPU in Node: a stage that reads a tensor synchronously (`dataSync`, `arraySync`) fails inside
 * `@tensorflow/tfjs-backend-webgpu`, whose synchronous read needs `OffscreenCanvas`, which Node lacks. The recipe's
 * own stages read asynchronously; this names the failure if code of the user's (a custom reward, a hook) does.
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
        'Read tensors with await data()/array() in code that runs on webgpu, skip that stage on webgpu (`skip: [...]` in the config), or use --backend tensorflow',
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
