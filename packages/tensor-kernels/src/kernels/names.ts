/**
 * Kernel names and attribute types of the fused ops. Every op in `src/ops/` calls `runKernel` with one of
 * these names; each backend registers a kernel per name (a WGSL program on webgpu, hand-written SIMD on
 * wasm, a composition of tfjs ops elsewhere). The contract of each kernel is documented in
 * `docs/guides/kernels.md`.
 *
 * @packageDocumentation
 */

/** y = x / sqrt(mean(x², last axis) + eps) * weight. Inputs {x [..., D], weight [D]}; attrs {@link RmsNormAttrs}. */
export const RmsNorm = 'QmRmsNorm';
/** Backward of {@link RmsNorm}. Inputs {dy, x, weight}; attrs {@link RmsNormAttrs}; outputs [dx, dweight]. */
export const RmsNormGrad = 'QmRmsNormGrad';
/** Rotary embedding (Llama / HF `rotate_half` layout). Inputs {x [B,H,T,Dh], cos [Bc,T,Dh/2], sin [Bc,T,Dh/2]}, Bc ∈ {1, B}. */
export const Rope = 'QmRope';
/** Causal scaled-dot-product attention with GQA and KV prefix. Inputs {q, k, v, keyMask?}; attrs {@link AttentionAttrs}. */
export const CausalAttention = 'QmCausalAttention';
/** Backward of {@link CausalAttention}. Inputs {dy, q, k, v, keyMask?}; outputs [dq, dk, dv]. */
export const CausalAttentionGrad = 'QmCausalAttentionGrad';
/** silu(gate) * up. Inputs {gate, up} (same shape). */
export const SwiGLU = 'QmSwiGLU';
/** Backward of {@link SwiGLU}. Inputs {dy, gate, up}; outputs [dgate, dup]. */
export const SwiGLUGrad = 'QmSwiGLUGrad';
/** Mean cross-entropy over non-ignored rows. Inputs {logits [N,V] f32, labels [N] i32}; attrs {@link CrossEntropyAttrs}; output scalar. */
export const CrossEntropy = 'QmCrossEntropy';
/** Backward of {@link CrossEntropy}. Inputs {dy (scalar), logits, labels}; output dlogits [N,V]. */
export const CrossEntropyGrad = 'QmCrossEntropyGrad';
/** log_softmax(logits)[n, ids[n]]. Inputs {logits [N,V] f32, ids [N] i32}; output [N]. */
export const TokenLogProbs = 'QmTokenLogProbs';
/** Backward of {@link TokenLogProbs}. Inputs {dy [N], logits, ids}; output dlogits [N,V]. */
export const TokenLogProbsGrad = 'QmTokenLogProbsGrad';
/** One AdamW step (torch.optim.AdamW semantics). Inputs {param, grad, m, v}; attrs {@link AdamWAttrs}; outputs [param, m, v]. */
export const AdamW = 'QmAdamW';

/** Attributes of {@link RmsNorm} and {@link RmsNormGrad}. */
export interface RmsNormAttrs {
  eps: number;
}

/** Attributes of {@link CausalAttention} and {@link CausalAttentionGrad}. */
export interface AttentionAttrs {
  /** Multiplier of q·k, usually 1/sqrt(headDim). */
  scale: number;
}

/** Attributes of {@link CrossEntropy} and {@link CrossEntropyGrad}. */
export interface CrossEntropyAttrs {
  /** Rows whose label equals this value are excluded from the loss and the mean. */
  ignoreIndex: number;
}

/** Attributes of {@link AdamW}. */
export interface AdamWAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count used for bias correction. */
  step: number;
}

/** Every kernel name this package registers. */
export const ALL_KERNELS = [
  RmsNorm,
  RmsNormGrad,
  Rope,
  CausalAttention,
  CausalAttentionGrad,
  SwiGLU,
  SwiGLUGrad,
  CrossEntropy,
  CrossEntropyGrad,
  TokenLogProbs,
  TokenLogProbsGrad,
  AdamW,
] as const;
