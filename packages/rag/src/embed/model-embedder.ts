/**
 * The built-in embedder: a `@quarkmed/model` decoder used as an encoder. A text's vector is the mean of the
 * trunk's final hidden states (`LlamaModel.hiddenStates`) over its non-padding tokens, L2-normalised.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LlamaModel, Tokenizer } from '@quarkmed/model';
import type { Embedder } from '../types';
import { EmbedderError } from './errors';
import { meanPoolNormalize } from './pooling';

/** Options of {@link ModelEmbedder}. */
export interface ModelEmbedderOptions {
  /** Longest input in tokens; longer texts are cut at the end (default and maximum: the model's `maxSeqLen`). */
  maxLength?: number;
  /** Texts per forward pass in {@link ModelEmbedder.embedDocuments} (default 32). */
  batchSize?: number;
}

/** Token ids and mask of a batch of texts, right-padded. */
export interface EmbedderBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
}

function checkTexts(texts: readonly string[], field: string): void {
  if (!Array.isArray(texts)) throw new EmbedderError(field, 'must be an array of strings');
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new EmbedderError(`${field}[${i}]`, `must be a string, got ${typeof t}`);
    if (t.trim().length === 0) throw new EmbedderError(`${field}[${i}]`, 'is empty (nothing to embed)');
  });
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EmbedderError('options.signal', 'aborted', { cause: signal.reason });
}

/**
 * An {@link Embedder} over a `LlamaModel` and its tokenizer (mean pooling over non-pad tokens, unit norm).
 * `encode` is differentiable, so the same class serves contrastive training (`scripts/train-embedder.ts`) and
 * inference. Load the shipped checkpoint with `loadEmbedder` (main entry, from files or a URL) or
 * `loadDefaultEmbedder` / `loadEmbedderFromDirectory` (`@quarkmed/rag/node`).
 */
export class ModelEmbedder implements Embedder {
  readonly dimension: number;
  readonly normalized = true;
  readonly maxLength: number;
  readonly batchSize: number;
  private readonly padId: number;

  /**
   * @param model - the encoder (its trunk; the LM head is not used)
   * @param tokenizer - the model's tokenizer (its pad token pads batches; id 0 when it has none)
   * @param options - see {@link ModelEmbedderOptions}
   * @throws {@link EmbedderError} naming a bad option
   */
  constructor(
    readonly model: LlamaModel,
    readonly tokenizer: Tokenizer,
    options: ModelEmbedderOptions = {},
  ) {
    const max = model.config.maxSeqLen;
    const maxLength = options.maxLength ?? max;
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > max) {
      throw new EmbedderError('options.maxLength', `must be an integer in [1, ${max}] (the model's maxSeqLen), got ${String(maxLength)}`);
    }
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new EmbedderError('options.batchSize', `must be an integer >= 1, got ${String(batchSize)}`);
    if (tokenizer.vocabSize > model.config.vocabSize) {
      throw new EmbedderError('tokenizer', `has ${tokenizer.vocabSize} ids but the model's vocabulary is ${model.config.vocabSize}`);
    }
    this.maxLength = maxLength;
    this.batchSize = batchSize;
    this.dimension = model.config.hiddenSize;
    this.padId = tokenizer.padTokenId ?? 0;
  }

  /** Token ids of `text`, cut to `maxLength` (no special tokens). */
  tokenIds(text: string): number[] {
    const ids = this.tokenizer.encode(text, { addSpecialTokens: false });
    return ids.length > this.maxLength ? ids.slice(0, this.maxLength) : ids;
  }

  /**
   * Right-pads token id lists into a batch (the caller disposes the tensors).
   *
   * @throws {@link EmbedderError} for an empty list
   */
  collate(idLists: readonly (readonly number[])[]): EmbedderBatch {
    const t = Math.max(1, ...idLists.map((x) => x.length));
    const b = idLists.length;
    const ids = new Int32Array(b * t).fill(this.padId);
    const mask = new Float32Array(b * t);
    idLists.forEach((list, i) => {
      if (list.length === 0) throw new EmbedderError(`batch[${i}]`, 'has no tokens');
      for (let j = 0; j < list.length; j++) {
        ids[i * t + j] = list[j]!;
        mask[i * t + j] = 1;
      }
    });
    return { inputIds: tf.tensor2d(ids, [b, t], 'int32'), attentionMask: tf.tensor2d(mask, [b, t], 'float32') };
  }

  /** Unit vectors `[B, D]` of a batch (differentiable with respect to the model's weights). */
  encode(batch: EmbedderBatch): tf.Tensor2D {
    return tf.tidy(() => meanPoolNormalize(this.model.hiddenStates(batch.inputIds, { attentionMask: batch.attentionMask }), batch.attentionMask));
  }

  /**
   * Embeds texts, `batchSize` at a time (grouped by length so that little padding is computed).
   *
   * @throws {@link EmbedderError} for a non-string or empty text (naming its index) or an aborted signal
   */
  async embedDocuments(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    checkTexts(texts, 'texts');
    checkSignal(options.signal);
    const tokenized = texts.map((t) => this.tokenIds(t));
    const order = tokenized.map((_, i) => i).sort((a, b) => tokenized[a]!.length - tokenized[b]!.length || a - b);
    const out: Float32Array[] = new Array<Float32Array>(texts.length);
    for (let s = 0; s < order.length; s += this.batchSize) {
      checkSignal(options.signal);
      const idx = order.slice(s, s + this.batchSize);
      const batch = this.collate(idx.map((i) => tokenized[i]!));
      try {
        const vecs = this.encode(batch);
        const data = (await vecs.data()) as Float32Array;
        vecs.dispose();
        idx.forEach((i, r) => {
          out[i] = data.slice(r * this.dimension, (r + 1) * this.dimension);
        });
      } finally {
        batch.inputIds.dispose();
        batch.attentionMask.dispose();
      }
      // Let other work (timers, I/O, abort signals) run between batches.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    return out;
  }

  /** Embeds one query (same encoder as documents). @throws {@link EmbedderError} for an empty text */
  async embedQuery(text: string, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    checkTexts([text], 'text');
    const [v] = await this.embedDocuments([text], options);
    return v!;
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
