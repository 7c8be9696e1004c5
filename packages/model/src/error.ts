/**
 * The base class of every error `@quarkmed/model` throws, so that one `catch (e) { if (e instanceof ModelError) ... }` covers
 * the whole package. Subclasses name the problem (file, line, field, config key) in their message.
 *
 * @packageDocumentation
 */

/** Base class of every error thrown by `@quarkmed/model`. Its `name` is the concrete subclass's name. */
export class ModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
