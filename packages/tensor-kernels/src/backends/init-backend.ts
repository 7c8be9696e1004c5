/**
 * Backend selection: {@link initBackend} starts one of TensorFlow.js' backends (`cpu`, `wasm` with SIMD
 * and threads, `native` (the wasm backend with native kernels, Node), `webgpu` in browsers and in Node through Dawn, native `tensorflow`), makes it the active
 * backend and registers this package's fused kernels for it.
 *
 * @packageDocumentation
 */
import { KernelInputError } from '../kernels/kernel-input-error';
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs-core's gradient functions (tfjs-core alone does not), needed by tf.grad on every backend.
import './tfjs-gradients.generated';
import { registerFusedKernels } from '../kernels/register';
import { initCpuBackend, silenceCpuBanner } from './cpu';
import { BackendUnavailableError, errorMessage } from './errors';
import { initTensorflowBackend } from './tensorflow';
import type { NativeInitResult } from './native/setup-native';
import {
  activeWebGPU,
  adapterLabel,
  findAdapter,
  initWebGPUBackend,
  type AdapterSearch,
  type WebGPUBackendInfo,
} from './webgpu/index';

/** The backends {@link initBackend} can start. */
export type BackendName = 'cpu' | 'wasm' | 'native' | 'webgpu' | 'tensorflow';

/** Every valid value of the `name` argument of {@link initBackend}. */
export const BACKEND_NAMES: ReadonlyArray<BackendName | 'auto'> = ['auto', 'cpu', 'wasm', 'native', 'webgpu', 'tensorflow'];

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Threads (a positive integer): of the wasm backend (default 2 where threads are possible); of the
   * native kernels and BLAS for `native` (default every core), also given to the wasm backend under it.
   */
  threads?: number;
  /**
   * Accept a software adapter (llvmpipe, lavapipe, SwiftShader) for an explicit `'webgpu'`; default
   * true. `'auto'` never picks a software adapter, whatever this says.
   */
  allowSoftwareAdapter?: boolean;
  /** Where the choice and its reason are logged; default `console.info`; `false` logs nothing. */
  log?: ((message: string) => void) | false;
}

/** The backend {@link initBackend} started and why. */
export interface BackendChoice {
  /** The active tfjs backend. */
  name: BackendName;
  /** Why, e.g. "wasm: SIMD with 2 threads; no hardware GPU adapter (llvmpipe is software)". */
  reason: string;
  /** wasm, native: the number of threads. */
  threads?: number;
  /** native: the BLAS the addon calls for GEMM, with the kernel set it chose for this CPU. */
  blas?: string;
  /** native: the instruction set the addon's fused kernels were compiled for (e.g. "avx512f", "neon"). */
  isa?: string;
  /** wasm: whether the SIMD build runs. */
  simd?: boolean;
  /** webgpu: the adapter. */
  adapter?: { vendor: string; architecture: string; device: string; description: string; software: boolean };
  /** tensorflow: which of `@tensorflow/tfjs-node-gpu` / `@tensorflow/tfjs-node` loaded. */
  package?: string;
}

let queue: Promise<unknown> = Promise.resolve();
/** Why 'auto' found no hardware GPU adapter, remembered for the process (GPUs do not appear at run time). */
let noHardwareGpu: string | undefined;

/**
 * Starts a TensorFlow.js backend, makes it the active one, registers this package's fused kernels for it
 * (`registerFusedKernels`) and logs the choice with its reason.
 *
 * - `'cpu'`: `@tensorflow/tfjs-backend-cpu` (its "running TensorFlow.js in Node.js" banner silenced).
 * - `'wasm'`: `@tensorflow/tfjs-backend-wasm` with SIMD and `options.threads` threads.
 * - `'native'` (Node): the wasm backend with its heavy kernels (matmuls through BLAS, the fused kernels)
 *   replaced by the native addon built at install, on every core (or `options.threads`).
 * - `'webgpu'`: `navigator.gpu` in browsers; Dawn (the optional `webgpu` package) in Node, including Mesa
 *   llvmpipe through OpenGL ES when `allowSoftwareAdapter` is not false.
 * - `'tensorflow'`: `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node` (optional peers).
 * - `'auto'` (default): a hardware WebGPU adapter, else native (Node, when the addon is built), else
 *   wasm, else cpu. Never a software adapter.
 *
 * Calls are serialised: concurrent calls run one after the other.
 *
 * @param name - the backend, or `'auto'` (default)
 * @param options - see {@link InitBackendOptions}
 * @returns the backend started and why
 * @throws (rejects with) TypeError when `name` is not one of {@link BACKEND_NAMES} or an option has the
 *   wrong type; RangeError when `options.threads` is not a positive integer; {@link BackendUnavailableError}
 *   when the named backend cannot start here (it names the backend and why).
 */
export async function initBackend(name: BackendName | 'auto' = 'auto', options: InitBackendOptions = {}): Promise<BackendChoice> {
  validate(name, options);
  const run = queue.then(
    () => start(name, options),
    () => start(name, options),
  );
  queue = run.catch(() => undefined);
  return await run;
}

function validate(name: unknown, options: unknown): asserts options is InitBackendOptions {
  if (typeof name !== 'string' || !(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new KernelInputError(
      'initBackend',
      'name',
      `initBackend: unknown backend name ${typeof name === 'string' ? `'${name}'` : String(name)}; expected one of ${BACKEND_NAMES.map((n) => `'${n}'`).join(', ')}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new KernelInputError('initBackend', 'options', `initBackend: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const o = options as Record<string, unknown>;
  if (o['threads'] !== undefined && (typeof o['threads'] !== 'number' || !Number.isInteger(o['threads']) || o['threads'] < 1)) {
    throw new KernelInputError('initBackend', 'options.threads', `initBackend: options.threads must be a positive integer, got ${String(o['threads'])}`);
  }
  if (o['allowSoftwareAdapter'] !== undefined && typeof o['allowSoftwareAdapter'] !== 'boolean') {
    throw new KernelInputError('initBackend', 'options.allowSoftwareAdapter', `initBackend: options.allowSoftwareAdapter must be a boolean, got ${typeof o['allowSoftwareAdapter']}`);
  }
  if (o['log'] !== undefined && o['log'] !== false && typeof o['log'] !== 'function') {
    throw new KernelInputError('initBackend', 'options.log', `initBackend: options.log must be a function or false, got ${typeof o['log']}`);
  }
}

async function start(name: BackendName | 'auto', options: InitBackendOptions): Promise<BackendChoice> {
  const choice = name === 'auto' ? await startAuto(options) : await startNamed(name, options);
  silenceCpuBanner();
  await registerFusedKernels(choice.name);
  const log = options.log === undefined ? (message: string) => console.info(message) : options.log;
  if (log !== false) log(`[@quarkmed/tensor-kernels] backend '${choice.name}': ${choice.reason}`);
  return choice;
}

async function startNamed(name: BackendName, options: InitBackendOptions): Promise<BackendChoice> {
  switch (name) {
    case 'cpu':
      await initCpuBackend();
      return { name: 'cpu', reason: 'cpu: requested' };
    case 'wasm':
      return wasmChoice(await startWasm(options), 'requested');
    case 'native':
      return nativeChoice(await startNative(options), 'requested');
    case 'webgpu':
      return webgpuChoice(await initWebGPUBackend({ allowSoftware: options.allowSoftwareAdapter ?? true }), 'requested');
    case 'tensorflow': {
      const loaded = await initTensorflowBackend();
      const skipped = loaded.skipped.length > 0 ? ` (${loaded.skipped.join('; ')})` : '';
      return { name: 'tensorflow', reason: `tensorflow: ${loaded.package}${skipped}`, package: loaded.package };
    }
  }
}

async function startAuto(options: InitBackendOptions): Promise<BackendChoice> {
  // 1. A hardware GPU adapter.
  const running = activeWebGPU();
  if (running !== undefined && !running.adapter.software) {
    return webgpuChoice(await initWebGPUBackend({ allowSoftware: false }), 'hardware GPU adapter');
  }
  let gpuWhy = noHardwareGpu;
  if (gpuWhy === undefined) {
    const probe = await probeHardwareGpu();
    if (probe.search !== undefined) {
      try {
        return webgpuChoice(await initWebGPUBackend({ allowSoftware: false, search: probe.search }), 'hardware GPU adapter');
      } catch (error) {
        gpuWhy = `webgpu failed (${error instanceof BackendUnavailableError ? error.reason : errorMessage(error)})`;
      }
    } else {
      gpuWhy = probe.why;
      noHardwareGpu = gpuWhy;
    }
  }
  // 2. The native addon (Node, when it was built at install).
  let nativeWhy: string;
  try {
    return nativeChoice(await startNative(options), gpuWhy);
  } catch (error) {
    nativeWhy = `native unavailable (${error instanceof BackendUnavailableError ? error.reason : errorMessage(error)})`;
  }
  // 3. wasm with SIMD and threads.
  let wasmWhy: string;
  try {
    return wasmChoice(await startWasm(options), `${nativeWhy}; ${gpuWhy}`);
  } catch (error) {
    wasmWhy = `wasm failed (${error instanceof BackendUnavailableError ? error.reason : errorMessage(error)})`;
  }
  // 4. Plain JavaScript.
  await initCpuBackend();
  return { name: 'cpu', reason: `cpu: ${wasmWhy}; ${nativeWhy}; ${gpuWhy}` };
}

/** Looks for a hardware adapter; never throws. */
async function probeHardwareGpu(): Promise<{ search?: AdapterSearch; why: string }> {
  try {
    const search = await findAdapter({ allowSoftware: false });
    return search.chosen !== undefined ? { search, why: '' } : { why: search.why };
  } catch (error) {
    return { why: `no WebGPU (${error instanceof BackendUnavailableError ? error.reason : errorMessage(error)})` };
  }
}

async function startWasm(options: InitBackendOptions): Promise<{ threads: number; simd: boolean }> {
  const { initWasmBackend } = await import('./wasm/setup-wasm');
  const result = await initWasmBackend(options.threads !== undefined ? { threads: options.threads } : {});
  if (tf.getBackend() !== 'wasm') throw new BackendUnavailableError('wasm', "initWasmBackend did not make 'wasm' the active backend");
  return result;
}

async function startNative(options: InitBackendOptions): Promise<NativeInitResult> {
  const { initNativeBackend } = await import('./native/setup-native');
  const result = await initNativeBackend(options.threads !== undefined ? { threads: options.threads } : {});
  if (tf.getBackend() !== 'native') throw new BackendUnavailableError('native', "initNativeBackend did not make 'native' the active backend");
  return result;
}

function nativeChoice(result: NativeInitResult, why: string): BackendChoice {
  const { info } = result;
  const threads = `${result.threads} thread${result.threads === 1 ? '' : 's'}`;
  return {
    name: 'native',
    reason: `native: ${info.blas} (${info.blasCore}) for matmuls, fused kernels for ${info.isa}, ${threads} (${info.threading}), on the wasm heap; ${why}`,
    threads: result.threads,
    blas: `${info.blas} (${info.blasCore})`,
    isa: info.isa,
  };
}

function wasmChoice(result: { threads: number; simd: boolean }, why: string): BackendChoice {
  const threads = `${result.threads} thread${result.threads === 1 ? '' : 's'}`;
  return {
    name: 'wasm',
    reason: `wasm: ${result.simd ? 'SIMD' : 'no SIMD'} with ${threads}; ${why}`,
    threads: result.threads,
    simd: result.simd,
  };
}

function webgpuChoice(info: WebGPUBackendInfo, why: string): BackendChoice {
  const kind = info.adapter.software ? 'software' : 'hardware';
  const mode = info.compatibility ? ', compatibility mode' : '';
  return {
    name: 'webgpu',
    reason: `webgpu: ${kind} adapter ${adapterLabel(info.adapter)} via ${info.source}${mode}; ${why}`,
    adapter: info.adapter,
  };
}
