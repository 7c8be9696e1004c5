/**
 * A multi-head reward model: a small {@link LlamaModel} trunk whose final hidden state (after the final
 * RMSNorm) at the last non-pad token feeds one scalar head per alignment dimension, trained with the
 * Bradley–Terry pairwise loss ({@link bradleyTerryLoss}) from preference pairs.
 *
 * Hidden states come from `LlamaModel.hiddenStates(ids, { attentionMask })` (the input of the LM head, which
 * is never computed), so the trunk may be tied or untied; an untied LM head's weight is not trained.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import * as tf from '@tensorflow/tfjs-core';
import { LlamaModel, Trainer, cosineWithWarmup, makeVariable, mulberry32, type LlamaConfig } from '@quarkmed/model';
import { bradleyTerryLoss, pairAccuracy, type HeadAccuracy } from './bradley-terry';
import { REWARD_HEADS, pairText, type PreferencePair, type RewardHead } from './preference-data';

/** What the reward model needs of a tokenizer (`BpeTokenizer` fits). */
export interface RewardTokenizer {
  encode(text: string): number[];
  readonly vocabSize: number;
  readonly padTokenId?: number;
}

/**
 * Trunk size; `vocabSize` comes from the tokenizer and `maxSeqLen` from `maxLength`. `tieEmbeddings`
 * defaults to false (the untied LM head is created but unused; tie it to save `vocabSize · hiddenSize` floats).
 */
export type RewardTrunkConfig = Partial<Omit<LlamaConfig, 'vocabSize' | 'maxSeqLen'>>;

/** Options of the {@link MultiHeadRewardModel} constructor. */
export interface MultiHeadRewardModelOptions {
  tokenizer: RewardTokenizer;
  /** Trunk size (default: hiddenSize 64, 2 layers, 4 heads, 2 kv heads, intermediate 128). */
  trunk?: RewardTrunkConfig;
  /** Tokens per text; longer texts keep their last `maxLength` tokens (default 96). */
  maxLength?: number;
  /** Seed of the trunk and head initialisation (default 0). */
  seed?: number;
}

/** Thrown for invalid arguments of the reward model (names the argument). */
export class RewardModelError extends VerifierError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
    this.name = 'RewardModelError';
  }
}

/** A tokenised batch: int32 ids `[B, T]` (left padded), the mask `[B, T]` and each row's last real position. */
export interface RewardBatch {
  ids: tf.Tensor2D;
  mask: tf.Tensor2D;
  last: number[];
}

/**
 * Reward model with one scalar head per {@link RewardHead}: `r = W·h_last + b`, `W` `[D, 4]`.
 * Call {@link MultiHeadRewardModel.dispose} when done.
 */
export class MultiHeadRewardModel {
  /** Head names in output-column order. */
  readonly heads: readonly RewardHead[] = REWARD_HEADS;
  /** The decoder trunk. */
  readonly trunk: LlamaModel;
  /** `[D, H]` head weights. */
  readonly headWeight: tf.Variable;
  /** `[H]` head biases. */
  readonly headBias: tf.Variable;
  /** Tokens per text. */
  readonly maxLength: number;
  private readonly tokenizer: RewardTokenizer;
  private readonly padId: number;

  /** @throws RewardModelError for a bad tokenizer or maxLength; ConfigError (from the model) for a bad trunk config */
  constructor(options: MultiHeadRewardModelOptions) {
    const tok = options.tokenizer;
    if (tok === null || typeof tok !== 'object' || typeof tok.encode !== 'function' || !Number.isInteger(tok.vocabSize)) {
      throw new RewardModelError('options.tokenizer', 'must have encode(text) and an integer vocabSize');
    }
    const maxLength = options.maxLength ?? 96;
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new RewardModelError('options.maxLength', `must be a positive integer, got ${String(maxLength)}`);
    this.tokenizer = tok;
    this.maxLength = maxLength;
    this.padId = tok.padTokenId ?? 0;
    const seed = options.seed ?? 0;
    const config: LlamaConfig = {
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      intermediateSize: 128,
      tieEmbeddings: false,
      ...options.trunk,
      vocabSize: tok.vocabSize,
      maxSeqLen: maxLength,
    };
    this.trunk = new LlamaModel(config, { seed });
    const d = this.trunk.config.hiddenSize;
    const rng = mulberry32(seed ^ 0x5eed);
    const w = new Float32Array(d * this.heads.length);
    const std = 1 / Math.sqrt(d);
    for (let i = 0; i < w.length; i++) w[i] = (rng() * 2 - 1) * std * Math.sqrt(3) * 0.1;
    this.headWeight = makeVariable(tf.tensor2d(w, [d, this.heads.length]), 'reward_heads.weight');
    this.headBias = makeVariable(tf.zeros([this.heads.length]), 'reward_heads.bias');
  }

  /** Tokenises texts into a left-padded batch (texts longer than maxLength keep their last tokens). */
  encode(texts: readonly string[]): RewardBatch {
    if (!Array.isArray(texts) || texts.length === 0) throw new RewardModelError('texts', 'must be a non-empty array of strings');
    const seqs = texts.map((t, i) => {
      if (typeof t !== 'string') throw new RewardModelError(`texts[${i}]`, `must be a string, got ${typeof t}`);
      const ids = this.tokenizer.encode(t);
      const kept = ids.length > this.maxLength ? ids.slice(ids.length - this.maxLength) : ids;
      return kept.length === 0 ? [this.padId] : kept;
    });
    const t = Math.max(...seqs.map((s) => s.length));
    const ids = new Int32Array(seqs.length * t).fill(this.padId);
    const mask = new Int32Array(seqs.length * t);
    seqs.forEach((s, b) => {
      const off = b * t + (t - s.length);
      ids.set(s, off);
      mask.fill(1, off, off + s.length);
    });
    return { ids: tf.tensor2d(ids, [seqs.length, t], 'int32'), mask: tf.tensor2d(mask, [seqs.length, t], 'int32'), last: seqs.map(() => t - 1) };
  }

  /**
   * Final hidden states (after the final RMSNorm) at each row's last real token: `[B, D]`. Differentiable.
   */
  pooledHidden(batch: RewardBatch): tf.Tensor2D {
    const [b, t] = batch.ids.shape;
    if (batch.last.length !== b) throw new RewardModelError('batch.last', `has ${batch.last.length} entries for a batch of ${b}`);
    return tf.tidy(() => {
      const h = this.trunk.hiddenStates(batch.ids, { attentionMask: batch.mask });
      const flat = tf.reshape(h, [b * t, this.trunk.config.hiddenSize]) as tf.Tensor2D;
      const rows = tf.tensor1d(batch.last.map((l, i) => i * t + l), 'int32');
      return tf.gather(flat, rows) as tf.Tensor2D;
    });
  }

  /** Rewards `[B, H]` of a batch. Differentiable with respect to the trunk and the heads. */
  rewards(batch: RewardBatch): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(this.pooledHidden(batch), this.headWeight as tf.Tensor2D), this.headBias) as tf.Tensor2D);
  }

  /**
   * Rewards of texts as plain numbers: `[texts.length][H]`, column order {@link MultiHeadRewardModel.heads}. Async
   * (one read of the device), so it works on backends without synchronous reads (webgpu in Node).
   */
  async score(texts: readonly string[]): Promise<number[][]> {
    const batch = this.encode(texts);
    try {
      const r = this.rewards(batch);
      try {
        return (await r.array()) as number[][];
      } finally {
        r.dispose();
      }
    } finally {
      batch.ids.dispose();
      batch.mask.dispose();
    }
  }

  /** Rewards of one response to one prompt, keyed by head. */
  async scoreResponse(prompt: string, response: string): Promise<Record<RewardHead, number>> {
    const row = (await this.score([pairText(prompt, response)]))[0]!;
    return Object.fromEntries(this.heads.map((h, i) => [h, row[i]!])) as Record<RewardHead, number>;
  }

  /** The trained variables by stable name: trunk weights (not an untied LM head, which is unused) and the heads. */
  trainableVariables(): Map<string, tf.Variable> {
    const m = new Map<string, tf.Variable>();
    for (const [k, v] of this.trunk.weights) if (k !== 'lm_head.weight') m.set(k, v);
    m.set('reward_heads.weight', this.headWeight);
    m.set('reward_heads.bias', this.headBias);
    return m;
  }

  /** Frees the trunk and the heads. */
  dispose(): void {
    this.trunk.dispose();
    this.headWeight.dispose();
    this.headBias.dispose();
  }
}

/** Options of {@link trainRewardModel}. */
export interface TrainRewardModelOptions {
  /** Optimizer steps. */
  steps: number;
  /** Pairs per step (default 16; each step scores 2·batchSize texts). */
  batchSize?: number;
  /** Peak learning rate of a cosine schedule with 10% warmup (default 3e-3). */
  lr?: number;
  /** Seed of the pair order. */
  seed: number;
  /** Global gradient-norm clip (default 1). */
  maxGradNorm?: number;
  /** Weight of `mean(r²)` keeping rewards centred (default 1e-3). */
  centerCoef?: number;
  /** Called after every step. */
  onStep?: (step: number, loss: number) => void;
}

/** Labelled-head mask `[N][H]` of pairs. */
export function headMask(pairs: readonly PreferencePair[], heads: readonly RewardHead[] = REWARD_HEADS): number[][] {
  return pairs.map((p) => heads.map((h) => (p.heads.includes(h) ? 1 : 0)));
}

/** A training micro-batch of preference pairs: chosen texts then rejected texts, and the labelled-head mask. */
interface PairBatch {
  texts: RewardBatch;
  /** `[n, H]` 1 where the pair labels the head. */
  mask: tf.Tensor2D;
  /** Pairs in the batch. */
  n: number;
}

/**
 * Trains the model on preference pairs with the masked Bradley–Terry loss (plus `centerCoef · mean(r²)`) on
 * the shared `Trainer` of `@quarkmed/model` (AdamW, cosine schedule with 10% warmup, global-norm clipping,
 * seeded per-epoch pair order). Deterministic for a seed on a given backend.
 *
 * @returns the loss of every step
 * @throws RewardModelError for empty pairs or bad options
 */
export async function trainRewardModel(model: MultiHeadRewardModel, pairs: readonly PreferencePair[], options: TrainRewardModelOptions): Promise<{ losses: number[] }> {
  if (pairs.length === 0) throw new RewardModelError('pairs', 'must not be empty');
  const { steps, seed } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new RewardModelError('options.steps', `must be a positive integer, got ${String(steps)}`);
  if (!Number.isInteger(seed)) throw new RewardModelError('options.seed', `must be an integer, got ${String(seed)}`);
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RewardModelError('options.batchSize', `must be a positive integer, got ${String(batchSize)}`);
  const centerCoef = options.centerCoef ?? 1e-3;
  const warmup = Math.max(0, Math.min(Math.floor(steps / 10), steps - 1));
  const peakLr = options.lr ?? 3e-3;
  const h = model.heads.length;
  const trainer = new Trainer<PairBatch, PreferencePair, MultiHeadRewardModel>({
    model,
    trainableVariables: model.trainableVariables(),
    lr: cosineWithWarmup({ warmupSteps: warmup, totalSteps: Math.max(steps, warmup + 1), peakLr, minLr: peakLr / 10 }),
    weightDecay: 0.01,
    maxGradNorm: options.maxGradNorm ?? 1,
    batchSize: Math.min(batchSize, pairs.length),
    seed,
    dataCollator: (chosen) => ({
      texts: model.encode([...chosen.map((p) => pairText(p.prompt, p.chosen)), ...chosen.map((p) => pairText(p.prompt, p.rejected))]),
      mask: tf.tensor2d(headMask(chosen, model.heads), [chosen.length, h]),
      n: chosen.length,
    }),
    batchWeight: (b) => b.n,
    disposeBatch: (b) => tf.dispose([b.texts.ids, b.texts.mask, b.mask]),
    computeLoss: (m, b) => {
      const r = m.rewards(b.texts);
      const rc = tf.slice(r, [0, 0], [b.n, h]) as tf.Tensor2D;
      const rr = tf.slice(r, [b.n, 0], [b.n, h]) as tf.Tensor2D;
      return tf.add(bradleyTerryLoss(rc, rr, b.mask), tf.mul(tf.mean(tf.square(r)), centerCoef)) as tf.Scalar;
    },
    ...(options.onStep ? { onStep: (log: { step: number; loss: number }) => options.onStep!(log.step, log.loss) } : {}),
  });
  try {
    const { losses } = await trainer.train(pairs, { steps });
    return { losses };
  } finally {
    trainer.dispose();
  }
}

/** Per-head held-out pair accuracy. */
export interface PairEvaluation {
  perHead: Record<RewardHead, HeadAccuracy>;
  /** Mean accuracy over heads with at least one labelled pair. */
  meanAccuracy: number;
}

/** Scores pairs in batches and reports per-head pair accuracy (chosen strictly above rejected). */
export async function evaluatePairs(model: MultiHeadRewardModel, pairs: readonly PreferencePair[], options: { batchSize?: number } = {}): Promise<PairEvaluation> {
  const bs = options.batchSize ?? 32;
  const rc: number[][] = [];
  const rr: number[][] = [];
  for (let i = 0; i < pairs.length; i += bs) {
    const part = pairs.slice(i, i + bs);
    rc.push(...(await model.score(part.map((p) => pairText(p.prompt, p.chosen)))));
    rr.push(...(await model.score(part.map((p) => pairText(p.prompt, p.rejected)))));
  }
  const acc = pairAccuracy(rc, rr, headMask(pairs, model.heads));
  const perHead = Object.fromEntries(model.heads.map((hd, j) => [hd, acc[j]!])) as Record<RewardHead, HeadAccuracy>;
  const labelled = acc.filter((a) => a.n > 0);
  return { perHead, meanAccuracy: labelled.reduce((s, a) => s + a.accuracy, 0) / Math.max(labelled.length, 1) };
}
