/**
 * Mixtral-style mixture-of-experts feed-forward: top-k routing with renormalised weights, sparse dispatch
 * ({@link moeForward}, for backends with cheap synchronous reads) or dense dispatch computed wholly on the device
 * ({@link moeForwardDense}, for webgpu), and the load-balancing and router z auxiliary losses.
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

/** What {@link moeForwardDense} returns: {@link MoeOutput} without the counts (they would need a read back). */
export type MoeDenseOutput = Omit<MoeOutput, 'counts'>;

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


/**
 * The top-k selection of {@link topKSelection} computed on the device: a 0/1 float32 `[N, E]` mask of the `k`
 * largest entries of each row of `probs`, ties to the lower index, with no read back. Expert `e` is selected when
 * fewer than `k` experts beat it, where `j` beats `e` if `p[j] > p[e]`, or `p[j] = p[e]` and `j < e`: the order
 * `topKSelection`'s sort uses, so both give the same set (O(N·E²) comparisons; E is small). The mask is piecewise
 * constant in `probs`: its gradient is zero (as the CPU path's, whose selection is a constant read back).
 */
export function deviceTopKSelection(probs: tf.Tensor2D, k: number): tf.Tensor2D {
  const [, e] = probs.shape;
  // lower[j, i] = 1 where j < i: of two equal probabilities the lower index wins
  const lower = new Float32Array(e * e);
  for (let j = 0; j < e; j++) for (let i = j + 1; i < e; i++) lower[j * e + i] = 1;
  const select = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.tidy(() => {
      const p = args[0] as tf.Tensor;
      const pj = tf.expandDims(p, 2); // [N, E(j), 1]
      const pe = tf.expandDims(p, 1); // [N, 1, E(i)]
      const greater = tf.cast(tf.greater(pj, pe), 'float32');
      const tiedLower = tf.mul(tf.cast(tf.equal(pj, pe), 'float32'), tf.tensor2d(lower, [e, e]));
      const beaten = tf.sum(tf.add(greater, tiedLower), 1); // [N, E]: how many experts beat each one
      return tf.cast(tf.less(beaten, k), 'float32');
    }),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return select(probs) as tf.Tensor2D;
}

/**
 * MoE feed-forward on `x` `[N, hidden]` (already normalised) with **dense dispatch** and nothing read back: the
 * path for backends where a synchronous read is not cheap (webgpu: in Node it is impossible, in a browser it
 * stalls the GPU at every layer).
 *
 * - Routing as {@link moeForward}: `p = softmax(x · W_router)`, the top-k per token chosen on the device by
 *   {@link deviceTopKSelection} (the same experts, ties to the lower index), weights renormalised over the top-k.
 * - Dispatch is dense: every expert runs on every token and its output is scaled by its routing-weight column,
 *   which is exactly zero outside the top-k, so the output and the gradients (to the experts, the router and
 *   `x`) equal the sparse gather path's; an expert no token chose gets a zero gradient. The cost is `E / topK`
 *   times the sparse path's expert compute (every expert on every token).
 * - `tokenMask` (float32 `[N]`, 1 real / 0 padding, on the device) leaves padding out of the auxiliary losses;
 *   the number of real tokens is summed on the device and divided by as `max(nReal, 1)`, so with no real token
 *   both losses are 0, as on the CPU path.
 * - The per-expert counts are not returned: producing `number[]` needs a read back.
 *
 * Auxiliary losses as {@link moeForward}: `f_e = count_e / (nReal · topK)` from the selection mask and the token
 * mask, `auxLoss = E · Σ_e f_e P_e` (f_e carries no gradient), `zLoss = mean over real tokens of lse²`.
 */
export function moeForwardDense(x: tf.Tensor2D, m: MoeModules, ctx: LinearContext, tokenMask?: tf.Tensor1D): MoeDenseOutput {
  const [n] = x.shape;
  const numExperts = m.experts.length;
  const k = m.topK;
  return tf.tidy(() => {
    const logits = m.router.apply(x, ctx);
    const probs = tf.softmax(logits) as tf.Tensor2D;
    const sel = deviceTopKSelection(probs, k);
    const top = tf.mul(probs, sel);
    const weights = tf.div(top, tf.sum(top, 1, true)) as tf.Tensor2D;
    const parts: tf.Tensor2D[] = [];
    for (let e = 0; e < numExperts; e++) {
      parts.push(tf.mul(swigluMlp(x, m.experts[e]!, ctx), tf.slice(weights, [0, e], [n, 1])));
    }
    const output = (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Tensor2D;

    // statistics over the real tokens, on the device
    const w = tokenMask === undefined ? undefined : (tf.reshape(tokenMask, [n, 1]) as tf.Tensor2D);
    const nReal: tf.Tensor | number = w === undefined ? Math.max(n, 1) : tf.maximum(tf.sum(w), 1);
    const counts = tf.sum(w === undefined ? sel : tf.mul(sel, w), 0); // [E]
    const f = tf.div(counts, tf.mul(nReal, k));
    const meanP = tf.div(tf.sum(w === undefined ? probs : tf.mul(probs, w), 0), nReal); // [E]
    const auxLoss = tf.mul(tf.sum(tf.mul(f, meanP)), numExperts) as tf.Scalar;
    const z2 = tf.square(tf.logSumExp(logits, 1, true)); // [N, 1]
    const zLoss = tf.div(tf.sum(w === undefined ? z2 : tf.mul(z2, w)), nReal) as tf.Scalar;
    return { output, auxLoss, zLoss };
  });
}
