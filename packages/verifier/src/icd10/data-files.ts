/**
 * The data the ICD-10 verifier and the ontology resolver read (the files shipped in `packages/verifier/data/`),
 * without any Node built-in: the data is handed over as bytes or text ({@link provideVerifierData}) or fetched
 * from where the shipped files are served ({@link loadShippedVerifierData}); gzip is inflated with the
 * platform's `DecompressionStream`. The Node entry (`@quarkmed/verifier/node`) adds reading the shipped files
 * from disk (`useShippedVerifierData`).
 *
 * The loaded texts live in one store per JavaScript realm (on `globalThis`), so that the main and the Node entry
 * share it even where a bundler duplicates this module.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';

/** The data files the verifiers read, by their names in `data/`. */
export const VERIFIER_DATA_FILES = [
  'icd10cm-fy2022.tsv.gz',
  'icd10-who-categories-zh.tsv',
  'icd10-chapters-blocks.tsv',
  'do-subset.tsv.gz',
] as const;

/** The name of one shipped data file. */
export type VerifierDataFile = (typeof VERIFIER_DATA_FILES)[number];

/** The files the ICD-10 code list (and so `Icd10Verifier`) needs. */
export const ICD10_DATA_FILES: readonly VerifierDataFile[] = ['icd10cm-fy2022.tsv.gz', 'icd10-who-categories-zh.tsv', 'icd10-chapters-blocks.tsv'];

/** The contents of a data file: raw bytes (gzip or not) or already decoded text. */
export type VerifierDataInput = ArrayBuffer | ArrayBufferView | string;

/** Thrown when a data file is missing, cannot be fetched, read, inflated or decoded. `file` names it. */
export class VerifierDataError extends VerifierError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/**
 * A synchronous reader of data files by name, from a directory (`dataDir`) or from the shipped `data/`.
 * `@quarkmed/verifier/node` installs one that reads the disk.
 */
export type VerifierDataReader = (name: string, dataDir?: string) => string;

interface DataState {
  texts: Map<string, string>;
  reader?: VerifierDataReader;
}

const STATE_KEY = Symbol.for('@quarkmed/verifier/data-files');

function state(): DataState {
  const g = globalThis as { [STATE_KEY]?: DataState };
  return (g[STATE_KEY] ??= { texts: new Map() });
}

const isKnown = (name: string): name is VerifierDataFile => (VERIFIER_DATA_FILES as readonly string[]).includes(name);

function checkName(name: string): asserts name is VerifierDataFile {
  if (!isKnown(name)) throw new VerifierDataError(name, `not a verifier data file; expected one of ${VERIFIER_DATA_FILES.join(', ')}`);
}

function toBytes(name: string, input: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new VerifierDataError(name, `expected an ArrayBuffer, a typed array or a string, got ${Object.prototype.toString.call(input)}`);
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Inflates gzip bytes with the platform's `DecompressionStream` (browsers, Deno, Node ≥ 18). */
async function gunzip(name: string, bytes: Uint8Array): Promise<Uint8Array> {
  const DS = (globalThis as { DecompressionStream?: new (format: 'gzip') => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (DS === undefined) {
    throw new VerifierDataError(name, 'is gzip-compressed and this platform has no DecompressionStream: pass the inflated bytes or text instead');
  }
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DS('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new VerifierDataError(name, `is not valid gzip data (${(e as Error).message})`, { cause: e });
  }
}

/** Decodes file bytes (inflating gzip, detected by its magic bytes) into text; checks UTF-8 and non-emptiness. */
async function decode(name: string, input: VerifierDataInput): Promise<string> {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    let bytes = toBytes(name, input);
    // A server may already have removed the gzip layer (Content-Encoding: gzip): only inflate real gzip.
    if (isGzip(bytes)) bytes = await gunzip(name, bytes);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      throw new VerifierDataError(name, 'is not valid UTF-8 text', { cause: e });
    }
  }
  if (text.trim() === '') throw new VerifierDataError(name, 'is empty');
  if (text.includes('\u0000')) throw new VerifierDataError(name, 'holds binary data, not TSV text (a gzip file without its gzip header?)');
  return text;
}

/**
 * Hands the verifiers their data as bytes or text, e.g. files a page fetched itself or bundled as assets.
 * `.gz` bytes are inflated (gzip is detected by its magic bytes, so already-inflated bytes work too). After
 * the ICD-10 files ({@link ICD10_DATA_FILES}) are provided, `new Icd10Verifier()` works; the ontology resolver
 * needs `do-subset.tsv.gz` as well. Files provided earlier are replaced.
 *
 * @param files - file name (one of {@link VERIFIER_DATA_FILES}) → contents
 * @throws {@link VerifierDataError} naming the file for an unknown name, bytes that are not gzip/UTF-8, or an empty file
 */
export async function provideVerifierData(files: Partial<Record<VerifierDataFile, VerifierDataInput>>): Promise<void> {
  if (files === null || typeof files !== 'object') throw new VerifierDataError('files', `expected an object of file name → contents, got ${String(files)}`);
  const decoded: [string, string][] = [];
  for (const [name, input] of Object.entries(files)) {
    checkName(name);
    decoded.push([name, await decode(name, input as VerifierDataInput)]);
  }
  for (const [name, text] of decoded) state().texts.set(name, text);
}

/** Options of {@link loadShippedVerifierData}. */
export interface LoadShippedVerifierDataOptions {
  /**
   * Where the shipped `data/` folder is served, e.g. `'/assets/quarkmed-verifier-data/'` (a trailing slash is
   * added). Default: the package's own data next to this module (`./data/` from `dist/`, where the build copies it,
   * `../../data/` from `src/icd10/`), which works where the package's files are served as they are installed.
   */
  baseUrl?: string | URL;
  /** Which files (default: all of {@link VERIFIER_DATA_FILES}; {@link ICD10_DATA_FILES} for the ICD-10 verifier only). */
  files?: readonly VerifierDataFile[];
  /** The fetch function (default `globalThis.fetch`). */
  fetch?: (url: URL) => Promise<Response>;
}

function defaultBases(): URL[] {
  let here: string | undefined;
  try {
    here = import.meta.url;
  } catch {
    here = undefined;
  }
  if (typeof here !== 'string' || here === '') {
    throw new VerifierDataError('data/', 'cannot locate the shipped data without import.meta.url (a CommonJS build?): pass options.baseUrl');
  }
  // ../../data/ from src/icd10/; ./data/ from dist/, where the build copies the files (dist/data/)
  return ['../data/', '../../data/', './data/'].map((rel) => new URL(rel, here));
}

function asBase(url: string | URL): URL {
  const s = String(url);
  try {
    return new URL(s.endsWith('/') ? s : `${s}/`, (globalThis as { location?: { href: string } }).location?.href);
  } catch (e) {
    throw new VerifierDataError('data/', `options.baseUrl ${JSON.stringify(s)} is not a URL`, { cause: e });
  }
}

/**
 * Fetches the shipped data files and hands them to the verifiers ({@link provideVerifierData}): the way to
 * use the ICD-10 verifier and the ontology resolver in a browser. Tries each default location in turn (or
 * only `options.baseUrl`) and uses the first one that serves the first file.
 *
 * @example
 * ```ts
 * await loadShippedVerifierData({ baseUrl: '/verifier-data/', files: ICD10_DATA_FILES });
 * new Icd10Verifier().verify('Diagnosis: E11.9', 'E11.9');
 * ```
 * @throws {@link VerifierDataError} naming the file and URL when a fetch fails or returns an HTTP error
 */
export async function loadShippedVerifierData(options: LoadShippedVerifierDataOptions = {}): Promise<void> {
  const files: readonly VerifierDataFile[] = options.files ?? VERIFIER_DATA_FILES;
  if (!Array.isArray(files) || files.length === 0) throw new VerifierDataError('files', 'options.files must list at least one data file');
  for (const f of files) checkName(f);
  const doFetch = options.fetch ?? (globalThis.fetch as ((url: URL) => Promise<Response>) | undefined);
  if (typeof doFetch !== 'function') throw new VerifierDataError('data/', 'no fetch on this platform: pass options.fetch, or the bytes to provideVerifierData()');
  const get = async (name: string, base: URL): Promise<ArrayBuffer> => {
    const url = new URL(name, base);
    let res: Response;
    try {
      res = await doFetch(url);
    } catch (e) {
      throw new VerifierDataError(name, `fetching ${url.href} failed (${(e as Error).message})`, { cause: e });
    }
    if (!res.ok) throw new VerifierDataError(name, `fetching ${url.href} returned HTTP ${res.status}`);
    return res.arrayBuffer();
  };
  const bases = options.baseUrl !== undefined ? [asBase(options.baseUrl)] : defaultBases();
  const [first, ...rest]: readonly VerifierDataFile[] = files;
  let base: URL | undefined;
  let firstBytes: ArrayBuffer | undefined;
  const failures: string[] = [];
  for (const b of bases) {
    try {
      firstBytes = await get(first!, b);
      base = b;
      break;
    } catch (e) {
      if (bases.length === 1) throw e;
      failures.push((e as Error).message);
    }
  }
  if (base === undefined || firstBytes === undefined) {
    throw new VerifierDataError(first!, `not found at any default location (${failures.join('; ')}): pass options.baseUrl`);
  }
  const loaded: Partial<Record<VerifierDataFile, VerifierDataInput>> = { [first!]: firstBytes };
  for (const name of rest) loaded[name] = await get(name, base);
  await provideVerifierData(loaded);
}

/** Whether a data file's text has been provided ({@link provideVerifierData} / {@link loadShippedVerifierData}). */
export function hasVerifierData(name: VerifierDataFile): boolean {
  return state().texts.has(name);
}

/**
 * Forgets provided data files (all by default), e.g. to release memory once the code list is built.
 * A reader installed by the Node entry stays.
 */
export function clearVerifierData(names: readonly VerifierDataFile[] = VERIFIER_DATA_FILES): void {
  for (const n of names) state().texts.delete(n);
}

/**
 * Installs (or, with `undefined`, removes) the synchronous file reader used for files not provided and for an
 * explicit `dataDir`. Internal: the Node entry's `useShippedVerifierData` calls it.
 */
export function setVerifierDataReader(reader: VerifierDataReader | undefined): void {
  state().reader = reader;
}

/**
 * The text of a data file: the provided one, else (and always for an explicit `dataDir`) what the installed
 * reader returns.
 *
 * @param name - file name inside `data/`, e.g. "icd10cm-fy2022.tsv.gz"
 * @param dataDir - a directory to read instead of the shipped data (needs the Node entry's reader)
 * @throws {@link VerifierDataError} when the file is neither provided nor readable, saying how to load it
 */
export function readDataText(name: string, dataDir?: string): string {
  const s = state();
  if (dataDir === undefined) {
    const text = s.texts.get(name);
    if (text !== undefined) return text;
  }
  if (s.reader !== undefined) return s.reader(name, dataDir);
  if (dataDir !== undefined) {
    throw new VerifierDataError(name, `reading it from dataDir ${JSON.stringify(dataDir)} needs the file system: call useShippedVerifierData() from '@quarkmed/verifier/node' first`);
  }
  throw new VerifierDataError(
    name,
    "is not loaded: in a browser `await loadShippedVerifierData()` (or provideVerifierData() with the bytes); in Node call useShippedVerifierData() from '@quarkmed/verifier/node'",
  );
}


/** Splits TSV text into rows of fields (no quoting), dropping empty lines and, when asked, the header. */
export function parseTsv(text: string, header = true): string[][] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  return (header ? lines.slice(1) : lines).map((l) => l.replace(/\r$/, '').split('\t'));
}
