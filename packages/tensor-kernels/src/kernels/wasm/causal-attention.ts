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
import { KernelRuntimeError } from '../kernel-runtime-error';
import { attentionDims, kernelFail, type AttentionDims } from '../input-checks';
import { kernelCall, type BackendWasm } from './common';
import { getSimdKernels } from './simd-module';

/** Bytes of kernel scratch for these sizes (the C function refuses sizes whose count overflows). */
function scratchBytes(where: string, d: AttentionDims): number {
  const bytes = getSimdKernels().fn.qm_attn_scratch_bytes(d.Tk, d.Dh);
  if (bytes < 0) throw new KernelRuntimeError(`${where}: the scratch for Tk = ${d.Tk}, Dh = ${d.Dh} exceeds 2 GiB`);
  return bytes;
}

const attentionFwd: KernelFunc = ({ inputs, attrs, backend }) => {
  const { q, k, v, keyMask } = inputs as { q: TensorInfo; k: TensorInfo; v: TensorInfo; keyMask?: TensorInfo };
  const { scale } = attrs as unknown as AttentionAttrs;
  const where = `${CausalAttention} (wasm kernel)`;
  const d = attentionDims(where, q, k, v, keyMask);
  const { B, Hq, Hkv, Tq, Tk, Dh } = d;
  const scratch = scratchBytes(where, d);
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
  const where = `${CausalAttentionGrad} (wasm kernel)`;
  const d = attentionDims(where, q, k, v, keyMask);
  const { B, Hq, Hkv, Tq, Tk, Dh } = d;
  if (dy.dtype !== 'float32' || dy.shape.some((x, i) => x !== q.shape[i]) || dy.shape.length !== 4) {
    kernelFail(where, 'dy', `dy must be float32 with the shape of q [${q.shape.join(', ')}], got ${dy.dtype} [${dy.shape.join(', ')}]`);
  }
  const scratch = scratchBytes(where, d);
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
