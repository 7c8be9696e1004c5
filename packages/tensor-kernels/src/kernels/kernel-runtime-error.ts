/**
 * The error of the kernel machinery itself.
 *
 * @packageDocumentation
 */
import { TensorKernelsError } from '../error';

/**
 * A failure of the kernel machinery rather than of the caller's input: a backend without a kernel for a
 * fused kernel name (a bug of this package), or wasm kernel memory that cannot be allocated or grown.
 */
export class KernelRuntimeError extends TensorKernelsError {}
