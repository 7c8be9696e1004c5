/**
 * The `native` backend: tfjs' wasm backend instance (its module, heap and every kernel) registered a
 * second time under the name `native`, with the heavy kernels replaced by calls into the native addon
 * (native/src/addon.cc, built at install) that work in place on that same heap: `BatchMatMul` and
 * `_FusedMatMul` through BLAS (one-row products through sgemv), `Softmax`, float32 `Add` / `Sub` / `Mul` (elementwise.ts), `Identity` without a copy, small `Add` / `Concat` /
 * `GatherV2` as copies on the heap (heap-copy-kernels.ts), and the fused kernels of this package (the csrc/ algorithms compiled for
 * the host CPU, on every core). Tensors move between `wasm` and `native` without copies (one backend
 * object); gradients are registered per kernel name and work unchanged.
 *
 * Node only: the addon is loaded through this package's `./node` entry with a specifier bundlers leave
 * alone, so browser bundles never see it.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError, errorMessage } from '../errors';
import { importOptional } from '../tensorflow';
import { ALL_KERNELS } from '../../kernels/names';
import { KernelInputError } from '../../kernels/kernel-input-error';
import type { NativeAddonInfo, NativeAddonLoad } from './addon';
import { NativeHeap } from './native-heap';
import { nativeFunctionTable, setActiveNativeTable } from './native-functions';
import { nativeBatchMatMulKernel, nativeFusedMatMulKernel } from './batch-mat-mul';
import { nativeSoftmaxKernel } from './softmax';
import { heapAddKernel, heapConcatKernel, heapGatherKernel, heapIdentityKernel } from './heap-copy-kernels';
import { nativeBinaryKernel } from './elementwise';

/** The backend name. */
export const NATIVE = 'native';

/** What {@link initNativeBackend} started. */
export interface NativeInitResult {
  /** Threads of the native kernels and the BLAS. */
  threads: number;
  /** Threads of the underlying wasm backend (kernels the addon does not replace). */
  wasmThreads: number;
  /** The addon's BLAS, instruction set and threading. */
  info: NativeAddonInfo;
  /** The addon file. */
  file: string;
}

/** Options of {@link initNativeBackend}. */
export interface InitNativeOptions {
  /**
   * Threads of the native kernels and the BLAS (default: every core, `os.availableParallelism()`); also
   * passed to the wasm backend underneath when it is not running yet (its default otherwise).
   */
  threads?: number;
}

interface NodeProcess {
  versions?: { node?: string };
}

let initPromise: Promise<NativeInitResult> | null = null;

async function loadAddon(): Promise<NativeAddonLoad> {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (typeof proc?.versions?.node !== 'string') return { reason: 'needs Node.js (the addon cannot load in a browser)' };
  try {
    const mod = (await importOptional('@quarkmed/tensor-kernels/node')) as { loadNativeAddon(): NativeAddonLoad };
    return mod.loadNativeAddon();
  } catch (error) {
    return { reason: `cannot load @quarkmed/tensor-kernels/node (${errorMessage(error)})` };
  }
}

/** Registers every 'wasm' kernel (but the fused ones, registered by registerFusedKernels) for 'native'. */
function mirrorWasmKernels(): void {
  const fused = new Set<string>(ALL_KERNELS);
  for (const config of tf.getKernelsForBackend('wasm')) {
    if (fused.has(config.kernelName) || tf.getKernel(config.kernelName, NATIVE) != null) continue;
    tf.registerKernel({ ...config, backendName: NATIVE });
  }
}

function override(kernelName: string, make: (fallback: tf.KernelConfig['kernelFunc']) => tf.KernelConfig['kernelFunc']): void {
  const wasm = tf.getKernel(kernelName, 'wasm');
  if (wasm == null) throw new BackendUnavailableError(NATIVE, `tfjs-backend-wasm has no ${kernelName} kernel`);
  if (tf.getKernel(kernelName, NATIVE) != null) tf.unregisterKernel(kernelName, NATIVE);
  tf.registerKernel({ kernelName, backendName: NATIVE, kernelFunc: make(wasm.kernelFunc) });
}

async function initialise(options: InitNativeOptions): Promise<NativeInitResult> {
  const load = await loadAddon();
  if (load.addon === undefined) throw new BackendUnavailableError(NATIVE, load.reason);
  const { addon, file, cores } = load;
  const threads = options.threads ?? cores;
  const { initWasmBackend } = await import('../wasm/setup-wasm');
  const wasm = await initWasmBackend(options.threads !== undefined ? { threads: options.threads } : {});
  const backend = tf.findBackend('wasm') as BackendWasm | null;
  if (backend == null) throw new BackendUnavailableError(NATIVE, 'the wasm backend did not start');
  addon.setThreads(threads);
  const heap = new NativeHeap(addon, backend);
  heap.sync();
  setActiveNativeTable(nativeFunctionTable(heap));
  mirrorWasmKernels();
  override(tf.BatchMatMul, (fallback) => nativeBatchMatMulKernel(heap, fallback));
  override(tf._FusedMatMul, (fallback) => nativeFusedMatMulKernel(heap, fallback));
  override(tf.Softmax, (fallback) => nativeSoftmaxKernel(heap, fallback));
  override(tf.Concat, heapConcatKernel);
  override(tf.GatherV2, heapGatherKernel);
  override(tf.Identity, heapIdentityKernel);
  override(tf.Add, (fallback) => nativeBinaryKernel(heap, 'add', heapAddKernel(fallback)));
  override(tf.Sub, (fallback) => nativeBinaryKernel(heap, 'sub', fallback));
  override(tf.Multiply, (fallback) => nativeBinaryKernel(heap, 'mul', fallback));
  if (tf.findBackendFactory(NATIVE) == null) {
    // the same backend object as 'wasm' (priority 0: never chosen implicitly over wasm)
    tf.registerBackend(NATIVE, () => backend, 0);
  }
  return Object.freeze({ threads, wasmThreads: wasm.threads, info: addon.info(), file });
}

/**
 * Starts the `native` backend (see the module comment) and makes it the active tfjs backend. Starts
 * the wasm backend first when it is not running. Idempotent: later calls re-activate `native` and
 * return the first call's result (threads cannot change). A failed start can be retried.
 *
 * @throws {@link KernelInputError} when `options.threads` is not a positive integer.
 * @throws {@link BackendUnavailableError} with the reason when the addon is not built or does not load
 *   (the build's recorded reason: no compiler, no Node headers, a compile error), or outside Node.
 */
export async function initNativeBackend(options: InitNativeOptions = {}): Promise<NativeInitResult> {
  const { threads } = options;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1)) {
    throw new KernelInputError('initNativeBackend', 'options.threads', `initNativeBackend: options.threads must be an integer >= 1, got ${String(threads)}`);
  }
  if (initPromise === null) {
    const attempt = initialise(options).catch((error: unknown) => {
      if (error instanceof BackendUnavailableError) throw error;
      throw new BackendUnavailableError(NATIVE, errorMessage(error), { cause: error });
    });
    initPromise = attempt;
    attempt.catch(() => {
      if (initPromise === attempt) initPromise = null;
    });
  }
  const result = await initPromise;
  if (!(await tf.setBackend(NATIVE)) || tf.getBackend() !== NATIVE) {
    throw new BackendUnavailableError(NATIVE, 'tf.setBackend("native") failed after a successful start');
  }
  return result;
}
