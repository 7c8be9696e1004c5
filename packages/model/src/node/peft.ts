/**
 * PEFT adapter directories on disk (`adapter_model.safetensors` + `adapter_config.json`): a save replaces
 * both files as a unit ({@link replaceDirectory}); a load recovers an interrupted save first and detects
 * a config and weights of different saves. The byte-level pieces are in the main entry.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import type { LoraHandle, LoraTargetModel } from '../lora/apply-lora';
import type { LoraConfig } from '../lora/lora-config';
import { PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE, loadLoraAdaptersFromFiles, loadLoraWeightsFromFiles, serializeLoraAdapters, type SaveLoraOptions } from '../lora/peft';
import { recoverDirectory, replaceDirectory, writeFileAtomic } from './atomic-dir';
import { directorySource } from './checkpoint';

/**
 * Writes the adapters of `handle` to `dir` in PEFT format (see `serializeLoraAdapters`), replacing the
 * previous adapter there as a unit: a crash at any moment leaves the complete previous or the complete new
 * adapter, and orphans of crashed saves are removed. Other files in `dir` are carried over unchanged.
 *
 * @param handle - the adapters
 * @param dir - the adapter directory (created, with its parents, if needed)
 * @param options - see {@link SaveLoraOptions}
 * @throws `AtomicWriteError` when `dir` is not a directory; file-system errors (after cleaning up)
 */
export async function saveLoraAdapters(handle: LoraHandle, dir: string, options: SaveLoraOptions = {}): Promise<void> {
  const files = await serializeLoraAdapters(handle, options);
  await replaceDirectory(
    dir,
    async (staging) => {
      for (const [name, bytes] of files) await writeFileAtomic(join(staging, name), bytes);
    },
    { keep: (name) => name !== PEFT_WEIGHTS_FILE && name !== PEFT_CONFIG_FILE },
  );
}

/**
 * Loads the weights of the PEFT adapter in `dir` into an existing handle (see `loadLoraWeightsFromFiles`),
 * after recovering `dir` from an interrupted save.
 *
 * @throws {@link index.CheckpointError | CheckpointError} for a missing file or tensor, a shape mismatch, a LoRA tensor of a module
 *   the handle does not adapt, or merged adapters
 */
export async function loadLoraWeightsInto(handle: LoraHandle, dir: string): Promise<void> {
  await recoverDirectory(dir).catch(() => undefined);
  await loadLoraWeightsFromFiles(handle, directorySource(dir));
}

/**
 * Reads a PEFT adapter directory, attaches matching adapters to `model` and loads their weights (see
 * `loadLoraAdaptersFromFiles`), after recovering `dir` from an interrupted save.
 *
 * @param model - the base model without adapters on the targeted modules
 * @param dir - the adapter directory
 * @param overrides - settings not stored by PEFT (`seed` of dropout) or to override (e.g. `dropout: 0`)
 * @throws `LoraConfigError` for an unsupported config; {@link index.CheckpointError | CheckpointError} for a missing file, a torn
 *   adapter or bad weights (the adapters are removed again on failure)
 */
export async function loadLoraAdapters(model: LoraTargetModel, dir: string, overrides: Partial<LoraConfig> = {}): Promise<LoraHandle> {
  await recoverDirectory(dir).catch(() => undefined);
  return loadLoraAdaptersFromFiles(model, directorySource(dir), overrides);
}
