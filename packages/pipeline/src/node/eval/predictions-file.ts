/**
 * Predictions files on disk: written atomically (temporary file + rename), read back with checks.
 *
 * @packageDocumentation
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@quarkmed/model/node';
import { parsePredictions, serializePredictions, type Prediction } from '../../eval/predictions';
import { readBenchmarkBytes } from './benchmark-file';

/** Writes a predictions file (JSON Lines) atomically, creating its folder. */
export async function writePredictionsFile(path: string, predictions: readonly Prediction[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, serializePredictions(predictions));
}

/**
 * Reads a predictions file.
 *
 * @throws {@link index.EvalDataError | EvalDataError} with the path and line for a missing file or an invalid line.
 */
export async function readPredictionsFile(path: string): Promise<Prediction[]> {
  return parsePredictions(await readBenchmarkBytes(path), path);
}
