/**
 * Starting a GPU backend for the recipe, with errors that say what to do:
 *
 * - `webgpu`: Dawn through the `webgpu` package. A software adapter (Mesa llvmpipe, lavapipe, SwiftShader) is
 *   accepted only when the user opts in (`--allow-software-adapter`), since it is slow (CI opts in: it has no GPU).
 * - `tensorflow`: `@tensorflow/tfjs-node-gpu` (CUDA), an optional package the user installs; `@tensorflow/tfjs-node`
 *   (CPU) is accepted too but reported as not a GPU.
 *
 * @packageDocumentation
 */
import { BackendUnavailableError, initBackend, type BackendChoice } from '@quarkmed/tensor-kernels';
import { ExampleError } from '@quarkmed/example-node-cpu';

/** The GPU backends of the example. */
export const GPU_BACKENDS = ['webgpu', 'tensorflow'] as const;
/** One of {@link GPU_BACKENDS}. */
export type GpuBackend = (typeof GPU_BACKENDS)[number];

/** No WebGPU adapter (or only a software one without the opt-in). */
export class WebGPUUnavailableError extends ExampleError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`webgpu: ${reason}`, '--backend', options);
    this.name = 'WebGPUUnavailableError';
  }
}

/** `@tensorflow/tfjs-node-gpu` (and `@tensorflow/tfjs-node`) not installed or not loadable. */
export class TensorflowNotInstalledError extends ExampleError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(
      `tensorflow: ${reason}. Install @tensorflow/tfjs-node-gpu@4.22.0 where @quarkmed/tensor-kernels can load it: in this repository \`pnpm add -w @tensorflow/tfjs-node-gpu@4.22.0\` (the workspace root), in a project next to @quarkmed/tensor-kernels; it needs CUDA and cuDNN as TensorFlow's docs list them, and its install script downloads libtensorflow`,
      '--backend',
      options,
    );
    this.name = 'TensorflowNotInstalledError';
  }
}

/** The backend that started, and whether it is a GPU. */
export interface GpuBackendChoice {
  choice: BackendChoice;
  /** False for a software WebGPU adapter or the CPU build of tfjs-node. */
  hardware: boolean;
}

/**
 * Starts `backend`.
 *
 * @throws {@link WebGPUUnavailableError} or {@link TensorflowNotInstalledError} with what to do
 */
export async function startGpuBackend(backend: GpuBackend, o: { allowSoftwareAdapter: boolean }): Promise<GpuBackendChoice> {
  let choice: BackendChoice;
  try {
    choice = await initBackend(backend, { allowSoftwareAdapter: o.allowSoftwareAdapter, log: false });
  } catch (e) {
    if (!(e instanceof BackendUnavailableError)) throw e;
    if (backend === 'tensorflow') throw new TensorflowNotInstalledError(e.reason, { cause: e });
    const hint = o.allowSoftwareAdapter ? '' : ' (a software adapter such as Mesa llvmpipe is used only with --allow-software-adapter: slow, for correctness checks)';
    throw new WebGPUUnavailableError(`${e.reason}${hint}`, { cause: e });
  }
  const software = /software|llvmpipe|lavapipe|swiftshader/i.test(choice.reason);
  const cpuBuild = backend === 'tensorflow' && !/tfjs-node-gpu/.test(choice.reason);
  return { choice, hardware: !software && !cpuBuild };
}
