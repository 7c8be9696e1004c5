/** JSON result files of the bench suites, written atomically. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `bench/` of this checkout. */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A file-name-safe UTC timestamp, e.g. `2026-11-25T11-30-05Z`. */
export function timestamp(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Default result path of a suite: `bench/results/<suite>-<timestamp>.json`. */
export function defaultResultPath(suite: string, d: Date = new Date()): string {
  return join(BENCH_DIR, 'results', `${suite}-${timestamp(d)}.json`);
}

/**
 * Writes `value` as pretty JSON to `path` atomically: to a temporary file in the same folder first, then
 * renamed over `path` (so a reader never sees a half-written file). Creates the folder if needed.
 *
 * @returns the absolute path written.
 */
export function writeJsonAtomic(path: string, value: unknown): string {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, abs);
  return abs;
}
