/**
 * The base class of every error `@quarkmed/data-synth` throws, so that one `catch (e) { if (e instanceof DataSynthError) ... }` covers
 * the whole package. Subclasses name the problem (file, line, field, config key) in their message.
 *
 * @packageDocumentation
 */

/** Base class of every error thrown by `@quarkmed/data-synth`. Its `name` is the concrete subclass's name. */
export class DataSynthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
