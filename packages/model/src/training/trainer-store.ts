/**
 * Where the {@link Trainer} keeps its saved states and its log: a small storage interface, so the training
 * loop itself needs no file system (it runs in browsers). {@link MemoryTrainerStore} is the in-memory
 * implementation; `FileTrainerStore` from `@quarkmed/model/node` keeps states as directories, each replaced
 * as a unit (crash-safe), and the log as a JSONL file.
 *
 * @packageDocumentation
 */
import { CheckpointError } from '../checkpoint/errors';
import { TrainerError } from './trainer-error';

/** The files of one saved trainer state, by file name (e.g. `trainer_state.json` → its UTF-8 bytes). */
export type TrainerStateFiles = ReadonlyMap<string, Uint8Array>;

/** Storage of trainer states and log lines. */
export interface TrainerStore {
  /** Saves `files` as the state called `name`, replacing an earlier one as a unit (all files or none). */
  saveState(name: string, files: TrainerStateFiles): Promise<void>;
  /**
   * Reads the state called `name`.
   *
   * @throws {@link CheckpointError} naming the state (and the missing file) when there is none
   */
  loadState(name: string): Promise<TrainerStateFiles>;
  /** Names of the complete periodic checkpoints (`checkpoint-<step>`), oldest step first. */
  listCheckpoints(): Promise<string[]>;
  /** Appends one line (a JSON {@link StepLog}, without the newline) to the training log. */
  appendLog(line: string): Promise<void>;
}

const CHECKPOINT_NAME = /^checkpoint-(\d+)$/;
const STATE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** The name of the periodic checkpoint after `step` steps: `checkpoint-<step>` (as in the Hugging Face Trainer). */
export function checkpointName(step: number): string {
  return `checkpoint-${step}`;
}

/** The step of a periodic checkpoint's name, or undefined for another name. */
export function checkpointStep(name: string): number | undefined {
  const m = CHECKPOINT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Sorts checkpoint names by step (names that are not checkpoints are dropped). */
export function sortCheckpoints(names: Iterable<string>): string[] {
  return [...names].filter((n) => checkpointStep(n) !== undefined).sort((a, b) => checkpointStep(a)! - checkpointStep(b)!);
}

/**
 * Checks a state name: letters, digits, `.`, `_`, `-`, not starting with `.` or `-` (a file name in every
 * store, never a path).
 *
 * @throws {@link TrainerError} naming the state for anything else
 */
export function checkStateName(name: string): void {
  if (typeof name !== 'string' || !STATE_NAME.test(name)) {
    throw new TrainerError('state name', `must be a plain name of letters, digits, '.', '_' and '-' (not a path), got ${JSON.stringify(name)}`);
  }
}

/** A {@link TrainerStore} in memory (the Trainer's default): states are copied in and out, the log is kept as lines. */
export class MemoryTrainerStore implements TrainerStore {
  /** The log lines appended so far. */
  readonly logLines: string[] = [];
  private readonly states = new Map<string, Map<string, Uint8Array>>();

  async saveState(name: string, files: TrainerStateFiles): Promise<void> {
    checkStateName(name);
    const copy = new Map<string, Uint8Array>();
    for (const [file, bytes] of files) copy.set(file, bytes.slice());
    this.states.set(name, copy);
  }

  async loadState(name: string): Promise<TrainerStateFiles> {
    checkStateName(name);
    const state = this.states.get(name);
    if (!state) throw new CheckpointError(name, undefined, `no trainer state saved under this name in memory (saved: ${[...this.states.keys()].join(', ') || 'none'})`);
    const copy = new Map<string, Uint8Array>();
    for (const [file, bytes] of state) copy.set(file, bytes.slice());
    return copy;
  }

  async listCheckpoints(): Promise<string[]> {
    return sortCheckpoints(this.states.keys());
  }

  async appendLog(line: string): Promise<void> {
    this.logLines.push(line);
  }
}
