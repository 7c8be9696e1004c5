/**
 * Typed errors of the tokenizer: every message names the offending argument or JSON field.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';

/** Base class of every error thrown by the tokenizer module. */
export class TokenizerError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** An invalid argument or option; `field` names it (e.g. `vocabSize`, `options.maxLength`). */
export class TokenizerOptionError extends TokenizerError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'TokenizerOptionError';
  }
}

/** A malformed `tokenizer.json` / `tokenizer_config.json`; `field` is the JSON path (e.g. `model.merges[3]`). */
export class TokenizerJsonError extends TokenizerError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`tokenizer.json ${field}: ${message}`);
    this.name = 'TokenizerJsonError';
  }
}

/**
 * A valid `tokenizer.json` that the fast BPE engine (`BpeTokenizer`) does not reproduce exactly; `field` names
 * the component. `tokenizerFromJSON` serves such files with `@huggingface/tokenizers` instead.
 */
export class FastPathUnsupportedError extends TokenizerJsonError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = 'FastPathUnsupportedError';
  }
}

/** `decode` met an id that is not in the vocabulary. */
export class UnknownTokenIdError extends TokenizerError {
  constructor(
    readonly id: number,
    readonly index: number,
    readonly vocabSize: number,
  ) {
    super(`ids[${index}] = ${id} is not a token id (vocabulary size ${vocabSize})`);
    this.name = 'UnknownTokenIdError';
  }
}

/** Base class of chat-template errors. */
export class ChatTemplateError extends TokenizerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'ChatTemplateError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The Jinja chat template does not parse. */
export class ChatTemplateSyntaxError extends ChatTemplateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`chat template syntax error: ${message}`, options);
    this.name = 'ChatTemplateSyntaxError';
  }
}

/** The chat template parsed but failed while rendering (including `raise_exception(...)` in the template). */
export class ChatTemplateRenderError extends ChatTemplateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`chat template render error: ${message}`, options);
    this.name = 'ChatTemplateRenderError';
  }
}
