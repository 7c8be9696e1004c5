/**
 * The layout of a Hugging Face checkpoint directory (file names, shard names, the per-save id that ties
 * its files together) and the checks of a model against its config. Browser-safe: no file system here.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LlamaConfig } from '../config';
import { CheckpointError } from './errors';
import { modelShape, type HfTensorSpec } from './hf-llama';

/** File names of a checkpoint directory. */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  single: 'model.safetensors',
  index: 'model.safetensors.index.json',
} as const;

/** Default shard size: Hugging Face's `max_shard_size="5GB"`. */
export const DEFAULT_SHARD_SIZE_BYTES = 5_000_000_000;

/**
 * The key of the per-save id: in every safetensors file's `__metadata__`, in the index's `metadata` and in
 * `config.json`. Files of one save share it; a load that finds two different ids reports a torn
 * checkpoint. Hugging Face ignores the key (safetensors metadata is string to string; `config.json`
 * keeps unknown keys as attributes).
 */
export const SAVE_ID_KEY = 'quarkmed_save_id';

/** Shard file names `model-0000i-of-0000N.safetensors`. */
export const SHARD_FILE_PATTERN = /^model-(\d{5})-of-(\d{5})\.safetensors$/;

/** The shard file name `model-0000i-of-0000N.safetensors` (1-based `i`). */
export function shardFileName(i: number, n: number): string {
  const pad = (x: number): string => String(x).padStart(5, '0');
  return `model-${pad(i)}-of-${pad(n)}.safetensors`;
}

/** Whether a file name is one of a checkpoint's own files (config, single file, index or a shard). */
export function isCheckpointFile(name: string): boolean {
  return name === CHECKPOINT_FILES.config || name === CHECKPOINT_FILES.single || name === CHECKPOINT_FILES.index || SHARD_FILE_PATTERN.test(name);
}

/** What checkpoint functions need of a model (a `LlamaModel` has it). */
export interface CheckpointModel {
  readonly config: LlamaConfig;
  readonly weights: Map<string, tf.Variable>;
}

/** Options of saving a checkpoint (`saveCheckpoint`, {@link planCheckpointFiles}, {@link serializeCheckpoint}). */
export interface SaveCheckpointOptions {
  /**
   * Largest shard in bytes (default {@link DEFAULT_SHARD_SIZE_BYTES}). When the weights exceed it they are
   * split, in name order, into shards of at most this size (a single larger tensor gets a shard of its own).
   */
  shardSizeBytes?: number;
  /**
   * Extra safetensors `__metadata__` entries (`format: 'pt'` is always written, as transformers requires;
   * {@link SAVE_ID_KEY} is reserved).
   */
  metadata?: Record<string, string>;
  /**
   * The id written under {@link SAVE_ID_KEY} (letters, digits, `-`, `_`; 1 to 64 characters). Default: 16
   * random hex digits from Web Crypto; pass one for byte-identical files across saves.
   */
  saveId?: string;
}

/** What a save wrote. */
export interface SaveCheckpointResult {
  /** The safetensors files written (names within the directory). */
  files: string[];
  /** Whether an index file was written. */
  sharded: boolean;
  /** Bytes of tensor data (the index's `metadata.total_size`). */
  totalSize: number;
  /** The per-save id in every file. */
  saveId: string;
}

/** Options of loading a checkpoint. */
export interface LoadCheckpointOptions {
  /**
   * Reject tensors the config does not expect (default true). Always ignored: `lm_head.weight` when the
   * embeddings are tied and `*.rotary_emb.inv_freq` buffers of older Hugging Face checkpoints.
   */
  strict?: boolean;
}

const SAVE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A new random save id (16 hex digits), or `given` after checking it. */
export function resolveSaveId(given: string | undefined, where: string): string {
  if (given !== undefined) {
    if (typeof given !== 'string' || !SAVE_ID.test(given)) {
      throw new CheckpointError(where, undefined, `options.saveId must be 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(given)}`);
    }
    return given;
  }
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks that a model's weights are exactly those its config implies (names, shapes, float32).
 *
 * @throws {@link CheckpointError} naming the weight
 */
export function checkModelWeights(model: CheckpointModel, specs: HfTensorSpec[], where: string): void {
  const names = new Set(specs.map((s) => s.name));
  for (const spec of specs) {
    const v = model.weights.get(spec.name);
    const want = modelShape(spec.name, spec.shape);
    if (v === undefined) throw new CheckpointError(where, spec.name, 'the model has no such weight although its config requires it');
    if (v.shape.length !== want.length || v.shape.some((d, i) => d !== want[i])) {
      throw new CheckpointError(where, spec.name, `model weight has shape [${v.shape.join(', ')}], its config implies [${want.join(', ')}]`);
    }
    if (v.dtype !== 'float32') throw new CheckpointError(where, spec.name, `model weight has dtype ${v.dtype}, expected float32`);
  }
  for (const name of model.weights.keys()) {
    if (!names.has(name)) throw new CheckpointError(where, name, 'the model has a weight that is not part of a checkpoint of its config');
  }
}
