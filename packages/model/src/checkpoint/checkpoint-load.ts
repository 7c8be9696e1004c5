/**
 * Loading a Hugging Face Llama/Mixtral checkpoint from any {@link CheckpointSource}: fetched files in a
 * browser ({@link loadCheckpointFromFiles}) or a directory (the Node entry's `loadCheckpoint`). Every
 * file, tensor, dtype, shape and the per-save id are checked before a weight changes.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { fromHfConfig, resolveConfig, type LlamaConfig } from '../config';
import { LlamaModel } from '../decoder/llama';
import { CHECKPOINT_FILES, SAVE_ID_KEY, checkModelWeights, type CheckpointModel, type LoadCheckpointOptions } from './checkpoint-layout';
import { checkpointSource, type CheckpointFiles, type CheckpointSource, type RandomAccessFile } from './checkpoint-source';
import { CheckpointError } from './errors';
import { hfTensorSpecs, modelShape, transpose2d, type HfTensorSpec } from './hf-llama';
import { FLOAT_DTYPES, decodeTensor, parseSafetensorsHeader, readHeaderLength, type SafetensorsHeader } from './safetensors';

/** An open safetensors file with its parsed header. */
interface OpenFile {
  label: string;
  file: RandomAccessFile;
  header: SafetensorsHeader;
}

/**
 * Opens a safetensors file of a source and parses its header (reading only the header bytes).
 *
 * @throws {@link CheckpointError} naming the file for a missing file, truncated file or corrupt header
 */
export async function openSafetensors(source: CheckpointSource, name: string): Promise<{ file: RandomAccessFile; header: SafetensorsHeader }> {
  const label = source.describe(name);
  let file: RandomAccessFile;
  try {
    file = await source.open(name);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(label, undefined, `cannot open: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const first = await file.read(0, Math.min(8, file.size));
    const len = readHeaderLength(first, file.size, label);
    const prefix = await file.read(0, 8 + len);
    return { file, header: parseSafetensorsHeader(prefix, file.size, label) };
  } catch (error) {
    await file.close();
    throw error;
  }
}

interface Layout {
  files: string[];
  weightMap?: Map<string, string>;
  indexLabel?: string;
  indexSaveId?: string;
}

/** Which file holds each tensor: from the index, or every tensor in `model.safetensors`. */
async function checkpointLayout(source: CheckpointSource): Promise<Layout> {
  const indexName = CHECKPOINT_FILES.index;
  if (await source.exists(indexName)) {
    const indexLabel = source.describe(indexName);
    let index: unknown;
    try {
      index = JSON.parse(await source.readText(indexName));
    } catch (error) {
      throw new CheckpointError(indexLabel, undefined, `corrupt index: ${error instanceof Error ? error.message : String(error)}`);
    }
    const map = (index as { weight_map?: unknown } | null)?.weight_map;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      throw new CheckpointError(indexLabel, undefined, 'corrupt index: no weight_map object');
    }
    const weightMap = new Map<string, string>();
    for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
      if (typeof file !== 'string' || file.length === 0 || /[/\\]/.test(file) || file === '..' || file === '.') {
        throw new CheckpointError(indexLabel, name, `corrupt index: weight_map entry ${JSON.stringify(file)} is not a file name in the checkpoint directory`);
      }
      weightMap.set(name, file);
    }
    const meta = (index as { metadata?: Record<string, unknown> }).metadata;
    const id = meta !== null && typeof meta === 'object' ? meta[SAVE_ID_KEY] : undefined;
    return { files: [...new Set(weightMap.values())], weightMap, indexLabel, indexSaveId: typeof id === 'string' ? id : undefined };
  }
  if (await source.exists(CHECKPOINT_FILES.single)) return { files: [CHECKPOINT_FILES.single] };
  throw new CheckpointError(source.describe(''), undefined, `no ${CHECKPOINT_FILES.single} or ${CHECKPOINT_FILES.index} in the checkpoint`);
}

/**
 * Checks that the weight files (index and safetensors files) belong to one save: either none carries a
 * {@link SAVE_ID_KEY} (a checkpoint written by other tools) or all carry the same one; `config.json`,
 * when it has one, must match too.
 */
function checkOneSave(layout: Layout, opened: Map<string, OpenFile>, configSaveId: string | undefined, configLabel: string): void {
  const ids: { label: string; id: string | undefined }[] = [];
  if (layout.indexLabel !== undefined) ids.push({ label: layout.indexLabel, id: layout.indexSaveId });
  for (const f of opened.values()) ids.push({ label: f.label, id: f.header.metadata[SAVE_ID_KEY] });
  const withId = ids.filter((x) => x.id !== undefined);
  if (withId.length === 0) return;
  const ref = withId[0]!;
  for (const x of ids) {
    if (x.id !== ref.id) {
      throw new CheckpointError(
        x.label,
        undefined,
        `torn checkpoint: written by save ${x.id === undefined ? '(none)' : JSON.stringify(x.id)} but ${ref.label} by save ${JSON.stringify(ref.id)} (files of different saves are mixed)`,
      );
    }
  }
  if (configSaveId !== undefined && configSaveId !== ref.id) {
    throw new CheckpointError(configLabel, undefined, `torn checkpoint: config.json is of save ${JSON.stringify(configSaveId)}, the weights of save ${JSON.stringify(ref.id)}`);
  }
}

function ignorable(name: string, tied: boolean): boolean {
  return (tied && name === 'lm_head.weight') || /\.rotary_emb\.inv_freq$/.test(name);
}

async function readConfigJson(source: CheckpointSource): Promise<Record<string, unknown>> {
  const label = source.describe(CHECKPOINT_FILES.config);
  try {
    const raw: unknown = JSON.parse(await source.readText(CHECKPOINT_FILES.config));
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object');
    return raw as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(label, undefined, `cannot read the config: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Loads the weights of the checkpoint in `source` into `model`, whose config must match the checkpoint's
 * tensors. Every file, tensor name, dtype and shape, and that all files come from one save (see
 * {@link SAVE_ID_KEY}), is checked before any weight is changed, so a bad checkpoint leaves the model as
 * it was. F32, F16, BF16 and F64 tensors are accepted (converted to float32); linear weights are
 * transposed from `[out, in]` to `[in, out]`. `config.json` is read (when present) only for its save id.
 *
 * @param model - the model to fill (its `weights` are assigned in place)
 * @param source - the checkpoint's files
 * @param options - see {@link LoadCheckpointOptions}
 * @throws {@link CheckpointError} naming the file and the tensor: a missing file, truncated file, corrupt
 *   header or index, files of different saves (torn), missing or (with `strict`) unexpected tensor,
 *   non-float dtype, or a shape that does not match the model's config
 */
export async function loadWeightsFromSource(model: CheckpointModel, source: CheckpointSource, options: LoadCheckpointOptions = {}): Promise<void> {
  const strict = options.strict ?? true;
  const specs = hfTensorSpecs(model.config);
  checkModelWeights(model, specs, source.describe(''));
  const layout = await checkpointLayout(source);
  let configSaveId: string | undefined;
  if (await source.exists(CHECKPOINT_FILES.config)) {
    const id = (await readConfigJson(source))[SAVE_ID_KEY];
    configSaveId = typeof id === 'string' ? id : undefined;
  }
  const opened = new Map<string, OpenFile>();
  try {
    for (const name of layout.files) {
      const { file, header } = await openSafetensors(source, name);
      opened.set(name, { label: source.describe(name), file, header });
    }
    checkOneSave(layout, opened, configSaveId, source.describe(CHECKPOINT_FILES.config));

    // Phase 1: check everything.
    const plan: { spec: HfTensorSpec; file: OpenFile }[] = [];
    for (const spec of specs) {
      let fileName = CHECKPOINT_FILES.single as string;
      if (layout.weightMap) {
        const mapped = layout.weightMap.get(spec.name);
        if (mapped === undefined) throw new CheckpointError(layout.indexLabel!, spec.name, 'missing tensor: not in the index weight_map');
        fileName = mapped;
      }
      const file = opened.get(fileName)!;
      const entry = file.header.tensors.get(spec.name);
      if (entry === undefined) throw new CheckpointError(file.label, spec.name, 'missing tensor');
      if (!FLOAT_DTYPES.includes(entry.dtype)) {
        throw new CheckpointError(file.label, spec.name, `wrong dtype ${entry.dtype}: a float weight must be one of ${FLOAT_DTYPES.join(', ')}`);
      }
      if (entry.shape.length !== spec.shape.length || entry.shape.some((d, i) => d !== spec.shape[i])) {
        throw new CheckpointError(
          file.label,
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
            throw new CheckpointError(file.label, name, 'unexpected tensor: not part of a checkpoint of the model config (pass strict: false to ignore)');
          }
        }
      }
    }

    // Phase 2: read and convert everything, then assign (a read failure leaves the model as it was).
    const values: { spec: HfTensorSpec; data: Float32Array }[] = [];
    for (const { spec, file } of plan) {
      const entry = file.header.tensors.get(spec.name)!;
      const [begin, end] = entry.dataOffsets;
      const bytes = await file.file.read(file.header.dataStart + begin, end - begin);
      if (bytes.length !== end - begin) {
        throw new CheckpointError(file.label, spec.name, `truncated: read ${bytes.length} of ${end - begin} bytes (was the file changed while loading?)`);
      }
      let data = decodeTensor(entry, bytes, spec.name, file.label) as Float32Array;
      if (spec.linear) data = transpose2d(data, spec.shape[0]!, spec.shape[1]!);
      values.push({ spec, data });
    }
    for (const { spec, data } of values) {
      const variable = model.weights.get(spec.name)!;
      tf.tidy(() => variable.assign(tf.tensor(data, modelShape(spec.name, spec.shape), 'float32')));
    }
  } finally {
    for (const f of opened.values()) await f.file.close().catch(() => undefined);
  }
}

/**
 * Loads a Hugging Face Llama/Mixtral checkpoint from a source: reads `config.json` (`fromHfConfig`),
 * builds a {@link LlamaModel} and fills it with {@link loadWeightsFromSource}.
 *
 * @param source - the checkpoint's files
 * @param options - see {@link LoadCheckpointOptions}
 * @returns the loaded model (the caller disposes it)
 * @throws {@link CheckpointError} for a missing or invalid `config.json` (the cause is kept) and every
 *   error of {@link loadWeightsFromSource}
 */
export async function loadCheckpointFromSource(source: CheckpointSource, options: LoadCheckpointOptions = {}): Promise<LlamaModel> {
  const raw = await readConfigJson(source);
  let config: LlamaConfig;
  try {
    config = fromHfConfig(raw);
  } catch (error) {
    throw new CheckpointError(source.describe(CHECKPOINT_FILES.config), undefined, `cannot read the config: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const model = new LlamaModel(config, { seed: 0, init: 'zeros' });
  try {
    await loadWeightsFromSource(model, source, options);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * Loads a checkpoint from files a browser fetched (or any in-memory files), e.g.
 * `loadCheckpointFromFiles({ 'config.json': text, 'model.safetensors': bytes })`, or with a function that
 * fetches each file on demand (shards are then fetched only after the index names them).
 *
 * @param files - see {@link CheckpointFiles}
 * @param options - see {@link LoadCheckpointOptions}
 * @returns the loaded model (the caller disposes it)
 * @throws every error of {@link loadCheckpointFromSource}
 */
export function loadCheckpointFromFiles(files: CheckpointFiles, options: LoadCheckpointOptions = {}): Promise<LlamaModel> {
  return loadCheckpointFromSource(checkpointSource(files), options);
}

/**
 * Loads the weights of in-memory or fetched checkpoint files into an existing model (see
 * {@link loadWeightsFromSource}).
 *
 * @param model - the model to fill
 * @param files - see {@link CheckpointFiles}
 * @param options - see {@link LoadCheckpointOptions}
 */
export function loadWeightsFromFiles(model: CheckpointModel, files: CheckpointFiles, options: LoadCheckpointOptions = {}): Promise<void> {
  return loadWeightsFromSource(model, checkpointSource(files), options);
}
