/**
 * QmCausalAttention / QmCausalAttentionGrad on webgpu. The products (`q kᵀ`, `dy vᵀ`, `P v`, `dS k`,
 * `Pᵀ dy`, `dSᵀ q`) run through tfjs' webgpu matmul on operands whose non-finite entries are set to 0;
 * the (rare) batch-head slices that hold a NaN or ±Inf are recomputed by WGSL programs over the allowed
 * (query, key) pairs only, so that NaN from a hidden key or query never reaches an output that does not
 * depend on it (see `causalAttention`; {@link attentionProduct}). The masked softmax and its backward
 * are WGSL row programs (one workgroup per query row, reductions in workgroup memory).
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
  elementwiseProgram,
  reduceSnippet,
  rowProgram,
  rowWorkgroupSize,
  runProgram,
  SHARED_BUF,
  sizeOf,
  view,
  type WebGPUBackendLike,
} from './program';
import { KernelInputError } from '../kernel-input-error';
import { attentionDims } from '../input-checks';

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
  return attentionDims(`${kernelName} (webgpu kernel)`, q, k, v, keyMask);
}

/** WGSL bool: whether key `j` of batch row `b` passes the key mask (`true` without a mask). */
const maskAllowed = (masked: boolean) => (masked ? `(f32(keyMask[b * Tk + j]) != 0.0)` : 'true');

/**
 * `P = softmax over allowed keys of scale · S` for S [B·Hkv, G·Tq, Tk] (rows ordered as [B, Hq, Tq]);
 * hidden keys get exactly 0, rows with no allowed key are all 0. As PyTorch's softmax over the allowed
 * scores, a NaN or `+inf` allowed score, or allowed scores that are all `-inf`, make the row NaN at its
 * allowed keys (tested bit-wise: WGSL's `max` may drop NaN).
 */
function probabilities(be: WebGPUBackendLike, s: tf.Tensor, keyMask: TensorInfo | undefined, d: Dims, scale: number): tf.Tensor {
  const rows = d.B * d.Hq * d.Tq;
  const allowed = maskAllowed(keyMask !== undefined);
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
        var nAllowed = 0.0;
        var nBad = 0.0;
        var nLive = 0.0;
        if (valid) {
          for (var j = tid; j <= last; j += WG) {
            if (${allowed}) {
              let x = s[base + j] * uniforms.scale;
              nAllowed += 1.0;
              if (qmIsNan(x) || qmIsPosInf(x)) {
                nBad += 1.0;
              } else if (!qmIsNegInf(x)) {
                nLive += 1.0;
                mx = max(mx, x);
              }
            }
          }
        }
        ${reduceSnippet('buf', 'mx', 'max', 'rowMax')}
        ${reduceSnippet('buf', 'nAllowed', 'sum', 'rowAllowed')}
        ${reduceSnippet('buf', 'nBad', 'sum', 'rowBadCount')}
        ${reduceSnippet('buf', 'nLive', 'sum', 'rowLive')}
        let empty = rowAllowed == 0.0;
        let bad = !empty && (rowBadCount > 0.0 || rowLive == 0.0);
        var se = 0.0;
        if (valid && !empty && !bad) {
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
                pv = select(exp(s[base + j] * uniforms.scale - rowMax) / rowSum, uniforms.NAN, bad);
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

/**
 * `dS = scale · P ∘ (dP - rowsum(dP ∘ P))` over the allowed keys (0 at hidden keys, whose dP may be NaN
 * from a hidden v), with the score scale folded in.
 */
function softmaxBackward(be: WebGPUBackendLike, p: tf.Tensor, dp: tf.Tensor, keyMask: TensorInfo | undefined, d: Dims, scale: number): tf.Tensor {
  const rows = d.B * d.Hq * d.Tq;
  const allowed = maskAllowed(keyMask !== undefined);
  const program = rowProgram(
    keyMask ? 'attn_dscores_mask' : 'attn_dscores',
    keyMask ? ['p', 'dp', 'keyMask'] : ['p', 'dp'],
    [rows * d.Tk],
    rows,
    rowWorkgroupSize(d.Tk),
    'Hq : i32, Tq : i32, Tk : i32, scale : f32,',
    SHARED_BUF,
    `
        let Tk = uniforms.Tk;
        let base = row * Tk;
        let b = row / (uniforms.Hq * uniforms.Tq);
        let last = Tk - uniforms.Tq + row % uniforms.Tq;
        var acc = 0.0;
        if (valid) {
          for (var j = tid; j <= last; j += WG) {
            if (${allowed}) {
              acc += p[base + j] * dp[base + j];
            }
          }
        }
        ${reduceSnippet('buf', 'acc', 'sum', 'rowDot')}
        if (valid) {
          for (var j = tid; j < Tk; j += WG) {
            var g = 0.0;
            if (j <= last) {
              if (${allowed}) {
                g = uniforms.scale * p[base + j] * (dp[base + j] - rowDot);
              }
            }
            setOutputAtIndex(base + j, g);
          }
        }`,
  );
  const n = rows * d.Tk;
  const inputs = [view(p, [n]), view(dp, [n])];
  if (keyMask) inputs.push(view(keyMask, [d.B * d.Tk]));
  const ds = runProgram(be, program, inputs, [i32(rows), i32(d.Hq), i32(d.Tq), i32(d.Tk), f32(scale)], p.shape.slice());
  return adopt(be, ds);
}

/** The products of attention: scores (`a mᵀ`), query rows (`a m`), key rows (`aᵀ m`). */
type ProductKind = 'scores' | 'query' | 'key';

/** WGSL `0.0` for finite values, `1.0` for NaN / ±Inf (by bits: `isinf`-style builtins may be folded away). */
const NON_FINITE_FN = `
      fn qmNonFinite(x : f32) -> f32 {
        return select(0.0, 1.0, (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u);
      }`;

/** `x` with its NaN / ±Inf entries set to 0 (so that tfjs' matmul has nothing to spread). */
function finiteOrZero(be: WebGPUBackendLike, x: tf.Tensor): tf.Tensor {
  const n = sizeOf(x.shape);
  const program = elementwiseProgram('attn_finite', ['x'], [n], '', `
          let xv = x[index];
          setOutputAtIndex(index, select(xv, 0.0, qmNonFinite(xv) > 0.0));`, NON_FINITE_FN);
  return adopt(be, runProgram(be, program, [view(x, [n])], [], x.shape.slice()));
}

/**
 * float32 `[B·Hkv]`: 1 where slice `bh` of any of `ts` (each [B·Hkv, …], at most 3) holds a NaN or ±Inf.
 * One workgroup per slice.
 */
function nonFiniteSlices(be: WebGPUBackendLike, ts: tf.Tensor[], slices: number): tf.Tensor {
  const names = ts.map((_, i) => `t${i}`);
  const loops = names
    .map((n, i) => `
          for (var i = tid; i < uniforms.n${i}; i += WG) {
            bad += qmNonFinite(${n}[row * uniforms.n${i} + i]);
          }`)
    .join('');
  const program = rowProgram(`attn_flags_${ts.length}`, names, [slices], slices, 256, names.map((_, i) => `n${i} : i32,`).join(' '), SHARED_BUF + NON_FINITE_FN, `
        var bad = 0.0;
        if (valid) {${loops}
        }
        ${reduceSnippet('buf', 'bad', 'sum', 'total')}
        if (valid && tid == 0) {
          setOutputAtIndex(row, select(0.0, 1.0, total > 0.0));
        }`);
  const inputs = ts.map((t) => view(t, [sizeOf(t.shape)]));
  return adopt(be, runProgram(be, program, inputs, [i32(slices), ...ts.map((t) => i32(sizeOf(t.shape) / slices))]));
}

/** The inputs of one attention call, as [B·Hkv, …] slices, and which slices hold a NaN or ±Inf. */
interface Operands {
  /** The operands as given (masked key rows zeroed). */
  raw: Record<string, tf.Tensor>;
  /** The same with NaN / ±Inf set to 0: what tfjs' matmul gets. */
  clean: Record<string, tf.Tensor>;
  /** float32 [B·Hkv]: 1 for the slices to recompute exactly. */
  flags: tf.Tensor;
}

/** Prepares the operands (call inside `tf.tidy`); `raw` holds q, k, v and optionally dy, all [B·Hkv, …]. */
function operands(be: WebGPUBackendLike, raw: Record<string, tf.Tensor>, d: Dims): Operands {
  const clean: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(raw)) clean[name] = finiteOrZero(be, t);
  const all = Object.values(raw);
  const slices = d.B * d.Hkv;
  const flags = all.length <= 3 ? nonFiniteSlices(be, all, slices) : tf.maximum(nonFiniteSlices(be, all.slice(0, 2), slices), nonFiniteSlices(be, all.slice(2), slices));
  return { raw, clean, flags };
}

/**
 * The exact product over the allowed (query, key) pairs only, one invocation per output element, for
 * the slices `bh` whose `flags[bh]` is set (it writes 0 elsewhere and returns at once). With
 * a [B·Hkv, G·Tq, Tk] (P or dS) or, for `'scores'`, [B·Hkv, G·Tq, Dh]:
 * - `'scores'`: `out[bh, r, j] = Σ_d a[bh, r, d] m[bh, j, d]` at causally allowed pairs (0 elsewhere);
 * - `'query'`: `out[bh, r, :] = Σ_{j <= last(r)} a[bh, r, j] m[bh, j, :]`, m [B·Hkv, Tk, Dh];
 * - `'key'`: `out[bh, j, :] = Σ_{r : j <= last(r)} a[bh, r, j] m[bh, r, :]`, m [B·Hkv, G·Tq, Dh].
 * (Masked keys are handled by the caller: zeroed rows of `m` for `'query'`, zeroed output rows for
 * `'key'`; their scores are never read.)
 */
function exactProduct(be: WebGPUBackendLike, kind: ProductKind, a: tf.Tensor, m: tf.Tensor, flags: tf.Tensor, d: Dims): tf.Tensor {
  const G = d.Hq / d.Hkv;
  const shape =
    kind === 'scores' ? [d.B * d.Hkv, G * d.Tq, d.Tk] : kind === 'query' ? [d.B * d.Hkv, G * d.Tq, d.Dh] : [d.B * d.Hkv, d.Tk, d.Dh];
  const body = {
    scores: `
          let j = index % Tk;
          let row = index / Tk;              // over [B·Hkv, G·Tq]
          let bh = row / GTq;
          if (flags[bh] == 0.0) {
            setOutputAtIndex(index, 0.0);
            return;
          }
          var acc = 0.0;
          if (j <= Tk - Tq + (row % GTq) % Tq) {
            for (var e = 0; e < Dh; e++) {
              acc += attnA[row * Dh + e] * attnM[(bh * Tk + j) * Dh + e];
            }
          }
          setOutputAtIndex(index, acc);`,
    query: `
          let dd = index % Dh;
          let row = index / Dh;              // over [B·Hkv, G·Tq]
          let bh = row / GTq;
          if (flags[bh] == 0.0) {
            setOutputAtIndex(index, 0.0);
            return;
          }
          let last = Tk - Tq + (row % GTq) % Tq;
          var acc = 0.0;
          for (var j = 0; j <= last; j++) {
            acc += attnA[row * Tk + j] * attnM[(bh * Tk + j) * Dh + dd];
          }
          setOutputAtIndex(index, acc);`,
    key: `
          let dd = index % Dh;
          let keyRow = index / Dh;           // over [B·Hkv, Tk]
          let bh = keyRow / Tk;
          let j = keyRow % Tk;
          if (flags[bh] == 0.0) {
            setOutputAtIndex(index, 0.0);
            return;
          }
          var acc = 0.0;
          let i0 = max(0, j - (Tk - Tq));    // the first query that may attend key j
          for (var g = 0; g < GTq / Tq; g++) {
            for (var i = i0; i < Tq; i++) {
              let r = bh * GTq + g * Tq + i;
              acc += attnA[r * Tk + j] * attnM[r * Dh + dd];
            }
          }
          setOutputAtIndex(index, acc);`,
  }[kind];
  const n = sizeOf(shape);
  const program = elementwiseProgram(`attn_exact_${kind}`, ['attnA', 'attnM', 'flags'], [n], 'Tq : i32, Tk : i32, Dh : i32, GTq : i32,', `
          let Tq = uniforms.Tq;
          let Tk = uniforms.Tk;
          let Dh = uniforms.Dh;
          let GTq = uniforms.GTq;${body}`);
  const inputs = [view(a, [sizeOf(a.shape)]), view(m, [sizeOf(m.shape)]), flags];
  return adopt(be, runProgram(be, program, inputs, [i32(d.Tq), i32(d.Tk), i32(d.Dh), i32(G * d.Tq)], shape));
}

/**
 * One attention product (see {@link exactProduct}) where a NaN / ±Inf reaches exactly the outputs that
 * depend on it. Fast path: tfjs' webgpu matmul of `fastA` and `fastM`, computed from operands whose
 * non-finite entries were set to 0 (exact for a slice whose inputs are all finite: hidden pairs have
 * `a = 0`, and finite inputs give finite P and dS). The slices `bh` flagged in `ops.flags` (rare: a
 * diverged step) are recomputed from `a`, `m` over the allowed pairs only by {@link exactProduct}: tfjs'
 * tiled matmul would also spread a NaN to neighbouring columns. Call inside `tf.tidy`.
 */
function attentionProduct(
  be: WebGPUBackendLike,
  kind: ProductKind,
  [a, fastA]: [tf.Tensor, tf.Tensor],
  [m, fastM]: [tf.Tensor, tf.Tensor],
  flags: tf.Tensor,
  d: Dims,
): tf.Tensor {
  const fast = tf.matMul(fastA as tf.Tensor3D, fastM as tf.Tensor3D, kind === 'key', kind === 'scores');
  const exact = exactProduct(be, kind, a, m, flags, d);
  // the condition at full shape: tf.where's broadcasting of a bool condition is not reliable on webgpu
  // the condition at full shape: tf.where's broadcasting of a bool condition is not reliable on webgpu
  const [, rows, cols] = fast.shape as [number, number, number];
  const redo = tf.greater(tf.tile(tf.reshape(flags, [d.B * d.Hkv, 1, 1]), [1, rows, cols]), 0);
  return tf.where(redo, exact, fast);
}

/** `[B·Hkv, Tk, Dh]` bool: whether key `j` of slice `bh` passes the key mask (full shape: see below). */
function keyRowsKept(keyMask: TensorInfo, be: WebGPUBackendLike, d: Dims): tf.Tensor {
  const { tensor, owned } = inputTensor(be, keyMask);
  const kept = tf.notEqual(tf.cast(tensor, 'float32'), 0);
  if (owned) tensor.dispose();
  // float 0/1 tiled to [B·Hkv, Tk, Dh], then compared: no bool broadcasting inside tf.where
  const tiled = tf.tile(tf.reshape(tf.cast(kept, 'float32'), [d.B, 1, d.Tk, 1]), [1, d.Hkv, 1, d.Dh]);
  return tf.greater(tf.reshape(tiled, [d.B * d.Hkv, d.Tk, d.Dh]), 0);
}

/** `m` [B·Hkv, Tk, Dh] with the rows of masked keys set to 0 (they take no part in `P v`, `dS k`). */
const maskedKeyRows = (m: tf.Tensor, kept: tf.Tensor | undefined) => (kept ? tf.where(kept, m, tf.zerosLike(m)) : m);

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
  if (sizeOf(q.shape) === 0) return be.makeTensorInfo(q.shape.slice(), 'float32');
  const G = d.Hq / d.Hkv;
  return withTensors(be, [q, k, v], ([qt, kt, vt]) =>
    tf.tidy(() => {
      const q3 = tf.reshape(qt!, [d.B * d.Hkv, G * d.Tq, d.Dh]);
      const k3 = tf.reshape(kt!, [d.B * d.Hkv, d.Tk, d.Dh]);
      const v3 = tf.reshape(vt!, [d.B * d.Hkv, d.Tk, d.Dh]);
      const kept = keyMask ? keyRowsKept(keyMask, be, d) : undefined;
      const { raw, clean, flags } = operands(be, { q: q3, k: maskedKeyRows(k3, kept), v: maskedKeyRows(v3, kept) }, d);
      const s = attentionProduct(be, 'scores', [raw.q!, clean.q!], [raw.k!, clean.k!], flags, d);
      const p = probabilities(be, s, keyMask, d, scale);
      // on a clean slice P is finite, so the fast product may use it as is
      return tf.reshape(attentionProduct(be, 'query', [p, p], [raw.v!, clean.v!], flags, d), [d.B, d.Hq, d.Tq, d.Dh]);
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
    throw new KernelInputError(CausalAttentionGrad, 'dy', `${CausalAttentionGrad} (webgpu kernel): dy must have the shape of q ${shapeText(q)}, got ${shapeText(dy)}`);
  }
  if (sizeOf(q.shape) === 0 || sizeOf(k.shape) === 0) {
    const zeros = (shape: number[]) => be.makeTensorInfo(shape, 'float32', new Float32Array(sizeOf(shape)));
    return [zeros(q.shape.slice()), zeros(k.shape.slice()), zeros(v.shape.slice())];
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
      const kept = keyMask ? keyRowsKept(keyMask, be, d) : undefined;
      const ops = operands(be, { q: q3, dy: dy3, k: maskedKeyRows(k3, kept), v: maskedKeyRows(v3, kept) }, d);
      const { raw, clean, flags } = ops;
      const p = probabilities(be, attentionProduct(be, 'scores', [raw.q!, clean.q!], [raw.k!, clean.k!], flags, d), keyMask, d, scale);
      const dp = attentionProduct(be, 'scores', [raw.dy!, clean.dy!], [raw.v!, clean.v!], flags, d);
      const ds = softmaxBackward(be, p, dp, keyMask, d, scale);
      const dq = attentionProduct(be, 'query', [ds, ds], [raw.k!, clean.k!], flags, d);
      // masked keys take no part: their dk, dv rows are exactly 0
      const dv = maskedKeyRows(attentionProduct(be, 'key', [p, p], [raw.dy!, clean.dy!], flags, d), kept);
      const dk = maskedKeyRows(attentionProduct(be, 'key', [ds, ds], [raw.q!, clean.q!], flags, d), kept);
      return [tf.reshape(dq, q.shape), tf.reshape(dk, k.shape), tf.reshape(dv, v.shape)];
    }),
  );
};

/** webgpu kernel configs of {@link CausalAttention} and {@link CausalAttentionGrad}. */
export const causalAttentionConfigs: KernelConfig[] = [
  { kernelName: CausalAttention, backendName: 'webgpu', kernelFunc: attention },
  { kernelName: CausalAttentionGrad, backendName: 'webgpu', kernelFunc: attentionGrad },
];
