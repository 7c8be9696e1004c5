/**
 * The page of the trainers' browser test: starts the backend named by `?backend=` (wasm, one thread; or webgpu on
 * the browser's `navigator.gpu`, software adapters allowed), counts synchronous reads of GPU
 * memory on webgpu, runs {@link runScenario} and leaves the outcome in `window.__result`.
 */
import { initBackend } from '@quarkmed/tensor-kernels';
import { watchGpuSyncReads, type SyncReadCounts } from '../helpers/gpu-sync-reads';
import { runScenario } from './scenario';

declare global {
  interface Window {
    __result?: unknown;
  }
}

async function main(): Promise<void> {
  try {
    const backend = new URLSearchParams(location.search).get('backend');
    if (backend !== 'wasm' && backend !== 'webgpu') throw new Error(`?backend= must be wasm or webgpu, got ${String(backend)}`);
    const choice = await initBackend(backend, backend === 'webgpu' ? { log: false, allowSoftwareAdapter: true } : { log: false, threads: 1 });
    let syncReads: SyncReadCounts | undefined;
    if (backend === 'webgpu') syncReads = watchGpuSyncReads().counts;
    const t0 = performance.now();
    const result = await runScenario();
    window.__result = { choice, ...result, syncReads, seconds: (performance.now() - t0) / 1000 };
  } catch (error) {
    window.__result = { error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) };
  }
}

void main();
