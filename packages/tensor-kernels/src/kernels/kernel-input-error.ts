/**
 * The error every fused op and kernel of this package throws for bad input.
 *
 * @packageDocumentation
 */
import { TensorKernelsError } from '../error';

/**
 * Bad input to a fused op (`rmsNorm`, `causalAttention`, …) or to one of its kernels called directly
 * through `tf.engine().runKernel`: a non-tensor, a wrong dtype or rank, mismatched shapes, an option out
 * of range, an index (label, token id) outside its range. The message starts with the op (or kernel)
 * name, names the argument and shows the shapes or values involved.
 */
export class KernelInputError extends TensorKernelsError {
  /** The op or kernel that rejected the input, e.g. `'crossEntropy'` or `'QmCrossEntropy (wasm kernel)'`. */
  readonly op: string;
  /** The argument at fault, e.g. `'labels'`, `'options.scale'`, `'q'`. */
  readonly field: string;

  constructor(op: string, field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.op = op;
    this.field = field;
  }
}
