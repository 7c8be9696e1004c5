/**
 * The addon's view of tfjs' wasm heap: {@link NativeHeap.sync} hands the heap's current buffer to the
 * addon whenever it changed (wasm memory growth replaces the buffer object; a non-shared memory may also
 * move), so that the byte offsets of every kernel call address live memory. Called right before each
 * addon call, after the call's allocations (which may grow the heap).
 *
 * @packageDocumentation
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeAddon } from './addon';
import { KernelRuntimeError } from '../../kernels/kernel-runtime-error';

interface TfjsWasmModule {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** tfjs' heap as seen by the addon. */
export class NativeHeap {
  private last: ArrayBufferLike | undefined;
  private readonly module: TfjsWasmModule;

  /**
   * @param addon - the native addon
   * @param backend - the wasm backend whose heap the kernels work on
   */
  constructor(
    readonly addon: NativeAddon,
    backend: BackendWasm,
  ) {
    this.module = backend.wasm as unknown as TfjsWasmModule;
  }

  /** The heap's current buffer (threaded builds refresh HEAPU8 lazily; the Memory object is current). */
  buffer(): ArrayBufferLike {
    const m = this.module.wasmMemory ?? this.module.asm?.memory;
    return m instanceof WebAssembly.Memory ? m.buffer : this.module.HEAPU8.buffer;
  }

  /** Gives the addon the current heap buffer if it changed since the last call. */
  sync(): void {
    const buf = this.buffer();
    if (buf !== this.last) {
      this.addon.setHeap(new Uint8Array(buf));
      this.last = buf;
    }
  }

  /** tfjs' allocator: a 16-byte aligned heap offset; throws when the heap is exhausted. */
  malloc(bytes: number): number {
    const ptr = this.module._malloc(Math.max(bytes, 16)) >>> 0;
    if (ptr === 0) throw new KernelRuntimeError(`native kernels: cannot allocate ${bytes} bytes on the tfjs heap`);
    return ptr;
  }

  /** Frees a pointer from {@link NativeHeap.malloc}. */
  free(ptr: number): void {
    this.module._free(ptr);
  }
}
