/**
 * DPO losses on tfjs tensors, as TRL's `DPOTrainer.dpo_loss` for `loss_type` 'sigmoid' and 'ipo', with TRL's
 * logged reward metrics. With h = (ℓ_c − ℓ_ref,c) − (ℓ_r − ℓ_ref,r) (the reference terms are 0 when reference-free):
 *
 * - sigmoid: `−(1 − ε)·log σ(β·h) − ε·log σ(−β·h)` (ε = label smoothing, conservative DPO);
 * - ipo: `(h − 1/(2β))²` — TRL feeds IPO length-averaged sequence log-probs (see `sequenceLogProbs`).
 *
 * The loss is the mean over pairs, plus α·NLL(chosen) with RPO's `rpoAlpha` = α (TRL `rpo_alpha`; the NLL is
 * {@link chosenNll}'s token mean); the implicit rewards are β·(ℓ − ℓ_ref), detached.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPOConfig } from '../config/dpo-config';
import { GrpoInputError } from '../math/input-error';
import { stopGradient } from '../math/stop-gradient';

/** Sequence log-probs of N preference pairs, each [N]. */
export interface DpoLossInputs {
  /** log π_θ(chosen) per pair (differentiable). */
  policyChosenLogps: tf.Tensor1D;
  /** log π_θ(rejected) per pair (differentiable). */
  policyRejectedLogps: tf.Tensor1D;
  /** log π_ref(chosen); required unless referenceFree. */
  refChosenLogps?: tf.Tensor1D | null;
  /** log π_ref(rejected); required unless referenceFree. */
  refRejectedLogps?: tf.Tensor1D | null;
  /** Mean token NLL of the chosen completions ({@link chosenNll}, differentiable); required when `rpoAlpha` is set. */
  chosenNll?: tf.Scalar | null;
}

/** TRL's DPO metrics (means over the pairs). */
export type DpoLossMetrics = {
  /** `rewards/chosen`: mean implicit reward of the chosen completions. */
  rewardsChosen: tf.Scalar;
  /** `rewards/rejected`: mean implicit reward of the rejected completions. */
  rewardsRejected: tf.Scalar;
  /** `rewards/accuracies`: fraction of pairs with chosen reward > rejected reward. */
  rewardAccuracy: tf.Scalar;
  /** `rewards/margins`: mean of chosen − rejected reward. */
  rewardMargin: tf.Scalar;
  /** `nll_loss`: the chosen completions' mean token NLL, logged with `rpoAlpha` only. */
  nllLoss?: tf.Scalar;
};

/** TRL's metric name for each field of {@link DpoLossMetrics}. */
export const DPO_METRIC_NAMES: Readonly<Record<keyof DpoLossMetrics, string>> = Object.freeze({
  rewardsChosen: 'rewards/chosen',
  rewardsRejected: 'rewards/rejected',
  rewardAccuracy: 'rewards/accuracies',
  rewardMargin: 'rewards/margins',
  nllLoss: 'nll_loss',
});

/** What {@link dpoLoss} returns. */
export interface DpoLossResult {
  /** Mean loss over the pairs (+ α·NLL with `rpoAlpha`). */
  loss: tf.Scalar;
  /** DPO loss per pair, [N] (without the RPO term). */
  losses: tf.Tensor1D;
  /** β·(ℓ_c − ℓ_ref,c), detached, [N]. */
  chosenRewards: tf.Tensor1D;
  /** β·(ℓ_r − ℓ_ref,r), detached, [N]. */
  rejectedRewards: tf.Tensor1D;
  /** TRL's logged metrics. */
  metrics: DpoLossMetrics;
}

/**
 * The DPO loss of N preference pairs (formulas in the module documentation); call inside `tf.grad`/`tf.variableGrads`.
 *
 * @throws {@link GrpoInputError} for mismatched shapes, a missing reference when not reference-free, or a missing
 * `chosenNll` when `rpoAlpha` is set
 */
export function dpoLoss(
  inputs: DpoLossInputs,
  config: Pick<DPOConfig, 'beta' | 'lossType' | 'labelSmoothing' | 'referenceFree'> & Partial<Pick<DPOConfig, 'rpoAlpha'>>,
): DpoLossResult {
  const { policyChosenLogps: pc, policyRejectedLogps: pr } = inputs;
  if (!(pc instanceof tf.Tensor) || pc.rank !== 1 || pc.size === 0) throw new GrpoInputError('policyChosenLogps', 'must be a non-empty [N] tensor');
  const n = pc.size;
  const check = (name: string, x: tf.Tensor | null | undefined, required: boolean): void => {
    if (x === undefined || x === null) {
      if (required) throw new GrpoInputError(name, 'is required unless referenceFree');
      return;
    }
    if (!(x instanceof tf.Tensor) || x.rank !== 1 || x.size !== n) throw new GrpoInputError(name, `must be an [${n}] tensor like policyChosenLogps`);
  };
  check('policyRejectedLogps', pr, true);
  check('refChosenLogps', inputs.refChosenLogps, !config.referenceFree);
  check('refRejectedLogps', inputs.refRejectedLogps, !config.referenceFree);
  if (config.lossType === 'ipo' && config.labelSmoothing > 0) throw new GrpoInputError('labelSmoothing', "applies to lossType 'sigmoid' only");
  const alpha = config.rpoAlpha ?? null;
  const nll = inputs.chosenNll;
  if (alpha !== null && !(nll instanceof tf.Tensor && nll.rank === 0)) throw new GrpoInputError('chosenNll', 'must be a scalar tensor when rpoAlpha is set');
  const { beta, labelSmoothing: ls } = config;

  return tf.tidy((): tf.TensorContainer => {
    const chosen = config.referenceFree ? pc : tf.sub(pc, inputs.refChosenLogps!);
    const rejected = config.referenceFree ? pr : tf.sub(pr, inputs.refRejectedLogps!);
    const h = tf.sub(chosen, rejected);
    let losses: tf.Tensor;
    if (config.lossType === 'sigmoid') {
      // −log σ(z) = softplus(−z) (tf.logSigmoid's custom gradient does not survive tf.tidy)
      const bh = tf.mul(h, beta);
      losses = tf.add(tf.mul(tf.softplus(tf.neg(bh)), 1 - ls), tf.mul(tf.softplus(bh), ls));
    } else if (config.lossType === 'ipo') {
      losses = tf.square(tf.sub(h, 1 / (2 * beta)));
    } else {
      throw new GrpoInputError('lossType', `unknown DPO loss type '${String(config.lossType)}'`);
    }
    const chosenRewards = stopGradient(tf.mul(chosen, beta)) as tf.Tensor1D;
    const rejectedRewards = stopGradient(tf.mul(rejected, beta)) as tf.Tensor1D;
    const metrics: DpoLossMetrics = {
      rewardsChosen: tf.mean(chosenRewards) as tf.Scalar,
      rewardsRejected: tf.mean(rejectedRewards) as tf.Scalar,
      rewardAccuracy: tf.mean(tf.cast(tf.greater(chosenRewards, rejectedRewards), 'float32')) as tf.Scalar,
      rewardMargin: tf.mean(tf.sub(chosenRewards, rejectedRewards)) as tf.Scalar,
    };
    let loss = tf.mean(losses) as tf.Scalar;
    if (alpha !== null) {
      loss = tf.add(loss, tf.mul(nll!, alpha)) as tf.Scalar;
      metrics.nllLoss = stopGradient(nll!) as tf.Scalar;
    }
    const result: DpoLossResult = { loss, losses: losses as tf.Tensor1D, chosenRewards, rejectedRewards, metrics };
    return result as unknown as tf.TensorContainer;
  }) as unknown as DpoLossResult;
}
