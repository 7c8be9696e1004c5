/**
 * QmCausalAttention / QmCausalAttentionGrad on wasm: flash-style SIMD kernels (csrc/attention.c).
 *
 * Per (batch, kv head) and per block of 32 query rows of one query head, the kernel computes the
 * scores against only the key prefix the block can see (the causal upper triangle is skipped), a
 * masked softmax in one pass per row over that row's allowed prefix, and the products with v (forward)
 * or dS = P ∘ (dP - rowsum(dP ∘ P)) and dq, dk, dv (backward), through a register-tiled SIMD GEMM.
 * GQA needs no repeat of k/v: query head h reads kv head floor(h / (Hq / Hkv)).
 *
 * Why not tfjs' matMul: tfjs-backend-wasm 4.22 sends only batch-1, non-transposed matmuls to XNNPack;
 * batched matmuls ([B*H, T, T]) run a scalar loop there, several times slower than this GEMM.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CausalAttention, CausalAttentionGrad, type AttentionAttrs } from '../names';
import { kernelCall, type BackendWasm } from './common';
import { getSimdKernels } from './simd-module';

function dimsOf(q: TensorInfo, k: TensorInfo) {
  const [B, Hq, Tq, Dh] = q.shape as [number, number, number, number];
  const [, Hkv, Tk] = k.shape as [number, number, number, number];
  return { B, Hq, Hkv, Tq, Tk, Dh };
}

const attentionFwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { q, k, v, keyMask } = inputs as { q: TensorInfo; k: TensorInfo; v: TensorInfo; keyMask?: TensorInfo };
  const { scale } = attrs as unknown as AttentionAttrs;
  const { B, Hq, Hkv, Tq, Tk, Dh } = dimsOf(q, k);
  const scratch = getSimdKernels().fn.qm_attn_scratch_bytes(Tk, Dh);
  const ins = [{ t: q }, { t: k }, { t: v }, ...(keyMask ? [{ t: keyMask }] : [])];
  const { outputs } = kernelCall(backend as BackendWasm, ins, [{ shape: q.shape.slice() }], [scratch], (p) =>
    p.fn.qm_attn_fwd(p.in[0]!, p.in[1]!, p.in[2]!, keyMask ? p.in[3]! : 0, p.out[0]!, p.scratch[0]!, B, Hq, Hkv, Tq, Tk, Dh, scale),
  );
  return outputs[0]!;
};

const attentionBwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, q, k, v, keyMask } = inputs as {
    dy: TensorInfo;
    q: TensorInfo;
    k: TensorInfo;
    v: TensorInfo;
    keyMask?: TensorInfo;
  };
  const { scale } = attrs as unknown as AttentionAttrs;
  const { B, Hq, Hkv, Tq, Tk, Dh } = dimsOf(q, k);
  const scratch = getSimdKernels().fn.qm_attn_scratch_bytes(Tk, Dh);
  const ins = [{ t: dy }, { t: q }, { t: k }, { t: v }, ...(keyMask ? [{ t: keyMask }] : [])];
  const outs = [{ shape: q.shape.slice() }, { shape: k.shape.slice() }, { shape: v.shape.slice() }];
  const { outputs } = kernelCall(backend as BackendWasm, ins, outs, [scratch], (p) =>
    p.fn.qm_attn_bwd(
      p.in[0]!,
      p.in[1]!,
      p.in[2]!,
      p.in[3]!,
      keyMask ? p.in[4]! : 0,
      p.out[0]!,
      p.out[1]!,
      p.out[2]!,
      p.scratch[0]!,
      B,
      Hq,
      Hkv,
      Tq,
      Tk,
      Dh,
      scale,
    ),
  );
  return outputs;
};

/** wasm kernel configs of {@link CausalAttention} and {@link CausalAttentionGrad}. */
export const causalAttentionConfigs: KernelConfig[] = [
  { kernelName: CausalAttention, backendName: 'wasm', kernelFunc: attentionFwd },
  { kernelName: CausalAttentionGrad, backendName: 'wasm', kernelFunc: attentionBwd },
];
