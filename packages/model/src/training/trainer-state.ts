/**
 * The saved state of a {@link Trainer} as named files (bytes), independent of where they are stored: the
 * trained variables (`trainable.safetensors`), the AdamW moments and step (`optimizer.safetensors`) and the
 * rest (`trainer_state.json`: step, seed, data position, external RNG states, variable names).
 *
 * @packageDocumentation
 */
import { CheckpointError } from '../checkpoint/errors';
import { parseSafetensors, serializeSafetensors, type SafetensorsInput, type SafetensorsTensor } from '../checkpoint/safetensors';
import type { DataOrderState } from './data-order';
import type { TrainerStateFiles } from './trainer-store';

/** File names of a saved trainer state. */
export const TRAINER_FILES = {
  /** Every trained variable by its stable name, in the variable's own layout (F32). */
  trainable: 'trainable.safetensors',
  /** `<name>.m`, `<name>.v` of every trained variable; metadata `step`. */
  optimizer: 'optimizer.safetensors',
  /** {@link TrainerStateJson}. */
  state: 'trainer_state.json',
} as const;

/** Contents of `trainer_state.json`. */
export interface TrainerStateJson {
  version: 2;
  step: number;
  seed: number;
  /** Example-data position (size of the data set, epoch and cursor); null before any example data. */
  data: (DataOrderState & { size: number }) | null;
  /** Micro-batches drawn from batch iterables so far (informational: iterables are not rewound). */
  batchesConsumed: number;
  /** States of `statefulRngs`, in order. */
  rngStates: unknown[];
  /** Names of the trained variables (checked on resume). */
  variables: string[];
}

/** A decoded trainer state. */
export interface DecodedTrainerState {
  state: TrainerStateJson;
  trainable: Map<string, SafetensorsTensor>;
  moments: Map<string, SafetensorsTensor>;
}

/** Float32 contents of tensors, by name. */
export type NamedFloatData = ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>;

/**
 * Encodes a trainer state as files.
 *
 * @param state - the JSON part
 * @param trainable - the trained variables' values
 * @param moments - the optimizer moments (`AdamWOptimizer.stateTensors()` names)
 */
export function encodeTrainerState(state: TrainerStateJson, trainable: NamedFloatData, moments: NamedFloatData): Map<string, Uint8Array> {
  const toInputs = (m: NamedFloatData): Map<string, SafetensorsInput> => new Map([...m].map(([k, t]) => [k, { dtype: 'F32', shape: [...t.shape], data: t.data }]));
  return new Map([
    [TRAINER_FILES.trainable, serializeSafetensors(toInputs(trainable), { format: 'pt' })],
    [TRAINER_FILES.optimizer, serializeSafetensors(toInputs(moments), { format: 'pt', step: String(state.step) })],
    [TRAINER_FILES.state, new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`)],
  ]);
}

/**
 * Decodes and checks the files of a trainer state.
 *
 * @param files - the files
 * @param where - a label of the state (its name or directory), used in error messages
 * @throws {@link CheckpointError} naming the file for a missing file, bad JSON, a state that is not version 2,
 *   or a corrupt safetensors file
 */
export function decodeTrainerState(files: TrainerStateFiles, where: string): DecodedTrainerState {
  const label = (f: string): string => `${where}/${f}`;
  const need = (f: string): Uint8Array => {
    const bytes = files.get(f);
    if (!bytes) throw new CheckpointError(label(f), undefined, 'missing from the saved trainer state');
    return bytes;
  };
  let state: TrainerStateJson;
  try {
    state = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(need(TRAINER_FILES.state))) as TrainerStateJson;
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(label(TRAINER_FILES.state), undefined, `cannot read trainer state: ${(error as Error).message}`);
  }
  if (
    state === null ||
    typeof state !== 'object' ||
    state.version !== 2 ||
    !Number.isInteger(state.step) ||
    state.step < 0 ||
    !Array.isArray(state.variables) ||
    !Array.isArray(state.rngStates ?? [])
  ) {
    throw new CheckpointError(label(TRAINER_FILES.state), undefined, 'not a version-2 trainer state with step, variables and rngStates');
  }
  const optimizer = parseSafetensors(need(TRAINER_FILES.optimizer), { file: label(TRAINER_FILES.optimizer) });
  const trainable = parseSafetensors(need(TRAINER_FILES.trainable), { file: label(TRAINER_FILES.trainable) });
  if (optimizer.metadata.step !== String(state.step)) {
    throw new CheckpointError(label(TRAINER_FILES.optimizer), undefined, `metadata step ${optimizer.metadata.step} differs from trainer_state.json step ${state.step} (files of two saves)`);
  }
  return { state, trainable: trainable.tensors, moments: optimizer.tensors };
}
