/**
 * Hugging Face-compatible checkpoints of a {@link LlamaModel}: `config.json` plus `model.safetensors`, or
 * shards `model-0000i-of-0000N.safetensors` listed in `model.safetensors.index.json`. Linear weights are
 * transposed between the model's `[in, out]` and the file's `[out, in]`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fromHfConfig, resolveConfig, toHfConfig, type LlamaConfig } from '../config';
import { LlamaModel } from '../decoder/llama';
import { pathExists, writeFileAtomic } from './atomic-write';
import { CheckpointError } from './errors';
import { hfTensorSpecs, modelShape, transpose2d, type HfTensorSpec } from './hf-llama';
import {
  FLOAT_DTYPES,
  decodeTensor,
  parseSafetensorsHeader,
  readHeaderLength,
  safetensorsChunks,
  serializeSafetensors,
  writtenByteSize,
  type SafetensorsHeader,
  type SafetensorsInput,
  type SafetensorsTensor,
} from './safetensors';

/** File names of a checkpoint directory. */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  single: 'model.safetensors',
  index: 'model.safetensors.index.json',
} as const;

/** Default shard size: Hugging Face's `max_shard_size="5GB"`. */
export const DEFAULT_SHARD_SIZE_BYTES = 5_000_000_000;

const SHARD_NAME = /^model-(\d{5})-of-(\d{5})\.safetensors$/;

/** The shard file name `model-0000i-of-0000N.safetensors` (1-based `i`). */
export function shardFileName(i: number, n: number): string {
  const pad = (x: number): string => String(x).padStart(5, '0');
  return `model-${pad(i)}-of-${pad(n)}.safetensors`;
}

/** What checkpoint functions need of a model (a {@link LlamaModel} has it). */
export interface CheckpointModel {
  readonly config: LlamaConfig;
  readonly weights: Map<string, tf.Variable>;
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /**
   * Largest shard in bytes (default {@link DEFAULT_SHARD_SIZE_BYTES}). When the weights exceed it they are
   * split, in name order, into shards of at most this size (a single larger tensor gets a shard of its own).
   */
  shardSizeBytes?: number;
  /** Extra safetensors `__metadata__` entries (`format: 'pt'` is always written, as transformers requires). */
  metadata?: Record<string, string>;
}

/** What {@link saveCheckpoint} wrote. */
export interface SaveCheckpointResult {
  /** The safetensors files written (names within the directory). */
  files: string[];
  /** Whether an index file was written. */
  sharded: boolean;
  /** Bytes of tensor data (the index's `metadata.total_size`). */
  totalSize: number;
}

/** Options of {@link loadWeightsInto} and {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /**
   * Reject tensors the config does not expect (default true). Always ignored: `lm_head.weight` when the
   * embeddings are tied and `*.rotary_emb.inv_freq` buffers of older Hugging Face checkpoints.
   */
  strict?: boolean;
}

function checkModelWeights(model: CheckpointModel, specs: HfTensorSpec[], where: string): void {
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

/**
 * Saves a model as a Hugging Face checkpoint in `dir` (created if needed): `config.json`
 * (`toHfConfig(model.config)`) and `model.safetensors` (F32, linear weights transposed to `[out, in]`,
 * `__metadata__.format = "pt"`), or, when the weights exceed `shardSizeBytes`, shards
 * `model-0000i-of-0000N.safetensors` and `model.safetensors.index.json` (`{metadata: {total_size},
 * weight_map}`).
 *
 * Every file is written with {@link writeFileAtomic} and streamed tensor by tensor (a failure leaves no
 * partial file and the previous file in place). Files of an earlier save in another layout (a stale
 * index, single file or shards) are removed after the new files are in place.
 *
 * @param dir - the checkpoint directory
 * @param model - the model (its `config` and `weights`)
 * @param options - see {@link SaveCheckpointOptions}
 * @throws RangeError for a `shardSizeBytes` that is not a positive integer; {@link CheckpointError}
 *   when the model's weights do not match its config; file-system errors
 */
export async function saveCheckpoint(dir: string, model: CheckpointModel, options: SaveCheckpointOptions = {}): Promise<SaveCheckpointResult> {
  const shardSize = options.shardSizeBytes ?? DEFAULT_SHARD_SIZE_BYTES;
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0) {
    throw new RangeError(`saveCheckpoint: options.shardSizeBytes must be a positive integer, got ${String(options.shardSizeBytes)}`);
  }
  const specs = hfTensorSpecs(model.config);
  checkModelWeights(model, specs, dir);
  const metadata = { ...(options.metadata ?? {}), format: 'pt' };

  // Plan shards greedily in spec order.
  const shards: HfTensorSpec[][] = [[]];
  let current = 0;
  let totalSize = 0;
  for (const spec of specs) {
    const bytes = writtenByteSize(spec.shape);
    totalSize += bytes;
    if (current > 0 && current + bytes > shardSize) {
      shards.push([]);
      current = 0;
    }
    shards[shards.length - 1]!.push(spec);
    current += bytes;
  }
  const sharded = shards.length > 1;
  const files = sharded ? shards.map((_, i) => shardFileName(i + 1, shards.length)) : [CHECKPOINT_FILES.single];

  await mkdir(dir, { recursive: true });
  for (let i = 0; i < shards.length; i++) {
    const chunks = safetensorsChunks(
      shards[i]!.map((spec) => ({
        name: spec.name,
        dtype: 'F32' as const,
        shape: spec.shape,
        data: async () => {
          const v = model.weights.get(spec.name)!;
          const data = (await v.data()) as Float32Array;
          // model [in, out] -> file [out, in]
          return spec.linear ? transpose2d(data, v.shape[0]!, v.shape[1]!) : data;
        },
      })),
      metadata,
    );
    await writeFileAtomic(join(dir, files[i]!), chunks);
  }
  if (sharded) {
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => shard.forEach((spec) => (weightMap[spec.name] = files[i]!)));
    const sortedMap = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const index = { metadata: { total_size: totalSize }, weight_map: sortedMap };
    await writeFileAtomic(join(dir, CHECKPOINT_FILES.index), `${JSON.stringify(index, null, 2)}\n`);
  }
  await writeFileAtomic(join(dir, CHECKPOINT_FILES.config), `${JSON.stringify(toHfConfig(model.config), null, 2)}\n`);

  // Remove files of an earlier save in another layout.
  const keep = new Set(files);
  if (!sharded) await rm(join(dir, CHECKPOINT_FILES.index), { force: true });
  for (const name of await readdir(dir)) {
    if (keep.has(name)) continue;
    if (SHARD_NAME.test(name) || (sharded && name === CHECKPOINT_FILES.single)) await rm(join(dir, name), { force: true });
  }
  return { files, sharded, totalSize };
}

/** An open safetensors file with its parsed header. */
interface OpenFile {
  path: string;
  handle: FileHandle;
  header: SafetensorsHeader;
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

async function openSafetensors(path: string): Promise<OpenFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new CheckpointError(path, undefined, `cannot open: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const size = (await handle.stat()).size;
    const first = await readExactly(handle, Math.min(8, size), 0);
    const len = readHeaderLength(first, size, path);
    const prefix = await readExactly(handle, 8 + len, 0);
    return { path, handle, header: parseSafetensorsHeader(prefix, size, path) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Reads one safetensors file from disk and decodes every tensor (floats to float32, integers to int32).
 *
 * @param path - the file
 * @throws {@link CheckpointError} naming the file and tensor for any problem with the file
 */
export async function readSafetensorsFile(path: string): Promise<{ tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> }> {
  const f = await openSafetensors(path);
  try {
    const tensors = new Map<string, SafetensorsTensor>();
    for (const [name, entry] of f.header.tensors) {
      const [begin, end] = entry.dataOffsets;
      const bytes = await readExactly(f.handle, end - begin, f.header.dataStart + begin);
      tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data: decodeTensor(entry, bytes, name, path) });
    }
    return { tensors, metadata: f.header.metadata };
  } finally {
    await f.handle.close();
  }
}

/**
 * Writes tensors (F32/I32) to a safetensors file atomically (see {@link writeFileAtomic}).
 *
 * @param path - the file
 * @param tensors - name to `{dtype, shape, data}`
 * @param metadata - `__metadata__` entries
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: ReadonlyMap<string, SafetensorsInput> | Readonly<Record<string, SafetensorsInput>>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/** Which file holds each tensor: from the index, or every tensor in `model.safetensors`. */
async function checkpointLayout(dir: string): Promise<{ files: string[]; weightMap?: Map<string, string>; indexPath?: string }> {
  const indexPath = join(dir, CHECKPOINT_FILES.index);
  if (await pathExists(indexPath)) {
    let index: unknown;
    try {
      index = JSON.parse(await readFile(indexPath, 'utf8'));
    } catch (error) {
      throw new CheckpointError(indexPath, undefined, `corrupt index: ${error instanceof Error ? error.message : String(error)}`);
    }
    const map = (index as { weight_map?: unknown } | null)?.weight_map;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      throw new CheckpointError(indexPath, undefined, 'corrupt index: no weight_map object');
    }
    const weightMap = new Map<string, string>();
    for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
      if (typeof file !== 'string' || file !== basename(file) || file === '..' || file === '.') {
        throw new CheckpointError(indexPath, name, `corrupt index: weight_map entry ${JSON.stringify(file)} is not a file name in the checkpoint directory`);
      }
      weightMap.set(name, file);
    }
    return { files: [...new Set(weightMap.values())], weightMap, indexPath };
  }
  if (await pathExists(join(dir, CHECKPOINT_FILES.single))) return { files: [CHECKPOINT_FILES.single] };
  throw new CheckpointError(dir, undefined, `no ${CHECKPOINT_FILES.single} or ${CHECKPOINT_FILES.index} in the directory`);
}

function ignorable(name: string, tied: boolean): boolean {
  return (tied && name === 'lm_head.weight') || /\.rotary_emb\.inv_freq$/.test(name);
}

/**
 * Loads the weights of the checkpoint in `dir` into `model`, whose config must match the checkpoint's
 * tensors. Every file, tensor name, dtype and shape is checked before any weight is changed, so a bad
 * checkpoint leaves the model as it was. F32, F16, BF16 and F64 tensors are accepted (converted to
 * float32); linear weights are transposed from `[out, in]` to `[in, out]`.
 *
 * @param model - the model to fill (its `weights` are assigned in place)
 * @param dir - the checkpoint directory
 * @param options - see {@link LoadCheckpointOptions}
 * @throws {@link CheckpointError} naming the file and the tensor: a missing directory file, truncated
 *   file, corrupt header or index, missing or (with `strict`) unexpected tensor, non-float dtype, or a
 *   shape that does not match the model's config
 */
export async function loadWeightsInto(model: CheckpointModel, dir: string, options: LoadCheckpointOptions = {}): Promise<void> {
  const strict = options.strict ?? true;
  const specs = hfTensorSpecs(model.config);
  checkModelWeights(model, specs, dir);
  const layout = await checkpointLayout(dir);
  const opened = new Map<string, OpenFile>();
  try {
    for (const file of layout.files) opened.set(file, await openSafetensors(join(dir, file)));

    // Phase 1: check everything.
    const plan: { spec: HfTensorSpec; file: OpenFile }[] = [];
    for (const spec of specs) {
      let fileName = CHECKPOINT_FILES.single as string;
      if (layout.weightMap) {
        const mapped = layout.weightMap.get(spec.name);
        if (mapped === undefined) throw new CheckpointError(layout.indexPath!, spec.name, 'missing tensor: not in the index weight_map');
        fileName = mapped;
      }
      const file = opened.get(fileName)!;
      const entry = file.header.tensors.get(spec.name);
      if (entry === undefined) throw new CheckpointError(file.path, spec.name, 'missing tensor');
      if (!FLOAT_DTYPES.includes(entry.dtype)) {
        throw new CheckpointError(file.path, spec.name, `wrong dtype ${entry.dtype}: a float weight must be one of ${FLOAT_DTYPES.join(', ')}`);
      }
      if (entry.shape.length !== spec.shape.length || entry.shape.some((d, i) => d !== spec.shape[i])) {
        throw new CheckpointError(
          file.path,
          spec.name,
          `shape mismatch: file has [${entry.shape.join(', ')}], the model's config expects [${spec.shape.join(', ')}] (Hugging Face layout)`,
        );
      }
      plan.push({ spec, file });
    }
    const expected = new Set(specs.map((s) => s.name));
    const tied = resolveConfig(model.config).tieEmbeddings;
    if (strict) {
      for (const file of opened.values()) {
        for (const name of file.header.tensors.keys()) {
          if (!expected.has(name) && !ignorable(name, tied)) {
            throw new CheckpointError(file.path, name, 'unexpected tensor: not part of a checkpoint of the model config (pass strict: false to ignore)');
          }
        }
      }
    }

    // Phase 2: read, convert and assign.
    for (const { spec, file } of plan) {
      const entry = file.header.tensors.get(spec.name)!;
      const [begin, end] = entry.dataOffsets;
      const bytes = await readExactly(file.handle, end - begin, file.header.dataStart + begin);
      if (bytes.length !== end - begin) {
        throw new CheckpointError(file.path, spec.name, `truncated: read ${bytes.length} of ${end - begin} bytes (was the file changed while loading?)`);
      }
      let data = decodeTensor(entry, bytes, spec.name, file.path) as Float32Array;
      if (spec.linear) data = transpose2d(data, spec.shape[0]!, spec.shape[1]!);
      const variable = model.weights.get(spec.name)!;
      tf.tidy(() => variable.assign(tf.tensor(data, modelShape(spec.name, spec.shape), 'float32')));
    }
  } finally {
    for (const f of opened.values()) await f.handle.close().catch(() => undefined);
  }
}

/**
 * Loads a Hugging Face Llama/Mixtral checkpoint directory: reads `config.json` (`fromHfConfig`), builds a
 * {@link LlamaModel} and fills it with {@link loadWeightsInto}.
 *
 * @param dir - the checkpoint directory
 * @param options - see {@link LoadCheckpointOptions}
 * @returns the loaded model (the caller disposes it)
 * @throws {@link CheckpointError} for a missing or invalid `config.json` (the cause is kept) and every
 *   error of {@link loadWeightsInto}
 */
export async function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<LlamaModel> {
  const configPath = join(dir, CHECKPOINT_FILES.config);
  let config: LlamaConfig;
  try {
    const raw: unknown = JSON.parse(await readFile(configPath, 'utf8'));
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object');
    config = fromHfConfig(raw as Record<string, unknown>);
  } catch (error) {
    const e = new CheckpointError(configPath, undefined, `cannot read the config: ${error instanceof Error ? error.message : String(error)}`);
    (e as { cause?: unknown }).cause = error;
    throw e;
  }
  const model = new LlamaModel(config, { seed: 0, init: 'zeros' });
  try {
    await loadWeightsInto(model, dir, options);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
