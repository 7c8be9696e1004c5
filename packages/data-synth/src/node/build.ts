/**
 * The knowledge graph from a folder of source files: the full layout of `…/shared/data/kg/` or the flat subset shipped
 * with the package (`data/kg-subset`, found by {@link defaultKgSubsetDir}).
 *
 * @packageDocumentation
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKg, KG_SOURCES, SOURCE_FILES, type BuildKgResult, type KgSourceName } from '../kg/build';
import { LoadError, LoadOptionsError } from '../kg/errors';
import type { LineInput } from '../kg/lines';
import type { LoadIssue } from '../kg/types';
import { fileInput } from './file-input';

/** Options of {@link buildMedicalKg}. */
export interface BuildKgOptions {
  /** Folder with the source files (`…/shared/data/kg`, or the shipped subset: {@link defaultKgSubsetDir}). */
  dir?: string;
  /** Which sources to load (default: all that exist in `dir`). Requested sources that are missing are issues. */
  sources?: readonly KgSourceName[];
  /** Explicit file paths per source (override the lookup in `dir`). */
  paths?: Partial<Record<KgSourceName, string>>;
  /** Throw a LoadError at the first malformed line. */
  strict?: boolean;
}

declare const __dirname: string | undefined;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The folder of the knowledge-graph subset shipped with this package (`data/kg-subset`), found from the sources
 * (`src/node/`) or the bundle (`dist/`, `dist/node/`).
 *
 * @throws LoadError naming the folders looked in when it cannot be found.
 */
export function defaultKgSubsetDir(): string {
  const dirs: string[] = [];
  try {
    for (const rel of ['../../data/kg-subset', '../data/kg-subset']) dirs.push(fileURLToPath(new URL(rel, import.meta.url)));
  } catch {
    // CommonJS bundle: no import.meta.url
  }
  if (typeof __dirname === 'string') dirs.push(join(__dirname, '../data/kg-subset'), join(__dirname, '../../data/kg-subset'));
  for (const d of dirs) if (existsSync(join(d, 'doid.obo'))) return d;
  throw new LoadError('data/kg-subset', 0, `the shipped knowledge-graph subset was not found (looked in ${dirs.join(', ')})`);
}

/** Resolve the file of `source` in `dir` (the shared-data layout first, then the flat subset layout), or undefined. */
export function findSourceFile(dir: string, source: KgSourceName): string | undefined {
  for (const rel of SOURCE_FILES[source]) {
    const p = join(dir, rel);
    if (isFile(p)) return p;
  }
  return undefined;
}

/**
 * Build the medical knowledge graph from a folder of sources (default: the shipped subset) with {@link buildKg},
 * each file streamed. Sources requested in `sources` whose file is not found are reported as issues (line 0); an
 * explicit path in `paths` that is missing or a directory throws a LoadError naming it.
 *
 * @param opts - see {@link BuildKgOptions}.
 * @throws LoadOptionsError for an unknown source key.
 */
export async function buildMedicalKg(opts: BuildKgOptions = {}): Promise<BuildKgResult> {
  const dir = opts.dir ?? defaultKgSubsetDir();
  const wanted = new Set<KgSourceName>(opts.sources ?? KG_SOURCES);
  for (const s of [...wanted, ...(Object.keys(opts.paths ?? {}) as KgSourceName[])]) {
    if (!KG_SOURCES.includes(s)) throw new LoadOptionsError('sources', `buildMedicalKg: unknown source ${JSON.stringify(s)}; known: ${KG_SOURCES.join(', ')}`);
  }
  const inputs: Partial<Record<KgSourceName, LineInput>> = {};
  const notFound: LoadIssue[] = [];
  for (const name of KG_SOURCES) {
    if (!wanted.has(name)) continue;
    const explicit = opts.paths?.[name];
    const file = explicit ?? findSourceFile(dir, name);
    if (file === undefined) {
      if (opts.sources) notFound.push({ file: join(dir, SOURCE_FILES[name][0] as string), line: 0, message: `source ${name} requested but its file was not found` });
      continue;
    }
    inputs[name] = fileInput(file);
  }
  const r = await buildKg(inputs, { strict: opts.strict });
  const missing = r.missing.filter((m) => wanted.has(m));
  return { ...r, issues: [...notFound, ...r.issues], missing };
}
