/**
 * Rotary-embedding frequency schedules of Hugging Face transformers (`modeling_rope_utils`), as pure
 * functions: the default schedule, `linear`, `dynamic` (NTK), `yarn` and `llama3`. Each returns the inverse
 * frequencies (length `headDim / 2`) and the attention scaling that multiplies the cos/sin tables.
 *
 * The arithmetic is done in double precision and rounded to float32 once at the end (transformers computes
 * in float32; the two agree to float32 rounding of the frequencies).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** `linear` scaling (`_compute_linear_scaling_rope_parameters`): every inverse frequency divided by `factor`. */
export interface LinearRopeScaling {
  type: 'linear';
  factor: number;
}

/**
 * `dynamic` NTK scaling (`_compute_dynamic_ntk_parameters`): while the sequence (largest position + 1) is at
 * most `originalMaxPositions` the default frequencies apply; beyond it the base becomes
 * `theta · (factor · seqLen / originalMaxPositions - (factor - 1))^(Dh / (Dh - 2))`, recomputed per forward
 * call from that call's largest position (so each cached decoding step uses the frequencies of its own
 * length, as transformers does with a KV cache).
 */
export interface DynamicRopeScaling {
  type: 'dynamic';
  factor: number;
  /** Hugging Face `max_position_embeddings`: the length beyond which the base grows. */
  originalMaxPositions: number;
}

/** `yarn` scaling (`_compute_yarn_parameters`). Optional fields default as in transformers. */
export interface YarnRopeScaling {
  type: 'yarn';
  factor: number;
  /**
   * Pre-training context. When given, transformers replaces `factor` by `maxPositions / originalMaxPositions`
   * (`maxPositions` being the config's `max_position_embeddings`); when absent it is `maxPositions`.
   */
  originalMaxPositions?: number;
  /** Scaling of cos/sin; default `mscale(factor, mscale) / mscale(factor, mscaleAllDim)` or `0.1 ln(factor) + 1`. */
  attentionFactor?: number;
  /** Default 32. */
  betaFast?: number;
  /** Default 1. */
  betaSlow?: number;
  mscale?: number;
  mscaleAllDim?: number;
  /** Round the correction range to integers (default true). */
  truncate?: boolean;
}

/** `llama3` scaling (`_compute_llama3_parameters`, Llama 3.1+). */
export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

/** A Hugging Face `rope_scaling` / `rope_parameters` schedule other than the default. */
export type RopeScaling = LinearRopeScaling | DynamicRopeScaling | YarnRopeScaling | Llama3RopeScaling;

/** The rope schedule inputs that do not depend on the scaling type. */
export interface RopeBase {
  headDim: number;
  theta: number;
  /** The config's `max_position_embeddings` (the model's `maxSeqLen`); YaRN uses it. */
  maxPositions: number;
}

/** What a schedule gives: `invFreq` (float32, length `headDim / 2`) and the cos/sin `attentionScaling`. */
export interface RopeParameters {
  invFreq: Float32Array;
  attentionScaling: number;
}

/** `1 / theta^(2i / Dh)` in double precision, `i < Dh / 2`. */
function defaultInvFreq(headDim: number, theta: number): Float64Array {
  const out = new Float64Array(headDim / 2);
  for (let i = 0; i < out.length; i++) out[i] = 1 / theta ** ((2 * i) / headDim);
  return out;
}

/** The default (unscaled) schedule, rounded as transformers rounds it (each step in float32). */
function defaultParameters(headDim: number, theta: number): RopeParameters {
  const h = headDim / 2;
  const invFreq = new Float32Array(h);
  const base = Math.fround(theta);
  for (let i = 0; i < h; i++) invFreq[i] = Math.fround(1 / Math.fround(base ** Math.fround((2 * i) / headDim)));
  return { invFreq, attentionScaling: 1 };
}

function yarnMscale(scale: number, mscale = 1): number {
  return scale <= 1 ? 1 : 0.1 * mscale * Math.log(scale) + 1;
}

function yarnParameters(s: YarnRopeScaling, base: RopeBase): RopeParameters {
  const dim = base.headDim;
  const theta = base.theta;
  let factor = s.factor;
  let original = base.maxPositions;
  if (s.originalMaxPositions !== undefined) {
    original = s.originalMaxPositions;
    factor = base.maxPositions / original;
  }
  let attentionFactor = s.attentionFactor;
  if (attentionFactor === undefined) {
    attentionFactor =
      s.mscale !== undefined && s.mscale !== 0 && s.mscaleAllDim !== undefined && s.mscaleAllDim !== 0
        ? yarnMscale(factor, s.mscale) / yarnMscale(factor, s.mscaleAllDim)
        : yarnMscale(factor);
  }
  // transformers: `beta_fast or 32`, `beta_slow or 1` (0 also falls back)
  const betaFast = s.betaFast || 32;
  const betaSlow = s.betaSlow || 1;
  const correctionDim = (rotations: number): number => (dim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(theta));
  let low = correctionDim(betaFast);
  let high = correctionDim(betaSlow);
  if (s.truncate ?? true) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, dim - 1);
  if (low === high) high += 0.001;
  const half = dim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const posFreq = theta ** ((2 * i) / dim);
    const extrapolation = 1 / posFreq;
    const interpolation = 1 / (factor * posFreq);
    const ramp = Math.min(Math.max((i - low) / (high - low), 0), 1);
    const extrapolationFactor = 1 - ramp;
    invFreq[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
  }
  return { invFreq, attentionScaling: attentionFactor };
}

function llama3Parameters(s: Llama3RopeScaling, base: RopeBase): RopeParameters {
  const inv = defaultInvFreq(base.headDim, base.theta);
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  const invFreq = new Float32Array(inv.length);
  for (let i = 0; i < inv.length; i++) {
    const f = inv[i]!;
    const wavelen = (2 * Math.PI) / f;
    let scaled = wavelen > lowFreqWavelen ? f / s.factor : f;
    const medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (medium) {
      const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      scaled = ((1 - smooth) * scaled) / s.factor + smooth * scaled;
    }
    invFreq[i] = scaled;
  }
  return { invFreq, attentionScaling: 1 };
}

/**
 * The dynamic NTK frequencies for a sequence of `seqLen` positions (largest position + 1); `seqLen` at most
 * `originalMaxPositions` gives the default schedule.
 */
function dynamicParameters(s: DynamicRopeScaling, base: RopeBase, seqLen: number): RopeParameters {
  if (seqLen <= s.originalMaxPositions) return defaultParameters(base.headDim, base.theta);
  const dim = base.headDim;
  const theta = base.theta * ((s.factor * seqLen) / s.originalMaxPositions - (s.factor - 1)) ** (dim / (dim - 2));
  const inv = defaultInvFreq(dim, theta);
  return { invFreq: Float32Array.from(inv), attentionScaling: 1 };
}

/**
 * The inverse frequencies and cos/sin scaling of a rope schedule, as transformers computes them.
 *
 * @param scaling - the schedule, or undefined for the default `theta^(-2i/Dh)` one
 * @param base - head dim, theta and the config's `max_position_embeddings`
 * @param seqLen - `dynamic` only: the current sequence length (largest position + 1); ignored otherwise
 * @returns float32 `invFreq` of length `headDim / 2` and `attentionScaling`
 */
export function ropeParameters(scaling: RopeScaling | undefined, base: RopeBase, seqLen = 0): RopeParameters {
  if (scaling === undefined) return defaultParameters(base.headDim, base.theta);
  switch (scaling.type) {
    case 'linear': {
      const d = defaultParameters(base.headDim, base.theta);
      for (let i = 0; i < d.invFreq.length; i++) d.invFreq[i] = d.invFreq[i]! / scaling.factor;
      return d;
    }
    case 'dynamic':
      return dynamicParameters(scaling, base, seqLen);
    case 'yarn':
      return yarnParameters(scaling, base);
    case 'llama3':
      return llama3Parameters(scaling, base);
  }
}

/** Whether the schedule depends on the sequence length (recomputed per forward call). */
export function isDynamicRope(scaling: RopeScaling | undefined): scaling is DynamicRopeScaling {
  return scaling?.type === 'dynamic';
}

/**
 * The `dynamic` NTK inverse frequencies as a float32 `[headDim / 2]` tensor computed from int32 `positions`
 * with tfjs ops (sequence length = largest position + 1), for GPU backends where reading the positions back
 * is not possible or not cheap. Same formula as {@link ropeParameters}, in float32 as transformers does.
 */
export function dynamicInvFreqTensor(s: DynamicRopeScaling, base: RopeBase, positions: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const dim = base.headDim;
    const seqLen = tf.maximum(tf.add(tf.cast(tf.max(positions), 'float32'), 1), s.originalMaxPositions);
    const ratio = tf.sub(tf.div(tf.mul(seqLen, s.factor), s.originalMaxPositions), s.factor - 1);
    const logBase = tf.add(Math.log(base.theta), tf.mul(tf.log(ratio), dim / (dim - 2)));
    const exponents = tf.div(tf.range(0, dim, 2, 'float32'), dim);
    return tf.exp(tf.neg(tf.mul(exponents, logBase))) as tf.Tensor1D;
  });
}
