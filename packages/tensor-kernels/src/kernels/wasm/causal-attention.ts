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
import { emit, sizeOf, stage, type BackendWasm } from './common';
import { getSimdKernels } from './simd-module';

function dimsOf(q: TensorInfo, k: TensorInfo) {
  const [B, Hq, Tq, Dh] = q.shape as [number, number, number, number];
  const [, Hkv, Tk] = k.shape as [number, number, number, number];
  return { B, Hq, Hkv, Tq, Tk, Dh };
}

const attentionFwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { q, k, v, keyMask } = inputs as { q: TensorInfo; k: TensorInfo; v: TensorInfo; keyMask?: TensorInfo };
  const { scale } = attrs as unknown as AttentionAttrs;
  const be = backend as BackendWasm;
  const { B, Hq, Hkv, Tq, Tk, Dh } = dimsOf(q, k);
  const scratch = getSimdKernels().fn.qm_attn_scratch_bytes(Tk, Dh);
  const ins = [{ t: q }, { t: k }, { t: v }, ...(keyMask ? [{ t: keyMask }] : [])];
  const { k: m, off } = stage(be, ins, [sizeOf(q.shape) * 4, scratch]);
  const n = ins.length;
  m.fn.qm_attn_fwd(off[0]!, off[1]!, off[2]!, keyMask ? off[3]! : 0, off[n]!, off[n + 1]!, B, Hq, Hkv, Tq, Tk, Dh, scale);
  return emit(be, m, off[n]!, q.shape.slice());
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
  const be = backend as BackendWasm;
  const { B, Hq, Hkv, Tq, Tk, Dh } = dimsOf(q, k);
  const scratch = getSimdKernels().fn.qm_attn_scratch_bytes(Tk, Dh);
  const ins = [{ t: dy }, { t: q }, { t: k }, { t: v }, ...(keyMask ? [{ t: keyMask }] : [])];
  const qBytes = sizeOf(q.shape) * 4;
  const kBytes = sizeOf(k.shape) * 4;
  const { k: m, off } = stage(be, ins, [qBytes, kBytes, kBytes, scratch]);
  const n = ins.length;
  const [dq, dk, dv, scr] = [off[n]!, off[n + 1]!, off[n + 2]!, off[n + 3]!];
  m.fn.qm_attn_bwd(off[0]!, off[1]!, off[2]!, off[3]!, keyMask ? off[4]! : 0, dq, dk, dv, scr, B, Hq, Hkv, Tq, Tk, Dh, scale);
  return [emit(be, m, dq, q.shape.slice()), emit(be, m, dk, k.shape.slice()), emit(be, m, dv, v.shape.slice())];
};

/** wasm kernel configs of {@link CausalAttention} and {@link CausalAttentionGrad}. */
export const causalAttentionConfigs: KernelConfig[] = [
  { kernelName: CausalAttention, backendName: 'wasm', kernelFunc: attentionFwd },
  { kernelName: CausalAttentionGrad, backendName: 'wasm', kernelFunc: attentionBwd },
];
