/**
 * The AI SDK provider function for local checkpoints.
 *
 * @packageDocumentation
 */
import { QuarkmedLanguageModel, type QuarkmedLanguageModelSettings } from './quarkmed-language-model';

/** A provider bound to one local model: call it (or `.languageModel()`) for the AI SDK model object. */
export interface QuarkmedProvider {
  (modelId?: string): QuarkmedLanguageModel;
  languageModel(modelId?: string): QuarkmedLanguageModel;
}

/**
 * Creates the provider for a loaded model and tokenizer.
 *
 * ```ts
 * import { generateText } from 'ai';
 * import { createQuarkmed } from '@quarkmed/pipeline/ai-sdk';
 * const quarkmed = createQuarkmed({ model, tokenizer });
 * const { text } = await generateText({ model: quarkmed(), prompt: 'What is metformin?' });
 * ```
 *
 * @param settings - the model, tokenizer and defaults (see {@link QuarkmedLanguageModelSettings}); `modelId` given to
 *   the provider call overrides `settings.modelId` (it only names the model in results)
 * @throws AiSdkInputError for bad settings (when the model object is created)
 */
export function createQuarkmed(settings: QuarkmedLanguageModelSettings): QuarkmedProvider {
  const make = (modelId?: string): QuarkmedLanguageModel => new QuarkmedLanguageModel({ ...settings, ...(modelId !== undefined ? { modelId } : {}) });
  const provider = ((modelId?: string) => make(modelId)) as QuarkmedProvider;
  provider.languageModel = make;
  return provider;
}
