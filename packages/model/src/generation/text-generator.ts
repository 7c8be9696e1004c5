import type { GenerateOptions, GenerationModel, GenerationTokenizer } from './generate';
import { generate } from './generate';

/** Per-call options of a {@link TextGenerationFunction} (the shape `@quarkmed/data-synth` and verifiers pass). */
export interface TextGenerationCallOptions {
  seed?: number;
  maxNewTokens?: number;
  temperature?: number;
  stop?: readonly string[];
}

/** A prompt in, a completion out: what data-synth's model translator and the judges accept. */
export type TextGenerationFunction = (prompt: string, options?: TextGenerationCallOptions) => Promise<string>;

/**
 * Wraps a model and its tokenizer as a plain text-generation function, so that any consumer that takes
 * `(prompt, { seed, maxNewTokens, temperature, stop }) => Promise<string>` (knowledge translation, back-translation,
 * judges) can run on a `@quarkmed/model` checkpoint. `defaults` fill options a call leaves out.
 */
export function textGenerator(
  model: GenerationModel,
  tokenizer: GenerationTokenizer,
  defaults: Omit<GenerateOptions, 'tokenizer' | 'stopSequences'> = {},
): TextGenerationFunction {
  return async (prompt, options = {}) => {
    const [result] = await generate(model, [prompt], {
      ...defaults,
      tokenizer,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.maxNewTokens !== undefined ? { maxNewTokens: options.maxNewTokens } : {}),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.stop !== undefined ? { stopSequences: options.stop } : {}),
    });
    return result.text;
  };
}
