/**
 * Registration of the fused kernels for a backend: its specialised kernels (wasm SIMD, WebGPU WGSL)
 * where this package has them, and the composite kernel (a composition of tfjs ops) for every kernel
 * name still missing. Importing this module also registers the gradients of the fused kernels.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import '../grads/index';
import { compositeKernels } from './composite/index';
import { ALL_KERNELS } from './names';
import { KernelRuntimeError } from './kernel-runtime-error';

/** `backend/kernel` keys of the kernels registered here as composites (a specialised kernel may replace them). */
const compositeKeys = new Set<string>();
/** Backends for which every kernel name has a kernel. */
const readyBackends = new Set<string>();
/** In-flight or finished {@link registerFusedKernels} calls, per backend. */
const registrations = new Map<string, Promise<void>>();

function key(backendName: string, kernelName: string): string {
  return `${backendName}/${kernelName}`;
}

/**
 * Registers the composite kernel of every name in `ALL_KERNELS` that `backendName` lacks (internal;
 * `ensureKernels` and {@link registerFusedKernels} call it).
 */
export function registerComposites(backendName: string): void {
  for (const { kernelName, kernelFunc } of compositeKernels) {
    if (tf.getKernel(kernelName, backendName) != null) continue;
    tf.registerKernel({ kernelName, backendName, kernelFunc });
    compositeKeys.add(key(backendName, kernelName));
  }
  const missing = ALL_KERNELS.filter((n) => tf.getKernel(n, backendName) == null);
  if (missing.length > 0) {
    // only possible if compositeKernels and ALL_KERNELS disagree: a bug of this package
    throw new KernelRuntimeError(`registerFusedKernels: no kernel for ${missing.join(', ')} on backend '${backendName}'`);
  }
  readyBackends.add(backendName);
}

/**
 * The specialised kernels of `backendName` (empty for backends without any; native: the wasm kernel bodies on the addon), loaded lazily so that cpu users
 * never load the WGSL programs and webgpu users never compile the SIMD module. wasm kernels are used only where
 * the runtime validates wasm SIMD (tfjs falls back to its non-SIMD build there, and so do we: composites).
 */
async function loadSpecialised(backendName: string): Promise<tf.KernelConfig[]> {
  if (backendName === 'wasm') {
    const wasm = await import('./wasm/index');
    if (!wasm.simdKernelsSupported()) return [];
    await wasm.initSimdKernels();
    return wasm.wasmKernelConfigs;
  }
  if (backendName === 'native') {
    const wasm = await import('./wasm/index');
    await wasm.initSimdKernels(); // the attention kernels size their scratch with the wasm module
    return (await import('./native/index')).nativeKernelConfigs();
  }
  if (backendName === 'webgpu') return (await import('./webgpu/index')).webgpuKernelConfigs;
  return [];
}

async function register(backendName: string): Promise<void> {
  const specialised = await loadSpecialised(backendName);
  for (const config of specialised) {
    if (config.backendName !== backendName) {
      throw new KernelRuntimeError(
        `registerFusedKernels: the ${backendName} kernel module has a config for '${config.kernelName}' on backend '${config.backendName}'`,
      );
    }
    const k = key(backendName, config.kernelName);
    const existing = tf.getKernel(config.kernelName, backendName);
    if (existing === config) continue;
    if (existing != null) {
      // a composite registered earlier by ensureKernels() gives way; anything else is kept
      if (!compositeKeys.has(k)) continue;
      tf.unregisterKernel(config.kernelName, backendName);
      compositeKeys.delete(k);
    }
    tf.registerKernel(config);
  }
  registerComposites(backendName);
}

/**
 * Registers this package's fused kernels for `backendName`: the backend's specialised kernels (wasm:
 * `./wasm/index`, webgpu: `./webgpu/index`), then the composite kernel for every kernel name still
 * missing. Composites registered earlier by `ensureKernels` are replaced by specialised kernels;
 * kernels registered by anyone else are kept. Idempotent: a second call (even a concurrent one) returns
 * the first call's promise. `initBackend` calls it for the backend it starts.
 *
 * @param backendName - a tfjs backend name ('cpu', 'wasm', 'native', 'webgpu', 'tensorflow', …)
 */
export function registerFusedKernels(backendName: string): Promise<void> {
  let p = registrations.get(backendName);
  if (p === undefined) {
    p = register(backendName);
    registrations.set(backendName, p);
    // a failed attempt may be retried
    p.catch(() => registrations.delete(backendName));
  }
  return p;
}

/**
 * Makes sure the active backend has a kernel for every fused kernel name, registering composite kernels
 * for the missing ones. Synchronous and cheap after the first call per backend; every op calls it before
 * `runKernel`, so the ops also work on a backend set with `tf.setBackend` directly (with composite
 * kernels until {@link registerFusedKernels} adds the specialised ones).
 */
export function ensureKernels(): void {
  const engine = tf.engine();
  if (engine.backendName == null) {
    // reading `engine.backend` initialises the best registered backend when none is active yet, as runKernel would
    void engine.backend;
  }
  const backendName = engine.backendName;
  if (readyBackends.has(backendName)) return;
  registerComposites(backendName);
}
