/**
 * The base class of every error `@quarkmed/grpo` throws, so that one `catch (e) { if (e instanceof GrpoError) ... }`
 * covers the whole package. Subclasses name the problem (config field, batch shape) in their message.
 *
 * @packageDocumentation
 */

/** Base class of every error thrown by `@quarkmed/grpo`. Its `name` is the concrete subclass's name. */
export class GrpoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
