/**
 * The loss hook of the {@link Trainer}: what an objective (language modelling, Bradley–Terry preference pairs,
 * a classifier, DPO, GRPO) supplies; everything else (accumulation, clipping, schedule, AdamW, checkpoints,
 * logging) stays in the Trainer. Modelled on TRL's `Trainer.compute_loss` override.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Mulberry32 } from './rng';

/** What the loss hook is told about the call. */
export interface LossContext {
  /** The 1-based optimizer step being computed (in evaluation: the steps completed so far). */
  step: number;
  /** Index of the micro-batch within the step (0-based; in evaluation: the batch index). */
  microStep: number;
  /** True for training (dropout on), false for evaluation. */
  training: boolean;
  /**
   * A generator seeded from the trainer's seed, the step and the micro-batch index: the hook's own random
   * choices are reproducible and survive resume without extra state.
   */
  rng: Mulberry32;
}

/** What the loss hook returns: the scalar to minimise and optional named metrics to log. */
export interface LossResult {
  /** Scalar loss (differentiable with respect to the trained variables). */
  loss: tf.Scalar;
  /**
   * Named scalars to log (e.g. `accuracy`, `rewardMargin`); averaged over the step's micro-batches with the
   * same weights as the loss and reported in `StepLog.metrics`.
   */
  metrics?: Record<string, tf.Scalar | number>;
}

/**
 * The loss hook: computes the loss of one micro-batch. Called inside `tf.variableGrads` during training,
 * so intermediate tensors are freed automatically; return a scalar or a {@link LossResult}.
 */
export type ComputeLoss<Model, Batch> = (model: Model, batch: Batch, context: LossContext) => tf.Scalar | LossResult;
