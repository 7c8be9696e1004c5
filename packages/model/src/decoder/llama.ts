/**
 * The Llama-style decoder (optionally Mixtral-style MoE) built from the fused ops of
 * `@quarkmed/tensor-kernels`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, rmsNorm, ropeTables, ropeTablesAt, tokenLogProbs } from '@quarkmed/tensor-kernels';
import { resolveConfig, type LlamaConfig, type ResolvedLlamaConfig } from '../config';
import { IGNORE_INDEX, shiftLabels } from '../labels';
import { selfAttention, type AttentionProjections, type AttentionRope } from './attention';
import { ModelInputError, fmtShape } from './errors';
import { initTensor, makeVariable, type InitSpec } from './init';
import { KVCache } from './kv-cache';
import { Linear, type LinearContext } from './linear';
import { swigluMlp, type MlpProjections } from './mlp';
import { moeForward, moeForwardDense, type MoeModules } from './moe';
import { dynamicInvFreqTensor, isDynamicRope, ropeParameters, type DynamicRopeScaling } from './rope-scaling';

/** Options of the {@link LlamaModel} constructor. */
export interface LlamaModelOptions {
  /** Seed of the weight initialisation (default 0). Every tensor derives its own seed from it and its name. */
  seed?: number;
  /**
   * `'random'` (default): Llama/GPT-2 init. `'zeros'`: linear and embedding weights zero, norms one (fast,
   * for loading a checkpoint right after).
   */
  init?: 'random' | 'zeros';
}

/** Options of {@link LlamaModel.forward}. */
export interface ForwardOptions {
  /** Key/value cache, appended to in place. */
  cache?: KVCache;
  /** `[B, Tpast + T]`, 1 keep / 0 padding (left padding for ragged batches); float32, int32 or bool. */
  attentionMask?: tf.Tensor2D;
  /** int32 `[B, T]` (or `[T]`); default `cache.length + t`, or `cumsum(mask) - 1` (clipped at 0) with a mask. */
  positions?: tf.Tensor2D | tf.Tensor1D;
  /** Training mode (adapter dropout); default false. */
  training?: boolean;
}

/** What {@link LlamaModel.forward} returns. */
export interface ForwardOutput {
  /** `[B, T, V]`. */
  logits: tf.Tensor3D;
  /** MoE only: load-balancing loss, mean over layers. */
  auxLoss?: tf.Scalar;
  /** MoE only: router z-loss, mean over layers. */
  zLoss?: tf.Scalar;
  /**
   * MoE only: `[layer][expert]` tokens routed (top-k counted, padding excluded). Absent on backends without cheap
   * reads (webgpu), where the MoE layers route on the device and counting would need a synchronous read back.
   */
  expertCounts?: number[][];
}

/** Options of {@link LlamaModel.loss} (a forward without a cache). */
export type LossOptions = Omit<ForwardOptions, 'cache'>;

/** What {@link LlamaModel.loss} returns. */
export interface LossOutput {
  /** `lmLoss + auxLossCoef · auxLoss + routerZLossCoef · zLoss`. */
  loss: tf.Scalar;
  /** Mean next-token cross-entropy over the labels that are not -100. */
  lmLoss: tf.Scalar;
  auxLoss?: tf.Scalar;
  zLoss?: tf.Scalar;
}

interface LayerModules {
  inputNorm: tf.Variable;
  postNorm: tf.Variable;
  attn: AttentionProjections;
  mlp?: MlpProjections;
  moe?: MoeModules;
}

/** Number of parameters of a model with `config` (the formula, without building it). */
export function countParameters(config: LlamaConfig): number {
  const c = resolveConfig(config);
  const d = c.hiddenSize;
  const dh = c.headDim;
  const q = c.numHeads * dh;
  const kv = c.numKvHeads * dh;
  const qkvBias = c.attentionBias || c.architecture === 'qwen2';
  let attn = 2 * d * q + 2 * d * kv;
  if (qkvBias) attn += q + 2 * kv;
  if (c.attentionBias) attn += d;
  if (c.architecture === 'qwen3') attn += 2 * dh;
  let mlp = 3 * d * c.intermediateSize;
  if (c.mlpBias) mlp += 2 * c.intermediateSize + d;
  const ffn = c.moe ? d * c.moe.numExperts + c.moe.numExperts * mlp : mlp;
  const perLayer = 2 * d + attn + ffn;
  return c.vocabSize * d + c.numLayers * perLayer + d + (c.tieEmbeddings ? 0 : d * c.vocabSize);
}

/** Backends whose tensors live in CPU memory, where reading ids back to validate them is cheap. */
function cheapRead(): boolean {
  const b = tf.getBackend();
  return b === 'cpu' || b === 'wasm' || b === 'native' || b === 'tensorflow';
}

/**
 * A Llama decoder: token embedding, `numLayers` pre-norm blocks (RMSNorm → GQA self-attention with RoPE →
 * residual → RMSNorm → SwiGLU MLP or top-k MoE → residual), final RMSNorm and the LM head (tied to the
 * embedding when `tieEmbeddings`). The same class runs Qwen2 (q/k/v biases) and Qwen3 (per-head q/k
 * RMSNorm before RoPE), Llama's optional attention/MLP biases, an explicit `headDim`, and Hugging Face
 * rope scaling (`linear`, `dynamic`, `yarn`, `llama3`; see `decoder/rope-scaling`).
 *
 * Weights live in {@link LlamaModel.weights} under their Hugging Face names, every linear weight stored
 * `[in, out]`. Initialisation (Llama/GPT-2): normal(0, initStd) for embeddings and linears, the residual
 * output projections (`o_proj`, `down_proj`, `w2`) with `initStd / sqrt(2 · numLayers)`, norms 1. Each
 * tensor draws from a stream seeded by the model seed and its name, so the init is deterministic.
 *
 * Memory: {@link LlamaModel.forward}, {@link LlamaModel.loss} and {@link LlamaModel.logProbs} free their
 * intermediates themselves and may be called inside `tf.tidy` or `tf.variableGrads`; the caller disposes
 * the returned tensors. A {@link KVCache} holds kept tensors until its `dispose()`.
 */
export class LlamaModel {
  /** The configuration with its defaults filled in. */
  readonly config: ResolvedLlamaConfig;
  /** Every weight, keyed by its Hugging Face name (see the model-internals guide). */
  readonly weights: Map<string, tf.Variable>;
  /** Whether adapters attached to the linears contribute (false: the frozen base model). */
  adaptersEnabled = true;
  /** The seed the weights were initialised from. */
  readonly seed: number;

  private readonly linearMap = new Map<string, Linear>();
  private readonly layers: LayerModules[] = [];
  private readonly embed: tf.Variable;
  private readonly finalNorm: tf.Variable;
  private readonly lmHead?: Linear;
  /** The rotary frequencies of every call (all schedules but `dynamic`, which depends on the length). */
  private readonly staticRope?: AttentionRope;
  private disposed = false;

  /**
   * @param config - the model configuration (validated; throws `ConfigError` naming the field)
   * @param options - `seed` of the initialisation (default 0) and `init` mode
   */
  constructor(config: LlamaConfig, options: LlamaModelOptions = {}) {
    this.config = resolveConfig(config);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new ModelInputError('options.seed', `must be an integer, got ${seed}`);
    this.seed = seed;
    const random = (options.init ?? 'random') === 'random';
    const c = this.config;
    const d = c.hiddenSize;
    const dh = c.headDim;
    const std = c.initStd;
    const residualStd = std / Math.sqrt(2 * c.numLayers);
    this.weights = new Map();

    const weight = (name: string, shape: number[], spec: InitSpec): tf.Variable => {
      const s: InitSpec = random || spec.kind !== 'normal' ? spec : { kind: 'zeros' };
      const v = makeVariable(initTensor(shape, s, seed, name), name);
      this.weights.set(name, v);
      return v;
    };
    const linear = (module: string, inF: number, outF: number, s = std, bias = false): Linear => {
      const w = weight(`${module}.weight`, [inF, outF], { kind: 'normal', std: s });
      const l = new Linear(module, w, bias ? weight(`${module}.bias`, [outF], { kind: 'zeros' }) : undefined);
      this.linearMap.set(module, l);
      return l;
    };
    const ones: InitSpec = { kind: 'ones' };
    const qkvBias = c.attentionBias || c.architecture === 'qwen2';

    this.embed = weight('model.embed_tokens.weight', [c.vocabSize, d], { kind: 'normal', std });
    for (let i = 0; i < c.numLayers; i++) {
      const p = `model.layers.${i}`;
      const inputNorm = weight(`${p}.input_layernorm.weight`, [d], ones);
      const attn: AttentionProjections = {
        q: linear(`${p}.self_attn.q_proj`, d, c.numHeads * dh, std, qkvBias),
        k: linear(`${p}.self_attn.k_proj`, d, c.numKvHeads * dh, std, qkvBias),
        v: linear(`${p}.self_attn.v_proj`, d, c.numKvHeads * dh, std, qkvBias),
        o: linear(`${p}.self_attn.o_proj`, c.numHeads * dh, d, residualStd, c.attentionBias),
      };
      if (c.architecture === 'qwen3') {
        attn.qNorm = weight(`${p}.self_attn.q_norm.weight`, [dh], ones);
        attn.kNorm = weight(`${p}.self_attn.k_norm.weight`, [dh], ones);
      }
      const postNorm = weight(`${p}.post_attention_layernorm.weight`, [d], ones);
      const layer: LayerModules = { inputNorm, postNorm, attn };
      if (c.moe) {
        const m = `${p}.block_sparse_moe`;
        const router = linear(`${m}.gate`, d, c.moe.numExperts);
        const experts: MlpProjections[] = [];
        for (let e = 0; e < c.moe.numExperts; e++) {
          const x = `${m}.experts.${e}`;
          experts.push({
            gate: linear(`${x}.w1`, d, c.intermediateSize),
            down: linear(`${x}.w2`, c.intermediateSize, d, residualStd),
            up: linear(`${x}.w3`, d, c.intermediateSize),
          });
        }
        layer.moe = { router, experts, topK: c.moe.topK };
      } else {
        layer.mlp = {
          gate: linear(`${p}.mlp.gate_proj`, d, c.intermediateSize, std, c.mlpBias),
          up: linear(`${p}.mlp.up_proj`, d, c.intermediateSize, std, c.mlpBias),
          down: linear(`${p}.mlp.down_proj`, c.intermediateSize, d, residualStd, c.mlpBias),
        };
      }
      this.layers.push(layer);
    }
    this.finalNorm = weight('model.norm.weight', [d], ones);
    if (!c.tieEmbeddings) this.lmHead = linear('lm_head', d, c.vocabSize);
    if (!isDynamicRope(c.ropeScaling)) this.staticRope = ropeParameters(c.ropeScaling, this.ropeBase());
  }

  private ropeBase(): { headDim: number; theta: number; maxPositions: number } {
    return { headDim: this.config.headDim, theta: this.config.ropeTheta, maxPositions: this.config.maxSeqLen };
  }

  /**
   * The rotary frequencies of a forward call. `dynamic` NTK scaling recomputes them from the call's sequence
   * length, the largest position + 1 (as transformers' `dynamic_rope_update`: with a KV cache every step
   * uses the frequencies of its own length, the cached keys keep theirs); with explicit positions their
   * maximum is read back on cpu/wasm/tensorflow, and the frequencies are computed on the device elsewhere.
   */
  private callRope(positions: tf.Tensor | undefined, past: number, t: number): AttentionRope {
    if (this.staticRope) return this.staticRope;
    const scaling = this.config.ropeScaling as DynamicRopeScaling;
    if (positions === undefined) return ropeParameters(scaling, this.ropeBase(), past + t);
    // GPU backends: the frequencies are computed on the device from the positions (no read back)
    if (!cheapRead()) return { invFreq: dynamicInvFreqTensor(scaling, this.ropeBase(), positions), attentionScaling: 1 };
    const seqLen = tf.tidy(() => tf.max(positions).dataSync()[0]!) + 1;
    return ropeParameters(scaling, this.ropeBase(), seqLen);
  }

  /** The linear layers keyed by module name (weight name without `.weight`), e.g. `model.layers.0.self_attn.q_proj`. */
  linears(): Map<string, Linear> {
    return new Map(this.linearMap);
  }

  /** The base weights as a list (e.g. for an optimizer). Adapter variables are not included. */
  variables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  /** Number of base parameters (equals {@link countParameters} of the config). */
  parameterCount(): number {
    let n = 0;
    for (const v of this.weights.values()) n += v.size;
    return n;
  }

  /** An empty {@link KVCache} for this model. */
  createCache(): KVCache {
    return KVCache.empty(this.config.numLayers);
  }

  /**
   * Runs the decoder on `inputIds` int32 `[B, T]`.
   *
   * With `options.cache` the new keys/values are appended to it and attention covers the cached prefix;
   * positions then start at `cache.length` (or follow `cumsum(mask) - 1` when `attentionMask` is given,
   * which must then cover `[B, cache.length + T]`). Ragged batches: left-pad and pass `attentionMask`.
   *
   * @returns `logits` `[B, T, V]`, and for MoE `auxLoss`, `zLoss` and `expertCounts` (absent on backends without
   *   cheap reads, webgpu)
   * @throws ModelInputError for a bad dtype/shape, ids outside `[0, vocabSize)` (checked on cpu/wasm),
   *   `cache.length + T > maxSeqLen`, a cache of another batch size or layer count, or a mask/positions
   *   tensor of the wrong shape.
   */
  forward(inputIds: tf.Tensor2D, options: ForwardOptions = {}): ForwardOutput {
    const out = this.trunkForward(inputIds, options);
    const [b, t] = inputIds.shape;
    const logits = tf.tidy(() => tf.reshape(this.projectToVocab(out.hidden, out.ctx), [b, t, this.config.vocabSize]) as tf.Tensor3D);
    out.hidden.dispose();
    const result: ForwardOutput = { logits };
    if (out.auxLoss !== undefined) result.auxLoss = out.auxLoss;
    if (out.zLoss !== undefined) result.zLoss = out.zLoss;
    if (out.expertCounts !== undefined) result.expertCounts = out.expertCounts;
    return result;
  }

  /**
   * Final hidden states: the output of the last block after the final RMSNorm, `[B, T, D]` — the input of the
   * LM head, so `forward(ids).logits` equals `hiddenStates(ids) · W` with `W` the `lm_head` weight `[D, V]`
   * (the transposed embedding `[V, D]ᵀ` when `tieEmbeddings`). Differentiable (use it under
   * `tf.variableGrads` for reward or classification heads on the trunk); the LM head is not computed.
   * Adapters attached to the trunk's linears apply as in {@link LlamaModel.forward} (inference mode).
   *
   * @param inputIds - int32 `[B, T]`
   * @param options - `attentionMask` `[B, T]` (1 keep / 0 padding, left padding for ragged batches; float32,
   *   int32 or bool) and `positions` int32 `[B, T]` or `[T]` (default `cumsum(mask) - 1` clipped at 0 with a
   *   mask, else `0..T-1`)
   * @returns `[B, T, D]`; the caller disposes it
   * @throws ModelInputError for the same inputs as {@link LlamaModel.forward} (dtype/shape of the ids, ids
   *   outside the vocabulary, T > maxSeqLen, a mask or positions tensor of the wrong shape)
   */
  hiddenStates(inputIds: tf.Tensor2D, options: { attentionMask?: tf.Tensor2D; positions?: tf.Tensor2D | tf.Tensor1D } = {}): tf.Tensor3D {
    const out = this.trunkForward(inputIds, { attentionMask: options.attentionMask, positions: options.positions });
    out.auxLoss?.dispose();
    out.zLoss?.dispose();
    const [b, t] = inputIds.shape;
    const d = this.config.hiddenSize;
    const h = tf.reshape(out.hidden, [b, t, d]) as tf.Tensor3D;
    out.hidden.dispose();
    return h;
  }

  /** `hidden` `[N, D]` → logits `[N, V]` through the LM head, or the transposed embedding when tied. */
  private projectToVocab(hidden: tf.Tensor2D, ctx: LinearContext): tf.Tensor2D {
    return this.lmHead ? this.lmHead.apply(hidden, ctx) : (tf.matMul(hidden, this.embed as tf.Tensor2D, false, true) as tf.Tensor2D);
  }

  /**
   * The decoder trunk shared by {@link LlamaModel.forward} and {@link LlamaModel.hiddenStates}: validates
   * the inputs, runs embedding, blocks and the final RMSNorm, advances the cache. Returns the normed hidden
   * states flattened to `[B·T, D]` and the MoE statistics, plus the linear context used.
   */
  private trunkForward(
    inputIds: tf.Tensor2D,
    options: ForwardOptions,
  ): { hidden: tf.Tensor2D; auxLoss?: tf.Scalar; zLoss?: tf.Scalar; expertCounts?: number[][]; ctx: LinearContext } {
    this.assertLive();
    const c = this.config;
    this.checkIds('inputIds', inputIds);
    const [b, t] = inputIds.shape;
    const cache = options.cache;
    if (cache !== undefined) {
      if (!(cache instanceof KVCache)) throw new ModelInputError('options.cache', 'must be a KVCache');
      if (cache.numLayers !== c.numLayers) {
        throw new ModelInputError('options.cache', `has ${cache.numLayers} layers, the model has ${c.numLayers}`);
      }
      if (cache.length > 0 && cache.batchSize !== b) {
        throw new ModelInputError('options.cache', `holds batch size ${cache.batchSize}, but inputIds ${fmtShape(inputIds.shape)} has B = ${b}`);
      }
    }
    const past = cache?.length ?? 0;
    if (past + t > c.maxSeqLen) {
      throw new ModelInputError('inputIds', `sequence length ${past + t} (cached ${past} + new ${t}) exceeds maxSeqLen ${c.maxSeqLen}`);
    }
    const mask = options.attentionMask;
    if (mask !== undefined) {
      if (!(mask instanceof tf.Tensor)) throw new ModelInputError('options.attentionMask', 'must be a tf.Tensor');
      if (mask.dtype !== 'float32' && mask.dtype !== 'int32' && mask.dtype !== 'bool') {
        throw new ModelInputError('options.attentionMask', `must be float32, int32 or bool, got ${mask.dtype}`);
      }
      if (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== past + t) {
        throw new ModelInputError(
          'options.attentionMask',
          `has shape ${fmtShape(mask.shape)}, expected [B, Tpast + T] = [${b}, ${past + t}] (inputIds ${fmtShape(inputIds.shape)}, cache length ${past})`,
        );
      }
    }
    const positions = options.positions;
    if (positions !== undefined) {
      if (!(positions instanceof tf.Tensor) || positions.dtype !== 'int32') {
        throw new ModelInputError('options.positions', `must be an int32 tensor, got ${positions instanceof tf.Tensor ? positions.dtype : typeof positions}`);
      }
      const ok =
        (positions.rank === 1 && positions.shape[0] === t) ||
        (positions.rank === 2 && (positions.shape[0] === b || positions.shape[0] === 1) && positions.shape[1] === t);
      if (!ok) {
        throw new ModelInputError('options.positions', `has shape ${fmtShape(positions.shape)}, expected [B, T] = [${b}, ${t}] or [${t}]`);
      }
    }
    // MoE: sparse dispatch with the routing read back where reads are cheap (cpu, wasm, native, tensorflow);
    // elsewhere (webgpu) dense dispatch computed on the device, without expertCounts (see moeForwardDense)
    const sparseMoe = c.moe !== undefined && cheapRead();
    // padding of the new tokens, for the MoE statistics
    let tokenMask: Uint8Array | undefined;
    if (sparseMoe && mask !== undefined) {
      const md = mask.dataSync();
      tokenMask = new Uint8Array(b * t);
      for (let i = 0; i < b; i++) for (let j = 0; j < t; j++) tokenMask[i * t + j] = md[i * (past + t) + past + j] !== 0 ? 1 : 0;
    }

    const ctx: LinearContext = { training: options.training ?? false, adaptersEnabled: this.adaptersEnabled };
    const counts: number[][] = [];
    const dh = c.headDim;
    const out = tf.tidy(() => {
      let pos: tf.Tensor | undefined = positions;
      if (pos === undefined && mask !== undefined) pos = positionsFromMask(mask, past, t);
      const ropeFreq = this.callRope(pos, past, t);
      // one pair of cos/sin tables for q and k of every layer (disposed with this tidy)
      const tableOptions = { invFreq: ropeFreq.invFreq, attentionScaling: ropeFreq.attentionScaling };
      const sharedTables = pos !== undefined ? ropeTables(pos, dh, undefined, tableOptions) : ropeTablesAt(past, t, dh, undefined, tableOptions);
      const deviceTokenMask = c.moe && !sparseMoe && mask !== undefined ? newTokenMask(mask, past, t) : undefined;
      let h = tf.gather(this.embed, tf.reshape(inputIds, [b * t])) as tf.Tensor2D;
      const auxes: tf.Scalar[] = [];
      const zs: tf.Scalar[] = [];
      this.layers.forEach((layer, i) => {
        const x = rmsNorm(h, layer.inputNorm, c.rmsNormEps) as tf.Tensor2D;
        const a = selfAttention(x, layer.attn, {
          batch: b,
          seq: t,
          numHeads: c.numHeads,
          numKvHeads: c.numKvHeads,
          headDim: dh,
          rope: ropeFreq,
          ropeTables: sharedTables,
          rmsNormEps: c.rmsNormEps,
          positions: pos,
          offset: past,
          keyMask: mask,
          cache,
          layer: i,
          ctx,
        });
        h = tf.add(h, a);
        const x2 = rmsNorm(h, layer.postNorm, c.rmsNormEps) as tf.Tensor2D;
        let f: tf.Tensor2D;
        if (layer.moe && sparseMoe) {
          const m = moeForward(x2, layer.moe, ctx, tokenMask);
          f = m.output;
          auxes.push(m.auxLoss);
          zs.push(m.zLoss);
          counts.push(m.counts);
        } else if (layer.moe) {
          const m = moeForwardDense(x2, layer.moe, ctx, deviceTokenMask);
          f = m.output;
          auxes.push(m.auxLoss);
          zs.push(m.zLoss);
        } else {
          f = swigluMlp(x2, layer.mlp!, ctx);
        }
        h = tf.add(h, f);
      });
      const result: { hidden: tf.Tensor2D; auxLoss?: tf.Scalar; zLoss?: tf.Scalar } = {
        hidden: rmsNorm(h, this.finalNorm, c.rmsNormEps) as tf.Tensor2D,
      };
      if (c.moe) {
        result.auxLoss = tf.mean(tf.stack(auxes)) as tf.Scalar;
        result.zLoss = tf.mean(tf.stack(zs)) as tf.Scalar;
      }
      return result;
    });
    cache?.advance(t);
    return { ...out, ctx, ...(sparseMoe ? { expertCounts: counts } : {}) };
  }

  /**
   * Causal LM loss (Hugging Face convention): `labels` int32 `[B, T]` is aligned with `inputIds` and the
   * model shifts internally, predicting `labels[:, t + 1]` from position `t`; labels equal to -100 are
   * ignored. For MoE, `loss = lmLoss + auxLossCoef · auxLoss + routerZLossCoef · zLoss`.
   *
   * @throws ModelInputError for a labels shape or dtype mismatch, T < 2, or any {@link LlamaModel.forward} error
   */
  loss(inputIds: tf.Tensor2D, labels: tf.Tensor2D, options: LossOptions = {}): LossOutput {
    this.checkIds('inputIds', inputIds);
    if (!(labels instanceof tf.Tensor) || labels.dtype !== 'int32') {
      throw new ModelInputError('labels', `must be an int32 tensor, got ${labels instanceof tf.Tensor ? labels.dtype : typeof labels}`);
    }
    if (!tf.util.arraysEqual(labels.shape, inputIds.shape)) {
      throw new ModelInputError('labels', `has shape ${fmtShape(labels.shape)}, expected the shape of inputIds ${fmtShape(inputIds.shape)}`);
    }
    const [b, t] = inputIds.shape;
    if (t < 2) throw new ModelInputError('inputIds', `needs at least 2 time steps for a next-token loss, got shape ${fmtShape(inputIds.shape)}`);
    const v = this.config.vocabSize;
    const moe = this.config.moe;
    return tf.tidy(() => {
      const out = this.forward(inputIds, options);
      // Shift the (small) labels rather than slicing the [B, T, V] logits: position t predicts labels[:, t+1] and
      // the last position gets the ignore index, which leaves the mean over non-ignored rows unchanged.
      const logits = tf.reshape(out.logits, [b * t, v]);
      const shifted = shiftLabels(labels);
      const lmLoss = crossEntropy(logits, tf.reshape(shifted, [b * t]), { ignoreIndex: IGNORE_INDEX });
      if (!moe || out.auxLoss === undefined || out.zLoss === undefined) return { loss: tf.clone(lmLoss), lmLoss };
      const loss = tf.addN([lmLoss, tf.mul(out.auxLoss, moe.auxLossCoef!), tf.mul(out.zLoss, moe.routerZLossCoef!)]) as tf.Scalar;
      return { loss, lmLoss, auxLoss: out.auxLoss, zLoss: out.zLoss };
    });
  }

  /**
   * Per-token log-probabilities `[B, T-1]`: `log p(ids[:, t+1] | ids[:, ..t])`, multiplied by `mask[:, t+1]`
   * when a mask (`[B, T]`, 1 keep / 0 padding) is given; the mask is also the attention mask (left padding).
   * Differentiable (policy-gradient training).
   */
  logProbs(ids: tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor2D {
    this.checkIds('ids', ids);
    const [b, t] = ids.shape;
    if (t < 2) throw new ModelInputError('ids', `needs at least 2 time steps, got shape ${fmtShape(ids.shape)}`);
    return tf.tidy(() => {
      const { logits } = this.forward(ids, mask !== undefined ? { attentionMask: mask } : {});
      // Score every position against the next id (the last against id 0) and drop the last column: slicing the
      // [B, T] result is cheap, slicing the [B, T, V] logits is not.
      const next = tf.concat([tf.slice(ids, [0, 1], [b, t - 1]), tf.zeros([b, 1], 'int32')], 1);
      const lp = tf.slice(tokenLogProbs(logits, next), [0, 0], [b, t - 1]) as tf.Tensor2D;
      if (mask === undefined) return lp;
      return tf.mul(lp, tf.cast(tf.slice(mask, [0, 1], [b, t - 1]), 'float32'));
    });
  }

  /** Frees every weight. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.weights.values()) w.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new ModelInputError('this', 'the model has been disposed');
  }

  private checkIds(arg: string, ids: tf.Tensor): void {
    if (!(ids instanceof tf.Tensor)) throw new ModelInputError(arg, `must be a tf.Tensor, got ${typeof ids}`);
    if (ids.dtype !== 'int32') throw new ModelInputError(arg, `must be int32, got ${ids.dtype} (shape ${fmtShape(ids.shape)})`);
    if (ids.rank !== 2 || ids.shape[0] === 0 || ids.shape[1] === 0) {
      throw new ModelInputError(arg, `must be non-empty [B, T], got shape ${fmtShape(ids.shape)}`);
    }
    if (cheapRead()) {
      const data = ids.dataSync();
      const vocab = this.config.vocabSize;
      for (let i = 0; i < data.length; i++) {
        const id = data[i]!;
        if (id < 0 || id >= vocab) {
          throw new ModelInputError(arg, `id ${id} at flat index ${i} is outside the vocabulary [0, ${vocab}) (shape ${fmtShape(ids.shape)})`);
        }
      }
    }
  }
}

/** The MoE token mask of the new tokens on the device: float32 `[B·t]`, 1 where `mask` is non-zero in the last `t` columns. */
function newTokenMask(mask: tf.Tensor, past: number, t: number): tf.Tensor1D {
  const b = mask.shape[0]!;
  const m = tf.slice(tf.cast(mask, 'float32'), [0, past], [b, t]);
  return tf.reshape(tf.cast(tf.notEqual(m, 0), 'float32'), [b * t]) as tf.Tensor1D;
}

/** `cumsum(mask) - 1` clipped at 0, for the last `t` of `past + t` columns: int32 `[B, t]`. */
function positionsFromMask(mask: tf.Tensor, past: number, t: number): tf.Tensor2D {
  const b = mask.shape[0]!;
  const m = mask.dtype === 'int32' ? mask : tf.cast(mask, 'int32');
  const pos = tf.maximum(tf.sub(tf.cumsum(m, 1), tf.scalar(1, 'int32')), tf.scalar(0, 'int32'));
  return tf.slice(pos, [0, past], [b, t]) as tf.Tensor2D;
}
