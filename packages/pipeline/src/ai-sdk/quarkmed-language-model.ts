/**
 * A local `@quarkmed/model` model and tokenizer as an AI SDK language model (the `LanguageModelV4` specification of
 * `@ai-sdk/provider` 4), so `generateText` and `streamText` from `ai` run on it in Node or the browser.
 *
 * @packageDocumentation
 */
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { generate, streamGenerate, type FinishReason, type GenerateOptions, type GenerateResult, type GenerationEvent, type GenerationModel, type Tokenizer } from '@quarkmed/model';
import { AiSdkInputError } from './ai-sdk-error';
import { chatStopIds } from './chat-stop-ids';
import { convertPrompt } from './prompt-conversion';

/** Settings of a {@link QuarkmedLanguageModel}. */
export interface QuarkmedLanguageModelSettings {
  /** The decoder (e.g. a `LlamaModel` from `loadCheckpoint` or `loadCheckpointFromFiles`). */
  model: GenerationModel;
  /** Its tokenizer; its chat template (ChatML when it has none) renders the prompt. */
  tokenizer: Tokenizer;
  /** The model id reported to the AI SDK. Default `'quarkmed-local'`. */
  modelId?: string;
  /**
   * Tokens generated when a call gives no `maxOutputTokens`: this many, or fewer when the context window
   * (`maxSeqLen`) has less room left. Default 256.
   */
  defaultMaxOutputTokens?: number;
}

/** The provider name reported to the AI SDK. */
export const QUARKMED_PROVIDER = 'quarkmed';

interface PreparedCall {
  promptIds: number[];
  options: GenerateOptions;
  warnings: SharedV4Warning[];
}

function finishReason(reason: FinishReason): LanguageModelV4FinishReason {
  return { unified: reason === 'stop' ? 'stop' : reason === 'length' ? 'length' : 'other', raw: reason };
}

function usage(promptTokens: number, completionTokens: number): LanguageModelV4Usage {
  return {
    inputTokens: { total: promptTokens, noCache: promptTokens, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: completionTokens, text: completionTokens, reasoning: undefined },
  };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

let responseCounter = 0;

/**
 * `LanguageModelV4` over a local model. Prompts are rendered with the tokenizer's chat template; generation is
 * `streamGenerate` from `@quarkmed/model` (KV cache, valid UTF-8 streaming).
 *
 * Call options: `maxOutputTokens`, `temperature` (greedy when absent or 0), `topP`, `topK`, `stopSequences`, `seed`
 * (default 0, so calls are reproducible) and `abortSignal` (generation stops at the next token and the call rejects
 * with the signal's reason) are honoured. `presencePenalty`, `frequencyPenalty`, a JSON `responseFormat` and tools are
 * not: each gives an `unsupported` warning. Finish reasons: `stop` (end of turn or a stop sequence), `length`.
 */
export class QuarkmedLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly provider = QUARKMED_PROVIDER;
  readonly modelId: string;
  /** No URLs are fetched natively: the model takes text only. */
  readonly supportedUrls: Record<string, RegExp[]> = {};
  private readonly model: GenerationModel;
  private readonly tokenizer: Tokenizer;
  private readonly defaultMaxOutputTokens: number;

  /** @throws {@link AiSdkInputError} for a missing model or tokenizer, an empty model id or a bad default. */
  constructor(settings: QuarkmedLanguageModelSettings) {
    if (!settings || typeof settings.model?.forward !== 'function') throw new AiSdkInputError('settings.model', 'must be a @quarkmed/model decoder');
    if (typeof settings.tokenizer?.applyChatTemplate !== 'function') throw new AiSdkInputError('settings.tokenizer', 'must be a @quarkmed/model Tokenizer');
    const modelId = settings.modelId ?? 'quarkmed-local';
    if (typeof modelId !== 'string' || modelId.length === 0) throw new AiSdkInputError('settings.modelId', 'must be a non-empty string');
    const max = settings.defaultMaxOutputTokens ?? 256;
    if (!Number.isInteger(max) || max < 1) throw new AiSdkInputError('settings.defaultMaxOutputTokens', `must be an integer >= 1, got ${String(max)}`);
    this.model = settings.model;
    this.tokenizer = settings.tokenizer;
    this.modelId = modelId;
    this.defaultMaxOutputTokens = max;
  }

  private prepare(call: LanguageModelV4CallOptions): PreparedCall {
    const { messages, warnings } = convertPrompt(call.prompt);
    const text = this.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
    const promptIds = this.tokenizer.encode(text);
    const room = this.model.config.maxSeqLen - promptIds.length;
    if (room < 1) {
      throw new AiSdkInputError('prompt', `is ${promptIds.length} tokens; the model's context window (maxSeqLen ${this.model.config.maxSeqLen}) leaves no room to generate`);
    }
    const requested = call.maxOutputTokens;
    if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
      throw new AiSdkInputError('maxOutputTokens', `must be an integer >= 1, got ${String(requested)}`);
    }
    if (requested !== undefined && requested > room) {
      throw new AiSdkInputError('maxOutputTokens', `is ${requested} but the prompt (${promptIds.length} tokens) leaves ${room} of the context window (maxSeqLen ${this.model.config.maxSeqLen})`);
    }
    const seed = call.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new AiSdkInputError('seed', `must be an integer in [0, 2^32), got ${String(seed)}`);
    for (const key of ['presencePenalty', 'frequencyPenalty'] as const) {
      if (call[key] !== undefined && call[key] !== 0) warnings.push({ type: 'unsupported', feature: key });
    }
    if (call.responseFormat?.type === 'json') warnings.push({ type: 'unsupported', feature: 'responseFormat', details: 'JSON mode is not constrained; the model answers in free text' });
    if (call.tools !== undefined && call.tools.length > 0) warnings.push({ type: 'unsupported', feature: 'tools' });
    return {
      promptIds,
      warnings,
      options: {
        tokenizer: this.tokenizer,
        maxNewTokens: requested ?? Math.min(this.defaultMaxOutputTokens, room),
        temperature: call.temperature ?? 0,
        ...(call.topP !== undefined ? { topP: call.topP } : {}),
        ...(call.topK !== undefined ? { topK: call.topK } : {}),
        ...(call.stopSequences !== undefined && call.stopSequences.length > 0 ? { stopSequences: call.stopSequences } : {}),
        stopIds: chatStopIds(this.model, this.tokenizer),
        seed,
        validUtf8: true,
        ...(call.abortSignal ? { signal: call.abortSignal } : {}),
      },
    };
  }

  private metadata(): { id: string; modelId: string; timestamp: Date } {
    responseCounter += 1;
    return { id: `quarkmed-${Date.now().toString(36)}-${responseCounter}`, modelId: this.modelId, timestamp: new Date() };
  }

  /** Generates the whole reply. Rejects with the abort reason when `abortSignal` fires. */
  async doGenerate(call: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    call.abortSignal?.throwIfAborted();
    const prep = this.prepare(call);
    const response = this.metadata();
    const [result] = await generate(this.model, [prep.promptIds], prep.options);
    if (result.finishReason === 'abort') throw abortError(call.abortSignal!);
    return {
      content: result.text.length > 0 ? [{ type: 'text', text: result.text }] : [],
      finishReason: finishReason(result.finishReason),
      usage: usage(prep.promptIds.length, result.tokenIds.length),
      warnings: prep.warnings,
      response,
    };
  }

  /**
   * Streams the reply: `stream-start`, `response-metadata`, one text block (`text-start`, `text-delta`s,
   * `text-end`) and `finish` with usage. Cancelling the stream or firing `abortSignal` stops generation; an abort
   * errors the stream with the signal's reason.
   */
  async doStream(call: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    call.abortSignal?.throwIfAborted();
    const prep = this.prepare(call);
    const response = this.metadata();
    const it: AsyncGenerator<GenerationEvent, GenerateResult[], undefined> = streamGenerate(this.model, [prep.promptIds], prep.options);
    const textId = '0';
    let textStarted = false;
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start(controller) {
        controller.enqueue({ type: 'stream-start', warnings: prep.warnings });
        controller.enqueue({ type: 'response-metadata', ...response });
      },
      async pull(controller) {
        for (;;) {
          const r = await it.next();
          if (r.done) {
            const result = r.value[0]!;
            if (result.finishReason === 'abort') {
              controller.error(abortError(call.abortSignal!));
              return;
            }
            if (textStarted) controller.enqueue({ type: 'text-end', id: textId });
            controller.enqueue({ type: 'finish', finishReason: finishReason(result.finishReason), usage: usage(prep.promptIds.length, result.tokenIds.length) });
            controller.close();
            return;
          }
          if (r.value.text.length === 0) continue;
          if (!textStarted) {
            textStarted = true;
            controller.enqueue({ type: 'text-start', id: textId });
          }
          controller.enqueue({ type: 'text-delta', id: textId, delta: r.value.text });
          return;
        }
      },
      async cancel() {
        await it.return(undefined as never);
      },
    });
    return { stream };
  }
}
