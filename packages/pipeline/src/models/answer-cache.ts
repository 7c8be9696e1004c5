/**
 * The cache of model answers keyed by (model, prompt, parameters), so an interrupted evaluation resumes without
 * asking the model again. `MemoryAnswerCache` here; the on-disk `FileAnswerCache` is in `@quarkmed/pipeline/node`.
 *
 * @packageDocumentation
 */
import { sha256Hex } from '../eval/prompt-hash';
import { generationParams, toMessages, type EvalGenerateOptions, type EvalPrompt } from './eval-model';

/** A store of answers by key. */
export interface AnswerCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, answer: string): Promise<void>;
}

/** The cache key of a request: SHA-256 hex of the model id, the messages and the generation parameters. */
export function answerCacheKey(modelId: string, prompt: EvalPrompt, options: EvalGenerateOptions = {}): Promise<string> {
  return sha256Hex(JSON.stringify({ model: modelId, messages: toMessages(prompt), params: generationParams(options) }));
}

/** An answer cache in memory. */
export class MemoryAnswerCache implements AnswerCache {
  private readonly map = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key);
  }
  async set(key: string, answer: string): Promise<void> {
    this.map.set(key, answer);
  }
  /** Number of cached answers. */
  get size(): number {
    return this.map.size;
  }
}
