/**
 * Configuration of the Llama-style decoder, with the Hugging Face `config.json` mapping.
 *
 * @packageDocumentation
 */
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

/** Shape and numerics of a {@link LlamaConfig} decoder. All sizes are positive integers. */
export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Key/value heads (GQA); must divide numHeads. Defaults to numHeads. */
  numKvHeads?: number;
  intermediateSize: number;
  /** Default 10000. */
  ropeTheta?: number;
  /** Default 1e-6. */
  rmsNormEps?: number;
  /** Share the embedding matrix with the LM head. Default false. */
  tieEmbeddings?: boolean;
  /** Longest sequence (prompt + generation). */
  maxSeqLen: number;
  /** Std of the normal init; residual output projections use std / sqrt(2 * numLayers). Default 0.02. */
  initStd?: number;
  /** Optional MoE feed-forward in every layer. */
  moe?: MoeConfig;
  bosTokenId?: number;
  eosTokenId?: number;
  padTokenId?: number;
}

/** A {@link LlamaConfig} with every default filled in. */
export type ResolvedLlamaConfig = Required<Omit<LlamaConfig, 'moe' | 'bosTokenId' | 'eosTokenId' | 'padTokenId'>> &
  Pick<LlamaConfig, 'moe' | 'bosTokenId' | 'eosTokenId' | 'padTokenId'>;

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

function positiveInt(config: Record<string, unknown>, field: string): void {
  const v = config[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${JSON.stringify(v)}`);
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
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new ConfigError('hiddenSize', `${config.hiddenSize} is not divisible by numHeads ${config.numHeads}`);
  }
  if ((config.hiddenSize / config.numHeads) % 2 !== 0) {
    throw new ConfigError('hiddenSize', `head dim ${config.hiddenSize / config.numHeads} must be even for RoPE`);
  }
  if (config.moe) {
    const { numExperts, topK } = config.moe;
    if (!Number.isInteger(numExperts) || numExperts < 1) throw new ConfigError('moe.numExperts', `must be a positive integer, got ${numExperts}`);
    if (!Number.isInteger(topK) || topK < 1 || topK > numExperts) {
      throw new ConfigError('moe.topK', `must be an integer in [1, ${numExperts}], got ${topK}`);
    }
  }
  return {
    ...config,
    numKvHeads,
    ropeTheta: config.ropeTheta ?? 10000,
    rmsNormEps: config.rmsNormEps ?? 1e-6,
    tieEmbeddings: config.tieEmbeddings ?? false,
    initStd: config.initStd ?? 0.02,
    moe: config.moe && { auxLossCoef: 0.01, routerZLossCoef: 0.001, ...config.moe },
  };
}

/** Hugging Face `config.json` for a {@link LlamaConfig} (`LlamaForCausalLM`, or `MixtralForCausalLM` with MoE). */
export function toHfConfig(config: LlamaConfig): Record<string, unknown> {
  const c = resolveConfig(config);
  const hf: Record<string, unknown> = {
    architectures: [c.moe ? 'MixtralForCausalLM' : 'LlamaForCausalLM'],
    model_type: c.moe ? 'mixtral' : 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    hidden_act: 'silu',
    max_position_embeddings: c.maxSeqLen,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    tie_word_embeddings: c.tieEmbeddings,
    initializer_range: c.initStd,
    attention_bias: false,
    mlp_bias: false,
    torch_dtype: 'float32',
  };
  if (c.bosTokenId !== undefined) hf.bos_token_id = c.bosTokenId;
  if (c.eosTokenId !== undefined) hf.eos_token_id = c.eosTokenId;
  if (c.padTokenId !== undefined) hf.pad_token_id = c.padTokenId;
  if (c.moe) {
    hf.num_local_experts = c.moe.numExperts;
    hf.num_experts_per_tok = c.moe.topK;
    hf.router_aux_loss_coef = c.moe.auxLossCoef;
    hf.router_z_loss_coef = c.moe.routerZLossCoef;
  }
  return hf;
}

/** Reads a Hugging Face Llama/Mixtral `config.json` object. Throws {@link ConfigError} naming a missing key. */
export function fromHfConfig(hf: Record<string, unknown>): LlamaConfig {
  const need = (key: string): number => {
    const v = hf[key];
    if (typeof v !== 'number') throw new ConfigError(key, `missing or not a number in config.json (got ${JSON.stringify(v)})`);
    return v;
  };
  const opt = (key: string): number | undefined => (typeof hf[key] === 'number' ? (hf[key] as number) : undefined);
  const config: LlamaConfig = {
    vocabSize: need('vocab_size'),
    hiddenSize: need('hidden_size'),
    intermediateSize: need('intermediate_size'),
    numLayers: need('num_hidden_layers'),
    numHeads: need('num_attention_heads'),
    numKvHeads: opt('num_key_value_heads'),
    maxSeqLen: need('max_position_embeddings'),
    rmsNormEps: opt('rms_norm_eps'),
    ropeTheta: opt('rope_theta'),
    tieEmbeddings: hf.tie_word_embeddings === true,
    initStd: opt('initializer_range'),
    bosTokenId: opt('bos_token_id'),
    eosTokenId: opt('eos_token_id'),
    padTokenId: opt('pad_token_id'),
  };
  if (typeof hf.num_local_experts === 'number') {
    config.moe = {
      numExperts: hf.num_local_experts,
      topK: need('num_experts_per_tok'),
      auxLossCoef: opt('router_aux_loss_coef'),
      routerZLossCoef: opt('router_z_loss_coef'),
    };
  }
  resolveConfig(config);
  return config;
}
