/**
 * A plain-JavaScript (float64) reference of the Llama forward, written independently of the tfjs code, to
 * check the model's logits; plus small shared helpers of the model tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import type { LlamaModel } from '../../src/decoder/index';
import { Mulberry32 } from '../../src/training/rng';

export const BACKENDS = ['cpu', 'wasm'] as const;

/** Activates `name` and checks tfjs really runs on it. */
export async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  await initBackend(name, { log: false });
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`backend is ${tf.getBackend()}, expected ${name}`);
}

type Mat = number[][];

function mat(model: LlamaModel, name: string): Mat {
  const w = model.weights.get(name);
  if (!w) throw new Error(`no weight ${name}`);
  return w.arraySync() as Mat;
}
function vec(model: LlamaModel, name: string): number[] {
  return model.weights.get(name)!.arraySync() as number[];
}
function matVec(x: number[], w: Mat): number[] {
  const out = new Array<number>(w[0]!.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    const row = w[i]!;
    for (let j = 0; j < out.length; j++) out[j]! += x[i]! * row[j]!;
  }
  return out;
}
function rms(x: number[], w: number[], eps: number): number[] {
  const ms = x.reduce((a, v) => a + v * v, 0) / x.length;
  const r = 1 / Math.sqrt(ms + eps);
  return x.map((v, i) => v * r * w[i]!);
}
function ropeVec(x: number[], pos: number, theta: number): number[] {
  const dh = x.length;
  const h = dh / 2;
  const y = x.slice();
  for (let i = 0; i < h; i++) {
    const inv = 1 / Math.pow(theta, (2 * i) / dh);
    const c = Math.cos(pos * inv);
    const s = Math.sin(pos * inv);
    y[i] = x[i]! * c - x[i + h]! * s;
    y[i + h] = x[i + h]! * c + x[i]! * s;
  }
  return y;
}
const silu = (g: number): number => g / (1 + Math.exp(-g));

function mlp(model: LlamaModel, x: number[], gate: string, up: string, down: string): number[] {
  const g = matVec(x, mat(model, gate));
  const u = matVec(x, mat(model, up));
  return matVec(
    g.map((v, i) => silu(v) * u[i]!),
    mat(model, down),
  );
}

/**
 * Logits `[T][V]` of one unpadded sequence, positions 0..T-1. MoE layers use top-k routing with
 * renormalised softmax weights, every expert computed densely.
 */
export function referenceLogits(model: LlamaModel, ids: number[]): number[][] {
  const c = model.config;
  const d = c.hiddenSize;
  const hq = c.numHeads;
  const hkv = c.numKvHeads;
  const dh = d / hq;
  const emb = mat(model, 'model.embed_tokens.weight');
  let h = ids.map((id) => emb[id]!.slice());
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const xn = h.map((x) => rms(x, vec(model, `${p}.input_layernorm.weight`), c.rmsNormEps));
    const wq = mat(model, `${p}.self_attn.q_proj.weight`);
    const wk = mat(model, `${p}.self_attn.k_proj.weight`);
    const wv = mat(model, `${p}.self_attn.v_proj.weight`);
    const q = xn.map((x) => matVec(x, wq));
    const k = xn.map((x) => matVec(x, wk));
    const v = xn.map((x) => matVec(x, wv));
    const attnOut = h.map((_, t) => {
      const o = new Array<number>(hq * dh).fill(0);
      for (let head = 0; head < hq; head++) {
        const kvh = Math.floor(head / (hq / hkv));
        const qh = ropeVec(q[t]!.slice(head * dh, (head + 1) * dh), t, c.ropeTheta);
        const scores: number[] = [];
        for (let j = 0; j <= t; j++) {
          const kh = ropeVec(k[j]!.slice(kvh * dh, (kvh + 1) * dh), j, c.ropeTheta);
          scores.push(qh.reduce((a, val, i) => a + val * kh[i]!, 0) / Math.sqrt(dh));
        }
        const mx = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++) {
          for (let i = 0; i < dh; i++) o[head * dh + i]! += (e[j]! / z) * v[j]![kvh * dh + i]!;
        }
      }
      return matVec(o, mat(model, `${p}.self_attn.o_proj.weight`));
    });
    h = h.map((x, t) => x.map((val, i) => val + attnOut[t]![i]!));
    const x2 = h.map((x) => rms(x, vec(model, `${p}.post_attention_layernorm.weight`), c.rmsNormEps));
    const f = x2.map((x) => {
      if (!c.moe) return mlp(model, x, `${p}.mlp.gate_proj.weight`, `${p}.mlp.up_proj.weight`, `${p}.mlp.down_proj.weight`);
      const m = `${p}.block_sparse_moe`;
      const logits = matVec(x, mat(model, `${m}.gate.weight`));
      const mx = Math.max(...logits);
      const e = logits.map((s) => Math.exp(s - mx));
      const z = e.reduce((a, b) => a + b, 0);
      const probs = e.map((s) => s / z);
      const order = probs.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b).slice(0, c.moe.topK);
      const tot = order.reduce((a, i) => a + probs[i]!, 0);
      const out = new Array<number>(d).fill(0);
      for (const ex of order) {
        const y = mlp(model, x, `${m}.experts.${ex}.w1.weight`, `${m}.experts.${ex}.w3.weight`, `${m}.experts.${ex}.w2.weight`);
        for (let i = 0; i < d; i++) out[i]! += (probs[ex]! / tot) * y[i]!;
      }
      return out;
    });
    h = h.map((x, t) => x.map((val, i) => val + f[t]![i]!));
  }
  const hn = h.map((x) => rms(x, vec(model, 'model.norm.weight'), c.rmsNormEps));
  if (c.tieEmbeddings) return hn.map((x) => emb.map((row) => row.reduce((a, val, i) => a + val * x[i]!, 0)));
  const head = mat(model, 'lm_head.weight');
  return hn.map((x) => matVec(x, head));
}

/** Largest absolute difference of two equally shaped nested arrays. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, v, i) => Math.max(m, maxAbsDiff(v, b[i])), 0);
  }
  return Math.abs((a as number) - (b as number));
}

/** Deterministic pseudo-random int32 ids `[B, T]` in `[lo, vocab)`. */
export function randomIds(b: number, t: number, vocab: number, seed: number, lo = 0): number[][] {
  const rng = new Mulberry32(seed);
  return Array.from({ length: b }, () => Array.from({ length: t }, () => lo + rng.nextInt(vocab - lo)));
}
