/**
 * The GRPO-family policy loss on tfjs tensors, exactly as TRL's `GRPOTrainer._compute_loss` (one process, training
 * mode, no vLLM importance-sampling correction): every `lossType` × `importanceSamplingLevel`, asymmetric clipping,
 * two-sided clipping (`delta`), the k3 KL term, the entropy mask, truncation masking and TRL's normalisations, plus
 * the metrics TRL logs. `tf.grad` through {@link grpoLoss} gives the gradient with respect to the log-probs.
 *
 * Notation: ℓ = log π_θ (the `logProbs` input), ℓ_old, ℓ_ref, m the completion mask, A the advantage per sequence.
 *
 * - log-ratio: token level `ℓ − ℓ_old`; sequence level (GSPO) `Σ_t m(ℓ − ℓ_old) / max(Σ_t m, 1)`, one per sequence.
 *   On-policy (no `oldLogProbs`) ℓ_old = stop_gradient(ℓ): the ratio is 1 but its gradient is not 0.
 * - r = exp(log-ratio); clipped types: `−min(min(r, δ)·A, clip(r, 1−ε, 1+ε_high)·A)` (min(r, δ) only with `delta`);
 *   cispo: `−stop_gradient(min(r, ε_high))·A·ℓ`; sapo: `−σ(τ(r−1))·4/τ·A` with τ = τ_pos if A > 0 else τ_neg.
 * - × entropy mask (ρ < 1), then `+ β·(exp(ℓ_ref − ℓ) − (ℓ_ref − ℓ) − 1)` (× r with `useBiasCorrectionKl`).
 * - normalisation: grpo, sapo: mean over sequences of the per-sequence token mean, / GA; bnpo: token mean of the
 *   micro-batch, / GA; dr_grpo: sum / (B·maxCompletionLength), / GA; dapo, cispo: sum / `numItemsInBatch` (the active
 *   tokens of the whole generation batch, so the micro-batches of one step sum to the global token mean);
 *   luspo: mean of (per-token loss × sequence length), / GA.
 *
 * Nothing is read back from the device (see {@link grpoLoss}).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CLIPPED_LOSS_TYPES, type GRPOConfig, type LossType } from '../config/grpo-config';
import { highEntropyMaskTensor } from './high-entropy-mask-tensor';
import { GrpoInputError } from './input-error';
import { stopGradient } from './stop-gradient';

/** The config fields the policy loss reads (a resolved {@link GRPOConfig} has them all). */
export type GrpoLossConfig = Pick<
  GRPOConfig,
  | 'lossType'
  | 'beta'
  | 'epsilon'
  | 'epsilonHigh'
  | 'delta'
  | 'importanceSamplingLevel'
  | 'sapoTemperaturePos'
  | 'sapoTemperatureNeg'
  | 'maxCompletionLength'
  | 'topEntropyQuantile'
  | 'maskTruncatedCompletions'
  | 'useBiasCorrectionKl'
>;

/** A [B, T] input: a tensor or row-major numbers. */
export type Matrix = tf.Tensor2D | ArrayLike<number>;

/** The inputs of {@link grpoLoss} for one micro-batch of B completions padded to T tokens. */
export interface GrpoLossInputs {
  /** ℓ: log-probs of the sampled tokens under the current policy, [B, T]; the tensor gradients flow into. */
  logProbs: tf.Tensor2D;
  /** ℓ_old: log-probs under the policy that sampled them (μ > 1, off-policy); absent/null = on-policy (detached ℓ). */
  oldLogProbs?: tf.Tensor2D | null;
  /** ℓ_ref: log-probs under the reference model, [B, T]; required when beta > 0. */
  refLogProbs?: tf.Tensor2D | null;
  /** A: one advantage per completion, [B] (e.g. from `computeAdvantages`). */
  advantages: tf.Tensor1D | ArrayLike<number>;
  /** Completion mask, [B, T]: 1 for generated tokens (up to and including EOS), 0 for padding. */
  mask: Matrix;
  /** Per-token entropies (no gradient), [B, T]: for the `entropy` metric and required when topEntropyQuantile < 1. */
  entropies?: Matrix | null;
  /** Per completion: true when it hit maxCompletionLength without EOS; required when maskTruncatedCompletions. */
  truncated?: readonly boolean[] | null;
  /**
   * dapo / cispo normaliser: active (mask = 1, after truncation masking) tokens in the whole generation batch this
   * micro-batch belongs to. Default: this micro-batch's active tokens (right when the step is one micro-batch).
   */
  numItemsInBatch?: number;
  /** Micro-batches per optimizer step (TRL divides grpo, sapo, bnpo, dr_grpo, luspo by it). Default 1. */
  gradientAccumulationSteps?: number;
}

/** The batch metrics TRL logs from the loss (scalars; absent where TRL logs nothing). */
export type GrpoLossMetrics = {
  /** `kl`: mean k3 KL over active tokens (beta > 0 only). */
  kl?: tf.Scalar;
  /** `entropy`: mean entropy over active tokens (when entropies are given). */
  entropy?: tf.Scalar;
  /** `clip_ratio/low_mean`: fraction of active tokens (sequences at sequence level) with r < 1 − ε and A < 0. */
  clipRatioLow?: tf.Scalar;
  /** `clip_ratio/high_mean`: fraction with r > 1 + ε_high and A > 0. */
  clipRatioHigh?: tf.Scalar;
  /** `clip_ratio/region_mean`: fraction clipped either way. */
  clipRatioRegion?: tf.Scalar;
  /** `cispo_clip_ratio`: fraction with r > ε_high and A > 0 (cispo). */
  cispoClipRatio?: tf.Scalar;
};

/** TRL's metric name for each field of {@link GrpoLossMetrics}. */
export const GRPO_METRIC_NAMES: Readonly<Record<keyof GrpoLossMetrics, string>> = Object.freeze({
  kl: 'kl',
  entropy: 'entropy',
  clipRatioLow: 'clip_ratio/low_mean',
  clipRatioHigh: 'clip_ratio/high_mean',
  clipRatioRegion: 'clip_ratio/region_mean',
  cispoClipRatio: 'cispo_clip_ratio',
});

/** What {@link grpoLoss} returns. */
export interface GrpoLossResult {
  /** The scalar to minimise (differentiable with respect to `logProbs`). */
  loss: tf.Scalar;
  /** The per-token loss (policy term × entropy mask + β·KL), broadcast to [B, T] and zero where the mask is 0. */
  perTokenLoss: tf.Tensor2D;
  /** TRL's logged metrics for this micro-batch. */
  metrics: GrpoLossMetrics;
  /** The mask actually used (after truncation masking), [B, T]. */
  mask: tf.Tensor2D;
}

/**
 * The GRPO / DAPO / Dr. GRPO / BNPO / CISPO / SAPO / LUSPO policy loss of one micro-batch (formulas in the module
 * documentation). Call it inside `tf.grad`/`tf.variableGrads`; the caller owns (disposes) every returned tensor.
 * Synchronous, and it never reads a tensor back to the host (the token counts, the truncation masking and the
 * entropy quantile are computed on the device), so it runs on every backend including webgpu in Node, where
 * `dataSync` is impossible, and in browsers, where it would stall the GPU. Host arrays are only validated and
 * uploaded.
 *
 * @throws {@link GrpoInputError} naming the input for a shape mismatch, a missing `refLogProbs` (beta > 0),
 * `entropies` (topEntropyQuantile < 1) or `truncated` (maskTruncatedCompletions), or a bad normaliser
 */
export function grpoLoss(inputs: GrpoLossInputs, config: GrpoLossConfig): GrpoLossResult {
  const { logProbs } = inputs;
  if (!(logProbs instanceof tf.Tensor) || logProbs.rank !== 2) throw new GrpoInputError('logProbs', 'must be a [B, T] tensor');
  const [b, t] = logProbs.shape as [number, number];
  const lossType: LossType = config.lossType;
  checkTensor('oldLogProbs', inputs.oldLogProbs, b, t);
  checkTensor('refLogProbs', inputs.refLogProbs, b, t);
  if (config.beta !== 0 && !inputs.refLogProbs) throw new GrpoInputError('refLogProbs', `is required when beta > 0 (beta = ${config.beta})`);
  if (config.topEntropyQuantile < 1 && !inputs.entropies) throw new GrpoInputError('entropies', `are required when topEntropyQuantile < 1 (${config.topEntropyQuantile})`);
  if (config.maskTruncatedCompletions && !inputs.truncated) throw new GrpoInputError('truncated', 'is required when maskTruncatedCompletions is true');
  if (inputs.truncated && inputs.truncated.length !== b) throw new GrpoInputError('truncated', `must have one entry per completion (${b}), got ${inputs.truncated.length}`);
  const ga = inputs.gradientAccumulationSteps ?? 1;
  if (!Number.isInteger(ga) || ga < 1) throw new GrpoInputError('gradientAccumulationSteps', `must be an integer >= 1, got ${ga}`);
  if (lossType === 'luspo' && config.importanceSamplingLevel !== 'sequence') {
    throw new GrpoInputError('importanceSamplingLevel', "must be 'sequence' for lossType 'luspo'");
  }

  checkMatrix('mask', inputs.mask, b, t);
  if (inputs.entropies) checkMatrix('entropies', inputs.entropies, b, t);
  if (inputs.numItemsInBatch !== undefined && !(typeof inputs.numItemsInBatch === 'number' && inputs.numItemsInBatch > 0 && Number.isFinite(inputs.numItemsInBatch))) {
    throw new GrpoInputError('numItemsInBatch', `must be a positive number of tokens, got ${String(inputs.numItemsInBatch)}`);
  }

  // Everything below stays on the device (no read back): it runs inside tf.grad on webgpu too.
  return tf.tidy((): tf.TensorContainer => {
    // Completion mask, with truncated completions removed (TRL zeroes completion_mask before everything else).
    let mask = toTensor2d(inputs.mask, b, t);
    if (config.maskTruncatedCompletions) {
      const keepRows = Float32Array.from(inputs.truncated!, (x) => (x ? 0 : 1));
      mask = tf.mul(mask, tf.tensor2d(keepRows, [b, 1]));
    }
    const active = tf.sum(mask);
    const count = tf.maximum(active, 1);
    const numItems: number | tf.Tensor = inputs.numItemsInBatch ?? count;
    const advantages = tf.reshape(toAdvantages(inputs.advantages, b), [b, 1]);
    const entropies = inputs.entropies ? toTensor2d(inputs.entropies, b, t) : null;
    const entropyMask = config.topEntropyQuantile < 1 ? highEntropyMaskTensor(entropies!, mask, 1 - config.topEntropyQuantile) : null;

    const old = inputs.oldLogProbs ?? stopGradient(logProbs);
    const logRatio = tf.sub(logProbs, old);
    const logWeights =
      config.importanceSamplingLevel === 'token'
        ? logRatio
        : tf.div(tf.sum(tf.mul(logRatio, mask), 1, true), tf.maximum(tf.sum(mask, 1, true), 1));
    let coef1: tf.Tensor = tf.exp(logWeights);

    let kl: tf.Tensor | null = null;
    if (config.beta !== 0) {
      const d = tf.sub(inputs.refLogProbs!, logProbs);
      kl = tf.sub(tf.sub(tf.exp(d), d), 1);
      if (config.useBiasCorrectionKl) kl = tf.mul(kl, coef1);
    }

    const epsLow = config.epsilon;
    const epsHigh = config.epsilonHigh;
    let perToken: tf.Tensor;
    if (lossType === 'cispo') {
      const clamped = stopGradient(tf.minimum(coef1, epsHigh));
      perToken = tf.neg(tf.mul(tf.mul(clamped, advantages), logProbs));
    } else if (CLIPPED_LOSS_TYPES.includes(lossType)) {
      const coef2 = tf.clipByValue(coef1, 1 - epsLow, 1 + epsHigh);
      if (config.delta !== null) coef1 = tf.minimum(coef1, config.delta);
      perToken = tf.neg(tf.minimum(tf.mul(coef1, advantages), tf.mul(coef2, advantages)));
    } else if (lossType === 'sapo') {
      const temps = tf.where(tf.greater(advantages, 0), tf.fill([b, 1], config.sapoTemperaturePos), tf.fill([b, 1], config.sapoTemperatureNeg));
      const soft = tf.div(tf.mul(tf.sigmoid(tf.mul(temps, tf.sub(coef1, 1))), 4), temps);
      perToken = tf.neg(tf.mul(soft, advantages));
    } else {
      throw new GrpoInputError('lossType', `unknown loss type '${String(lossType)}'`);
    }
    if (entropyMask) perToken = tf.mul(perToken, entropyMask);
    if (kl) perToken = tf.add(perToken, tf.mul(kl, config.beta));

    const masked = tf.mul(perToken, mask);
    let loss: tf.Tensor;
    switch (lossType) {
      case 'grpo':
      case 'sapo':
        loss = tf.div(tf.mean(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(mask, 1), 1))), ga);
        break;
      case 'bnpo':
        loss = tf.div(tf.div(tf.sum(masked), count), ga);
        break;
      case 'dr_grpo':
        loss = tf.div(tf.div(tf.sum(masked), b * config.maxCompletionLength), ga);
        break;
      case 'dapo':
      case 'cispo':
        loss = tf.div(tf.sum(masked), numItems);
        break;
      case 'luspo':
        loss = tf.div(tf.mean(tf.mul(perToken, tf.sum(mask, 1, true))), ga);
        break;
    }

    const batchMean = (x: tf.Tensor): tf.Scalar =>
      (x.shape[1] === 1 ? tf.mean(x) : tf.div(tf.sum(tf.mul(x, mask)), count)) as tf.Scalar;
    const metrics: GrpoLossMetrics = {};
    if (kl) metrics.kl = batchMean(stopGradient(kl));
    if (entropies) metrics.entropy = batchMean(entropies);
    const c1 = stopGradient(coef1);
    if (CLIPPED_LOSS_TYPES.includes(lossType)) {
      const low = tf.logicalAnd(tf.less(c1, 1 - epsLow), tf.less(advantages, 0));
      const high = tf.logicalAnd(tf.greater(c1, 1 + epsHigh), tf.greater(advantages, 0));
      metrics.clipRatioLow = batchMean(tf.cast(low, 'float32'));
      metrics.clipRatioHigh = batchMean(tf.cast(high, 'float32'));
      metrics.clipRatioRegion = batchMean(tf.cast(tf.logicalOr(low, high), 'float32'));
    } else if (lossType === 'cispo') {
      metrics.cispoClipRatio = batchMean(tf.cast(tf.logicalAnd(tf.greater(c1, epsHigh), tf.greater(advantages, 0)), 'float32'));
    }
    const perTokenLoss = tf.mul(tf.broadcastTo(perToken, [b, t]), mask) as tf.Tensor2D;
    const result: GrpoLossResult = { loss: tf.reshape(loss!, []) as tf.Scalar, perTokenLoss, metrics, mask };
    return result as unknown as tf.TensorContainer;
  }) as unknown as GrpoLossResult;
}

/**
 * The weight of a micro-batch for `@quarkmed/model`'s Trainer (which minimises Σ wᵢ·lossᵢ / Σ wᵢ over a step's
 * micro-batches) so that its weighted accumulation reproduces TRL's: for dapo and cispo the micro-batch's active
 * tokens (with {@link grpoLoss} called with the default `numItemsInBatch` and `gradientAccumulationSteps: 1`, the
 * weighted mean is the global token mean); for the other loss types 1 (the plain mean of the micro-batch losses is
 * TRL's sum of loss / GA).
 */
export function grpoMicroBatchWeight(lossType: LossType, activeTokens: number): number {
  return lossType === 'dapo' || lossType === 'cispo' ? activeTokens : 1;
}

function checkTensor(name: string, x: tf.Tensor2D | null | undefined, b: number, t: number): void {
  if (x === undefined || x === null) return;
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[0] !== b || x.shape[1] !== t) {
    throw new GrpoInputError(name, `must be a [${b}, ${t}] tensor like logProbs, got ${x instanceof tf.Tensor ? `[${x.shape.join(', ')}]` : typeof x}`);
  }
}

/** Checks a [B, T] input (a tensor of that shape or B·T row-major numbers) without reading a tensor's values. */
function checkMatrix(name: string, x: Matrix, b: number, t: number): void {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2 || x.shape[0] !== b || x.shape[1] !== t) throw new GrpoInputError(name, `must have shape [${b}, ${t}], got [${x.shape.join(', ')}]`);
    return;
  }
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<number>).length !== 'number' || x.length !== b * t) {
    throw new GrpoInputError(name, `must be a [${b}, ${t}] tensor or ${b * t} row-major numbers`);
  }
}

/** A checked [B, T] input as a float32 tensor (inside the caller's tidy). */
function toTensor2d(x: Matrix, b: number, t: number): tf.Tensor2D {
  return x instanceof tf.Tensor ? (tf.cast(x, 'float32') as tf.Tensor2D) : tf.tensor2d(Float32Array.from(x), [b, t]);
}

function toAdvantages(x: tf.Tensor1D | ArrayLike<number>, b: number): tf.Tensor {
  if (x instanceof tf.Tensor) {
    if (x.size !== b) throw new GrpoInputError('advantages', `must have one value per completion (${b}), got shape [${x.shape.join(', ')}]`);
    return tf.cast(x, 'float32');
  }
  if (!x || typeof x.length !== 'number' || x.length !== b) throw new GrpoInputError('advantages', `must have one value per completion (${b})`);
  const data = Float32Array.from(x);
  for (let i = 0; i < b; i++) if (!Number.isFinite(data[i]!)) throw new GrpoInputError(`advantages.${i}`, `must be finite, got ${data[i]}`);
  return tf.tensor1d(data);
}
