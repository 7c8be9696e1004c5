/**
 * Backend start-up for both pages. By default (`auto`) WebGPU on a hardware GPU adapter, else wasm (SIMD, threads
 * when the page is cross-origin isolated) with the reason shown: `initBackend('auto')` of `@quarkmed/tensor-kernels`
 * never takes a software adapter (SwiftShader, llvmpipe), which runs these models far slower than wasm.
 * `?backend=webgpu` in the page URL takes any WebGPU adapter, software included, and falls back to wasm (saying why)
 * only when WebGPU cannot start at all; `?backend=wasm` / `?backend=cpu` start those directly.
 *
 * @packageDocumentation
 */
import { BackendUnavailableError, initBackend, type BackendChoice } from '@quarkmed/tensor-kernels';
import { BrowserExampleError } from './app-error';
import { useBundledWasmBinaries } from './wasm-binaries';

/** What the page may ask for. */
export type BackendRequest = 'webgpu' | 'wasm' | 'cpu' | 'auto';

const REQUESTS: readonly BackendRequest[] = ['webgpu', 'wasm', 'cpu', 'auto'];

/** The backend that runs and how it was reached. */
export interface BackendStatus {
  requested: BackendRequest;
  choice: BackendChoice;
  /** Set when WebGPU was asked for (`auto` or `webgpu`) but another backend runs: why. */
  fallbackReason?: string;
  /** Whether the page is cross-origin isolated (needed for wasm threads). */
  crossOriginIsolated: boolean;
}

/**
 * The `backend` query parameter of a page URL, `auto` when absent.
 *
 * @throws {@link BrowserExampleError} for a value that is not one of `webgpu`, `wasm`, `cpu`, `auto`
 */
export function backendRequestFrom(search: string): BackendRequest {
  const value = new URLSearchParams(search).get('backend');
  if (value === null) return 'auto';
  if (!(REQUESTS as readonly string[]).includes(value)) {
    throw new BrowserExampleError(`URL parameter backend=${value}: expected one of ${REQUESTS.join(', ')}`);
  }
  return value as BackendRequest;
}

/** Starts the requested backend (see the file comment). */
export async function startBackend(requested: BackendRequest): Promise<BackendStatus> {
  useBundledWasmBinaries();
  const isolated = globalThis.crossOriginIsolated === true;
  if (requested === 'auto') {
    const choice = await initBackend('auto', { log: false });
    // The reason reads "wasm: SIMD with 2 threads; <why not the others>"; the first part is shown already.
    const why = choice.reason.startsWith(`${choice.name}: `) && choice.reason.includes('; ') ? choice.reason.slice(choice.reason.indexOf('; ') + 2) : choice.reason;
    return { requested, choice, ...(choice.name !== 'webgpu' ? { fallbackReason: why } : {}), crossOriginIsolated: isolated };
  }
  if (requested !== 'webgpu') {
    return { requested, choice: await initBackend(requested, { log: false }), crossOriginIsolated: isolated };
  }
  try {
    return { requested, choice: await initBackend('webgpu', { log: false, allowSoftwareAdapter: true }), crossOriginIsolated: isolated };
  } catch (error) {
    const why = error instanceof BackendUnavailableError ? error.reason : error instanceof Error ? error.message : String(error);
    const choice = await initBackend('wasm', { log: false });
    return { requested, choice, fallbackReason: `WebGPU unavailable: ${why}`, crossOriginIsolated: isolated };
  }
}

/** One line for the page: the backend, the adapter or threads, and the fallback reason. */
export function describeBackend(status: BackendStatus): string {
  const c = status.choice;
  const parts: string[] = [c.name];
  if (c.adapter) parts.push(`adapter ${[c.adapter.vendor, c.adapter.architecture, c.adapter.description].filter((s) => s !== '').join(' / ') || '(unnamed)'}${c.adapter.software ? ' (software rasteriser: slow)' : ''}`);
  if (c.threads !== undefined) parts.push(`${c.threads} thread${c.threads === 1 ? '' : 's'}${c.simd ? ', SIMD' : ''}${status.crossOriginIsolated ? '' : ' (page not cross-origin isolated: no threads)'}`);
  if (status.fallbackReason) parts.push(`fallback from webgpu: ${status.fallbackReason}`);
  if (status.requested === 'auto' && c.name !== 'webgpu') parts.push('(add ?backend=webgpu to the URL to use a software WebGPU adapter anyway)');
  return parts.join(' · ');
}
