/**
 * The base class of every error `@quarkmed/tensor-kernels` throws, so that one `catch (e) { if (e instanceof TensorKernelsError) ... }` covers
 * the whole package. Subclasses name the problem (file, line, field, config key) in their message.
 *
 * @packageDocumentation
 */

/** Base class of every error thrown by `@quarkmed/tensor-kernels`. Its `name` is the concrete subclass's name. */
export class TensorKernelsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
