/**
 * The Bradley–Terry pairwise loss for multi-head reward models, and pair accuracy.
 *
 * Under Bradley–Terry, `P(chosen ≻ rejected) = σ(r_chosen − r_rejected)`; the loss of one pair on one head is
 * `−log σ(r_c − r_r) = softplus(−(r_c − r_r))`. Heads a pair does not label are masked out; the loss is the mean
 * over the labelled (pair, head) cells.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import * as tf from '@tensorflow/tfjs-core';

/** Thrown for tensors of mismatched shapes (names the argument and both shapes). */
export class BradleyTerryShapeError extends VerifierError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
    this.name = 'BradleyTerryShapeError';
  }
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function check(rChosen: tf.Tensor, rRejected: tf.Tensor, mask: tf.Tensor): void {
  if (rChosen.rank !== 2) throw new BradleyTerryShapeError('rChosen', `must be [N, H], got ${fmt(rChosen.shape)}`);
  if (!tf.util.arraysEqual(rChosen.shape, rRejected.shape)) {
    throw new BradleyTerryShapeError('rRejected', `has shape ${fmt(rRejected.shape)}, expected the shape of rChosen ${fmt(rChosen.shape)}`);
  }
  if (!tf.util.arraysEqual(rChosen.shape, mask.shape)) {
    throw new BradleyTerryShapeError('mask', `has shape ${fmt(mask.shape)}, expected the shape of rChosen ${fmt(rChosen.shape)}`);
  }
}

/**
 * Masked mean Bradley–Terry loss: `Σ mask · softplus(−(rChosen − rRejected)) / max(Σ mask, 1)`.
 * Differentiable with respect to both reward tensors.
 *
 * @param rChosen - `[N, H]` rewards of the chosen responses
 * @param rRejected - `[N, H]` rewards of the rejected responses
 * @param mask - `[N, H]`, 1 where the pair labels that head, 0 elsewhere
 * @returns a scalar (0 when nothing is labelled)
 * @throws BradleyTerryShapeError when the shapes differ or are not rank 2
 */
export function bradleyTerryLoss(rChosen: tf.Tensor2D, rRejected: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  check(rChosen, rRejected, mask);
  return tf.tidy(() => {
    const m = tf.cast(mask, 'float32');
    const per = tf.softplus(tf.neg(tf.sub(rChosen, rRejected)));
    const total = tf.sum(tf.mul(per, m));
    return tf.div(total, tf.maximum(tf.sum(m), tf.scalar(1))) as tf.Scalar;
  });
}

/** Pair accuracy of one head: the fraction of labelled pairs where the chosen response scores higher. */
export interface HeadAccuracy {
  /** Correctly ordered labelled pairs / labelled pairs (NaN when none). */
  accuracy: number;
  /** Labelled pairs. */
  n: number;
}

/**
 * Per-head pair accuracy from plain arrays: a pair counts as correct when `rChosen > rRejected` strictly
 * (ties count as wrong, so a constant model scores 0, not 0.5).
 *
 * @param rChosen - `[N][H]`
 * @param rRejected - `[N][H]`
 * @param mask - `[N][H]`, truthy where labelled
 * @throws BradleyTerryShapeError when the row counts or widths differ
 */
export function pairAccuracy(rChosen: readonly (readonly number[])[], rRejected: readonly (readonly number[])[], mask: readonly (readonly number[])[]): HeadAccuracy[] {
  if (rChosen.length !== rRejected.length || rChosen.length !== mask.length) {
    throw new BradleyTerryShapeError('rRejected', `row counts differ: rChosen ${rChosen.length}, rRejected ${rRejected.length}, mask ${mask.length}`);
  }
  const h = rChosen[0]?.length ?? 0;
  const correct = new Array<number>(h).fill(0);
  const count = new Array<number>(h).fill(0);
  rChosen.forEach((row, i) => {
    const rr = rRejected[i]!;
    const mm = mask[i]!;
    if (row.length !== h || rr.length !== h || mm.length !== h) {
      throw new BradleyTerryShapeError(`rows[${i}]`, `widths differ: rChosen ${row.length}, rRejected ${rr.length}, mask ${mm.length}, expected ${h}`);
    }
    for (let j = 0; j < h; j++) {
      if (!mm[j]) continue;
      count[j]!++;
      if (row[j]! > rr[j]!) correct[j]!++;
    }
  });
  return count.map((n, j) => ({ n, accuracy: n === 0 ? Number.NaN : correct[j]! / n }));
}
