/**
 * LoRA configuration and the mapping between module names and LoRA targets.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';

/**
 * A kind of linear layer LoRA can adapt. Dense layers use the Hugging Face names (`q_proj` → `q`, ...,
 * `down_proj` → `down`); Mixtral experts map `w1` → `gate`, `w3` → `up`, `w2` → `down`.
 */
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';

/** Every {@link LoraTarget}, in a fixed order. */
export const LORA_TARGETS: readonly LoraTarget[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];

/** Settings of {@link applyLora}. */
export interface LoraConfig {
  /** Rank of the update, an integer >= 1. */
  r: number;
  /** Scale numerator: the update is `(alpha / r) · x A B`. Default `r` (scale 1). */
  alpha?: number;
  /** Dropout rate on the adapter input while training, in [0, 1). Default 0. */
  dropout?: number;
  /**
   * Modules to adapt: short targets (`'q'`, `'gate'`), Hugging Face module suffixes (`'q_proj'`,
   * `'gate_proj'`, `'w1'`) or a mix. Default `['q', 'v']` (as PEFT for Llama).
   */
  targetModules?: readonly string[];
  /** Seed of the A initialisation and of the dropout masks. Default 0. */
  seed?: number;
  /** Recorded in `adapter_config.json` as `base_model_name_or_path`. */
  baseModelNameOrPath?: string;
}

/** A {@link LoraConfig} with defaults filled in and `targetModules` normalised to {@link LoraTarget}s. */
export interface ResolvedLoraConfig {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: LoraTarget[];
  seed: number;
  baseModelNameOrPath?: string;
}

/** Thrown for an invalid LoRA configuration; `field` names the offending key. */
export class LoraConfigError extends ModelError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`lora config.${field}: ${message}`);
    this.name = 'LoraConfigError';
  }
}

const ALIASES: Record<string, LoraTarget> = {
  q: 'q',
  k: 'k',
  v: 'v',
  o: 'o',
  gate: 'gate',
  up: 'up',
  down: 'down',
  q_proj: 'q',
  k_proj: 'k',
  v_proj: 'v',
  o_proj: 'o',
  gate_proj: 'gate',
  up_proj: 'up',
  down_proj: 'down',
  w1: 'gate',
  w3: 'up',
  w2: 'down',
};

/** The {@link LoraTarget} of a target-module name (`'q'`, `'q_proj'`, `'w1'`...), or undefined. */
export function parseTarget(name: string): LoraTarget | undefined {
  return Object.prototype.hasOwnProperty.call(ALIASES, name) ? ALIASES[name] : undefined;
}

/**
 * The {@link LoraTarget} of a linear module of the model (`model.layers.0.self_attn.q_proj` → `q`,
 * `model.layers.1.block_sparse_moe.experts.2.w1` → `gate`), or undefined for modules LoRA never adapts
 * (`lm_head`, the MoE router `block_sparse_moe.gate`).
 */
export function moduleTarget(moduleName: string): LoraTarget | undefined {
  const parts = moduleName.split('.');
  const last = parts[parts.length - 1] ?? '';
  if (last.endsWith('_proj')) return parseTarget(last);
  if (/^w[123]$/.test(last) && parts[parts.length - 3] === 'experts') return parseTarget(last);
  return undefined;
}

/** The Hugging Face module suffix of a target in a dense (`q_proj`) or expert (`w1`) layer. */
export function hfModuleSuffix(target: LoraTarget, expert: boolean): string {
  if (!expert) return `${target}_proj`;
  return target === 'gate' ? 'w1' : target === 'up' ? 'w3' : target === 'down' ? 'w2' : `${target}_proj`;
}

/**
 * Validates a {@link LoraConfig} and fills its defaults.
 *
 * @throws {@link LoraConfigError} naming the field
 */
export function resolveLoraConfig(config: LoraConfig): ResolvedLoraConfig {
  if (config === null || typeof config !== 'object') throw new LoraConfigError('(root)', `must be an object, got ${String(config)}`);
  const { r } = config;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) throw new LoraConfigError('r', `must be an integer >= 1, got ${JSON.stringify(r)}`);
  const alpha = config.alpha ?? r;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) throw new LoraConfigError('alpha', `must be a finite number > 0, got ${JSON.stringify(alpha)}`);
  const dropout = config.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new LoraConfigError('dropout', `must be in [0, 1), got ${JSON.stringify(dropout)}`);
  const seed = config.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new LoraConfigError('seed', `must be a finite number, got ${JSON.stringify(seed)}`);
  const names = config.targetModules ?? ['q', 'v'];
  if (!Array.isArray(names) || names.length === 0) throw new LoraConfigError('targetModules', `must be a non-empty array, got ${JSON.stringify(names)}`);
  const targets = new Set<LoraTarget>();
  for (const name of names) {
    const t = typeof name === 'string' ? parseTarget(name) : undefined;
    if (!t) {
      throw new LoraConfigError(
        'targetModules',
        `unknown module ${JSON.stringify(name)}; expected one of ${Object.keys(ALIASES).join(', ')}`,
      );
    }
    targets.add(t);
  }
  const resolved: ResolvedLoraConfig = { r, alpha, dropout, seed, targetModules: LORA_TARGETS.filter((t) => targets.has(t)) };
  if (config.baseModelNameOrPath !== undefined) resolved.baseModelNameOrPath = config.baseModelNameOrPath;
  return resolved;
}
