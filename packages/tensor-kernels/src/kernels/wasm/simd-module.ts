/**
 * Instantiation and memory management of the hand-written SIMD kernel module (csrc/, compiled by
 * scripts/build-wasm-kernels.mjs into `simd-module.generated.ts`).
 *
 * The module has its own linear memory, separate from tfjs' wasm heap: a kernel lays out its buffers
 * with {@link SimdKernels.layout} (which grows the memory when needed and is reused between calls),
 * copies its inputs in from the tfjs heap, runs, and copies its outputs out into tensors made by
 * `backend.makeOutput`.
 *
 * @packageDocumentation
 */
import { SIMD_MODULE_BASE64 } from './simd-module.generated';

/** Raw exports of the kernel module; pointer arguments are byte offsets into `memory`. */
export interface SimdExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
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
        throw new RangeError(`wasm kernels: cannot grow kernel memory to ${top} bytes (${String(e)})`);
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

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const bin = atob(SIMD_MODULE_BASE64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

let kernels: SimdKernels | null = null;
let pending: Promise<SimdKernels> | null = null;

/**
 * Compiles and instantiates the kernel module asynchronously (the browser-friendly path: main threads
 * may refuse synchronous compilation of large modules). Optional: {@link getSimdKernels} compiles
 * synchronously on first use otherwise.
 */
export function initSimdKernels(): Promise<SimdKernels> {
  if (kernels) return Promise.resolve(kernels);
  pending ??= WebAssembly.compile(moduleBytes()).then(async (module) => {
    const instance = await WebAssembly.instantiate(module, {});
    kernels ??= new SimdKernels(instance);
    return kernels;
  });
  return pending;
}

/** The kernel module, instantiated synchronously on first use. Throws if wasm SIMD is unsupported. */
export function getSimdKernels(): SimdKernels {
  if (!kernels) {
    const module = new WebAssembly.Module(moduleBytes());
    kernels = new SimdKernels(new WebAssembly.Instance(module, {}));
  }
  return kernels;
}

/**
 * Drops the kernel module instance so that its memory (which only grows, to the largest call so far)
 * can be garbage-collected; the next kernel call instantiates a fresh one.
 */
export function resetSimdKernels(): void {
  kernels = null;
  pending = null;
}

/** Whether this runtime can compile the kernel module (wasm SIMD support). */
export function simdKernelsSupported(): boolean {
  try {
    return WebAssembly.validate(moduleBytes());
  } catch {
    return false;
  }
}
