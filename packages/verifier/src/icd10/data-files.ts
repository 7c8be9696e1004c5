/**
 * Locating and reading the data files shipped in `packages/verifier/data/` (from sources in `src/`
 * and from the bundled `dist/`).
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Thrown when a shipped data file cannot be found or read. */
export class VerifierDataError extends VerifierError {
  constructor(message: string) {
    super(message);
    this.name = 'VerifierDataError';
  }
}

function candidateDirs(): string[] {
  const dirs: string[] = [];
  const env = typeof process !== 'undefined' ? process.env.QUARKMED_VERIFIER_DATA : undefined;
  if (env) dirs.push(env);
  try {
    const here = import.meta.url;
    for (const rel of ['../../data/', '../data/', './data/']) dirs.push(fileURLToPath(new URL(rel, here)));
  } catch {
    // no import.meta.url (CommonJS bundle): fall through to __dirname
  }
  if (typeof __dirname === 'string') dirs.push(join(__dirname, '../data'), join(__dirname, '../../data'));
  return dirs;
}

declare const __dirname: string | undefined;

/**
 * The absolute path of a shipped data file.
 *
 * @param name - file name inside `data/`, e.g. "icd10cm-fy2022.tsv.gz"
 * @param dataDir - a directory to use instead of the shipped one
 * @throws {@link VerifierDataError} when the file exists in none of the candidate directories
 */
export function dataFilePath(name: string, dataDir?: string): string {
  const dirs = dataDir ? [dataDir] : candidateDirs();
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  throw new VerifierDataError(`data file ${name} not found in ${dirs.join(', ')} (set QUARKMED_VERIFIER_DATA or pass dataDir)`);
}

/**
 * Reads a shipped text file, gunzipping names that end in `.gz`.
 *
 * @param name - file name inside `data/`
 * @param dataDir - a directory to use instead of the shipped one
 */
export function readDataText(name: string, dataDir?: string): string {
  const buf = readFileSync(dataFilePath(name, dataDir));
  return (name.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

/** Splits TSV text into rows of fields (no quoting), dropping empty lines and, when asked, the header. */
export function parseTsv(text: string, header = true): string[][] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  return (header ? lines.slice(1) : lines).map((l) => l.replace(/\r$/, '').split('\t'));
}
