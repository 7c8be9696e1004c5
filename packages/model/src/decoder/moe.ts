/**
 * Mixtral-style mixture-of-experts feed-forward: top-k routing with renormalised weights, sparse dispatch,
 * and the load-balancing and router z auxiliary losses.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Linear, LinearContext } from './linear';
import { swigluMlp, type MlpProjections } from './mlp';

/** One MoE layer: the router (`[hidden, E]`) and E SwiGLU experts. */
export interface MoeModules {
  router: Linear;
  experts: MlpProjections[];
  topK: number;
}

/** What {@link moeForward} returns. */
export interface MoeOutput {
  /** `[N, hidden]`. */
  output: tf.Tensor2D;
  /** Switch/Mixtral load-balancing loss `E · Σ_e f_e · P_e` (1 when perfectly balanced). */
  auxLoss: tf.Scalar;
  /** Router z-loss `mean_n logsumexp(router_logits[n])²`. */
  zLoss: tf.Scalar;
  /** Tokens routed to each expert (top-k counted: sums to tokens · topK). */
  counts: number[];
}

/**
 * The top-k experts of each row of `probs` `[N, E]` (ties go to the lower index), as a 0/1 selection
 * `[N * E]` and per-expert lists of token rows.
 */
export function topKSelection(probs: Float32Array | Int32Array | Uint8Array, n: number, e: number, k: number): { selected: Float32Array; rows: number[][] } {
  const selected = new Float32Array(n * e);
  const rows: number[][] = Array.from({ length: e }, () => []);
  const order = new Array<number>(e);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < e; j++) order[j] = j;
    const base = i * e;
    order.sort((x, y) => probs[base + y]! - probs[base + x]! || x - y);
    for (let j = 0; j < k; j++) {
      const ex = order[j]!;
      selected[base + ex] = 1;
      rows[ex]!.push(i);
    }
  }
  return { selected, rows };
}

/**
 * MoE feed-forward on `x` `[N, hidden]` (already normalised).
 *
 * - Router: `logits = x · W_router` `[N, E]`, `p = softmax(logits)`; each token picks its top-k experts and
 *   their probabilities are renormalised to sum to 1 (Mixtral), giving a routing weight matrix `[N, E]`
 *   that is zero outside the top-k.
 * - Dispatch is sparse: each expert gathers only the rows routed to it (`tf.gather`), runs its SwiGLU MLP,
 *   scales by the routing weight, and the results are summed back per token (`tf.unsortedSegmentSum`), so
 *   the cost is `topK / E` of running every expert on every token. An expert that no token chose runs on
 *   one row with weight 0, so its weights still get a (zero) gradient from `tf.variableGrads`. The top-k choice is read back to the
 *   CPU (a synchronous read of the router probabilities).
 * - Gradients reach the router through the renormalised weights and the auxiliary losses; the top-k
 *   choice itself is piecewise constant.
 * - `tokenMask` (1 real / 0 padding, length N) leaves padding out of the counts and the auxiliary losses
 *   (padding rows are still computed, and their outputs are ignored downstream).
 *
 * Auxiliary losses: with `f_e = count_e / (N_real · topK)` (fraction of routed slots) and
 * `P_e = mean_n p[n, e]`, `auxLoss = E · Σ_e f_e P_e` (Switch Transformer normalisation: 1 at perfect
 * balance; Hugging Face's Mixtral form equals `topK ·` this); `zLoss = mean_n logsumexp(logits[n])²`.
 */
export function moeForward(x: tf.Tensor2D, m: MoeModules, ctx: LinearContext, tokenMask?: Uint8Array): MoeOutput {
  const [n] = x.shape;
  const numExperts = m.experts.length;
  const k = m.topK;
  const logits = m.router.apply(x, ctx);
  const probs = tf.softmax(logits);
  const { selected, rows } = topKSelection(probs.dataSync() as Float32Array, n, numExperts, k);

  const sel = tf.tensor2d(selected, [n, numExperts]);
  const top = tf.mul(probs, sel);
  const weights = tf.div(top, tf.sum(top, 1, true));

  const parts: tf.Tensor2D[] = [];
  const segs: number[] = [];
  for (let e = 0; e < numExperts; e++) {
    // An expert no token chose still runs on one row with weight 0, so that every variable (and adapter)
    // stays connected to the loss: its gradient is zeros rather than missing from tf.variableGrads.
    const r = rows[e]!.length > 0 ? rows[e]! : [0];
    const idx = tf.tensor1d(r, 'int32');
    const xe = tf.gather(x, idx) as tf.Tensor2D;
    const we = rows[e]!.length > 0 ? tf.gather(tf.slice(weights, [0, e], [n, 1]), idx) : tf.zeros([1, 1]);
    parts.push(tf.mul(swigluMlp(xe, m.experts[e]!, ctx), we));
    for (const i of r) segs.push(i);
  }
  const output = tf.unsortedSegmentSum(parts.length === 1 ? parts[0]! : tf.concat(parts, 0), tf.tensor1d(segs, 'int32'), n) as tf.Tensor2D;

  // statistics over the real tokens
  const counts = new Array<number>(numExperts).fill(0);
  let nReal = 0;
  for (let i = 0; i < n; i++) {
    if (tokenMask !== undefined && tokenMask[i] === 0) continue;
    nReal++;
    for (let e = 0; e < numExperts; e++) counts[e]! += selected[i * numExperts + e]!;
  }
  let auxLoss: tf.Scalar;
  let zLoss: tf.Scalar;
  if (nReal === 0) {
    auxLoss = tf.scalar(0);
    zLoss = tf.scalar(0);
  } else {
    const w = tokenMask === undefined ? undefined : tf.tensor2d(Float32Array.from(tokenMask), [n, 1]);
    const meanP = tf.div(tf.sum(w === undefined ? probs : tf.mul(probs, w), 0), nReal); // [E]
    const f = tf.tensor1d(counts.map((c) => c / (nReal * k)));
    auxLoss = tf.mul(tf.sum(tf.mul(f, meanP)), numExperts) as tf.Scalar;
    const lse = tf.logSumExp(logits, 1, true); // [N, 1]
    const z2 = tf.square(lse);
    zLoss = tf.div(tf.sum(w === undefined ? z2 : tf.mul(z2, w)), nReal) as tf.Scalar;
  }
  return { output, auxLoss, zLoss, counts };
}
