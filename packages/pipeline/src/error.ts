/**
 * The base class of every error `@quarkmed/pipeline` throws, so that one `catch (e) { if (e instanceof PipelineError) ... }`
 * covers the whole package. Subclasses name the problem (stage, config key, file and line) in their message.
 *
 * @packageDocumentation
 */

/** Base class of every error thrown by `@quarkmed/pipeline`. Its `name` is the concrete subclass's name. */
export class PipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
