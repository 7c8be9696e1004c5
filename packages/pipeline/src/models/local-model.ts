/**
 * An {@link EvalModel} over a `@quarkmed/model` checkpoint in memory (load one from disk with `loadLocalModel` of
 * `@quarkmed/pipeline/node`). Browser-safe.
 *
 * - Prompts are rendered with the tokenizer's chat template when it has one (`chatTemplate: 'auto'`, the
 *   default), with a template you give, or as plain text (`'none'`: the turns' contents joined by blank lines).
 * - Decoding is `quarkmed serve`'s: only tokens that keep the text valid UTF-8 (`validUtf8`), and a chat-templated
 *   prompt's answer also ends at the template's end-of-turn token (`chatStopIds`), so a checkpoint evaluated here
 *   and the same checkpoint served and evaluated through `OpenAICompatibleModel` give the same greedy answers.
 * - Calls that arrive together (e.g. the harness with `concurrency` > 1) are **batched**: queued calls with the same
 *   parameters run as one batched `generate` (left padding + KV cache) of up to `batchSize` prompts; batches run
 *   one at a time. Greedy decoding (temperature 0) gives the same text batched or alone; with sampling, row r of a
 *   batch samples from stream (seed, r), so results depend on the batch composition.
 * - A prompt longer than the context (prompt + `maxTokens` > the model's `maxSeqLen`) is an error, unless
 *   `truncatePrompt: true` keeps its last tokens.
 * - A call whose signal aborts rejects with {@link EvalModelAbortError} at once; its batch stops when every row's
 *   caller has aborted.
 * - `scoreContinuations` (the harness's `scoring: 'likelihood'`) needs a model with `logProbs(ids, mask)` (every
 *   `LlamaModel`): each continuation is appended to the rendered prompt and its tokens' log-probabilities are summed.
 *   The continuation's tokens are those of `encode(prompt + continuation)` after the prompt's own tokens (as
 *   lm-eval-harness splits a pair), or `encode(continuation)` when the joint encoding does not start with the
 *   prompt's tokens. A call's rows are batched (left padding) into forward passes of up to `scoreBatchSize` rows,
 *   one call at a time and never mixed with another call's rows, so the scores are bit-for-bit the same whatever
 *   else is queued; outside any gradient tape, every intermediate tensor disposed (the tensor count is the same
 *   before and after).
 *
 * @packageDocumentation
 */
import { generate, type GenerationModel, type Tokenizer } from '@quarkmed/model';
import * as tf from '@tensorflow/tfjs-core';
import { chatStopIds } from '../ai-sdk/chat-stop-ids';
import { generationParams, toMessages, type ContinuationScore, type EvalGenerateOptions, type EvalModel, type EvalPrompt, type EvalScoreOptions } from './eval-model';
import { EvalModelAbortError, EvalModelConfigError, EvalModelError } from './model-errors';

/** Options of {@link LocalModel}. */
export interface LocalModelOptions {
  model: GenerationModel;
  tokenizer: Tokenizer;
  /** The model id in predictions (e.g. the checkpoint directory). */
  id: string;
  /** Most prompts per batch (default 8). */
  batchSize?: number;
  /** Most continuation rows per `scoreContinuations` forward pass (of one call; default 32). */
  scoreBatchSize?: number;
  /** `auto` (default): the tokenizer's template when it has one, else plain text; `none`; or a Jinja template. */
  chatTemplate?: 'auto' | 'none' | (string & {});
  /** New tokens when the caller gives no `maxTokens` (default 256). */
  defaultMaxTokens?: number;
  /** Keep the last tokens of a prompt that does not fit (default false: an error). */
  truncatePrompt?: boolean;
}

/** A prompt that does not fit the model's context (names the lengths). */
export class LocalModelInputError extends EvalModelError {}

/** What `scoreContinuations` needs of the model beyond generation (`LlamaModel.logProbs`). */
type LogProbModel = GenerationModel & { logProbs?: (ids: tf.Tensor2D, mask?: tf.Tensor2D) => tf.Tensor2D };

const utf8 = new TextEncoder();

interface ScoreRequest {
  out: ContinuationScore[];
  remaining: number;
  resolve(scores: ContinuationScore[]): void;
  reject(e: unknown): void;
  settled: boolean;
}

interface ScoreRow {
  ids: number[];
  n: number;
  bytes: number;
  req: ScoreRequest;
  index: number;
}

interface Pending {
  ids: number[];
  options: EvalGenerateOptions;
  key: string;
  resolve(text: string): void;
  reject(e: unknown): void;
  settled: boolean;
}

/** A local checkpoint as an evaluation model (see the module documentation). */
export class LocalModel implements EvalModel {
  readonly id: string;
  /** Batches run so far and their sizes (for logs and tests). */
  readonly batches: number[] = [];
  /** Rows of each `scoreContinuations` forward pass so far (for logs and tests). */
  readonly scoreBatches: number[] = [];
  private readonly queue: Pending[] = [];
  private readonly scoreQueue: ScoreRow[] = [];
  private scoring = false;
  private scoreScheduled = false;
  private readonly scoreBatchSize: number;
  private running = false;
  private scheduled = false;
  private readonly batchSize: number;
  private readonly defaultMaxTokens: number;

  /** @throws {@link EvalModelConfigError} naming the option for a bad option. */
  constructor(private readonly options: LocalModelOptions) {
    if (!options.model || typeof options.model.forward !== 'function') throw new EvalModelConfigError('model', 'must be a loaded model (e.g. LlamaModel)');
    if (!options.tokenizer || typeof options.tokenizer.encode !== 'function') throw new EvalModelConfigError('tokenizer', 'must be a Tokenizer');
    if (typeof options.id !== 'string' || options.id === '') throw new EvalModelConfigError('id', 'must be a non-empty string');
    this.id = options.id;
    this.batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new EvalModelConfigError('batchSize', `must be a positive integer, got ${String(options.batchSize)}`);
    this.scoreBatchSize = options.scoreBatchSize ?? 32;
    if (!Number.isInteger(this.scoreBatchSize) || this.scoreBatchSize < 1) throw new EvalModelConfigError('scoreBatchSize', `must be a positive integer, got ${String(options.scoreBatchSize)}`);
    this.defaultMaxTokens = options.defaultMaxTokens ?? 256;
    if (!Number.isInteger(this.defaultMaxTokens) || this.defaultMaxTokens < 1) throw new EvalModelConfigError('defaultMaxTokens', `must be a positive integer, got ${String(options.defaultMaxTokens)}`);
  }

  /** Whether prompts are rendered with a chat template (else as plain text). */
  get usesChatTemplate(): boolean {
    const t = this.options.chatTemplate ?? 'auto';
    return !(t === 'none' || (t === 'auto' && this.options.tokenizer.chatTemplate === null));
  }

  /** The text a prompt is rendered to before encoding. */
  render(prompt: EvalPrompt): string {
    const messages = toMessages(prompt);
    const t = this.options.chatTemplate ?? 'auto';
    if (!this.usesChatTemplate) return messages.map((m) => m.content).join('\n\n');
    return this.options.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true, ...(t !== 'auto' ? { template: t } : {}) });
  }

  /**
   * The model's answer (greedy by default).
   *
   * @throws {@link LocalModelInputError} for a prompt that does not fit; {@link EvalModelAbortError} when aborted;
   * the model's errors as the `cause` of an {@link EvalModelError}.
   */
  generate(prompt: EvalPrompt, options: EvalGenerateOptions = {}): Promise<string> {
    if (options.signal?.aborted) return Promise.reject(new EvalModelAbortError(this.id));
    const maxTokens = options.maxTokens ?? this.defaultMaxTokens;
    let ids = this.options.tokenizer.encode(this.render(prompt));
    const room = this.options.model.config.maxSeqLen - maxTokens;
    if (room < 1) return Promise.reject(new LocalModelInputError(`maxTokens ${maxTokens} leaves no room for a prompt in the model's maxSeqLen ${this.options.model.config.maxSeqLen}`));
    if (ids.length > room) {
      if (!this.options.truncatePrompt) {
        return Promise.reject(
          new LocalModelInputError(`the prompt has ${ids.length} tokens; with maxTokens ${maxTokens} it exceeds the model's maxSeqLen ${this.options.model.config.maxSeqLen} (truncatePrompt: true keeps the last ${room})`),
        );
      }
      ids = ids.slice(ids.length - room);
    }
    const opts = { ...options, maxTokens };
    return new Promise<string>((resolve, reject) => {
      const p: Pending = { ids, options: opts, key: JSON.stringify(generationParams(opts)), resolve, reject, settled: false };
      options.signal?.addEventListener(
        'abort',
        () => {
          if (p.settled) return;
          p.settled = true;
          reject(new EvalModelAbortError(this.id));
        },
        { once: true },
      );
      this.queue.push(p);
      this.schedule();
    });
  }

  /**
   * The log-likelihood of each continuation after the rendered prompt (see the module documentation): one row per
   * continuation, batched, no gradients.
   *
   * @throws {@link EvalModelConfigError} naming `model` when the model has no `logProbs`;
   * {@link LocalModelInputError} for an empty list or continuation, or a row that does not fit `maxSeqLen` (with
   * `truncatePrompt: true` the prompt's last tokens are kept); {@link EvalModelAbortError} when aborted; the model's
   * errors as the `cause` of an {@link EvalModelError}.
   */
  async scoreContinuations(prompt: EvalPrompt, continuations: readonly string[], options: EvalScoreOptions = {}): Promise<ContinuationScore[]> {
    if (options.signal?.aborted) throw new EvalModelAbortError(this.id);
    const model = this.options.model as LogProbModel;
    if (typeof model.logProbs !== 'function') throw new EvalModelConfigError('model', 'has no logProbs(ids, mask) (a LlamaModel has): scoreContinuations needs it');
    if (!Array.isArray(continuations) || continuations.length === 0) throw new LocalModelInputError('continuations: must be a non-empty array of strings');
    const tok = this.options.tokenizer;
    const maxSeqLen = model.config.maxSeqLen;
    const context = this.render(prompt);
    const ctxIds = tok.encode(context);
    if (ctxIds.length === 0) throw new LocalModelInputError('the prompt renders to no tokens: a continuation needs at least one token before it');
    const rows = continuations.map((c, i) => {
      if (typeof c !== 'string' || c === '') throw new LocalModelInputError(`continuations[${i}]: must be a non-empty string`);
      const whole = tok.encode(context + c);
      const joint = whole.length > ctxIds.length && ctxIds.every((id, k) => whole[k] === id);
      const cont = joint ? whole.slice(ctxIds.length) : tok.encode(c);
      if (cont.length === 0) throw new LocalModelInputError(`continuations[${i}]: encodes to no tokens`);
      let ctx = ctxIds;
      if (ctx.length + cont.length > maxSeqLen) {
        if (!this.options.truncatePrompt || cont.length >= maxSeqLen) {
          throw new LocalModelInputError(
            `continuations[${i}]: the prompt (${ctx.length} tokens) and the continuation (${cont.length}) exceed the model's maxSeqLen ${maxSeqLen}${cont.length < maxSeqLen ? ` (truncatePrompt: true keeps the prompt's last ${maxSeqLen - cont.length})` : ''}`,
          );
        }
        ctx = ctx.slice(ctx.length + cont.length - maxSeqLen);
      }
      return { ids: [...ctx, ...cont], n: cont.length, bytes: utf8.encode(c).length };
    });
    return new Promise<ContinuationScore[]>((resolve, reject) => {
      const req: ScoreRequest = { out: new Array(rows.length), remaining: rows.length, resolve, reject, settled: false };
      options.signal?.addEventListener(
        'abort',
        () => {
          if (req.settled) return;
          req.settled = true;
          reject(new EvalModelAbortError(this.id));
        },
        { once: true },
      );
      rows.forEach((r, index) => this.scoreQueue.push({ ...r, req, index }));
      if (!this.scoreScheduled) {
        this.scoreScheduled = true;
        setTimeout(() => {
          this.scoreScheduled = false;
          void this.drainScores();
        }, 0);
      }
    });
  }

  /** Runs the queued continuation rows, call by call, in batches of up to `scoreBatchSize` rows. */
  private async drainScores(): Promise<void> {
    if (this.scoring) return;
    this.scoring = true;
    try {
      for (;;) {
        const chunk: ScoreRow[] = [];
        // one call's rows per pass (a row's floating-point score then never depends on what else was queued)
        while (this.scoreQueue.length > 0 && this.scoreQueue[0]!.req.settled) this.scoreQueue.shift();
        const head = this.scoreQueue[0]?.req;
        while (this.scoreQueue.length > 0 && this.scoreQueue[0]!.req === head && chunk.length < this.scoreBatchSize) chunk.push(this.scoreQueue.shift()!);
        if (chunk.length === 0) break;
        await this.scoreBatch(chunk);
      }
    } finally {
      this.scoring = false;
    }
  }

  private async scoreBatch(chunk: ScoreRow[]): Promise<void> {
    const model = this.options.model as LogProbModel;
    const pad = model.config.padTokenId ?? this.options.tokenizer.padTokenId ?? 0;
    const t = Math.max(...chunk.map((r) => r.ids.length));
    const ids = new Int32Array(chunk.length * t).fill(pad);
    const mask = new Int32Array(chunk.length * t);
    chunk.forEach((r, b) => {
      const off = b * t + t - r.ids.length;
      ids.set(r.ids, off);
      mask.fill(1, off, (b + 1) * t);
    });
    let data: Float32Array | Int32Array | Uint8Array;
    try {
      const lp = tf.tidy(() => model.logProbs!(tf.tensor2d(ids, [chunk.length, t], 'int32'), tf.tensor2d(mask, [chunk.length, t], 'int32')));
      try {
        data = await lp.data();
      } finally {
        lp.dispose();
      }
    } catch (e) {
      for (const r of chunk) {
        if (r.req.settled) continue;
        r.req.settled = true;
        r.req.reject(new EvalModelError(`${this.id}: scoring failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
      }
      return;
    }
    this.scoreBatches.push(chunk.length);
    chunk.forEach((r, b) => {
      // lp[b, j] = log p(ids[b, j + 1] | ids[b, ..j]); the continuation is the row's last r.n ids (left padding)
      let sum = 0;
      for (let j = t - 1 - r.n; j < t - 1; j++) sum += data[b * (t - 1) + j]!;
      r.req.out[r.index] = { logProb: sum, tokens: r.n, bytes: r.bytes };
      if (--r.req.remaining === 0 && !r.req.settled) {
        r.req.settled = true;
        r.req.resolve(r.req.out);
      }
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      void this.drain();
    }, 0);
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        while (this.queue.length > 0 && this.queue[0]!.settled) this.queue.shift();
        const head = this.queue[0];
        if (!head) break;
        const batch: Pending[] = [];
        for (let i = 0; i < this.queue.length && batch.length < this.batchSize; ) {
          const p = this.queue[i]!;
          if (!p.settled && p.key === head.key) {
            batch.push(p);
            this.queue.splice(i, 1);
          } else i++;
        }
        await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const o = batch[0]!.options;
    const ctl = new AbortController();
    const check = (): void => {
      if (batch.every((p) => p.settled)) ctl.abort();
    };
    for (const p of batch) p.options.signal?.addEventListener('abort', check, { once: true });
    this.batches.push(batch.length);
    try {
      const results = await generate(this.options.model, batch.map((p) => p.ids), {
        tokenizer: this.options.tokenizer,
        maxNewTokens: o.maxTokens!,
        temperature: o.temperature ?? 0,
        ...(o.topP !== undefined ? { topP: o.topP } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.stop !== undefined && o.stop.length > 0 ? { stopSequences: o.stop } : {}),
        ...(this.usesChatTemplate ? { stopIds: chatStopIds(this.options.model, this.options.tokenizer) } : {}),
        validUtf8: true,
        signal: ctl.signal,
      });
      results.forEach((r, i) => {
        const p = batch[i]!;
        if (p.settled) return;
        p.settled = true;
        p.resolve(r.text);
      });
    } catch (e) {
      for (const p of batch) {
        if (p.settled) continue;
        p.settled = true;
        p.reject(new EvalModelError(`${this.id}: generation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
      }
    } finally {
      for (const p of batch) p.options.signal?.removeEventListener('abort', check);
    }
  }
}
