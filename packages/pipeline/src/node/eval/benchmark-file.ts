/**
 * Benchmark files from disk: the main entry's loaders over a file's bytes, with the path in every error.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { loadBenchmark, type LoadBenchmarkOptions } from '../../eval/benchmarks';
import { EvalDataError } from '../../eval/eval-data-error';
import type { EvalItem } from '../../eval/types';

/** Reads a file's bytes; a missing or unreadable file is an {@link index.EvalDataError | EvalDataError} at line 0. */
export async function readBenchmarkBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new EvalDataError(path, 0, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, undefined, { cause: e });
  }
}

/**
 * Loads a benchmark file by the benchmark's name. For MMLU's header-less CSV files the subject defaults to the file
 * name's stem without `_test`/`_dev`/`_val` (`anatomy_test.csv` → `anatomy`), as the original release names them.
 *
 * @throws {@link index.EvalOptionError | EvalOptionError} for an unknown benchmark; {@link index.EvalDataError | EvalDataError} with the path and line.
 */
export async function loadBenchmarkFile(benchmark: string, path: string, options: Omit<LoadBenchmarkOptions, 'file'> = {}): Promise<EvalItem[]> {
  const bytes = await readBenchmarkBytes(path);
  const extra: LoadBenchmarkOptions = {};
  if (benchmark === 'mmlu-medical' && options.subject === undefined && /\.csv$/i.test(path)) {
    extra.subject = basename(path).replace(/\.csv$/i, '').replace(/_(test|dev|val)$/i, '');
  }
  return loadBenchmark(benchmark, bytes, { ...extra, ...options, file: path });
}
