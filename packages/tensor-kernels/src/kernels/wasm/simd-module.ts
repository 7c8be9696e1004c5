/**
 * Instantiation and memory management of the hand-written SIMD kernel module (csrc/, compiled by
 * scripts/build-wasm-kernels.mjs into `simd-module.generated.ts`, in three variants).
 *
 * Zero-copy path (the default): a variant of the module that imports tfjs' own wasm memory (shared for
 * tfjs' threaded build, non-shared otherwise) is instantiated once per backend
 * ({@link zeroCopyKernels}); kernels get the tensors' `memoryOffset`s as pointers and write straight into
 * outputs made by `backend.makeOutput`. The kernels use no C stack and no static data, so they touch
 * tfjs' memory only through those pointers.
 *
 * Copy path (fallback, when tfjs' memory cannot be imported, or forced by {@link setWasmKernelMode}):
 * the module has its own linear memory; a kernel lays out its buffers with {@link SimdKernels.layout}
 * (which grows the memory when needed and is reused between calls), copies its inputs in from the tfjs
 * heap, runs, and copies its outputs out into tensors made by `backend.makeOutput`.
 *
 * @packageDocumentation
 */
import {
  SIMD_MODULE_BASE64,
  SIMD_MODULE_IMPORT_BASE64,
  SIMD_MODULE_SHARED_BASE64,
} from './simd-module.generated';
import { KernelInputError } from '../kernel-input-error';
import { KernelRuntimeError } from '../kernel-runtime-error';

/** Raw kernel functions; pointer arguments are byte offsets into the module's memory. */
export interface SimdFunctions {
  qm_rmsnorm_fwd(x: number, w: number, y: number, rows: number, d: number, eps: number): void;
  qm_rmsnorm_bwd(dy: number, x: number, w: number, dx: number, dw: number, rows: number, d: number, eps: number): void;
  qm_rope(x: number, cos: number, sin: number, y: number, b: number, h: number, t: number, dh: number, bc: number): void;
  qm_swiglu_fwd(gate: number, up: number, y: number, n: number): void;
  qm_swiglu_bwd(dy: number, gate: number, up: number, dgate: number, dup: number, n: number): void;
  qm_xent_fwd(logits: number, labels: number, n: number, v: number, ignoreIndex: number): number;
  qm_xent_bwd(dy: number, logits: number, labels: number, out: number, n: number, v: number, ignoreIndex: number): void;
  qm_tlp_fwd(logits: number, ids: number, out: number, n: number, v: number): void;
  qm_tlp_bwd(dy: number, logits: number, ids: number, out: number, n: number, v: number): void;
  qm_adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    pOut: number,
    mOut: number,
    vOut: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    bc1: number,
    bc2: number,
  ): void;
  qm_vexp(x: number, y: number, n: number): void;
  qm_vlog(x: number, y: number, n: number): void;
  qm_attn_scratch_bytes(tk: number, dh: number): number;
  qm_attn_fwd(
    q: number,
    k: number,
    v: number,
    mask: number,
    out: number,
    scratch: number,
    b: number,
    hq: number,
    hkv: number,
    tq: number,
    tk: number,
    dh: number,
    scale: number,
  ): void;
  qm_attn_bwd(
    dy: number,
    q: number,
    k: number,
    v: number,
    mask: number,
    dq: number,
    dk: number,
    dv: number,
    scratch: number,
    b: number,
    hq: number,
    hkv: number,
    tq: number,
    tk: number,
    dh: number,
    scale: number,
  ): void;
}

/** Exports of the own-memory (copy path) variant. */
export interface SimdExports extends SimdFunctions {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
}

const PAGE = 65536;

/** The instantiated kernel module with a reusable arena over its memory. */
export class SimdKernels {
  /** The module's exports. */
  readonly fn: SimdExports;
  private readonly base: number;

  constructor(instance: WebAssembly.Instance) {
    this.fn = instance.exports as unknown as SimdExports;
    this.base = align16(Number(this.fn.__heap_base.value));
  }

  /**
   * Reserves consecutive 16-byte aligned regions of the given byte sizes at the start of the arena
   * (earlier reservations are overwritten) and returns their offsets. Grows memory as needed: views
   * made before a call to `layout` may be detached, so make views after it.
   */
  layout(byteSizes: readonly number[]): number[] {
    const offsets: number[] = [];
    let top = this.base;
    for (const size of byteSizes) {
      offsets.push(top);
      top = align16(top + size);
    }
    const mem = this.fn.memory;
    if (top > mem.buffer.byteLength) {
      const pages = Math.ceil((top - mem.buffer.byteLength) / PAGE);
      try {
        mem.grow(pages);
      } catch (e) {
        throw new KernelRuntimeError(`wasm kernels: cannot grow kernel memory to ${top} bytes (${String(e)})`);
      }
    }
    return offsets;
  }

  /** Float32 view of `length` elements at byte `offset` of the module memory. */
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.fn.memory.buffer, offset, length);
  }

  /** Float64 view of `length` elements at byte `offset` (8-byte aligned) of the module memory. */
  f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.fn.memory.buffer, offset, length);
  }

  /** Int32 view of `length` elements at byte `offset` of the module memory. */
  i32(offset: number, length: number): Int32Array {
    return new Int32Array(this.fn.memory.buffer, offset, length);
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

/** The module variants: own memory (copy path), imported non-shared memory, imported shared memory. */
type Variant = 'own' | 'import' | 'shared';

const BASE64: Record<Variant, string> = {
  own: SIMD_MODULE_BASE64,
  import: SIMD_MODULE_IMPORT_BASE64,
  shared: SIMD_MODULE_SHARED_BASE64,
};

function moduleBytes(variant: Variant = 'own'): Uint8Array<ArrayBuffer> {
  const bin = atob(BASE64[variant]);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

const compiled: Partial<Record<Variant, WebAssembly.Module>> = {};

/** The compiled module of a variant (compiled synchronously unless {@link initSimdKernels} did it). */
function compiledModule(variant: Variant): WebAssembly.Module {
  return (compiled[variant] ??= new WebAssembly.Module(moduleBytes(variant)));
}

let kernels: SimdKernels | null = null;
let pending: Promise<SimdKernels> | null = null;

/**
 * Compiles the kernel module variants and instantiates the own-memory one asynchronously (the
 * browser-friendly path: main threads may refuse synchronous compilation of large modules). Optional:
 * the kernels compile synchronously on first use otherwise. The variants that import a shared memory
 * are skipped where the runtime lacks wasm threads.
 */
export function initSimdKernels(): Promise<SimdKernels> {
  if (kernels) return Promise.resolve(kernels);
  pending ??= (async () => {
    const variants: Variant[] = ['own', 'import', 'shared'];
    await Promise.all(
      variants.map(async (variant) => {
        if (compiled[variant]) return;
        try {
          compiled[variant] = await WebAssembly.compile(moduleBytes(variant));
        } catch (e) {
          if (variant === 'own') throw e; // no SIMD: the caller must not use the kernels at all
        }
      }),
    );
    const instance = await WebAssembly.instantiate(compiledModule('own'), {});
    kernels ??= new SimdKernels(instance);
    return kernels;
  })();
  return pending;
}

/** The own-memory kernel module (copy path), instantiated synchronously on first use. Throws if wasm SIMD is unsupported. */
export function getSimdKernels(): SimdKernels {
  kernels ??= new SimdKernels(new WebAssembly.Instance(compiledModule('own'), {}));
  return kernels;
}

/** How the wasm kernels reach tensor data: see {@link setWasmKernelMode}. */
export type WasmKernelMode = 'auto' | 'copy';

let mode: WasmKernelMode = 'auto';

/**
 * Chooses how the wasm kernels reach tensor data. `'auto'` (default): zero-copy on tfjs' own memory
 * where the module can import it, the copy path otherwise. `'copy'`: always copy through the module's
 * own memory (for tests and comparisons). Takes effect at the next kernel call.
 */
export function setWasmKernelMode(next: WasmKernelMode): void {
  if (next !== 'auto' && next !== 'copy') {
    throw new KernelInputError('setWasmKernelMode', 'mode', `setWasmKernelMode: mode must be 'auto' or 'copy', got ${String(next)}`);
  }
  mode = next;
}

/** The current {@link WasmKernelMode}. */
export function getWasmKernelMode(): WasmKernelMode {
  return mode;
}

/** The parts of tfjs' emscripten module the zero-copy path uses. */
interface TfjsWasmModule {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
  _malloc?: (bytes: number) => number;
  _free?: (ptr: number) => void;
}

/** The kernels instantiated over tfjs' wasm memory: pointers are tfjs heap offsets. */
export interface ZeroCopyKernels {
  /** The kernel functions. */
  readonly fn: SimdFunctions;
  /** tfjs' memory, which the kernels import. */
  readonly memory: WebAssembly.Memory;
  /** Whether that memory is shared (tfjs' threaded build). */
  readonly shared: boolean;
  /** tfjs' allocator, for scratch space: returns a 16-byte aligned pointer, 0 on failure. */
  malloc(bytes: number): number;
  /** Frees a pointer from {@link ZeroCopyKernels.malloc}. */
  free(ptr: number): void;
}

/** The memory of tfjs' wasm module: threaded builds import it (`wasmMemory`), the others export it. */
function tfjsMemory(wasm: TfjsWasmModule): WebAssembly.Memory | undefined {
  const m = wasm.wasmMemory ?? wasm.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : undefined;
}

function instantiateZeroCopy(wasm: TfjsWasmModule): ZeroCopyKernels | null {
  const memory = tfjsMemory(wasm);
  const malloc = wasm._malloc;
  const free = wasm._free;
  if (!memory || typeof malloc !== 'function' || typeof free !== 'function') return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  try {
    const instance = new WebAssembly.Instance(compiledModule(shared ? 'shared' : 'import'), { env: { memory } });
    return {
      fn: instance.exports as unknown as SimdFunctions,
      memory,
      shared,
      malloc: (bytes) => malloc(bytes) >>> 0,
      free: (ptr) => free(ptr),
    };
  } catch {
    return null; // e.g. no wasm threads for a shared memory, or a memory larger than the module allows
  }
}

let zeroCopy = new WeakMap<object, ZeroCopyKernels | null>();

/**
 * The zero-copy kernels for a tfjs wasm backend's emscripten module (`backend.wasm`), instantiated on
 * first use and then reused; `null` where tfjs' memory cannot be imported (use the copy path) or when
 * {@link setWasmKernelMode} forces the copy path.
 */
export function zeroCopyKernels(wasmModule: object): ZeroCopyKernels | null {
  if (mode === 'copy') return null;
  let k = zeroCopy.get(wasmModule);
  if (k === undefined) {
    k = instantiateZeroCopy(wasmModule as TfjsWasmModule);
    zeroCopy.set(wasmModule, k);
  }
  return k;
}

/**
 * Drops the kernel module instances so that the copy path's memory (which only grows, to the largest
 * call so far) can be garbage-collected; the next kernel call instantiates fresh ones.
 */
export function resetSimdKernels(): void {
  kernels = null;
  pending = null;
  zeroCopy = new WeakMap();
}

/** Whether this runtime can compile the kernel module (wasm SIMD support). */
export function simdKernelsSupported(): boolean {
  try {
    return WebAssembly.validate(moduleBytes('own'));
  } catch {
    return false;
  }
}
