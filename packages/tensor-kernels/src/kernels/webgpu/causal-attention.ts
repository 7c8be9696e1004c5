/**
 * QmCausalAttention / QmCausalAttentionGrad on webgpu. The matmuls run through tfjs' own webgpu matmul
 * (`tf.matMul`, with transpose flags); the masked softmax and its backward are WGSL row programs (one
 * workgroup per query row, reductions in workgroup memory).
 *
 * GQA without repeating k/v: q [B, Hq, Tq, Dh] is viewed as [B·Hkv, G·Tq, Dh] (G = Hq/Hkv, query head
 * h = g_kv·G + g uses kv head g_kv = floor(h / G)), so each kv head is multiplied once by the G·Tq rows of
 * its group and `dk`, `dv` come out already summed over the group.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CausalAttention, CausalAttentionGrad } from '../names';
import {
  adopt,
  asWebGPU,
  f32,
  i32,
  input,
  inputTensor,
  NEG_MAX,
  numAttr,
  reduceSnippet,
  rowProgram,
  rowWorkgroupSize,
  runProgram,
  SHARED_BUF,
  view,
  type WebGPUBackendLike,
} from './program';

interface Dims {
  B: number;
  Hq: number;
  Hkv: number;
  Tq: number;
  Tk: number;
  Dh: number;
}

const shapeText = (t: TensorInfo) => `[${t.shape.join(', ')}]`;

/** Validates the shapes of q, k, v and keyMask (see docs/guides/kernels.md). */
function dimsOf(kernelName: string, q: TensorInfo, k: TensorInfo, v: TensorInfo, keyMask: TensorInfo | undefined): Dims {
  const where = `${kernelName} (webgpu kernel)`;
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) {
    throw new RangeError(`${where}: q, k, v must be 4-D [B, H, T, Dh], got q ${shapeText(q)}, k ${shapeText(k)}, v ${shapeText(v)}`);
  }
  const [B, Hq, Tq, Dh] = q.shape as [number, number, number, number];
  const [Bk, Hkv, Tk, Dk] = k.shape as [number, number, number, number];
  if (!tf.util.arraysEqual(k.shape, v.shape) || Bk !== B || Dk !== Dh) {
    throw new RangeError(`${where}: k and v must be [${B}, Hkv, Tk, ${Dh}] for q ${shapeText(q)}, got k ${shapeText(k)}, v ${shapeText(v)}`);
  }
  if (Hkv === 0 || Hq % Hkv !== 0) {
    throw new RangeError(`${where}: the query heads (${Hq}, q ${shapeText(q)}) must be a multiple of the kv heads (${Hkv}, k ${shapeText(k)})`);
  }
  if (Tk < Tq) throw new RangeError(`${where}: k must have at least as many positions as q, got q ${shapeText(q)}, k ${shapeText(k)}`);
  if (keyMask !== undefined && (keyMask.shape.length !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== Tk)) {
    throw new RangeError(`${where}: keyMask must be [${B}, ${Tk}], got ${shapeText(keyMask)}`);
  }
  return { B, Hq, Hkv, Tq, Tk, Dh };
}

/**
 * `P = softmax over allowed keys of scale · S` for S [B·Hkv, G·Tq, Tk] (rows ordered as [B, Hq, Tq]);
 * disallowed keys get 0, rows with no allowed key are all 0.
 */
function probabilities(be: WebGPUBackendLike, s: tf.Tensor, keyMask: TensorInfo | undefined, d: Dims, scale: number): tf.Tensor {
  const rows = d.B * d.Hq * d.Tq;
  const allowed = keyMask ? `(f32(keyMask[b * Tk + j]) != 0.0)` : 'true';
  const program = rowProgram(
    keyMask ? 'attn_probs_mask' : 'attn_probs',
    keyMask ? ['s', 'keyMask'] : ['s'],
    [rows * d.Tk],
    rows,
    rowWorkgroupSize(d.Tk),
    'Hq : i32, Tq : i32, Tk : i32, scale : f32,',
    SHARED_BUF,
    `
        let Tq = uniforms.Tq;
        let Tk = uniforms.Tk;
        let base = row * Tk;
        let b = row / (uniforms.Hq * Tq);
        let last = Tk - Tq + row % Tq;   // the last key this query may attend
        var mx = ${NEG_MAX};
        if (valid) {
          for (var j = tid; j <= last; j += WG) {
            if (${allowed}) {
              mx = max(mx, s[base + j] * uniforms.scale);
            }
          }
        }
        ${reduceSnippet('buf', 'mx', 'max', 'rowMax')}
        let empty = rowMax <= -3.0e38;
        var se = 0.0;
        if (valid && !empty) {
          for (var j = tid; j <= last; j += WG) {
            if (${allowed}) {
              se += exp(s[base + j] * uniforms.scale - rowMax);
            }
          }
        }
        ${reduceSnippet('buf', 'se', 'sum', 'rowSum')}
        if (valid) {
          for (var j = tid; j < Tk; j += WG) {
            var pv = 0.0;
            if (!empty && j <= last) {
              if (${allowed}) {
                pv = exp(s[base + j] * uniforms.scale - rowMax) / rowSum;
              }
            }
            setOutputAtIndex(base + j, pv);
          }
        }`,
  );
  const inputs = [view(s, [rows * d.Tk])];
  if (keyMask) inputs.push(view(keyMask, [d.B * d.Tk]));
  const p = runProgram(be, program, inputs, [i32(rows), i32(d.Hq), i32(d.Tq), i32(d.Tk), f32(scale)], s.shape.slice());
  return adopt(be, p);
}

/** `dS = scale · P ∘ (dP - rowsum(dP ∘ P))` (softmax backward with the score scale folded in). */
function softmaxBackward(be: WebGPUBackendLike, p: tf.Tensor, dp: tf.Tensor, d: Dims, scale: number): tf.Tensor {
  const rows = d.B * d.Hq * d.Tq;
  const program = rowProgram(
    'attn_dscores',
    ['p', 'dp'],
    [rows * d.Tk],
    rows,
    rowWorkgroupSize(d.Tk),
    'Tq : i32, Tk : i32, scale : f32,',
    SHARED_BUF,
    `
        let Tk = uniforms.Tk;
        let base = row * Tk;
        let last = Tk - uniforms.Tq + row % uniforms.Tq;
        var acc = 0.0;
        if (valid) {
          for (var j = tid; j <= last; j += WG) {
            acc += p[base + j] * dp[base + j];
          }
        }
        ${reduceSnippet('buf', 'acc', 'sum', 'rowDot')}
        if (valid) {
          for (var j = tid; j < Tk; j += WG) {
            var g = 0.0;
            if (j <= last) {
              g = uniforms.scale * p[base + j] * (dp[base + j] - rowDot);
            }
            setOutputAtIndex(base + j, g);
          }
        }`,
  );
  const n = rows * d.Tk;
  const ds = runProgram(be, program, [view(p, [n]), view(dp, [n])], [i32(rows), i32(d.Tq), i32(d.Tk), f32(scale)], p.shape.slice());
  return adopt(be, ds);
}

/** Runs `fn` on tensors for the given kernel inputs, disposing the wrappers it had to create. */
function withTensors<T>(be: WebGPUBackendLike, infos: TensorInfo[], fn: (ts: tf.Tensor[]) => T): T {
  const wrapped = infos.map((t) => inputTensor(be, t));
  try {
    return fn(wrapped.map((w) => w.tensor));
  } finally {
    for (const w of wrapped) if (w.owned) w.tensor.dispose();
  }
}

function optionalMask(inputs: tf.NamedTensorInfoMap): TensorInfo | undefined {
  const m = inputs['keyMask'];
  return m === undefined || m === null ? undefined : m;
}

const attention: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = asWebGPU(CausalAttention, backend);
  const q = input(CausalAttention, inputs, 'q');
  const k = input(CausalAttention, inputs, 'k');
  const v = input(CausalAttention, inputs, 'v');
  const keyMask = optionalMask(inputs);
  const scale = numAttr(CausalAttention, attrs, 'scale');
  const d = dimsOf(CausalAttention, q, k, v, keyMask);
  const G = d.Hq / d.Hkv;
  return withTensors(be, [q, k, v], ([qt, kt, vt]) =>
    tf.tidy(() => {
      const q3 = tf.reshape(qt!, [d.B * d.Hkv, G * d.Tq, d.Dh]);
      const k3 = tf.reshape(kt!, [d.B * d.Hkv, d.Tk, d.Dh]);
      const v3 = tf.reshape(vt!, [d.B * d.Hkv, d.Tk, d.Dh]);
      const p = probabilities(be, tf.matMul(q3, k3, false, true), keyMask, d, scale);
      return tf.reshape(tf.matMul(p, v3), [d.B, d.Hq, d.Tq, d.Dh]);
    }),
  );
};

const attentionGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const be = asWebGPU(CausalAttentionGrad, backend);
  const dy = input(CausalAttentionGrad, inputs, 'dy');
  const q = input(CausalAttentionGrad, inputs, 'q');
  const k = input(CausalAttentionGrad, inputs, 'k');
  const v = input(CausalAttentionGrad, inputs, 'v');
  const keyMask = optionalMask(inputs);
  const scale = numAttr(CausalAttentionGrad, attrs, 'scale');
  const d = dimsOf(CausalAttentionGrad, q, k, v, keyMask);
  if (!tf.util.arraysEqual(dy.shape, q.shape)) {
    throw new RangeError(`${CausalAttentionGrad} (webgpu kernel): dy must have the shape of q ${shapeText(q)}, got ${shapeText(dy)}`);
  }
  const G = d.Hq / d.Hkv;
  return withTensors(be, [dy, q, k, v], ([dyt, qt, kt, vt]) =>
    tf.tidy(() => {
      const rows: [number, number, number] = [d.B * d.Hkv, G * d.Tq, d.Dh];
      const keys: [number, number, number] = [d.B * d.Hkv, d.Tk, d.Dh];
      const q3 = tf.reshape(qt!, rows);
      const dy3 = tf.reshape(dyt!, rows);
      const k3 = tf.reshape(kt!, keys);
      const v3 = tf.reshape(vt!, keys);
      const p = probabilities(be, tf.matMul(q3, k3, false, true), keyMask, d, scale);
      const dv = tf.matMul(p, dy3, true, false);
      const ds = softmaxBackward(be, p, tf.matMul(dy3, v3, false, true), d, scale);
      const dq = tf.matMul(ds, k3);
      const dk = tf.matMul(ds, q3, true, false);
      return [tf.reshape(dq, q.shape), tf.reshape(dk, k.shape), tf.reshape(dv, v.shape)];
    }),
  );
};

/** webgpu kernel configs of {@link CausalAttention} and {@link CausalAttentionGrad}. */
export const causalAttentionConfigs: KernelConfig[] = [
  { kernelName: CausalAttention, backendName: 'webgpu', kernelFunc: attention },
  { kernelName: CausalAttentionGrad, backendName: 'webgpu', kernelFunc: attentionGrad },
];
