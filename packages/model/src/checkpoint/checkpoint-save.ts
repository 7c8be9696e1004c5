/**
 * Turning a model into the files of a Hugging Face checkpoint, without a file system: a plan of named
 * files whose safetensors content streams tensor by tensor ({@link planCheckpointFiles}; the Node entry's
 * `saveCheckpoint` writes it to a directory), or all files as bytes ({@link serializeCheckpoint}; e.g. to
 * offer downloads in a browser).
 *
 * @packageDocumentation
 */
import { toHfConfig } from '../config';
import {
  CHECKPOINT_FILES,
  DEFAULT_SHARD_SIZE_BYTES,
  SAVE_ID_KEY,
  checkModelWeights,
  resolveSaveId,
  shardFileName,
  type CheckpointModel,
  type SaveCheckpointOptions,
  type SaveCheckpointResult,
} from './checkpoint-layout';
import { CheckpointError } from './errors';
import { hfTensorSpecs, transpose2d, type HfTensorSpec } from './hf-llama';
import { safetensorsChunks, writtenByteSize } from './safetensors';

/** One file of a {@link CheckpointPlan}: text, or bytes produced chunk by chunk when iterated. */
export interface CheckpointPlanFile {
  /** The file name within the checkpoint directory. */
  readonly name: string;
  /** The content: a string (UTF-8 JSON), or a function returning a fresh stream of byte chunks. */
  readonly content: string | (() => AsyncIterable<Uint8Array>);
}

/** The files of a checkpoint in write order (safetensors files, then the index, then `config.json`). */
export interface CheckpointPlan extends SaveCheckpointResult {
  readonly entries: readonly CheckpointPlanFile[];
}

/**
 * Plans the files of a checkpoint of `model`: `config.json` (`toHfConfig(model.config)` plus
 * {@link SAVE_ID_KEY}) and `model.safetensors` (F32, linear weights transposed to `[out, in]`,
 * `__metadata__.format = "pt"`), or, when the weights exceed `shardSizeBytes`, shards
 * `model-0000i-of-0000N.safetensors` and `model.safetensors.index.json` (`{metadata: {total_size,
 * quarkmed_save_id}, weight_map}`). Every safetensors file carries the save id in its `__metadata__`.
 * Tensor data is read from the model only while a file's stream is iterated.
 *
 * @param model - the model (its `config` and `weights`)
 * @param options - see {@link SaveCheckpointOptions}
 * @throws {@link CheckpointError} for a `shardSizeBytes` that is not a positive integer, a bad `saveId`,
 *   metadata that is not string to string or uses {@link SAVE_ID_KEY}, or weights that do not match the
 *   model's config
 */
export function planCheckpointFiles(model: CheckpointModel, options: SaveCheckpointOptions = {}): CheckpointPlan {
  const where = 'saveCheckpoint';
  const shardSize = options.shardSizeBytes ?? DEFAULT_SHARD_SIZE_BYTES;
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0) {
    throw new CheckpointError(where, undefined, `options.shardSizeBytes must be a positive integer, got ${String(options.shardSizeBytes)}`);
  }
  const saveId = resolveSaveId(options.saveId, where);
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (typeof v !== 'string') throw new CheckpointError(where, undefined, `options.metadata.${k} must be a string (safetensors metadata is string to string), got ${typeof v}`);
    if (k === SAVE_ID_KEY) throw new CheckpointError(where, undefined, `options.metadata.${k} is reserved for the save id; pass options.saveId`);
  }
  const specs = hfTensorSpecs(model.config);
  checkModelWeights(model, specs, where);
  const metadata = { ...(options.metadata ?? {}), format: 'pt', [SAVE_ID_KEY]: saveId };

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

  const entries: CheckpointPlanFile[] = shards.map((shard, i) => ({
    name: files[i]!,
    content: () =>
      safetensorsChunks(
        shard.map((spec) => ({
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
      ),
  }));
  if (sharded) {
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => shard.forEach((spec) => (weightMap[spec.name] = files[i]!)));
    const sortedMap = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const index = { metadata: { total_size: totalSize, [SAVE_ID_KEY]: saveId }, weight_map: sortedMap };
    entries.push({ name: CHECKPOINT_FILES.index, content: `${JSON.stringify(index, null, 2)}\n` });
  }
  entries.push({ name: CHECKPOINT_FILES.config, content: `${JSON.stringify({ ...toHfConfig(model.config), [SAVE_ID_KEY]: saveId }, null, 2)}\n` });
  return { entries, files, sharded, totalSize, saveId };
}

/**
 * All files of a checkpoint of `model` as bytes (see {@link planCheckpointFiles}), e.g. for a browser
 * download; `loadCheckpointFromFiles` reads the result back.
 *
 * @param model - the model
 * @param options - see {@link SaveCheckpointOptions}
 * @returns file name to content, in write order
 * @throws every error of {@link planCheckpointFiles}
 */
export async function serializeCheckpoint(model: CheckpointModel, options: SaveCheckpointOptions = {}): Promise<Map<string, Uint8Array>> {
  const plan = planCheckpointFiles(model, options);
  const out = new Map<string, Uint8Array>();
  for (const entry of plan.entries) {
    if (typeof entry.content === 'string') {
      out.set(entry.name, new TextEncoder().encode(entry.content));
      continue;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const c of entry.content()) {
      chunks.push(c);
      size += c.length;
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    out.set(entry.name, bytes);
  }
  return out;
}
