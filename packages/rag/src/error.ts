/**
 * The base class of every error `@quarkmed/rag` throws, so that one `catch (e) { if (e instanceof RagError) ... }`
 * covers the whole package. Subclasses name the problem (store, document id, config key) in their message.
 *
 * @packageDocumentation
 */

/** Base class of every error thrown by `@quarkmed/rag`. Its `name` is the concrete subclass's name. */
export class RagError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
