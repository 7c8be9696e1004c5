/**
 * The Vercel AI SDK provider of `@quarkmed/pipeline` (the `@quarkmed/pipeline/ai-sdk` subpath, browser-safe):
 * local `@quarkmed/model` checkpoints as `LanguageModelV4` models for `generateText` / `streamText`. Needs the
 * optional peer `@ai-sdk/provider` (types only) and `ai` in the application.
 *
 * @packageDocumentation
 */
export { createQuarkmed, type QuarkmedProvider } from './create-quarkmed';
export { QuarkmedLanguageModel, QUARKMED_PROVIDER, type QuarkmedLanguageModelSettings } from './quarkmed-language-model';
export { AiSdkInputError } from './ai-sdk-error';
export { chatStopIds } from './chat-stop-ids';
export { convertPrompt, type ConvertedPrompt } from './prompt-conversion';
