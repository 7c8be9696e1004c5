/**
 * Reading the verifier data files from disk (Node only): the shipped `packages/verifier/data/` (found from
 * sources in `src/` and from the bundled `dist/`), `QUARKMED_VERIFIER_DATA`, or a directory of your own.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { VerifierDataError, setVerifierDataReader } from '../icd10/data-files';

declare const __dirname: string | undefined;

function candidateDirs(): string[] {
  const dirs: string[] = [];
  const env = process.env.QUARKMED_VERIFIER_DATA;
  if (env) dirs.push(env);
  let here: string | undefined;
  try {
    here = import.meta.url;
  } catch {
    here = undefined;
  }
  // src/node/ and dist/node/ are both two levels below the package root
  if (typeof here === 'string' && here !== '') for (const rel of ['../../data/', '../data/']) dirs.push(fileURLToPath(new URL(rel, here)));
  if (typeof __dirname === 'string') dirs.push(join(__dirname, '../../data'), join(__dirname, '../data'));
  return dirs;
}

/**
 * The absolute path of a data file.
 *
 * @param name - file name inside `data/`, e.g. "icd10cm-fy2022.tsv.gz"
 * @param dataDir - a directory to use instead of the shipped one
 * @throws {@link index.VerifierDataError | VerifierDataError} when the file exists in none of the candidate directories
 */
export function verifierDataPath(name: string, dataDir?: string): string {
  const dirs = dataDir !== undefined ? [dataDir] : candidateDirs();
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  throw new VerifierDataError(name, `not found in ${dirs.join(', ')} (set QUARKMED_VERIFIER_DATA or pass dataDir)`);
}

/**
 * Reads a data file from disk as text, gunzipping names that end in `.gz`.
 *
 * @param name - file name inside `data/`
 * @param dataDir - a directory to use instead of the shipped one
 * @throws {@link index.VerifierDataError | VerifierDataError} naming the file when it is missing, unreadable or not valid gzip
 */
export function readVerifierDataFile(name: string, dataDir?: string): string {
  const path = verifierDataPath(name, dataDir);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new VerifierDataError(name, `cannot read ${path} (${(e as Error).message})`, { cause: e });
  }
  if (!name.endsWith('.gz')) return buf.toString('utf8');
  try {
    return gunzipSync(buf).toString('utf8');
  } catch (e) {
    throw new VerifierDataError(name, `${path} is not valid gzip (${(e as Error).message})`, { cause: e });
  }
}

/** Options of {@link useShippedVerifierData}. */
export interface UseShippedVerifierDataOptions {
  /** Read every file from this directory instead of the shipped `data/` (an explicit `dataDir` argument still wins). */
  dataDir?: string;
}

/**
 * Lets the main entry's verifiers read their data from disk, on first use: after this call
 * `new Icd10Verifier()`, `getIcd10CodeList()`, `getOntology()` and every `dataDir` option work in Node.
 * Data handed over with `provideVerifierData` still takes precedence. Call it once at start-up.
 *
 * @example
 * ```ts
 * import { Icd10Verifier } from '@quarkmed/verifier';
 * import { useShippedVerifierData } from '@quarkmed/verifier/node';
 * useShippedVerifierData();
 * new Icd10Verifier().verify('Diagnosis: E11.9', 'E11.9');
 * ```
 */
export function useShippedVerifierData(options: UseShippedVerifierDataOptions = {}): void {
  const fallbackDir = options.dataDir;
  if (fallbackDir !== undefined && (typeof fallbackDir !== 'string' || !existsSync(fallbackDir))) {
    throw new VerifierDataError('data/', `options.dataDir ${JSON.stringify(fallbackDir)} is not an existing directory`);
  }
  setVerifierDataReader((name, dataDir) => readVerifierDataFile(name, dataDir ?? fallbackDir));
}
