/**
 * Where tfjs' wasm binaries are served from: Vite copies each `.wasm` file of `@tensorflow/tfjs-backend-wasm` into
 * the build (`?url` imports give their hashed URLs, in dev and in the build), and tfjs is told those URLs through
 * `setWasmPaths`. (`initBackend` of `@quarkmed/tensor-kernels` leaves the browser's paths to tfjs' default, next to
 * the bundled script, which a bundler does not put there.)
 *
 * @packageDocumentation
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Points tfjs' wasm backend at the bundled binaries (call before the backend starts). */
export function useBundledWasmBinaries(): void {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plainUrl,
    'tfjs-backend-wasm-simd.wasm': simdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
  });
}
