/**
 * Finds the checkpoint of a recipe run to ship to the browser: the last finished model stage of the run's manifest
 * (`rl2` for a complete run; `MODEL_STAGES` of `@quarkmed/pipeline` in run order), whose files pass the manifest's
 * SHA-256 checks.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { MODEL_STAGES } from '@quarkmed/pipeline';
import { readManifest, verifyStage } from '@quarkmed/pipeline/node';
import { RunDirectoryError } from '../src/app-error';

/** Files of a checkpoint the browser needs (weights: one file or shards listed by the index). */
const CHECKPOINT_FILE = /^(config\.json|tokenizer\.json|tokenizer_config\.json|model\.safetensors|model\.safetensors\.index\.json|model-\d{5}-of-\d{5}\.safetensors)$/;

/** The checkpoint chosen. */
export interface RunCheckpoint {
  runDir: string;
  stage: string;
  /** The stage's directory. */
  dir: string;
  /** The checkpoint's file names, weights last. */
  files: string[];
}

/**
 * The last finished model stage of `runDir`, or `undefined` when the run has no manifest or no finished model stage.
 *
 * @throws {@link RunDirectoryError} when the manifest is unreadable, or the chosen stage's files fail their checksum
 *   or lack `config.json`, `tokenizer.json` or the weights
 */
export async function finalCheckpoint(runDir: string): Promise<RunCheckpoint | undefined> {
  let manifest;
  try {
    manifest = await readManifest(runDir);
  } catch (error) {
    throw new RunDirectoryError(runDir, error instanceof Error ? error.message : String(error));
  }
  if (manifest === undefined) return undefined;
  const stage = [...MODEL_STAGES].reverse().find((s) => manifest.stages[s] !== undefined);
  if (stage === undefined) return undefined;
  const entry = manifest.stages[stage]!;
  const dir = join(runDir, 'stages', stage);
  const check = await verifyStage(dir, entry);
  if (!check.ok) throw new RunDirectoryError(runDir, `stage ${stage} does not match its manifest (${check.problem ?? 'checksum mismatch'}); re-run the recipe to repair it`);
  const files = Object.keys(entry.files).filter((f) => CHECKPOINT_FILE.test(f));
  for (const need of ['config.json', 'tokenizer.json']) {
    if (!files.includes(need)) throw new RunDirectoryError(runDir, `stage ${stage} has no ${need}`);
  }
  if (!files.some((f) => f.endsWith('.safetensors'))) throw new RunDirectoryError(runDir, `stage ${stage} has no safetensors weights`);
  const weightsLast = (f: string): number => (f.endsWith('.safetensors') ? 1 : 0);
  files.sort((a, b) => weightsLast(a) - weightsLast(b) || (a < b ? -1 : a > b ? 1 : 0));
  return { runDir, stage, dir, files };
}
