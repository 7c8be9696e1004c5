/**
 * The default objective of the {@link Trainer}: causal language modelling. Examples are token ids with aligned
 * labels ({@link IGNORE_INDEX} marks positions without loss); the collator right-pads them into a batch, the
 * batch weight is the number of positions that count in the shifted loss, and the loss is the model's `loss()`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_INDEX, countLossTokens } from '../labels';
import type { LossContext, LossResult } from './loss-hook';
import { TrainerError } from './trainer-error';

/** One training example: token ids and aligned labels (default: the ids); the model shifts internally. */
export interface TrainExample {
  inputIds: ArrayLike<number>;
  /** Same length as `inputIds`; {@link IGNORE_INDEX} (-100) marks positions without loss. Default: `inputIds`. */
  labels?: ArrayLike<number>;
}

/** A ready LM micro-batch: `[B, T]` ids and aligned labels, as int32 tensors or nested arrays. */
export interface TrainBatch {
  inputIds: tf.Tensor2D | ArrayLike<number>[];
  labels: tf.Tensor2D | ArrayLike<number>[];
}

/** What the LM objective needs of a model (`LlamaModel` fits): its weights (trained by default) and `loss()`. */
export interface TrainableModel {
  readonly weights: Map<string, tf.Variable>;
  loss(
    inputIds: tf.Tensor2D,
    labels: tf.Tensor2D,
    options?: { training?: boolean },
  ): { loss: tf.Scalar; lmLoss: tf.Scalar; auxLoss?: tf.Scalar; zLoss?: tf.Scalar };
}

/**
 * Builds a `[B, T]` micro-batch from examples, right-padding to the longest with `padId` (label -100).
 *
 * @throws {@link TrainerError} for an example without ids or with labels of another length
 */
export function collate(examples: readonly TrainExample[], padId = 0): { inputIds: Int32Array; labels: Int32Array; shape: [number, number] } {
  const b = examples.length;
  let t = 0;
  examples.forEach((e, i) => {
    if (!e || e.inputIds === undefined || typeof e.inputIds.length !== 'number' || e.inputIds.length === 0) {
      throw new TrainerError(`data[${i}].inputIds`, 'must be a non-empty array of token ids');
    }
    if (e.labels !== undefined && e.labels.length !== e.inputIds.length) {
      throw new TrainerError(`data[${i}].labels`, `has length ${e.labels.length}, inputIds has ${e.inputIds.length}`);
    }
    t = Math.max(t, e.inputIds.length);
  });
  const ids = new Int32Array(b * t).fill(padId);
  const labels = new Int32Array(b * t).fill(IGNORE_INDEX);
  examples.forEach((e, i) => {
    const lab = e.labels ?? e.inputIds;
    for (let j = 0; j < e.inputIds.length; j++) {
      ids[i * t + j] = e.inputIds[j]!;
      labels[i * t + j] = lab[j]!;
    }
  });
  return { inputIds: ids, labels, shape: [b, t] };
}

/** The LM data collator: `collate` into int32 tensors (the Trainer disposes them after use). */
export function lmCollator(padId = 0): (examples: readonly TrainExample[]) => TrainBatch {
  return (examples) => {
    const { inputIds, labels, shape } = collate(examples, padId);
    return { inputIds: tf.tensor2d(inputIds, shape, 'int32'), labels: tf.tensor2d(labels, shape, 'int32') };
  };
}

function rowsToInt32(field: string, x: ArrayLike<number>[]): { data: Int32Array; shape: [number, number] } {
  if (!Array.isArray(x) || x.length === 0) throw new TrainerError(field, 'must be a non-empty [B, T] array or int32 tensor');
  const t = x[0]!.length;
  const flat = new Int32Array(x.length * t);
  x.forEach((row, i) => {
    if (!row || row.length !== t) throw new TrainerError(field, `row ${i} has length ${row?.length}, row 0 has ${t}`);
    for (let j = 0; j < t; j++) flat[i * t + j] = row[j]!;
  });
  return { data: flat, shape: [x.length, t] };
}

function checkTensor(field: string, x: tf.Tensor): void {
  if (x.rank !== 2 || x.dtype !== 'int32') throw new TrainerError(field, `must be an int32 [B, T] tensor, got ${x.dtype} [${x.shape.join(', ')}]`);
}

function shapeOf(field: string, x: tf.Tensor2D | ArrayLike<number>[]): [number, number] {
  if (x instanceof tf.Tensor) {
    checkTensor(field, x);
    return [x.shape[0], x.shape[1]];
  }
  return rowsToInt32(field, x).shape;
}

/** `[B, T]` int32 tensor of a batch field (the tensor itself, or a new one from arrays). */
function toTensor2D(field: string, x: tf.Tensor2D | ArrayLike<number>[]): tf.Tensor2D {
  if (x instanceof tf.Tensor) {
    checkTensor(field, x);
    return x;
  }
  const { data, shape } = rowsToInt32(field, x);
  return tf.tensor2d(data, shape, 'int32');
}

/**
 * The LM batch weight: positions that count in the shifted loss (`labels[:, 1:] != -100`), so micro-batches
 * are accumulated token-weighted (k micro-batches equal one k-times larger batch).
 *
 * @throws {@link TrainerError} naming `batch.inputIds` / `batch.labels` for a malformed batch
 */
export function lmBatchWeight(batch: TrainBatch): number {
  if (!batch || typeof batch !== 'object') throw new TrainerError('batch', 'must be {inputIds, labels}');
  const idShape = shapeOf('batch.inputIds', batch.inputIds);
  const labShape = shapeOf('batch.labels', batch.labels);
  if (idShape[0] !== labShape[0] || idShape[1] !== labShape[1]) {
    throw new TrainerError('batch.labels', `has shape [${labShape.join(', ')}], inputIds [${idShape.join(', ')}]`);
  }
  const labels = batch.labels instanceof tf.Tensor ? (batch.labels.dataSync() as Int32Array) : rowsToInt32('batch.labels', batch.labels).data;
  return countLossTokens(labels, labShape);
}

/**
 * The default loss hook: the model's causal-LM `loss()` (shifted labels, -100 ignored). Training returns the
 * full loss (for MoE including the load-balancing and router z-losses, with `lmLoss`, `auxLoss`, `zLoss` as
 * metrics); evaluation returns the LM loss alone.
 */
export function lmLoss(model: TrainableModel, batch: TrainBatch, context: LossContext): LossResult {
  const ids = toTensor2D('batch.inputIds', batch.inputIds);
  const labels = toTensor2D('batch.labels', batch.labels);
  const out = model.loss(ids, labels, { training: context.training });
  if (!context.training) return { loss: out.lmLoss };
  if (out.auxLoss === undefined || out.zLoss === undefined) return { loss: out.loss };
  return { loss: out.loss, metrics: { lmLoss: out.lmLoss, auxLoss: out.auxLoss, zLoss: out.zLoss } };
}
