/**
 * Starts tfjs' `wasm` backend with SIMD and threads where possible, in Node.js and in the browser, and
 * completes it for training: all tfjs gradients registered, fast transposed matmuls, and the kernels
 * tfjs-backend-wasm lacks (`UnsortedSegmentSum` for the gradient of `tf.gather`, `Einsum`).
 *
 * Threads in Node: tfjs-backend-wasm disables threads in Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false
 * there) because its pthread workers are created from `blob:` URLs. {@link initWasmBackend} turns the flag
 * on and installs, for the duration of the initialisation only, a web-compatible global `Worker` over
 * `node:worker_threads` (see `node-worker-shim.ts`). The pthread workers are `unref`'d once loaded, so
 * they do not keep a Node process alive.
 *
 * @packageDocumentation
 */
import { KernelInputError } from '../../kernels/kernel-input-error';
import * as tf from '@tensorflow/tfjs-core';
import '../tfjs-gradients.generated';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError, errorMessage } from '../errors';
import { registerWasmMatMulOverrides } from './batch-mat-mul';
import { registerWasmUnsortedSegmentSum } from './unsorted-segment-sum';
import { registerWasmEinsum } from './einsum';

/** What {@link initWasmBackend} got. */
export interface WasmInitResult {
  /** Number of threads XNNPACK actually uses (1 without threads). */
  threads: number;
  /** Whether the SIMD build of the backend runs. */
  simd: boolean;
}

/** Options of {@link initWasmBackend}. */
export interface InitWasmOptions {
  /**
   * Threads to use (integer >= 1). Default: `min(2, available cores)`. 1 selects the single-threaded SIMD
   * build. In browsers threads also need cross-origin isolation (SharedArrayBuffer); without it the
   * backend runs single-threaded and the result says so.
   */
  threads?: number;
  /**
   * Where the `.wasm` binaries are served, passed to tfjs' `setWasmPaths` (a folder URL ending in `/`, or a
   * map from binary name to URL). Default: in Node, the `dist/` folder of the installed
   * `@tensorflow/tfjs-backend-wasm`; in browsers, tfjs' default (next to the bundled script).
   */
  wasmPaths?: string | Record<string, string>;
}

const WASM = 'wasm';
let initPromise: Promise<WasmInitResult> | null = null;

interface NodeProcess {
  versions?: { node?: string };
  listeners?(event: string): unknown[];
  removeListener?(event: string, listener: unknown): void;
  getBuiltinModule?: (id: string) => unknown;
  cwd?: () => string;
}

function nodeProcess(): NodeProcess | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  return typeof proc?.versions?.node === 'string' ? proc : undefined;
}

/*
 * The few members of Node built-ins used here, typed structurally so that this browser-safe module
 * compiles without Node's type definitions (the modules themselves are loaded at run time, in Node only).
 */
interface NodeOs {
  availableParallelism?: () => number;
  cpus: () => unknown[];
}
interface NodeModuleApi {
  createRequire(base: string): { resolve(id: string): string };
}
interface NodePath {
  join(...parts: string[]): string;
  dirname(path: string): string;
  readonly sep: string;
}
interface NodeFs {
  existsSync(path: string): boolean;
}
/** CommonJS builds only; `typeof` guards its use. */
declare const __filename: string | undefined;

/** Loads a Node built-in without a static import (browser bundles never see it). */
async function nodeBuiltin<T>(id: string): Promise<T> {
  const proc = nodeProcess();
  if (typeof proc?.getBuiltinModule === 'function') {
    const mod = proc.getBuiltinModule(id);
    if (mod !== undefined) return mod as T;
  }
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ id)) as T;
}

/** Cores available to this process (Node) or the page (browser); at least 1. */
async function availableCores(): Promise<number> {
  if (nodeProcess() !== undefined) {
    const os = await nodeBuiltin<NodeOs>('node:os');
    return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/**
 * The `dist/` folder (with a trailing separator) of the installed `@tensorflow/tfjs-backend-wasm`, which
 * holds the `.wasm` binaries, or `undefined` when it cannot be resolved (for example when tfjs is bundled).
 */
async function nodeWasmDistFolder(): Promise<string | undefined> {
  try {
    const moduleApi = await nodeBuiltin<NodeModuleApi>('node:module');
    const path = await nodeBuiltin<NodePath>('node:path');
    const fs = await nodeBuiltin<NodeFs>('node:fs');
    const metaUrl = (import.meta as { url?: string }).url;
    const base = metaUrl ?? (typeof __filename === 'string' ? __filename : path.join(nodeProcess()?.cwd?.() ?? '.', 'index.js'));
    const main = moduleApi.createRequire(base).resolve('@tensorflow/tfjs-backend-wasm');
    const dist = path.dirname(main);
    return fs.existsSync(path.join(dist, 'tfjs-backend-wasm-simd.wasm')) ? dist + path.sep : undefined;
  } catch {
    return undefined;
  }
}

/**
 * tfjs-backend-wasm caps the XNNPACK thread pool at `emscripten_num_logical_cores() / 2` (it assumes two
 * hyper-threads per core), read once while the module starts: on a 2-core machine `setThreadsCount(2)`
 * yields 1 thread. While the backend starts, report `2 * threads` logical cores (Node: `os.cpus()`,
 * browser: `navigator.hardwareConcurrency`) so the requested count is honoured; returns the undo.
 */
async function reportLogicalCoresForThreads(threads: number): Promise<() => void> {
  const wanted = 2 * threads;
  if (nodeProcess() !== undefined) {
    const os = await nodeBuiltin<NodeOs>('node:os');
    const original = os.cpus;
    const real = original.call(os);
    if (real.length >= wanted || real.length === 0) return () => undefined;
    try {
      (os as { cpus: () => unknown[] }).cpus = () => Array.from({ length: wanted }, (_, i) => real[i % real.length]);
    } catch {
      return () => undefined;
    }
    return () => {
      (os as { cpus: () => unknown[] }).cpus = original;
    };
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav === undefined || (nav.hardwareConcurrency ?? 0) >= wanted) return () => undefined;
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => wanted });
  } catch {
    return () => undefined;
  }
  return () => {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
    if (own !== undefined) Object.defineProperty(nav, 'hardwareConcurrency', own);
  };
}

/** Registers the wasm kernel overrides and additions of this package (idempotent). */
export function registerWasmKernelExtensions(): void {
  registerWasmMatMulOverrides();
  registerWasmUnsortedSegmentSum();
  registerWasmEinsum();
}

async function initialise(options: InitWasmOptions): Promise<WasmInitResult> {
  const { threads: requested, wasmPaths } = options;
  registerWasmKernelExtensions();
  const proc = nodeProcess();
  const alreadyStarted = tf.engine().registry[WASM] !== undefined;
  let restoreWorker: (() => void) | undefined;
  let restoreCores: (() => void) | undefined;
  const listenersBefore = new Map<string, unknown[]>();

  if (!alreadyStarted) {
    const threads = requested ?? Math.min(2, await availableCores());
    const paths = wasmPaths ?? (proc !== undefined ? await nodeWasmDistFolder() : undefined);
    if (paths !== undefined) tfwasm.setWasmPaths(paths);
    tfwasm.setThreadsCount(threads);
    if (threads > 1) restoreCores = await reportLogicalCoresForThreads(threads);
    if (proc !== undefined) {
      const threaded = threads > 1 && typeof SharedArrayBuffer !== 'undefined';
      if (threaded) {
        const shim = await import('./node-worker-shim');
        restoreWorker = shim.installNodeWorkerShim(await shim.loadNodeWorkerShimDeps());
      }
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threaded);
      // The Emscripten runtime adds process listeners that rethrow every uncaught exception and unhandled
      // rejection; remember the current ones to remove those it adds.
      for (const event of ['uncaughtException', 'unhandledRejection']) {
        listenersBefore.set(event, proc.listeners?.(event) ?? []);
      }
    }
  }

  let ok = false;
  let failure: unknown;
  try {
    ok = await tf.setBackend(WASM);
    await tf.ready();
  } catch (error) {
    failure = error;
  } finally {
    restoreWorker?.();
    restoreCores?.();
    for (const [event, before] of listenersBefore) {
      for (const listener of proc?.listeners?.(event) ?? []) {
        if (!before.includes(listener)) proc?.removeListener?.(event, listener);
      }
    }
  }
  if (!ok || tf.getBackend() !== WASM) {
    const reason = failure !== undefined ? errorMessage(failure) : 'tf.setBackend("wasm") failed (see the warning above)';
    throw new BackendUnavailableError(WASM, reason, failure !== undefined ? { cause: failure } : undefined);
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return Object.freeze({ threads: tfwasm.getThreadsCount(), simd });
}

/**
 * Registers and activates tfjs's wasm backend (`'wasm'`), with SIMD and threads where possible.
 *
 * Imports all tfjs gradients, makes the `.wasm` binaries load (Node: from the installed package), starts
 * the backend with `options.threads` threads (default `min(2, cores)`; in Node through a `Worker` shim over
 * `worker_threads`), re-registers the wasm matmul kernels so transposed operands are fast, and adds the
 * kernels wasm lacks (`UnsortedSegmentSum`, `Einsum`). Then `tf.setBackend('wasm')` and `tf.ready()`.
 *
 * Idempotent: later calls re-activate the wasm backend and return the first call's result (their options
 * are ignored: threads cannot change once the backend started). A failed start can be retried.
 *
 * @returns the thread count actually used and whether SIMD is on.
 * @throws RangeError when `options.threads` is not an integer >= 1.
 * @throws {@link BackendUnavailableError} when the backend cannot start.
 */
export async function initWasmBackend(options: InitWasmOptions = {}): Promise<WasmInitResult> {
  const { threads } = options;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1)) {
    throw new KernelInputError('initWasmBackend', 'options.threads', `initWasmBackend: options.threads must be an integer >= 1, got ${String(threads)}`);
  }
  if (initPromise === null) {
    const attempt = initialise(options).catch((error: unknown) => {
      if (error instanceof BackendUnavailableError) throw error;
      throw new BackendUnavailableError(WASM, errorMessage(error), { cause: error });
    });
    initPromise = attempt;
    attempt.catch(() => {
      if (initPromise === attempt) initPromise = null;
    });
  }
  const result = await initPromise;
  if (tf.getBackend() !== WASM && !(await tf.setBackend(WASM))) {
    throw new BackendUnavailableError(WASM, 'tf.setBackend("wasm") failed after a successful start');
  }
  return result;
}
