/**
 * Configuration of the Llama-style decoder, with the Hugging Face `config.json` mapping.
 *
 * @packageDocumentation
 */
import type { RopeScaling } from './decoder/rope-scaling';
import { ModelError } from './error';

/** Mixture-of-experts feed-forward settings (Mixtral-style top-k routing). */
export interface MoeConfig {
  /** Number of experts per layer. */
  numExperts: number;
  /** Experts each token is routed to. */
  topK: number;
  /** Weight of the auxiliary load-balancing loss added to the LM loss (Switch/Mixtral form). Default 0.01. */
  auxLossCoef?: number;
  /** Weight of the router z-loss (ST-MoE). Default 0.001. */
  routerZLossCoef?: number;
}

/** The decoder family, which fixes the Hugging Face names and the parts each layer has. */
export type Architecture = 'llama' | 'qwen2' | 'qwen3';

/** Shape and numerics of a {@link LlamaConfig} decoder. All sizes are positive integers. */
export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Key/value heads (GQA); must divide numHeads. Defaults to numHeads. */
  numKvHeads?: number;
  /** Per-head dimension (even, for RoPE); default `hiddenSize / numHeads`. May differ from it (HF `head_dim`). */
  headDim?: number;
  intermediateSize: number;
  /** Default 10000. */
  ropeTheta?: number;
  /** Rotary frequency scaling (HF `rope_scaling`): linear, dynamic NTK, YaRN or Llama 3. Default none. */
  ropeScaling?: RopeScaling;
  /** Default 1e-6. */
  rmsNormEps?: number;
  /** Share the embedding matrix with the LM head. Default false. */
  tieEmbeddings?: boolean;
  /** Longest sequence (prompt + generation). */
  maxSeqLen: number;
  /** Std of the normal init; residual output projections use std / sqrt(2 * numLayers). Default 0.02. */
  initStd?: number;
  /**
   * `'llama'` (default; `'mixtral'` names with `moe`), `'qwen2'` (biases on q/k/v, none on o) or `'qwen3'`
   * (per-head RMSNorm of q and k before RoPE).
   */
  architecture?: Architecture;
  /** Biases on q/k/v/o (HF `attention_bias`; llama and qwen3). Default false. */
  attentionBias?: boolean;
  /** Biases on gate/up/down (HF `mlp_bias`; llama only). Default false. */
  mlpBias?: boolean;
  /** Optional MoE feed-forward in every layer. */
  moe?: MoeConfig;
  bosTokenId?: number;
  /** The end-of-sequence id (the first of `eosTokenIds` when the checkpoint lists several). */
  eosTokenId?: number;
  /** Every end-of-sequence id when `config.json` lists several (`eos_token_id: [..]`, e.g. Llama 3.1). */
  eosTokenIds?: number[];
  padTokenId?: number;
}

type OptionalKeys = 'moe' | 'bosTokenId' | 'eosTokenId' | 'eosTokenIds' | 'padTokenId' | 'ropeScaling';

/** A {@link LlamaConfig} with every default filled in. */
export type ResolvedLlamaConfig = Required<Omit<LlamaConfig, OptionalKeys>> & Pick<LlamaConfig, OptionalKeys>;

/** Thrown for an invalid configuration; `field` names the offending key. */
export class ConfigError extends ModelError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`config.${field}: ${message}`);
    this.name = 'ConfigError';
  }
}


const ARCHITECTURES: readonly Architecture[] = ['llama', 'qwen2', 'qwen3'];

function positiveInt(config: Record<string, unknown>, field: string): void {
  const v = config[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${JSON.stringify(v)}`);
  }
}

function positiveNumber(field: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(field, `must be a finite positive number, got ${JSON.stringify(v)}`);
}

function tokenId(field: string, v: unknown): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
    throw new ConfigError(field, `must be a non-negative integer token id, got ${JSON.stringify(v)}`);
  }
}

/** Checks a {@link RopeScaling}'s fields (throws {@link ConfigError} naming `ropeScaling.<field>`). */
function validateRopeScaling(s: RopeScaling): void {
  const f = (key: string): string => `ropeScaling.${key}`;
  if (s === null || typeof s !== 'object') throw new ConfigError('ropeScaling', `must be an object, got ${JSON.stringify(s)}`);
  positiveNumber(f('factor'), s.factor);
  const posInt = (key: string, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ConfigError(f(key), `must be a positive integer, got ${JSON.stringify(v)}`);
  };
  switch (s.type) {
    case 'linear':
      return;
    case 'dynamic':
      posInt('originalMaxPositions', s.originalMaxPositions);
      return;
    case 'llama3':
      posInt('originalMaxPositions', s.originalMaxPositions);
      positiveNumber(f('lowFreqFactor'), s.lowFreqFactor);
      positiveNumber(f('highFreqFactor'), s.highFreqFactor);
      if (s.highFreqFactor <= s.lowFreqFactor) {
        throw new ConfigError(f('highFreqFactor'), `must exceed lowFreqFactor ${s.lowFreqFactor}, got ${s.highFreqFactor}`);
      }
      return;
    case 'yarn':
      if (s.originalMaxPositions !== undefined) posInt('originalMaxPositions', s.originalMaxPositions);
      for (const key of ['attentionFactor', 'betaFast', 'betaSlow'] as const) if (s[key] !== undefined) positiveNumber(f(key), s[key]);
      for (const key of ['mscale', 'mscaleAllDim'] as const) {
        const v = s[key];
        if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new ConfigError(f(key), `must be a finite number, got ${JSON.stringify(v)}`);
      }
      if (s.truncate !== undefined && typeof s.truncate !== 'boolean') throw new ConfigError(f('truncate'), `must be a boolean, got ${JSON.stringify(s.truncate)}`);
      return;
    default:
      throw new ConfigError('ropeScaling.type', `must be 'linear', 'dynamic', 'yarn' or 'llama3', got ${JSON.stringify((s as { type?: unknown }).type)}`);
  }
}

/** Validates a config and fills its defaults. Throws {@link ConfigError} naming the field. */
export function resolveConfig(config: LlamaConfig): ResolvedLlamaConfig {
  const raw = config as unknown as Record<string, unknown>;
  for (const f of ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'maxSeqLen']) positiveInt(raw, f);
  const numKvHeads = config.numKvHeads ?? config.numHeads;
  if (!Number.isInteger(numKvHeads) || numKvHeads <= 0) throw new ConfigError('numKvHeads', `must be a positive integer, got ${numKvHeads}`);
  if (config.numHeads % numKvHeads !== 0) {
    throw new ConfigError('numKvHeads', `${numKvHeads} does not divide numHeads ${config.numHeads}`);
  }
  let headDim = config.headDim;
  if (headDim === undefined) {
    if (config.hiddenSize % config.numHeads !== 0) {
      throw new ConfigError('hiddenSize', `${config.hiddenSize} is not divisible by numHeads ${config.numHeads} (give headDim explicitly)`);
    }
    headDim = config.hiddenSize / config.numHeads;
    if (headDim % 2 !== 0) throw new ConfigError('hiddenSize', `head dim ${headDim} (hiddenSize / numHeads) must be even for RoPE`);
  } else {
    if (!Number.isInteger(headDim) || headDim <= 0) throw new ConfigError('headDim', `must be a positive integer, got ${JSON.stringify(headDim)}`);
    if (headDim % 2 !== 0) throw new ConfigError('headDim', `must be even for RoPE, got ${headDim}`);
  }
  const architecture = config.architecture ?? 'llama';
  if (!ARCHITECTURES.includes(architecture)) {
    throw new ConfigError('architecture', `must be one of ${ARCHITECTURES.join(', ')}, got ${JSON.stringify(architecture)}`);
  }
  for (const key of ['attentionBias', 'mlpBias', 'tieEmbeddings'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'boolean') throw new ConfigError(key, `must be a boolean, got ${JSON.stringify(config[key])}`);
  }
  const attentionBias = config.attentionBias ?? false;
  const mlpBias = config.mlpBias ?? false;
  if (architecture === 'qwen2' && attentionBias) {
    throw new ConfigError('attentionBias', 'qwen2 has fixed biases on q/k/v and none on o; attentionBias must be false');
  }
  if (architecture !== 'llama' && mlpBias) throw new ConfigError('mlpBias', `${architecture} has no MLP biases; mlpBias must be false`);
  const ropeTheta = config.ropeTheta ?? 10000;
  positiveNumber('ropeTheta', ropeTheta);
  const rmsNormEps = config.rmsNormEps ?? 1e-6;
  if (typeof rmsNormEps !== 'number' || !Number.isFinite(rmsNormEps) || rmsNormEps < 0) {
    throw new ConfigError('rmsNormEps', `must be a finite number >= 0, got ${JSON.stringify(rmsNormEps)}`);
  }
  if (config.ropeScaling !== undefined) validateRopeScaling(config.ropeScaling);
  if (config.moe) {
    const { numExperts, topK } = config.moe;
    if (!Number.isInteger(numExperts) || numExperts < 1) throw new ConfigError('moe.numExperts', `must be a positive integer, got ${numExperts}`);
    if (!Number.isInteger(topK) || topK < 1 || topK > numExperts) {
      throw new ConfigError('moe.topK', `must be an integer in [1, ${numExperts}], got ${topK}`);
    }
    if (architecture !== 'llama') throw new ConfigError('moe', `MoE layers are Mixtral's (architecture 'llama' with moe), not ${architecture}'s`);
    if (attentionBias || mlpBias) throw new ConfigError(attentionBias ? 'attentionBias' : 'mlpBias', 'Mixtral (moe) layers have no biases');
  }
  tokenId('bosTokenId', config.bosTokenId);
  tokenId('eosTokenId', config.eosTokenId);
  tokenId('padTokenId', config.padTokenId);
  let eosTokenId = config.eosTokenId;
  if (config.eosTokenIds !== undefined) {
    if (!Array.isArray(config.eosTokenIds) || config.eosTokenIds.length === 0) {
      throw new ConfigError('eosTokenIds', `must be a non-empty array of token ids, got ${JSON.stringify(config.eosTokenIds)}`);
    }
    config.eosTokenIds.forEach((id, i) => tokenId(`eosTokenIds[${i}]`, id));
    if (eosTokenId !== undefined && eosTokenId !== config.eosTokenIds[0]) {
      throw new ConfigError('eosTokenId', `${eosTokenId} is not the first of eosTokenIds ${JSON.stringify(config.eosTokenIds)}`);
    }
    eosTokenId = config.eosTokenIds[0];
  }
  const resolved: ResolvedLlamaConfig = {
    ...config,
    numKvHeads,
    headDim,
    ropeTheta,
    rmsNormEps,
    tieEmbeddings: config.tieEmbeddings ?? false,
    initStd: config.initStd ?? 0.02,
    architecture,
    attentionBias,
    mlpBias,
    moe: config.moe && { auxLossCoef: 0.01, routerZLossCoef: 0.001, ...config.moe },
  };
  if (eosTokenId !== undefined) resolved.eosTokenId = eosTokenId;
  if (config.ropeScaling !== undefined) resolved.ropeScaling = { ...config.ropeScaling };
  return resolved;
}

// ------------------------------------------------------------------------------------------------
// Hugging Face config.json

/** HF `architectures` entries and `model_type`s read, and what they map to. */
const HF_ARCHITECTURES: Readonly<Record<string, Architecture | 'mixtral'>> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
  MixtralForCausalLM: 'mixtral',
};
const HF_MODEL_TYPES: Readonly<Record<string, Architecture | 'mixtral'>> = { llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3', mixtral: 'mixtral' };
const HF_CLASS: Readonly<Record<Architecture | 'mixtral', string>> = {
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
  mixtral: 'MixtralForCausalLM',
};
/** transformers' config-class defaults of the keys that change the math when absent. */
const HF_DEFAULTS: Readonly<Record<Architecture | 'mixtral', { rmsNormEps: number; ropeTheta: number; headDim?: number }>> = {
  llama: { rmsNormEps: 1e-6, ropeTheta: 10000 },
  qwen2: { rmsNormEps: 1e-6, ropeTheta: 10000 },
  qwen3: { rmsNormEps: 1e-6, ropeTheta: 10000, headDim: 128 },
  mixtral: { rmsNormEps: 1e-5, ropeTheta: 1e6 },
};

/** The HF `rope_scaling` dict of a {@link RopeScaling} (`rope_type` key, as transformers saves it). */
function hfRopeScaling(s: RopeScaling): Record<string, unknown> {
  switch (s.type) {
    case 'linear':
    case 'dynamic':
      return { rope_type: s.type, factor: s.factor };
    case 'llama3':
      return {
        rope_type: 'llama3',
        factor: s.factor,
        low_freq_factor: s.lowFreqFactor,
        high_freq_factor: s.highFreqFactor,
        original_max_position_embeddings: s.originalMaxPositions,
      };
    case 'yarn': {
      const out: Record<string, unknown> = { rope_type: 'yarn', factor: s.factor };
      if (s.originalMaxPositions !== undefined) out.original_max_position_embeddings = s.originalMaxPositions;
      if (s.attentionFactor !== undefined) out.attention_factor = s.attentionFactor;
      if (s.betaFast !== undefined) out.beta_fast = s.betaFast;
      if (s.betaSlow !== undefined) out.beta_slow = s.betaSlow;
      if (s.mscale !== undefined) out.mscale = s.mscale;
      if (s.mscaleAllDim !== undefined) out.mscale_all_dim = s.mscaleAllDim;
      if (s.truncate !== undefined) out.truncate = s.truncate;
      return out;
    }
  }
}

/**
 * Hugging Face `config.json` for a {@link LlamaConfig}: `LlamaForCausalLM`, `Qwen2ForCausalLM`,
 * `Qwen3ForCausalLM`, or `MixtralForCausalLM` with MoE. Complete: `head_dim`, `rope_theta`, `rope_scaling`
 * (null without scaling), the bias flags and `bos_token_id`/`eos_token_id` (null when unset) are always
 * written. With `dynamic` scaling `max_position_embeddings` is the scaling's `originalMaxPositions`.
 */
export function toHfConfig(config: LlamaConfig): Record<string, unknown> {
  const c = resolveConfig(config);
  const arch = c.moe ? 'mixtral' : c.architecture;
  const maxPositions = c.ropeScaling?.type === 'dynamic' ? c.ropeScaling.originalMaxPositions : c.maxSeqLen;
  const hf: Record<string, unknown> = {
    architectures: [HF_CLASS[arch]],
    model_type: arch,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    max_position_embeddings: maxPositions,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: c.ropeScaling ? hfRopeScaling(c.ropeScaling) : null,
    tie_word_embeddings: c.tieEmbeddings,
    initializer_range: c.initStd,
    attention_dropout: 0,
    torch_dtype: 'float32',
  };
  if (arch === 'llama' || arch === 'qwen3') hf.attention_bias = c.attentionBias;
  if (arch === 'llama') hf.mlp_bias = c.mlpBias;
  if (arch === 'qwen2' || arch === 'qwen3') {
    hf.use_sliding_window = false;
    hf.sliding_window = null;
    hf.max_window_layers = c.numLayers;
  }
  if (arch === 'mixtral') hf.sliding_window = null;
  hf.bos_token_id = c.bosTokenId ?? null;
  hf.eos_token_id = c.eosTokenIds ? [...c.eosTokenIds] : (c.eosTokenId ?? null);
  if (c.padTokenId !== undefined) hf.pad_token_id = c.padTokenId;
  if (c.moe) {
    hf.num_local_experts = c.moe.numExperts;
    hf.num_experts_per_tok = c.moe.topK;
    hf.router_aux_loss_coef = c.moe.auxLossCoef;
    hf.router_z_loss_coef = c.moe.routerZLossCoef;
  }
  return hf;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Which architecture `architectures` / `model_type` name; throws for an unknown or inconsistent one. */
function hfArchitecture(hf: Record<string, unknown>): Architecture | 'mixtral' {
  let fromArchs: Architecture | 'mixtral' | undefined;
  if (hf.architectures !== undefined && hf.architectures !== null) {
    const archs = hf.architectures;
    if (!Array.isArray(archs) || archs.length === 0 || archs.some((a) => typeof a !== 'string')) {
      throw new ConfigError('architectures', `must be a non-empty array of class names, got ${JSON.stringify(archs)}`);
    }
    for (const a of archs as string[]) {
      const mapped = HF_ARCHITECTURES[a];
      if (mapped === undefined) {
        throw new ConfigError('architectures', `${JSON.stringify(a)} is not supported (supported: ${Object.keys(HF_ARCHITECTURES).join(', ')})`);
      }
      if (fromArchs !== undefined && fromArchs !== mapped) throw new ConfigError('architectures', `lists different architectures ${JSON.stringify(archs)}`);
      fromArchs = mapped;
    }
  }
  let fromType: Architecture | 'mixtral' | undefined;
  if (hf.model_type !== undefined && hf.model_type !== null) {
    const t = hf.model_type;
    fromType = typeof t === 'string' ? HF_MODEL_TYPES[t] : undefined;
    if (fromType === undefined) {
      throw new ConfigError('model_type', `${JSON.stringify(t)} is not supported (supported: ${Object.keys(HF_MODEL_TYPES).join(', ')})`);
    }
  }
  if (fromArchs !== undefined && fromType !== undefined && fromArchs !== fromType) {
    throw new ConfigError('model_type', `${JSON.stringify(hf.model_type)} contradicts architectures ${JSON.stringify(hf.architectures)}`);
  }
  // Neither given (configs written by early versions of this package): Llama, or Mixtral with experts.
  return fromArchs ?? fromType ?? (hf.num_local_experts !== undefined ? 'mixtral' : 'llama');
}

const ROPE_KEYS: Readonly<Record<string, { required: readonly string[]; optional: readonly string[] }>> = {
  default: { required: [], optional: [] },
  linear: { required: ['factor'], optional: [] },
  dynamic: { required: ['factor'], optional: ['original_max_position_embeddings'] },
  yarn: {
    required: ['factor'],
    optional: ['original_max_position_embeddings', 'attention_factor', 'beta_fast', 'beta_slow', 'mscale', 'mscale_all_dim', 'truncate'],
  },
  llama3: { required: ['factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'], optional: [] },
};

/**
 * Reads the rotary settings: the legacy `rope_theta` + `rope_scaling` layout, or the transformers v5
 * `rope_parameters` dict (`rope_theta` inside it wins over a top-level one, as in `standardize_rope_params`).
 */
function hfRope(
  hf: Record<string, unknown>,
  maxPositions: number,
  defaultTheta: number,
): { ropeTheta: number; ropeScaling?: RopeScaling; maxSeqLen: number } {
  let dict: Record<string, unknown> | undefined;
  let prefix: string;
  let theta: unknown = hf.rope_theta ?? defaultTheta;
  if (hf.rope_parameters !== undefined && hf.rope_parameters !== null) {
    if (!isObject(hf.rope_parameters)) throw new ConfigError('rope_parameters', `must be an object, got ${JSON.stringify(hf.rope_parameters)}`);
    if (Object.values(hf.rope_parameters).some(isObject)) {
      throw new ConfigError('rope_parameters', 'per-layer-type rope parameters (nested dicts) are not supported');
    }
    if (hf.rope_scaling !== undefined && hf.rope_scaling !== null) {
      throw new ConfigError('rope_scaling', 'both rope_scaling and rope_parameters are given; keep one layout');
    }
    dict = hf.rope_parameters;
    prefix = 'rope_parameters';
    if (dict.rope_theta !== undefined && dict.rope_theta !== null) theta = dict.rope_theta;
  } else {
    if (hf.rope_scaling !== undefined && hf.rope_scaling !== null && !isObject(hf.rope_scaling)) {
      throw new ConfigError('rope_scaling', `must be an object or null, got ${JSON.stringify(hf.rope_scaling)}`);
    }
    dict = (hf.rope_scaling as Record<string, unknown> | null | undefined) ?? undefined;
    prefix = 'rope_scaling';
  }
  const thetaField = prefix === 'rope_parameters' && dict?.rope_theta !== undefined ? 'rope_parameters.rope_theta' : 'rope_theta';
  positiveNumber(thetaField, theta);
  if (dict === undefined) return { ropeTheta: theta, maxSeqLen: maxPositions };

  if (dict.rope_type !== undefined && dict.type !== undefined && dict.rope_type !== dict.type) {
    throw new ConfigError(`${prefix}.type`, `${JSON.stringify(dict.type)} contradicts rope_type ${JSON.stringify(dict.rope_type)}`);
  }
  const type = dict.rope_type ?? dict.type ?? 'default';
  const typeField = `${prefix}.${dict.rope_type !== undefined ? 'rope_type' : 'type'}`;
  if (type === 'longrope') throw new ConfigError(typeField, "'longrope' rope scaling is not supported");
  if (typeof type !== 'string' || ROPE_KEYS[type] === undefined) {
    throw new ConfigError(typeField, `unsupported rope type ${JSON.stringify(type)} (supported: ${Object.keys(ROPE_KEYS).join(', ')})`);
  }
  const keys = ROPE_KEYS[type]!;
  const allowed = new Set(['rope_type', 'type', ...keys.required, ...keys.optional]);
  if (prefix === 'rope_parameters') allowed.add('rope_theta').add('partial_rotary_factor');
  for (const [k, v] of Object.entries(dict)) {
    if (k === 'partial_rotary_factor' && v !== 1 && v !== null) {
      throw new ConfigError(`${prefix}.partial_rotary_factor`, `partial rotary embeddings are not supported (got ${JSON.stringify(v)}; only 1)`);
    }
    if (!allowed.has(k)) throw new ConfigError(`${prefix}.${k}`, `unsupported key for rope type '${type}'`);
  }
  for (const k of keys.required) if (dict[k] === undefined || dict[k] === null) throw new ConfigError(`${prefix}.${k}`, `required for rope type '${type}'`);
  const num = (k: string): number => {
    const v = dict[k];
    positiveNumber(`${prefix}.${k}`, v);
    return v;
  };
  const optNum = (k: string): number | undefined => (dict[k] === undefined || dict[k] === null ? undefined : num(k));
  const int = (k: string): number => {
    const v = num(k);
    if (!Number.isInteger(v)) throw new ConfigError(`${prefix}.${k}`, `must be an integer, got ${v}`);
    return v;
  };
  let ropeScaling: RopeScaling | undefined;
  let maxSeqLen = maxPositions;
  switch (type) {
    case 'default':
      break;
    case 'linear':
      ropeScaling = { type: 'linear', factor: num('factor') };
      break;
    case 'dynamic': {
      const factor = num('factor');
      // transformers' dynamic NTK uses max_position_embeddings and ignores this key; accept it only when equal
      if (dict.original_max_position_embeddings !== undefined && dict.original_max_position_embeddings !== maxPositions) {
        throw new ConfigError(
          `${prefix}.original_max_position_embeddings`,
          `${JSON.stringify(dict.original_max_position_embeddings)} differs from max_position_embeddings ${maxPositions}; transformers' dynamic NTK scaling uses max_position_embeddings`,
        );
      }
      ropeScaling = { type: 'dynamic', factor, originalMaxPositions: maxPositions };
      maxSeqLen = Math.max(maxPositions, Math.floor(maxPositions * factor));
      break;
    }
    case 'yarn': {
      const s: YarnScalingDraft = { type: 'yarn', factor: num('factor') };
      if (dict.original_max_position_embeddings !== undefined && dict.original_max_position_embeddings !== null) {
        s.originalMaxPositions = int('original_max_position_embeddings');
      }
      const attentionFactor = optNum('attention_factor');
      if (attentionFactor !== undefined) s.attentionFactor = attentionFactor;
      const betaFast = optNum('beta_fast');
      if (betaFast !== undefined) s.betaFast = betaFast;
      const betaSlow = optNum('beta_slow');
      if (betaSlow !== undefined) s.betaSlow = betaSlow;
      for (const [k, field] of [
        ['mscale', 'mscale'],
        ['mscale_all_dim', 'mscaleAllDim'],
      ] as const) {
        const v = dict[k];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${prefix}.${k}`, `must be a finite number, got ${JSON.stringify(v)}`);
        s[field] = v;
      }
      if (dict.truncate !== undefined && dict.truncate !== null) {
        if (typeof dict.truncate !== 'boolean') throw new ConfigError(`${prefix}.truncate`, `must be a boolean, got ${JSON.stringify(dict.truncate)}`);
        s.truncate = dict.truncate;
      }
      ropeScaling = s;
      break;
    }
    case 'llama3':
      ropeScaling = {
        type: 'llama3',
        factor: num('factor'),
        lowFreqFactor: num('low_freq_factor'),
        highFreqFactor: num('high_freq_factor'),
        originalMaxPositions: int('original_max_position_embeddings'),
      };
      break;
  }
  return ropeScaling ? { ropeTheta: theta, ropeScaling, maxSeqLen } : { ropeTheta: theta, maxSeqLen };
}

type YarnScalingDraft = Extract<RopeScaling, { type: 'yarn' }>;

/**
 * Reads a Hugging Face `config.json` object of a Llama, Qwen2, Qwen3 or Mixtral causal LM (from
 * `architectures` / `model_type`; neither means Llama, or Mixtral with `num_local_experts`).
 *
 * Supported and read: `head_dim`, `rope_theta`, `rope_scaling` (`linear`, `dynamic`, `yarn`, `llama3`; the
 * `rope_type` or legacy `type` key) or the v5 `rope_parameters` layout, `attention_bias`, `mlp_bias`,
 * `tie_word_embeddings`, token ids. Missing keys take transformers' config-class defaults (e.g. Qwen3
 * `head_dim` 128, Mixtral `rope_theta` 1e6). `pretraining_tp` is ignored: it only splits the matmuls and
 * does not change the result.
 *
 * Everything else that would change the math is refused with a {@link ConfigError} whose `field` names the
 * key: an unknown `architectures`/`model_type`, `hidden_act` other than silu, `longrope` or unknown rope
 * types and rope keys, `partial_rotary_factor` ≠ 1, `use_sliding_window`, sliding `layer_types`, a Mixtral
 * `sliding_window` shorter than the context, `attention_dropout` > 0, `router_jitter_noise` > 0,
 * `quantization_config`, and biases an architecture does not have.
 *
 * @throws {@link ConfigError} naming the key for a missing, invalid or unsupported setting
 */
export function fromHfConfig(hf: Record<string, unknown>): LlamaConfig {
  const arch = hfArchitecture(hf);
  const defaults = HF_DEFAULTS[arch];
  const need = (key: string): number => {
    const v = hf[key];
    if (typeof v !== 'number') throw new ConfigError(key, `missing or not a number in config.json (got ${JSON.stringify(v)})`);
    return v;
  };
  const opt = (key: string): number | undefined => {
    const v = hf[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') throw new ConfigError(key, `must be a number or null, got ${JSON.stringify(v)}`);
    return v;
  };
  const flag = (key: string): boolean => {
    const v = hf[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw new ConfigError(key, `must be a boolean, got ${JSON.stringify(v)}`);
    return v;
  };

  const vocabSize = need('vocab_size');
  const hiddenSize = need('hidden_size');
  const intermediateSize = need('intermediate_size');
  const numLayers = need('num_hidden_layers');
  const numHeads = need('num_attention_heads');

  const act = hf.hidden_act;
  if (act !== undefined && act !== 'silu' && act !== 'swish') {
    throw new ConfigError('hidden_act', `${JSON.stringify(act)} is not supported (only silu)`);
  }
  if (hf.quantization_config !== undefined && hf.quantization_config !== null) {
    throw new ConfigError('quantization_config', 'quantized checkpoints are not supported');
  }
  const prf = hf.partial_rotary_factor;
  if (prf !== undefined && prf !== null && prf !== 1) {
    throw new ConfigError('partial_rotary_factor', `partial rotary embeddings are not supported (got ${JSON.stringify(prf)}; only 1)`);
  }
  const dropout = opt('attention_dropout');
  if (dropout !== undefined && dropout !== 0) throw new ConfigError('attention_dropout', `attention dropout is not supported (got ${dropout}; only 0)`);
  if (arch === 'qwen2' || arch === 'qwen3') {
    if (flag('use_sliding_window')) throw new ConfigError('use_sliding_window', 'sliding-window attention is not supported');
  }
  if (hf.layer_types !== undefined && hf.layer_types !== null) {
    const lt = hf.layer_types;
    if (!Array.isArray(lt) || lt.some((x) => x !== 'full_attention')) {
      throw new ConfigError('layer_types', `only full_attention layers are supported, got ${JSON.stringify(lt)}`);
    }
  }

  const maxPositions = need('max_position_embeddings');
  const rope = hfRope(hf, maxPositions, defaults.ropeTheta);
  if (arch === 'mixtral') {
    const window = opt('sliding_window');
    if (window !== undefined && window < rope.maxSeqLen) {
      throw new ConfigError('sliding_window', `sliding-window attention (window ${window} < context ${rope.maxSeqLen}) is not supported`);
    }
    const jitter = opt('router_jitter_noise');
    if (jitter !== undefined && jitter !== 0) throw new ConfigError('router_jitter_noise', `router jitter is not supported (got ${jitter}; only 0)`);
  } else if (hf.num_local_experts !== undefined) {
    throw new ConfigError('num_local_experts', `mixture-of-experts layers are only supported for Mixtral, not ${arch}`);
  }

  const attentionBias = flag('attention_bias');
  const mlpBias = flag('mlp_bias');
  if ((arch === 'qwen2' || arch === 'mixtral') && attentionBias) {
    throw new ConfigError('attention_bias', `${arch} does not read attention_bias (${arch === 'qwen2' ? 'its q/k/v biases are fixed' : 'it has no biases'})`);
  }
  if (arch !== 'llama' && mlpBias) throw new ConfigError('mlp_bias', `${arch} has no MLP biases`);

  const headDim = opt('head_dim') ?? defaults.headDim;
  const eos = hf.eos_token_id;
  let eosTokenId: number | undefined;
  let eosTokenIds: number[] | undefined;
  if (Array.isArray(eos)) {
    if (eos.length === 0 || eos.some((x) => typeof x !== 'number')) throw new ConfigError('eos_token_id', `must be a token id or a non-empty list of them, got ${JSON.stringify(eos)}`);
    eosTokenIds = eos as number[];
    eosTokenId = eosTokenIds[0];
  } else {
    eosTokenId = opt('eos_token_id');
  }
  const tie = hf.tie_word_embeddings;
  if (tie !== undefined && tie !== null && typeof tie !== 'boolean') throw new ConfigError('tie_word_embeddings', `must be a boolean, got ${JSON.stringify(tie)}`);

  const config: LlamaConfig = {
    vocabSize,
    hiddenSize,
    intermediateSize,
    numLayers,
    numHeads,
    numKvHeads: arch === 'llama' ? opt('num_key_value_heads') : need('num_key_value_heads'),
    maxSeqLen: rope.maxSeqLen,
    rmsNormEps: opt('rms_norm_eps') ?? defaults.rmsNormEps,
    ropeTheta: rope.ropeTheta,
    tieEmbeddings: tie === true,
    initStd: opt('initializer_range'),
    bosTokenId: opt('bos_token_id'),
    eosTokenId,
    padTokenId: opt('pad_token_id'),
  };
  if (headDim !== undefined) config.headDim = headDim;
  if (rope.ropeScaling) config.ropeScaling = rope.ropeScaling;
  if (eosTokenIds) config.eosTokenIds = eosTokenIds;
  if (arch !== 'mixtral' && arch !== 'llama') config.architecture = arch;
  if (attentionBias) config.attentionBias = true;
  if (mlpBias) config.mlpBias = true;
  if (arch === 'mixtral') {
    config.moe = {
      numExperts: need('num_local_experts'),
      topK: need('num_experts_per_tok'),
      auxLossCoef: opt('router_aux_loss_coef'),
      routerZLossCoef: opt('router_z_loss_coef'),
    };
  }
  try {
    resolveConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(HF_FIELD[error.field] ?? error.field, error.message.replace(/^config\.[^:]+: /, ''));
    throw error;
  }
  return config;
}

/** HF key of a {@link LlamaConfig} field, for errors found while validating a read config. */
const HF_FIELD: Readonly<Record<string, string>> = {
  vocabSize: 'vocab_size',
  hiddenSize: 'hidden_size',
  numLayers: 'num_hidden_layers',
  numHeads: 'num_attention_heads',
  numKvHeads: 'num_key_value_heads',
  headDim: 'head_dim',
  intermediateSize: 'intermediate_size',
  maxSeqLen: 'max_position_embeddings',
  rmsNormEps: 'rms_norm_eps',
  ropeTheta: 'rope_theta',
  bosTokenId: 'bos_token_id',
  eosTokenId: 'eos_token_id',
  padTokenId: 'pad_token_id',
  'moe.numExperts': 'num_local_experts',
  'moe.topK': 'num_experts_per_tok',
  'ropeScaling.highFreqFactor': 'rope_scaling.high_freq_factor',
};
