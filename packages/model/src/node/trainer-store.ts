/**
 * The file-system {@link TrainerStore}: every saved state is a directory `<dir>/<name>` replaced as a unit with
 * `replaceDirectory` (a `kill -9` at any moment leaves the complete old or the complete new state), and the
 * training log is a JSONL file.
 *
 * @packageDocumentation
 */
import { appendFile, open, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CheckpointError } from '../checkpoint/errors';
import { TRAINER_FILES } from '../training/trainer-state';
import { checkStateName, sortCheckpoints, type TrainerStateFiles, type TrainerStore } from '../training/trainer-store';
import { makeDirectory, recoverDirectory, replaceDirectory } from './atomic-dir';

/** Options of {@link FileTrainerStore}. */
export interface FileTrainerStoreOptions {
  /** The JSONL log file (default `<dir>/trainer_log.jsonl`; its directory is created). */
  logFile?: string;
}

/** Sibling names `replaceDirectory` leaves after a crash: `.<name>.(staging|ready|old).<pid>.<hex>`. */
const SIBLING = /^\.(.+)\.(?:staging|ready|old)\.\d+\.[0-9a-f]{12}$/;

/**
 * Trainer states as directories under `dir` (`<dir>/checkpoint-<step>/trainable.safetensors`,
 * `optimizer.safetensors`, `trainer_state.json`), the log as JSON lines. Reads first recover a state whose
 * replacement was interrupted by a crash.
 */
export class FileTrainerStore implements TrainerStore {
  /** The directory of the states (absolute). */
  readonly dir: string;
  /** The JSONL log file (absolute). */
  readonly logFile: string;

  /** @param dir - the directory holding the states (created on the first save) */
  constructor(dir: string, options: FileTrainerStoreOptions = {}) {
    if (typeof dir !== 'string' || dir.length === 0) throw new CheckpointError(String(dir), undefined, 'FileTrainerStore: dir must be a non-empty path');
    this.dir = resolve(dir);
    this.logFile = resolve(options.logFile ?? join(this.dir, 'trainer_log.jsonl'));
  }

  /** The directory of the state `name`. */
  statePath(name: string): string {
    checkStateName(name);
    return join(this.dir, name);
  }

  async saveState(name: string, files: TrainerStateFiles): Promise<void> {
    const target = this.statePath(name);
    for (const file of files.keys()) checkStateName(file);
    await replaceDirectory(target, async (staging) => {
      for (const [file, bytes] of files) {
        const handle = await open(join(staging, file), 'wx');
        try {
          let written = 0;
          while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
        } finally {
          await handle.close();
        }
      }
    });
  }

  async loadState(name: string): Promise<TrainerStateFiles> {
    const target = this.statePath(name);
    await recoverDirectory(target);
    let entries: string[];
    try {
      entries = await readdir(target);
    } catch (error) {
      throw new CheckpointError(join(target, TRAINER_FILES.state), undefined, `no saved trainer state: ${(error as Error).message}`);
    }
    const files = new Map<string, Uint8Array>();
    for (const file of entries) {
      if (file.startsWith('.')) continue;
      files.set(file, new Uint8Array(await readFile(join(target, file))));
    }
    if (!files.has(TRAINER_FILES.state)) throw new CheckpointError(join(target, TRAINER_FILES.state), undefined, 'missing: not a saved trainer state');
    return files;
  }

  async listCheckpoints(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch {
      return [];
    }
    const names = new Set<string>();
    for (const e of entries) {
      const m = SIBLING.exec(e);
      names.add(m ? m[1]! : e);
    }
    const out: string[] = [];
    for (const name of sortCheckpoints(names)) {
      await recoverDirectory(join(this.dir, name));
      try {
        if ((await readdir(join(this.dir, name))).includes(TRAINER_FILES.state)) out.push(name);
      } catch {
        // not (or no longer) a directory
      }
    }
    return out;
  }

  async appendLog(line: string): Promise<void> {
    await makeDirectory(dirname(this.logFile));
    await appendFile(this.logFile, `${line}\n`);
  }
}
