/**
 * Batched autoregressive generation with a key/value cache, and its streaming form.
 *
 * How a batch runs:
 * - Prompts (token ids, or strings encoded with `options.tokenizer`) are **left-padded** to the longest
 *   one. The prefill runs the whole padded block once with `attentionMask` (0 on padding) and explicit
 *   per-row `positions` (`0, 1, ...` from each row's first real token; padding gets position 0), so every
 *   row sees exactly what it would see alone.
 * - Then one token per step for the whole batch: `inputIds [B, 1]`, the mask grown by one column of ones,
 *   positions `promptLength[r] + step`. **Finished rows stay in the batch** (fed the pad id, their logits
 *   ignored) so the cache never has to be re-gathered; the loop ends as soon as every row is finished.
 * - Without padding (every prompt of the same length) the mask and positions are left out: they equal the
 *   forward's defaults (no mask, positions `cache.length + t`).
 * - `useCache: false` recomputes the full sequence (prompt and generated tokens, same mask and positions)
 *   every step instead of appending to a cache: slower, used as the reference in tests and benchmarks.
 * - Sampling per row: Hugging Face order (repetition penalty over the row's prompt tokens, padding
 *   excluded, and its generated tokens; then temperature, top-k, top-p); greedy when `temperature` is 0.
 *
 * Every step's tensor work runs inside `tf.tidy` and only the last position's logits `[B, V]` are read
 * back; sampling is plain JavaScript over those rows (see `sampling.ts`). The cache is disposed when
 * generation ends, whether it finished, was aborted, threw, or the stream's consumer stopped early.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';
import * as tf from '@tensorflow/tfjs-core';
import type { KVCache } from '../decoder/kv-cache';
import { createRng, sampleNext, tokenLogProb, validateSamplingOptions, type Rng, type SamplingOptions } from './sampling';
import { StreamingDetokenizer, normalizeStopIds, normalizeStopSequences, type FinishReason } from './stopping';
import { Utf8TokenMask } from './utf8-mask';

/** What {@link generate} needs of a model (`LlamaModel` satisfies it). */
export interface GenerationModel {
  readonly config: { readonly vocabSize: number; readonly maxSeqLen: number; readonly eosTokenId?: number; readonly eosTokenIds?: readonly number[]; readonly padTokenId?: number };
  /** An empty cache for this model. */
  createCache(): KVCache;
  /** The decoder forward of the model-internals contract: logits `[B, T, V]`. */
  forward(
    inputIds: tf.Tensor2D,
    options?: { cache?: KVCache; attentionMask?: tf.Tensor2D; positions?: tf.Tensor2D },
  ): { logits: tf.Tensor3D };
}

/** What {@link generate} needs of a tokenizer (every `Tokenizer`, e.g. `BpeTokenizer`, satisfies it). */
export interface GenerationTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  readonly eosTokenId?: number;
  readonly padTokenId?: number;
  /**
   * Raw bytes of one token (see `Tokenizer.tokenBytes`). With it, streamed text holds back exactly the
   * incomplete UTF-8 characters; `validUtf8` requires it.
   */
  tokenBytes?(id: number): Uint8Array | undefined;
  /** Whether `decode` removes spaces before punctuation (streamed text then holds back a trailing space). */
  readonly cleanUpTokenizationSpaces?: boolean;
}

/** Options of {@link generate} and {@link streamGenerate}. */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens generated per row (an integer >= 0). Default 32. */
  maxNewTokens?: number;
  /**
   * Seed of the sampler (integer in `[0, 2^32)`, default 0). Row `r` samples from its own stream
   * `createRng(seed, r)`, so results are reproducible. Unused when `temperature` is 0 (greedy, the default).
   */
  seed?: number;
  /**
   * Token ids that end a row. The stop token is part of `tokenIds` and `logProbs` but not of `text`.
   * Default: the tokenizer's EOS id and every id of the model config's `eosTokenIds` (e.g. Llama 3.1's list; else its
   * `eosTokenId`), else none. Pass `[]` to disable.
   */
  stopIds?: readonly number[];
  /**
   * Strings that end a row when they appear in its decoded generated text (requires `tokenizer`). `text` is
   * cut where the match starts; `tokenIds` keep every token up to the one that completed the match.
   */
  stopSequences?: readonly string[];
  /** Encodes string prompts and decodes the generated text. Required for string prompts and stop sequences. */
  tokenizer?: GenerationTokenizer;
  /** Append to a KV cache (default true); false recomputes the whole sequence every step. */
  useCache?: boolean;
  /** Checked before every step (the loop yields to the event loop between steps); unfinished rows end with `'abort'`. */
  signal?: AbortSignal;
  /**
   * Token id fed for padding and for finished rows. Default: the tokenizer's pad id, else the model
   * config's `padTokenId`, else 0. Its value does not change the results (those positions are masked or ignored).
   */
  padId?: number;
  /** Also return each step's raw logits row (`GenerateResult.logits`). Default false. */
  returnLogits?: boolean;
  /**
   * Never produce invalid UTF-8 (requires a tokenizer with `tokenBytes`): before sampling, every token whose
   * bytes would make the row's bytes ill-formed is masked (so a split character can only be continued, and a
   * stop id only comes after a complete character); a row that ends on `'length'` or `'abort'` inside a
   * character leaves that partial character out of `text`. `logProbs` stay those of the raw distribution.
   * Default false.
   */
  validUtf8?: boolean;
}

/** The generation of one prompt. */
export interface GenerateResult {
  /** Generated token ids (including a final stop id, if one ended the row). */
  tokenIds: number[];
  /** Decoded generated text without the stop id and cut before a stop sequence (`''` without a tokenizer). */
  text: string;
  /**
   * Per generated token: its log-probability under the **raw model distribution**,
   * `log_softmax(logits)[token]` of the unprocessed logits (before repetition penalty, temperature, top-k
   * and top-p), i.e. what `LlamaModel.logProbs` gives for the same sequence.
   */
  logProbs: number[];
  /** `'stop'` (stop id or stop sequence), `'length'` (`maxNewTokens` reached) or `'abort'` (signal). */
  finishReason: FinishReason;
  /** Raw logits of each generated step (only with `returnLogits`). */
  logits?: Float32Array[];
}

/** One generated token, as {@link streamGenerate} yields it. */
export interface GenerationEvent {
  /** Index of the prompt. */
  row: number;
  /** 0-based index of the token in its row. */
  step: number;
  tokenId: number;
  /** Text that became final with this token (see `StreamingDetokenizer`); `''` without a tokenizer. */
  text: string;
  /** Raw model log-probability of the token (see {@link GenerateResult.logProbs}). */
  logProb: number;
  /** Set on the last event of a row that ended with `'stop'` or `'length'`. */
  finishReason?: FinishReason;
}

/** Thrown for invalid {@link generate} arguments; the message names the argument and its value or shape. */
export class GenerationError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'GenerationError';
  }
}

/** Yields to the event loop (a macrotask), so timers and abort handlers run between steps. */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

function checkIntOption(name: string, v: unknown, min: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new GenerationError(`generate: options.${name} must be an integer >= ${min}, got ${String(v)}`);
  }
}

interface Prepared {
  prompts: number[][];
  maxNewTokens: number;
  stopIds: Set<number>;
  stopSequences: string[];
  padId: number;
  sampling: SamplingOptions;
  rngs: (Rng | undefined)[];
  mask?: Utf8TokenMask;
}

function prepare(model: GenerationModel, prompts: number[][] | string[], options: GenerateOptions): Prepared {
  const { vocabSize, maxSeqLen } = model.config;
  const tok = options.tokenizer;
  if (!Array.isArray(prompts) || prompts.length === 0) {
    throw new GenerationError(`generate: prompts must be a non-empty array, got ${Array.isArray(prompts) ? 'length 0' : typeof prompts}`);
  }
  const ids: number[][] = prompts.map((p, r) => {
    if (typeof p === 'string') {
      if (!tok) throw new GenerationError(`generate: prompts[${r}] is a string but options.tokenizer is missing`);
      return tok.encode(p);
    }
    if (!Array.isArray(p)) throw new GenerationError(`generate: prompts[${r}] must be a string or an array of token ids`);
    return [...p];
  });
  ids.forEach((p, r) => {
    if (p.length === 0) throw new GenerationError(`generate: prompts[${r}] is empty (length 0); a prompt needs at least one token`);
    p.forEach((id, j) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new GenerationError(`generate: prompts[${r}][${j}] must be a token id in [0, ${vocabSize}), got ${String(id)}`);
      }
    });
  });
  const maxNewTokens = options.maxNewTokens ?? 32;
  checkIntOption('maxNewTokens', maxNewTokens, 0);
  const longest = Math.max(...ids.map((p) => p.length));
  if (longest + maxNewTokens > maxSeqLen) {
    throw new GenerationError(
      `generate: longest prompt (${longest} tokens) + options.maxNewTokens (${maxNewTokens}) exceeds the model's maxSeqLen ${maxSeqLen}`,
    );
  }
  const configEos = model.config.eosTokenIds ?? (model.config.eosTokenId !== undefined ? [model.config.eosTokenId] : []);
  const defaultEos = tok?.eosTokenId !== undefined ? [...new Set([tok.eosTokenId, ...configEos])] : [...configEos];
  const stopIds = normalizeStopIds(options.stopIds ?? defaultEos, vocabSize);
  const stopSequences = normalizeStopSequences(options.stopSequences);
  if (stopSequences.length > 0 && !tok) throw new GenerationError('generate: options.stopSequences requires options.tokenizer');
  const padId = options.padId ?? tok?.padTokenId ?? model.config.padTokenId ?? 0;
  if (!Number.isInteger(padId) || padId < 0 || padId >= vocabSize) {
    throw new GenerationError(`generate: options.padId must be a token id in [0, ${vocabSize}), got ${String(padId)}`);
  }
  const sampling: SamplingOptions = {
    temperature: options.temperature,
    topK: options.topK,
    topP: options.topP,
    minP: options.minP,
    repetitionPenalty: options.repetitionPenalty,
  };
  validateSamplingOptions('generate', sampling);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new GenerationError(`generate: options.seed must be an integer in [0, 2^32), got ${String(seed)}`);
  }
  const sampled = (sampling.temperature ?? 0) > 0;
  const rngs = ids.map((_, r) => (sampled ? createRng(seed, r) : undefined));
  let mask: Utf8TokenMask | undefined;
  if (options.validUtf8 !== undefined && typeof options.validUtf8 !== 'boolean') {
    throw new GenerationError(`generate: options.validUtf8 must be a boolean, got ${typeof options.validUtf8}`);
  }
  if (options.validUtf8 === true) {
    if (!tok || typeof tok.tokenBytes !== 'function') {
      throw new GenerationError('generate: options.validUtf8 requires options.tokenizer with tokenBytes(id) (every Tokenizer has it)');
    }
    mask = new Utf8TokenMask({ tokenBytes: (id) => tok.tokenBytes!(id) }, vocabSize, stopIds);
  }
  return { prompts: ids, maxNewTokens, stopIds, stopSequences, padId, sampling, rngs, mask };
}

/** Per-row state during generation. */
interface RowState {
  prompt: number[];
  result: GenerateResult;
  detok?: StreamingDetokenizer;
  done: boolean;
  /** UTF-8 validator state of the generated bytes (with `validUtf8`). */
  utf8: number;
}

/**
 * Generates continuations of a batch of prompts, yielding every token as it is chosen (rows in order
 * within a step). The generator's return value is the same `GenerateResult[]` that {@link generate}
 * returns; text held back by the streamer when a row is aborted appears only there.
 *
 * Breaking out of the `for await` loop (or an exception in the model) disposes the KV cache.
 *
 * @param model - a decoder following the forward contract (e.g. `LlamaModel`)
 * @param prompts - token-id arrays, or strings (then `options.tokenizer` is required); none may be empty
 * @param options - sampling, stopping and runtime options (see {@link GenerateOptions})
 * @throws GenerationError / SamplingError / StoppingError for invalid arguments, before any tensor work
 */
export async function* streamGenerate(
  model: GenerationModel,
  prompts: number[][] | string[],
  options: GenerateOptions = {},
): AsyncGenerator<GenerationEvent, GenerateResult[], undefined> {
  const prep = prepare(model, prompts, options);
  const tok = options.tokenizer;
  const useCache = options.useCache ?? true;
  const signal = options.signal;
  const B = prep.prompts.length;
  const V = model.config.vocabSize;
  const lengths = prep.prompts.map((p) => p.length);
  const L = Math.max(...lengths);
  const rows: RowState[] = prep.prompts.map((prompt) => ({
    prompt,
    result: { tokenIds: [], text: '', logProbs: [], finishReason: 'length', ...(options.returnLogits ? { logits: [] } : {}) },
    detok: tok ? new StreamingDetokenizer(tok, prep.stopSequences) : undefined,
    done: false,
    utf8: 0,
  }));
  const dropIncomplete = prep.mask !== undefined;
  // Without left padding (every prompt as long as the longest) the mask is all ones and the positions are
  // `0, 1, ...`: the forward's defaults, so neither is built or uploaded (the same logits, fewer kernels).
  const padded = lengths.some((n) => n !== L);

  // Host copies of the full (padded) sequence: ids, mask and positions, row-major per row.
  const seqIds: number[][] = prep.prompts.map((p) => [...new Array<number>(L - p.length).fill(prep.padId), ...p]);
  const seqMask: number[][] = prep.prompts.map((p) => [...new Array<number>(L - p.length).fill(0), ...new Array<number>(p.length).fill(1)]);
  const seqPos: number[][] = prep.prompts.map((p) => [...new Array<number>(L - p.length).fill(0), ...p.map((_, j) => j)]);

  const finishAll = (reason: FinishReason): void => {
    for (const s of rows) {
      if (s.done) continue;
      s.done = true;
      s.result.finishReason = reason;
      if (s.detok) s.result.text += s.detok.flush(dropIncomplete);
    }
  };

  if (prep.maxNewTokens === 0) {
    finishAll('length');
    return rows.map((s) => s.result);
  }

  const cache = useCache ? model.createCache() : undefined;
  try {
    let fed = 0; // time steps already in the cache
    for (let step = 0; ; step++) {
      if (signal?.aborted) {
        finishAll('abort');
        break;
      }
      // Inputs of this forward: the whole sequence (prefill, or every step without a cache) or the last column.
      const t0 = cache ? fed : 0;
      const T = L + step - t0;
      const flat = (m: number[][]): Int32Array => {
        const a = new Int32Array(B * T);
        for (let r = 0; r < B; r++) a.set(m[r]!.slice(t0), r * T);
        return a;
      };
      const idsFlat = flat(seqIds);
      let maskFlat: Int32Array | undefined;
      let posFlat: Int32Array | undefined;
      if (padded) {
        maskFlat = new Int32Array(B * (L + step));
        for (let r = 0; r < B; r++) maskFlat.set(seqMask[r]!, r * (L + step));
        posFlat = flat(seqPos);
      }
      const last = tf.tidy(() => {
        const { logits } = model.forward(
          tf.tensor2d(idsFlat, [B, T], 'int32'),
          maskFlat === undefined || posFlat === undefined
            ? { cache }
            : { cache, attentionMask: tf.tensor2d(maskFlat, [B, L + step], 'int32'), positions: tf.tensor2d(posFlat, [B, T], 'int32') },
        );
        // a decode step's logits are already the last position's (no slice to copy them)
        return tf.reshape(T === 1 ? logits : tf.slice(logits, [0, T - 1, 0], [B, 1, V]), [B, V]);
      });
      fed = L + step;
      let data: Float32Array;
      try {
        data = (await last.data()) as Float32Array;
      } finally {
        last.dispose();
      }

      const events: GenerationEvent[] = [];
      for (let r = 0; r < B; r++) {
        const s = rows[r]!;
        let next = prep.padId;
        if (!s.done) {
          const row = data.subarray(r * V, (r + 1) * V);
          let scores = row;
          if (prep.mask) {
            const masked = prep.mask.apply(row, s.utf8);
            if (masked.allowed === 0) {
              throw new GenerationError(`generate: validUtf8: no token of row ${r} can continue valid UTF-8 at step ${step} (state ${s.utf8})`);
            }
            scores = masked.logits;
          }
          next = sampleNext(scores, [...s.prompt, ...s.result.tokenIds], prep.sampling, prep.rngs[r]);
          if (prep.mask) s.utf8 = prep.mask.next(s.utf8, next);
          const logProb = tokenLogProb(row, next);
          s.result.tokenIds.push(next);
          s.result.logProbs.push(logProb);
          s.result.logits?.push(Float32Array.from(row));
          let text = '';
          let finish: FinishReason | undefined;
          if (prep.stopIds.has(next)) {
            finish = 'stop';
          } else if (s.detok) {
            const d = s.detok.push(next);
            text = d.text;
            if (d.stopped) finish = 'stop';
          }
          if (finish === undefined && s.result.tokenIds.length >= prep.maxNewTokens) finish = 'length';
          if (finish !== undefined) {
            s.done = true;
            s.result.finishReason = finish;
            if (s.detok) text += s.detok.flush(dropIncomplete);
          }
          if (s.detok) s.result.text += text;
          events.push({ row: r, step, tokenId: next, text, logProb, ...(finish ? { finishReason: finish } : {}) });
        }
        seqIds[r]!.push(next);
        seqMask[r]!.push(1);
        seqPos[r]!.push(lengths[r]! + step);
      }
      for (const e of events) yield e;
      if (rows.every((s) => s.done)) break;
      await yieldToEventLoop();
    }
  } finally {
    cache?.dispose();
  }
  return rows.map((s) => s.result);
}

/**
 * Generates continuations of a batch of prompts (see the module notes for batching, padding and the cache).
 *
 * Greedy by default (`temperature` 0); with `temperature > 0` the logits go through repetition penalty,
 * temperature, top-k and top-p (Hugging Face order) and are sampled from seeded per-row streams.
 *
 * @param model - a decoder following the forward contract (e.g. `LlamaModel`)
 * @param prompts - token-id arrays, or strings (then `options.tokenizer` is required); none may be empty
 * @param options - sampling, stopping and runtime options (see {@link GenerateOptions})
 * @returns one {@link GenerateResult} per prompt, in order
 * @throws GenerationError / SamplingError / StoppingError for invalid arguments, before any tensor work
 */
export async function generate(
  model: GenerationModel,
  prompts: number[][] | string[],
  options: GenerateOptions = {},
): Promise<GenerateResult[]> {
  const it = streamGenerate(model, prompts, options);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}
