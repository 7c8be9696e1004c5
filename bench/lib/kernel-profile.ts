/**
 * Time per tfjs kernel, for the "what is left" notes of the bench: every kernel registered for a backend is
 * wrapped with a timer while a function runs, so any synchronous backend (native, wasm, cpu) can be
 * profiled the same way, without relying on its `time()` support (`tf.profile`'s `kernelTimeMs`).
 *
 * Self time: a kernel that runs other ops inside its kernel function (a composite) is charged only for the
 * time not spent in those nested kernels, which are charged themselves. On a backend whose kernels only
 * queue work (webgpu) the times are enqueue times, not execution times.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';

/** One kernel's totals over the profiled function. */
export interface KernelTime {
  name: string;
  calls: number;
  /** Milliseconds spent in the kernel itself (nested kernels excluded). */
  selfMs: number;
}

/** Per-kernel times of one profiled run. */
export interface KernelProfile {
  backend: string;
  /** Wall time of the profiled function, milliseconds. */
  wallMs: number;
  /** Every kernel that ran, by self time, largest first. */
  kernels: KernelTime[];
}

/**
 * Runs `fn` with every kernel of `backend` timed, then restores the original kernels (also when `fn` throws).
 *
 * @param backend - the tfjs backend name whose registered kernels are wrapped (the active one).
 * @param fn - the work; it must complete its kernels before it resolves (true for synchronous backends).
 */
export async function profileKernels(backend: string, fn: () => Promise<void> | void): Promise<KernelProfile> {
  const originals = tf.getKernelsForBackend(backend);
  const totals = new Map<string, KernelTime>();
  // Time spent in nested kernels, per open kernel frame.
  const childMs: number[] = [];
  const wrap = (config: tf.KernelConfig): tf.KernelConfig => ({
    ...config,
    kernelFunc: (args) => {
      childMs.push(0);
      const t0 = performance.now();
      try {
        return config.kernelFunc(args);
      } finally {
        const dt = performance.now() - t0;
        const nested = childMs.pop()!;
        if (childMs.length > 0) childMs[childMs.length - 1]! += dt;
        const entry = totals.get(config.kernelName) ?? { name: config.kernelName, calls: 0, selfMs: 0 };
        entry.calls++;
        entry.selfMs += dt - nested;
        totals.set(config.kernelName, entry);
      }
    },
  });
  const swap = (configs: readonly tf.KernelConfig[]) => {
    for (const c of configs) {
      tf.unregisterKernel(c.kernelName, c.backendName);
      tf.registerKernel(c);
    }
  };
  swap(originals.map(wrap));
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    swap(originals);
  }
  const wallMs = performance.now() - t0;
  return { backend, wallMs, kernels: [...totals.values()].sort((a, b) => b.selfMs - a.selfMs) };
}

/**
 * The top `n` kernels as table rows: name, calls, self ms, share of the wall time; plus a last row for the
 * wall time not spent in any kernel (JavaScript between kernels: autodiff bookkeeping, tensor allocation).
 */
export function profileRows(p: KernelProfile, n: number): string[][] {
  const pct = (ms: number) => `${((100 * ms) / p.wallMs).toFixed(1)}%`;
  const rows = p.kernels.slice(0, n).map((k) => [k.name, String(k.calls), k.selfMs.toFixed(1), pct(k.selfMs)]);
  const rest = p.kernels.slice(n).reduce((s, k) => s + k.selfMs, 0);
  if (p.kernels.length > n) rows.push([`(${p.kernels.length - n} other kernels)`, String(p.kernels.slice(n).reduce((s, k) => s + k.calls, 0)), rest.toFixed(1), pct(rest)]);
  const inKernels = p.kernels.reduce((s, k) => s + k.selfMs, 0);
  rows.push(['(outside kernels)', '', Math.max(0, p.wallMs - inKernels).toFixed(1), pct(Math.max(0, p.wallMs - inKernels))]);
  return rows;
}
