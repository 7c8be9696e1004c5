/**
 * The recipe on a GPU backend: starts the backend (see {@link startGpuBackend}), then runs the recipe through the
 * CPU example's {@link runExample} (the pipeline's public API) with `backend` set in the config, so the run
 * directory's config and manifest record it.
 *
 * @packageDocumentation
 */
import type { ScaleName } from '@quarkmed/pipeline';
import { runExample, type RunExampleResult } from '@quarkmed/example-node-cpu';
import { startGpuBackend, type GpuBackend, type GpuBackendChoice } from './gpu-backend';
import { WebGPUSyncReadError, isWebGPUSyncRead } from './sync-read-error';

/** Options of {@link runGpuExample}. */
export interface RunGpuExampleOptions {
  backend: GpuBackend;
  /** Accept a software WebGPU adapter (llvmpipe): the user's opt-in. */
  allowSoftwareAdapter: boolean;
  out: string;
  scale: ScaleName;
  config?: string;
  seed?: number;
  silent?: boolean;
}

/** A GPU run: the backend that started and the recipe's results. */
export interface RunGpuExampleResult {
  gpu: GpuBackendChoice;
  run: RunExampleResult;
}

/**
 * Starts the backend and runs (or resumes) the recipe.
 *
 * @throws {@link WebGPUSyncReadError} when a stage fails on WebGPU in Node by reading a tensor synchronously
 */
export async function runGpuExample(o: RunGpuExampleOptions): Promise<RunGpuExampleResult> {
  const gpu = await startGpuBackend(o.backend, { allowSoftwareAdapter: o.allowSoftwareAdapter });
  const run = await runExample({
    out: o.out,
    scale: o.scale,
    backend: o.backend,
    initBackend: false,
    ...(o.config !== undefined ? { config: o.config } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.silent ? { silent: true } : {}),
  }).catch((e: unknown) => {
    throw isWebGPUSyncRead(e) ? new WebGPUSyncReadError(e.stage, { cause: e }) : e;
  });
  return { gpu, run };
}
