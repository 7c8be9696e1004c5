/**
 * The generation side of the server: a loaded model and tokenizer, prompt encoding, and `streamGenerate` with the
 * counters the server reports (generations running, tokens generated).
 *
 * @packageDocumentation
 */
import { streamGenerate, type ChatMessage, type GenerateResult, type GenerationEvent, type LlamaModel, type Tokenizer } from '@quarkmed/model';
import { chatStopIds } from '../../ai-sdk/chat-stop-ids';

/** Counters of an engine, for monitoring and tests. */
export interface EngineStats {
  /** Generations running now. */
  activeGenerations: number;
  /** Tokens generated since the engine started (every row, every request). */
  tokensGenerated: number;
  /** Generations finished (stopped, reached their length or were aborted). */
  generationsFinished: number;
  /** Generations that ended by abort (client disconnect, timeout, Ctrl-C). */
  generationsAborted: number;
}

/** One batched generation: prompts as token ids (one row each) and sampling settings. */
export interface EngineRun {
  prompts: number[][];
  maxNewTokens: number;
  temperature: number;
  topP?: number;
  stopSequences?: readonly string[];
  stopIds: readonly number[];
  seed: number;
  signal?: AbortSignal;
}

/** A loaded model and tokenizer with counters. */
export class LocalEngine {
  readonly stats: EngineStats = { activeGenerations: 0, tokensGenerated: 0, generationsFinished: 0, generationsAborted: 0 };
  /** Stop ids of a chat reply (EOS and the template's end-of-turn token). */
  readonly chatStopIds: readonly number[];
  /** Stop ids of a plain completion (EOS). */
  readonly completionStopIds: readonly number[];

  constructor(
    readonly model: LlamaModel,
    readonly tokenizer: Tokenizer,
  ) {
    this.chatStopIds = chatStopIds(model, tokenizer);
    const eos = new Set<number>(model.config.eosTokenIds ?? []);
    if (tokenizer.eosTokenId !== undefined) eos.add(tokenizer.eosTokenId);
    this.completionStopIds = [...eos];
  }

  /** The context window in tokens. */
  get maxSeqLen(): number {
    return this.model.config.maxSeqLen;
  }

  /** Token ids of chat messages rendered with the tokenizer's template and the assistant header. */
  encodeChat(messages: readonly ChatMessage[]): number[] {
    return this.tokenizer.encode(this.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }));
  }

  /** Token ids of a plain prompt. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  /**
   * Streams one batched generation (see `streamGenerate` of `@quarkmed/model`), counting tokens as they come. Aborting
   * `run.signal` ends every unfinished row with `'abort'` before the next token.
   */
  async *generate(run: EngineRun): AsyncGenerator<GenerationEvent, GenerateResult[], undefined> {
    const it = streamGenerate(this.model, run.prompts, {
      tokenizer: this.tokenizer,
      maxNewTokens: run.maxNewTokens,
      temperature: run.temperature,
      ...(run.topP !== undefined ? { topP: run.topP } : {}),
      ...(run.stopSequences && run.stopSequences.length > 0 ? { stopSequences: run.stopSequences } : {}),
      stopIds: run.stopIds,
      seed: run.seed,
      validUtf8: true,
      ...(run.signal ? { signal: run.signal } : {}),
    });
    this.stats.activeGenerations += 1;
    let aborted = false;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) {
          aborted = r.value.some((x) => x.finishReason === 'abort');
          return r.value;
        }
        this.stats.tokensGenerated += 1;
        yield r.value;
      }
    } finally {
      await it.return(undefined as never);
      this.stats.activeGenerations -= 1;
      this.stats.generationsFinished += 1;
      if (aborted || run.signal?.aborted) this.stats.generationsAborted += 1;
    }
  }

  /** Runs {@link LocalEngine.generate} to its end (same counters and abort behaviour) and returns the results. */
  async complete(run: EngineRun): Promise<GenerateResult[]> {
    const it = this.generate(run);
    for (;;) {
      const r = await it.next();
      if (r.done) return r.value;
    }
  }
}
