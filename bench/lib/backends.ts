/**
 * Starting a backend for a bench suite: `initBackend` of `@quarkmed/tensor-kernels`, with the reason a backend
 * cannot start here turned into one line ("native: not built (...)") instead of an error, and the label the
 * suites' tables show for the backend that started.
 */
import * as qk from '@quarkmed/tensor-kernels';
import type { BackendChoice, BackendName } from '@quarkmed/tensor-kernels';

/** A started backend, or why it did not start. */
export type StartOutcome = { ok: true; choice: BackendChoice; label: string } | { ok: false; reason: string };

function errText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * Starts `name` with `threads` threads (wasm, native). Never throws for a backend that cannot start: the
 * `native` backend (OpenBLAS + C kernels through N-API, built on the machine) reports "not built" with the
 * package's reason, including when this version of the package does not know it at all.
 */
export async function startBackend(name: string, threads: number): Promise<StartOutcome> {
  try {
    const choice = await qk.initBackend(name as BackendName, { threads, log: false });
    return { ok: true, choice, label: backendLabel(choice) };
  } catch (error) {
    const why = error instanceof qk.BackendUnavailableError ? error.reason : errText(error);
    return { ok: false, reason: name === 'native' ? `not built (${why})` : `not started (${why})` };
  }
}

/** The line a suite prints for a backend that did not start, e.g. "native: not built (...)". */
export function notStartedLine(name: string, reason: string): string {
  return `${name}: ${reason}; skipping it`;
}

/** A short label: threads and SIMD for wasm, threads for native, the adapter for webgpu. */
export function backendLabel(choice: BackendChoice): string {
  const name = choice.name as string;
  const thr = (t: number) => `${t} thread${t === 1 ? '' : 's'}`;
  if (name === 'wasm') return `wasm (${thr(choice.threads ?? 1)}${choice.simd === false ? ', no SIMD' : ', SIMD'})`;
  if (name === 'native') return choice.threads !== undefined ? `native (${thr(choice.threads)})` : 'native';
  if (name === 'webgpu' && choice.adapter) {
    const a = choice.adapter;
    const text = [a.vendor, a.architecture, a.device, a.description].join(' ');
    if (a.software) {
      const impl = /llvmpipe/i.test(text) ? 'Mesa llvmpipe' : /lavapipe/i.test(text) ? 'Mesa lavapipe' : /swiftshader/i.test(text) ? 'SwiftShader' : 'software adapter';
      return `webgpu (${impl}, software)`;
    }
    return `webgpu (${a.description || a.device || a.vendor || 'hardware'})`;
  }
  return name;
}
