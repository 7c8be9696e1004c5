/**
 * LoRA adapters alone in Hugging Face PEFT format (`adapter_model.safetensors` and `adapter_config.json`)
 * as bytes: serialising, config mapping, loading from fetched files. Browser-safe; the Node entry adds
 * `saveLoraAdapters`/`loadLoraAdapters` for directories.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkpointSource, readAllBytes, type CheckpointFiles, type CheckpointSource } from '../checkpoint/checkpoint-source';
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

/** Options of {@link serializeLoraAdapters} (and the Node entry's `saveLoraAdapters`). */
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
 * The `__metadata__` key of `adapter_model.safetensors` that records which adapter config the weights
 * were saved with (`[r, lora_alpha, sorted target_modules]` as JSON), so that a config and weights of two
 * different saves are detected on load. PEFT ignores it (safetensors metadata is string to string).
 */
export const ADAPTER_CONFIG_KEY = 'quarkmed_adapter_config';

/** The fingerprint stored under {@link ADAPTER_CONFIG_KEY} for an `adapter_config.json` object. */
export function adapterConfigFingerprint(json: Record<string, unknown>): string {
  const targets = Array.isArray(json.target_modules) ? [...(json.target_modules as unknown[])].map(String).sort() : json.target_modules;
  return JSON.stringify([json.r ?? null, json.lora_alpha ?? null, targets ?? null]);
}

/**
 * The files of a PEFT adapter directory as bytes: `adapter_model.safetensors` with
 * `base_model.model.<module>.lora_A.weight` `[r, in]` and `lora_B.weight` `[out, r]` (PyTorch layout:
 * ours transposed; metadata `format: "pt"` and {@link ADAPTER_CONFIG_KEY}), and `adapter_config.json`.
 * The base model is not included. Works merged or not (A and B are the same). The Node entry's
 * `saveLoraAdapters` writes them to a directory; in a browser, offer them as downloads.
 *
 * @param handle - the adapters
 * @param options - see {@link SaveLoraOptions}
 * @returns file name to content
 */
export async function serializeLoraAdapters(handle: LoraHandle, options: SaveLoraOptions = {}): Promise<Map<string, Uint8Array>> {
  const tensors = new Map<string, SafetensorsInput>();
  for (const [module, adapter] of handle.adapters) {
    const names = peftTensorNames(module);
    const { r, inFeatures: inF, outFeatures: outF } = adapter;
    tensors.set(names.a, { dtype: 'F32', shape: [r, inF], data: transpose2d((await adapter.a.data()) as Float32Array, inF, r) });
    tensors.set(names.b, { dtype: 'F32', shape: [outF, r], data: transpose2d((await adapter.b.data()) as Float32Array, r, outF) });
  }
  const config = peftAdapterConfig(handle, options);
  return new Map([
    [PEFT_WEIGHTS_FILE, serializeSafetensors(tensors, { format: 'pt', [ADAPTER_CONFIG_KEY]: adapterConfigFingerprint(config) })],
    [PEFT_CONFIG_FILE, new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`)],
  ]);
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
 * Loads the weights of a PEFT `adapter_model.safetensors` into an existing handle (transposing PEFT's
 * `[r, in]` / `[out, r]` into ours). Accepts `...lora_A.weight` and `...lora_A.default.weight` names.
 * Everything is checked before a weight changes.
 *
 * @param handle - the adapters to fill
 * @param files - the adapter's files (at least `adapter_model.safetensors`): fetched bytes, a `Blob`, ...
 * @throws {@link CheckpointError} naming the file and tensor for a missing file or tensor, a shape
 *   mismatch, a LoRA tensor of a module the handle does not adapt, or merged adapters (unmerge first)
 */
export async function loadLoraWeightsFromFiles(handle: LoraHandle, files: CheckpointFiles | CheckpointSource): Promise<void> {
  const source = toSource(files);
  await loadLoraWeights(handle, source, await readAdapterWeights(source));
}

function toSource(files: CheckpointFiles | CheckpointSource): CheckpointSource {
  const f = files as Partial<CheckpointSource>;
  return typeof f.describe === 'function' && typeof f.open === 'function' && typeof f.readText === 'function' && typeof f.exists === 'function'
    ? (files as CheckpointSource)
    : checkpointSource(files as CheckpointFiles);
}

async function readAdapterWeights(source: CheckpointSource): Promise<{ tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> }> {
  const file = source.describe(PEFT_WEIGHTS_FILE);
  return parseSafetensors(await readAllBytes(source, PEFT_WEIGHTS_FILE), { file });
}

async function loadLoraWeights(handle: LoraHandle, source: CheckpointSource, weights: { tensors: Map<string, SafetensorsTensor> }): Promise<void> {
  const file = source.describe(PEFT_WEIGHTS_FILE);
  if (handle.merged) throw new CheckpointError(file, undefined, 'cannot load into merged adapters; call unmerge() first');
  const { tensors } = weights;
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
 * Reads a PEFT adapter (`adapter_config.json` + `adapter_model.safetensors`) from fetched or in-memory
 * files, attaches matching adapters to `model` with {@link applyLora} and loads their weights. When the
 * weights record the config they were saved with ({@link ADAPTER_CONFIG_KEY}) it must match
 * `adapter_config.json` (else the two files come from different saves).
 *
 * @param model - the base model (e.g. `LlamaModel`) without adapters on the targeted modules
 * @param files - the adapter's files (see `CheckpointFiles`), or a `CheckpointSource`
 * @param overrides - settings not stored by PEFT (`seed` of dropout) or to override (e.g. `dropout: 0`)
 * @throws {@link LoraConfigError} for an unsupported config; {@link CheckpointError} for a missing or
 *   unreadable file, a torn adapter, or bad weights (the adapters are removed again on failure)
 */
export async function loadLoraAdaptersFromFiles(
  model: LoraTargetModel,
  files: CheckpointFiles | CheckpointSource,
  overrides: Partial<LoraConfig> = {},
): Promise<LoraHandle> {
  const source = toSource(files);
  const configFile = source.describe(PEFT_CONFIG_FILE);
  let json: Record<string, unknown>;
  try {
    const raw: unknown = JSON.parse(await source.readText(PEFT_CONFIG_FILE));
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object');
    json = raw as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(configFile, undefined, `cannot read adapter config: ${(error as Error).message}`, { cause: error });
  }
  const config = { ...loraConfigFromPeft(json), ...overrides };
  const weights = await readAdapterWeights(source);
  const saved = weights.metadata[ADAPTER_CONFIG_KEY];
  if (saved !== undefined && saved !== adapterConfigFingerprint(json)) {
    throw new CheckpointError(
      source.describe(PEFT_WEIGHTS_FILE),
      undefined,
      `torn adapter: the weights were saved with r, lora_alpha, target_modules = ${saved}, ${PEFT_CONFIG_FILE} says ${adapterConfigFingerprint(json)} (files of different saves are mixed)`,
    );
  }
  const handle = applyLora(model, config);
  try {
    await loadLoraWeights(handle, source, weights);
  } catch (error) {
    handle.remove();
    throw error;
  }
  return handle;
}
