/**
 * Hugging Face-compatible checkpoint directories on disk: `config.json` plus `model.safetensors`, or
 * shards `model-0000i-of-0000N.safetensors` listed in `model.safetensors.index.json`. A save replaces the
 * checkpoint as a unit ({@link replaceDirectory}); a load recovers an interrupted save first and detects
 * files of different saves. The byte-level pieces (planning the files, parsing, loading from fetched
 * files) are in the main entry.
 *
 * @packageDocumentation
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { LlamaModel } from '../decoder/llama';
import { isCheckpointFile, type CheckpointModel, type LoadCheckpointOptions, type SaveCheckpointOptions, type SaveCheckpointResult } from '../checkpoint/checkpoint-layout';
import { loadCheckpointFromSource, loadWeightsFromSource, openSafetensors } from '../checkpoint/checkpoint-load';
import { planCheckpointFiles } from '../checkpoint/checkpoint-save';
import type { CheckpointSource, RandomAccessFile } from '../checkpoint/checkpoint-source';
import { CheckpointError } from '../checkpoint/errors';
import { decodeTensor, serializeSafetensors, type SafetensorsInput, type SafetensorsTensor } from '../checkpoint/safetensors';
import { pathExists, recoverDirectory, replaceDirectory, writeFileAtomic } from './atomic-dir';

/**
 * Saves a model as a Hugging Face checkpoint in `dir` (see `planCheckpointFiles` for the files), replacing
 * the previous checkpoint there as a unit: the files are written into a staging directory next to `dir`
 * (streamed tensor by tensor), fsynced and swapped in with {@link replaceDirectory}, so a crash at any
 * moment leaves the complete previous or the complete new checkpoint, and orphans of crashed saves are
 * removed. Other files in `dir` (a tokenizer, a README) are carried over unchanged; checkpoint files of
 * an earlier save (another shard layout) are not.
 *
 * @param dir - the checkpoint directory (created, with its parents, if needed)
 * @param model - the model (its `config` and `weights`)
 * @param options - see {@link SaveCheckpointOptions}
 * @throws {@link index.CheckpointError | CheckpointError} for bad options or weights that do not match the model's config;
 *   `AtomicWriteError` when `dir` is not a directory; file-system errors (after cleaning up)
 */
export async function saveCheckpoint(dir: string, model: CheckpointModel, options: SaveCheckpointOptions = {}): Promise<SaveCheckpointResult> {
  const plan = planCheckpointFiles(model, options);
  await replaceDirectory(dir, (staging) => writePlan(staging, plan.entries), { keep: (name) => !isCheckpointFile(name) });
  return { files: plan.files, sharded: plan.sharded, totalSize: plan.totalSize, saveId: plan.saveId };
}

/**
 * Writes the files of a checkpoint into an existing directory without replacing it, each file atomically
 * but not the set: for a directory that is itself being written by {@link replaceDirectory} (e.g. a
 * trainer state that contains a checkpoint). Stale checkpoint files already in `dir` are not removed.
 *
 * @param dir - an existing directory (typically a staging directory)
 * @param model - the model
 * @param options - see {@link SaveCheckpointOptions}
 * @throws as {@link saveCheckpoint}
 */
export async function writeCheckpointFiles(dir: string, model: CheckpointModel, options: SaveCheckpointOptions = {}): Promise<SaveCheckpointResult> {
  const plan = planCheckpointFiles(model, options);
  await writePlan(dir, plan.entries);
  return { files: plan.files, sharded: plan.sharded, totalSize: plan.totalSize, saveId: plan.saveId };
}

async function writePlan(dir: string, entries: ReturnType<typeof planCheckpointFiles>['entries']): Promise<void> {
  for (const entry of entries) {
    await writeFileAtomic(join(dir, entry.name), typeof entry.content === 'string' ? entry.content : entry.content());
  }
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

/**
 * A {@link CheckpointSource} over a directory: files are opened for random access (only headers and the
 * needed tensor ranges are read) and named by their path in errors.
 *
 * @param dir - the directory
 */
export function directorySource(dir: string): CheckpointSource {
  return {
    describe: (name) => (name === '' ? dir : join(dir, name)),
    exists: (name) => pathExists(join(dir, name)),
    readText: async (name) => {
      try {
        return await readFile(join(dir, name), 'utf8');
      } catch (error) {
        throw new CheckpointError(join(dir, name), undefined, `cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
    open: async (name): Promise<RandomAccessFile> => {
      const path = join(dir, name);
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        throw new CheckpointError(path, undefined, `cannot open: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const size = (await handle.stat()).size;
      return { size, read: (position, length) => readExactly(handle, length, position), close: () => handle.close() };
    },
  };
}

/** Finishes or rolls back an interrupted save and removes orphans; best effort (a read-only checkpoint loads). */
async function recoverForLoad(dir: string): Promise<void> {
  await recoverDirectory(dir).catch(() => undefined);
}

/**
 * Loads the weights of the checkpoint in `dir` into `model` (see `loadWeightsFromSource`), after
 * recovering `dir` from an interrupted save and removing orphans of crashed saves.
 *
 * @param model - the model to fill (its `weights` are assigned in place)
 * @param dir - the checkpoint directory
 * @param options - see {@link LoadCheckpointOptions}
 * @throws {@link index.CheckpointError | CheckpointError} naming the file and the tensor (missing, truncated, corrupt or torn files,
 *   missing or unexpected tensors, dtype or shape mismatches)
 */
export async function loadWeightsInto(model: CheckpointModel, dir: string, options: LoadCheckpointOptions = {}): Promise<void> {
  await recoverForLoad(dir);
  await loadWeightsFromSource(model, directorySource(dir), options);
}

/**
 * Loads a Hugging Face Llama/Mixtral checkpoint directory: recovers it from an interrupted save, reads
 * `config.json` (`fromHfConfig`), builds a `LlamaModel` and fills it with {@link loadWeightsInto}.
 *
 * @param dir - the checkpoint directory
 * @param options - see {@link LoadCheckpointOptions}
 * @returns the loaded model (the caller disposes it)
 * @throws {@link index.CheckpointError | CheckpointError} for a missing or invalid `config.json` (the cause is kept) and every
 *   error of {@link loadWeightsInto}
 */
export async function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<LlamaModel> {
  await recoverForLoad(dir);
  return loadCheckpointFromSource(directorySource(dir), options);
}

/**
 * Reads one safetensors file from disk and decodes every tensor (floats to float32, integers to int32).
 *
 * @param path - the file
 * @throws {@link index.CheckpointError | CheckpointError} naming the file and tensor for any problem with the file
 */
export async function readSafetensorsFile(path: string): Promise<{ tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> }> {
  const { file, header } = await openSafetensors(directorySource(dirname(path)), basename(path));
  try {
    const tensors = new Map<string, SafetensorsTensor>();
    for (const [name, entry] of header.tensors) {
      const [begin, end] = entry.dataOffsets;
      const bytes = await file.read(header.dataStart + begin, end - begin);
      tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data: decodeTensor(entry, bytes, name, path) });
    }
    return { tensors, metadata: header.metadata };
  } finally {
    await file.close();
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
