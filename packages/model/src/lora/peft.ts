/**
 * Saving and loading LoRA adapters alone in Hugging Face PEFT format: `adapter_model.safetensors` and
 * `adapter_config.json`.
 *
 * @packageDocumentation
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../checkpoint/atomic-write';
import { CheckpointError } from '../checkpoint/errors';
import { transpose2d } from '../checkpoint/hf-llama';
import { parseSafetensors, serializeSafetensors, type SafetensorsInput, type SafetensorsTensor } from '../checkpoint/safetensors';
import { applyLora, type LoraHandle, type LoraTargetModel } from './apply-lora';
import { LoraConfigError, parseTarget, type LoraConfig } from './lora-config';

/** File names of a PEFT adapter directory. */
export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';
export const PEFT_CONFIG_FILE = 'adapter_config.json';

/** The PEFT tensor names of a module's adapter: `base_model.model.<module>.lora_A.weight` / `lora_B.weight`. */
export function peftTensorNames(module: string): { a: string; b: string } {
  return { a: `base_model.model.${module}.lora_A.weight`, b: `base_model.model.${module}.lora_B.weight` };
}

/** Options of {@link saveLoraAdapters}. */
export interface SaveLoraOptions {
  /** `base_model_name_or_path` (default: the config's `baseModelNameOrPath`, else null). */
  baseModelNameOrPath?: string;
}

/**
 * The `adapter_config.json` object of a handle (PEFT `LoraConfig` fields). `target_modules` lists the
 * Hugging Face module suffixes actually adapted (`q_proj`, ..., `w1`), sorted.
 */
export function peftAdapterConfig(handle: LoraHandle, options: SaveLoraOptions = {}): Record<string, unknown> {
  const suffixes = new Set<string>();
  for (const module of handle.adapters.keys()) suffixes.add(module.slice(module.lastIndexOf('.') + 1));
  const c = handle.config;
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: options.baseModelNameOrPath ?? c.baseModelNameOrPath ?? null,
    r: c.r,
    lora_alpha: c.alpha,
    lora_dropout: c.dropout,
    target_modules: [...suffixes].sort(),
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    modules_to_save: null,
    use_rslora: false,
    use_dora: false,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    revision: null,
  };
}

/**
 * Writes the adapters of `handle` to `dir` (created if needed) in PEFT format, each file atomically:
 * `adapter_model.safetensors` with `base_model.model.<module>.lora_A.weight` `[r, in]` and
 * `lora_B.weight` `[out, r]` (PyTorch layout: ours transposed), and `adapter_config.json`. The base
 * model is not written. Works merged or not (A and B are the same).
 */
export async function saveLoraAdapters(handle: LoraHandle, dir: string, options: SaveLoraOptions = {}): Promise<void> {
  const tensors = new Map<string, SafetensorsInput>();
  for (const [module, adapter] of handle.adapters) {
    const names = peftTensorNames(module);
    const { r, inFeatures: inF, outFeatures: outF } = adapter;
    tensors.set(names.a, { dtype: 'F32', shape: [r, inF], data: transpose2d(adapter.a.dataSync() as Float32Array, inF, r) });
    tensors.set(names.b, { dtype: 'F32', shape: [outF, r], data: transpose2d(adapter.b.dataSync() as Float32Array, r, outF) });
  }
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, PEFT_WEIGHTS_FILE), serializeSafetensors(tensors, { format: 'pt' }));
  await writeFileAtomic(join(dir, PEFT_CONFIG_FILE), `${JSON.stringify(peftAdapterConfig(handle, options), null, 2)}\n`);
}

/**
 * Reads a PEFT `adapter_config.json` object into a {@link LoraConfig}.
 *
 * @throws {@link LoraConfigError} for another `peft_type`, missing `r`, `target_modules` given as a regex
 *   string, unknown module names, or options this implementation does not support (`use_rslora`,
 *   `use_dora`, `bias` other than "none", rank/alpha patterns)
 */
export function loraConfigFromPeft(json: Record<string, unknown>): LoraConfig {
  if (json.peft_type !== 'LORA') throw new LoraConfigError('peft_type', `must be "LORA", got ${JSON.stringify(json.peft_type)}`);
  if (json.use_rslora === true) throw new LoraConfigError('use_rslora', 'rank-stabilised LoRA is not supported');
  if (json.use_dora === true) throw new LoraConfigError('use_dora', 'DoRA is not supported');
  if (json.bias !== undefined && json.bias !== 'none') throw new LoraConfigError('bias', `only "none" is supported, got ${JSON.stringify(json.bias)}`);
  for (const key of ['rank_pattern', 'alpha_pattern'] as const) {
    const p = json[key];
    if (p !== undefined && p !== null && (typeof p !== 'object' || Object.keys(p).length > 0)) {
      throw new LoraConfigError(key, 'per-module ranks/alphas are not supported');
    }
  }
  const targets = json.target_modules;
  if (!Array.isArray(targets)) {
    throw new LoraConfigError('target_modules', `must be a list of module names (regex strings are not supported), got ${JSON.stringify(targets)}`);
  }
  for (const t of targets) {
    if (typeof t !== 'string' || parseTarget(t) === undefined) throw new LoraConfigError('target_modules', `unsupported module ${JSON.stringify(t)}`);
  }
  const config: LoraConfig = {
    r: json.r as number,
    alpha: (json.lora_alpha as number | undefined) ?? 8,
    dropout: (json.lora_dropout as number | undefined) ?? 0,
    targetModules: targets as string[],
  };
  if (typeof json.base_model_name_or_path === 'string') config.baseModelNameOrPath = json.base_model_name_or_path;
  return config;
}

function findTensor(tensors: Map<string, SafetensorsTensor>, name: string): { key: string; t: SafetensorsTensor } | undefined {
  const alt = name.replace(/\.weight$/, '.default.weight');
  for (const key of [name, alt]) {
    const t = tensors.get(key);
    if (t) return { key, t };
  }
  return undefined;
}

/**
 * Loads the weights of a PEFT `adapter_model.safetensors` in `dir` into an existing handle (transposing
 * PEFT's `[r, in]` / `[out, r]` into ours). Accepts `...lora_A.weight` and `...lora_A.default.weight` names.
 *
 * @throws {@link CheckpointError} naming the file and tensor for a missing tensor, a shape mismatch or a
 *   LoRA tensor of a module the handle does not adapt
 * @throws {@link LoraStateError} (from the handle) when merged: unmerge before loading
 */
export async function loadLoraWeightsInto(handle: LoraHandle, dir: string): Promise<void> {
  if (handle.merged) throw new CheckpointError(join(dir, PEFT_WEIGHTS_FILE), undefined, 'cannot load into merged adapters; call unmerge() first');
  const file = join(dir, PEFT_WEIGHTS_FILE);
  const { tensors } = parseSafetensors(new Uint8Array(await readFile(file)), { file });
  const used = new Set<string>();
  const updates: [tf.Variable, Float32Array, number[]][] = [];
  for (const [module, adapter] of handle.adapters) {
    const names = peftTensorNames(module);
    const { r, inFeatures: inF, outFeatures: outF } = adapter;
    for (const [name, want, variable, rows, cols] of [
      [names.a, [r, inF], adapter.a, r, inF],
      [names.b, [outF, r], adapter.b, outF, r],
    ] as const) {
      const found = findTensor(tensors, name);
      if (!found) throw new CheckpointError(file, name, 'missing');
      if (!tf.util.arraysEqual(found.t.shape, want as unknown as number[])) {
        throw new CheckpointError(file, found.key, `has shape [${found.t.shape.join(', ')}], expected [${want.join(', ')}] (PEFT layout)`);
      }
      used.add(found.key);
      updates.push([variable, transpose2d(Float32Array.from(found.t.data), rows, cols), [cols, rows]]);
    }
  }
  for (const key of tensors.keys()) {
    if (!used.has(key) && /lora_[AB]/.test(key)) throw new CheckpointError(file, key, 'is a LoRA tensor of a module these adapters do not cover');
  }
  for (const [variable, data, shape] of updates) {
    const t = tf.tensor(data, shape, 'float32');
    variable.assign(t);
    t.dispose();
  }
}

/**
 * Reads a PEFT adapter directory (`adapter_config.json` + `adapter_model.safetensors`), attaches
 * matching adapters to `model` with {@link applyLora} and loads their weights.
 *
 * @param model - the base model (e.g. `LlamaModel`) without adapters on the targeted modules
 * @param dir - the adapter directory
 * @param overrides - settings not stored by PEFT (`seed` of dropout) or to override (e.g. `dropout: 0`)
 * @throws {@link LoraConfigError} for an unsupported config; {@link CheckpointError} for bad weights
 *   (the adapters are removed again on failure)
 */
export async function loadLoraAdapters(model: LoraTargetModel, dir: string, overrides: Partial<LoraConfig> = {}): Promise<LoraHandle> {
  const configFile = join(dir, PEFT_CONFIG_FILE);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(configFile, undefined, `cannot read adapter config: ${(error as Error).message}`);
  }
  const handle = applyLora(model, { ...loraConfigFromPeft(json), ...overrides });
  try {
    await loadLoraWeightsInto(handle, dir);
  } catch (error) {
    handle.remove();
    throw error;
  }
  return handle;
}
