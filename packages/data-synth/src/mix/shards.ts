/**
 * Sharded JSONL with a manifest (counts per task and source, seed, options, SHA-256 of every shard and of every
 * source file), without Node built-ins: {@link writeShardsToSink} serialises records into shards through a small
 * {@link ShardSink} (a folder in the Node entry's `writeShards`, memory with {@link memoryShardSink}, anything
 * else), and {@link readShardsFrom} / {@link verifyShardsFrom} read them back through a {@link ShardSource},
 * checking every checksum. The same records and options always give byte-identical files (the manifest holds no
 * timestamps or absolute paths).
 *
 * @packageDocumentation
 */
import { Sha256, type ShardHasher } from './sha256';
import { ShardIntegrityError, ShardWriteError } from './shard-errors';

export { ShardIntegrityError, ShardWriteError } from './shard-errors';
export { Sha256, sha256Hex, type ShardHasher } from './sha256';

/** The `format` field of a manifest written by {@link writeShardsToSink}. */
export const MANIFEST_FORMAT = 'quarkmed-data-synth/shards@1';

/** Options of {@link writeShardsToSink} (the Node entry's `writeShards` adds `dir`, source paths and `fsync`). */
export interface ShardEncodeOptions<T = unknown> {
  /** Records per shard (positive integer); the last shard may hold fewer. */
  shardSize: number;
  /** File name prefix (default `'shard'`): shards are `<prefix>-00000.jsonl`, `<prefix>-00001.jsonl`, … */
  prefix?: string;
  /** Recorded in the manifest (the seed that produced the records). */
  seed?: number;
  /** Recorded in the manifest (JSON-serialisable generation options). */
  options?: Record<string, unknown>;
  /** Checksums of the source files the records came from, recorded in the manifest in this order. */
  sources?: readonly ShardSourceDigest[];
  /**
   * Fields to count per record, e.g. `(r) => ({ task: r.task, source: r.source })`. Default: the record's `task` and
   * `source` fields when they are strings. Undefined values are not counted.
   */
  countBy?: (record: T) => Record<string, string | undefined>;
  /** Manifest file name (default `'manifest.json'`). */
  manifestName?: string;
  /** Serialise records with object keys sorted (default false: insertion order, already deterministic). */
  sortKeys?: boolean;
  /** SHA-256 implementation (default {@link Sha256}, plain JavaScript; the Node entry passes `node:crypto`'s). */
  createHash?: () => ShardHasher;
}

/** A source file's entry in the manifest. */
export interface ShardSourceDigest {
  /** Name recorded (a base name, never an absolute path, so manifests compare across machines). */
  name: string;
  bytes: number;
  /** Lower-case hex SHA-256. */
  sha256: string;
}

/** One shard in a {@link ShardManifest}. */
export interface ShardEntry {
  /** File name inside the output folder. */
  file: string;
  records: number;
  bytes: number;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** The manifest written next to the shards. */
export interface ShardManifest {
  format: typeof MANIFEST_FORMAT;
  prefix: string;
  shardSize: number;
  seed?: number;
  options?: Record<string, unknown>;
  /** Total records. */
  records: number;
  /** Total bytes of all shards. */
  bytes: number;
  /** Counts per field and value, e.g. `{ task: { icd10_coding: 120 }, source: { doid: 80 } }` (keys sorted). */
  counts: Record<string, Record<string, number>>;
  shards: ShardEntry[];
  sources: ShardSourceDigest[];
}

/**
 * Where {@link writeShardsToSink} puts its files: bytes appended to a named file, then the file closed. Shards come
 * first, in order; the manifest is the last file.
 */
export interface ShardSink {
  /** Append `bytes` to the file `name` (created by the first write). */
  write(name: string, bytes: Uint8Array): Promise<void> | void;
  /** The file `name` is complete. */
  close(name: string): Promise<void> | void;
}

/** Where {@link readShardsFrom} and {@link verifyShardsFrom} read files (by the names in the manifest). */
export interface ShardSource {
  /** The whole content of the file `name`; reject when it cannot be read. */
  read(name: string): Promise<Uint8Array>;
}

/** One problem found by {@link verifyShardsFrom}. */
export interface ShardProblem {
  file: string;
  message: string;
}

function sortedValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedValue);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortedValue((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/**
 * JSON with object keys sorted recursively (plain objects only), so equal values always serialise to equal bytes.
 *
 * @param value - a JSON-serialisable value.
 * @param indent - indentation as for `JSON.stringify`.
 */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(sortedValue(value), null, indent);
}

function defaultCountBy(r: unknown): Record<string, string | undefined> {
  const o = (r ?? {}) as Record<string, unknown>;
  return {
    task: typeof o.task === 'string' ? o.task : undefined,
    source: typeof o.source === 'string' ? o.source : undefined,
  };
}

/** Name of shard `i`: `<prefix>-00000.jsonl`. */
export function shardName(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(5, '0')}.jsonl`;
}

const CHUNK_CHARS = 1 << 20;
const SHARD_FILE = /^[A-Za-z0-9._-]+\.jsonl$/;

/**
 * Check the writer options shared by {@link writeShardsToSink} and the Node entry's `writeShards`.
 *
 * @throws ShardWriteError naming the option.
 */
export function checkShardOptions(options: { shardSize: number; prefix?: string; manifestName?: string }): void {
  const prefix = options.prefix ?? 'shard';
  if (!Number.isInteger(options.shardSize) || options.shardSize < 1) throw new ShardWriteError(`writeShards: options.shardSize must be a positive integer, got ${options.shardSize}`);
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._-]+$/.test(prefix)) throw new ShardWriteError(`writeShards: options.prefix must match [A-Za-z0-9._-]+, got '${prefix}'`);
  const m = options.manifestName ?? 'manifest.json';
  if (typeof m !== 'string' || !/^[A-Za-z0-9._-]+$/.test(m) || SHARD_FILE.test(m)) throw new ShardWriteError(`writeShards: options.manifestName must match [A-Za-z0-9._-]+ and not end in .jsonl, got '${m}'`);
}

/**
 * Serialise records as sharded JSONL (one JSON object per line, `\n`-terminated) into `sink`, then the manifest
 * (pretty JSON with sorted keys) as the last file. Memory stays bounded: at most ~1 MiB of a shard is buffered
 * before it is written. Atomicity is the sink's business (the Node entry stages and renames).
 *
 * Determinism: the same records and options give byte-identical shards and manifest.
 *
 * @param records - records, sync or async iterable (each must serialise with `JSON.stringify`).
 * @param sink - where the files go.
 * @param options - see {@link ShardEncodeOptions}.
 * @returns the manifest written.
 * @throws ShardWriteError for invalid options or a record that does not serialise (naming its index).
 */
export async function writeShardsToSink<T>(records: Iterable<T> | AsyncIterable<T>, sink: ShardSink, options: ShardEncodeOptions<T>): Promise<ShardManifest> {
  checkShardOptions(options);
  const { shardSize } = options;
  const prefix = options.prefix ?? 'shard';
  const manifestName = options.manifestName ?? 'manifest.json';
  const countBy = options.countBy ?? (defaultCountBy as (r: T) => Record<string, string | undefined>);
  const createHash = options.createHash ?? ((): ShardHasher => new Sha256());
  const encoder = new TextEncoder();
  const shards: ShardEntry[] = [];
  const counts: Record<string, Record<string, number>> = {};
  let total = 0;
  let totalBytes = 0;
  let open: string | undefined;
  let hash = createHash();
  let inShard = 0;
  let shardBytes = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const buf = encoder.encode(pending.join(''));
    pending = [];
    pendingChars = 0;
    hash.update(buf);
    shardBytes += buf.length;
    await sink.write(open as string, buf);
  };
  const closeShard = async (): Promise<void> => {
    await flush();
    await sink.close(open as string);
    shards.push({ file: open as string, records: inShard, bytes: shardBytes, sha256: hash.digest() });
    totalBytes += shardBytes;
    open = undefined;
  };
  for await (const r of records as AsyncIterable<T>) {
    let line: string | undefined;
    try {
      line = options.sortKeys ? stableStringify(r) : JSON.stringify(r);
    } catch (error) {
      throw new ShardWriteError(`writeShards: record ${total} does not serialise to JSON: ${(error as Error).message}`, { cause: error });
    }
    if (line === undefined) throw new ShardWriteError(`writeShards: record ${total} does not serialise to JSON (got ${typeof r})`);
    if (open === undefined) {
      open = shardName(prefix, shards.length);
      hash = createHash();
      inShard = 0;
      shardBytes = 0;
    }
    pending.push(line + '\n');
    pendingChars += line.length + 1;
    inShard++;
    total++;
    const c = countBy(r);
    for (const [field, value] of Object.entries(c)) {
      if (value === undefined) continue;
      const m = (counts[field] ??= {});
      m[value] = (m[value] ?? 0) + 1;
    }
    if (pendingChars >= CHUNK_CHARS) await flush();
    if (inShard === shardSize) await closeShard();
  }
  if (open !== undefined) await closeShard();

  const manifest: ShardManifest = {
    format: MANIFEST_FORMAT,
    prefix,
    shardSize,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.options !== undefined ? { options: options.options } : {}),
    records: total,
    bytes: totalBytes,
    counts,
    shards,
    sources: (options.sources ?? []).map((s) => ({ name: s.name, bytes: s.bytes, sha256: s.sha256 })),
  };
  await sink.write(manifestName, encoder.encode(stableStringify(manifest, 2) + '\n'));
  await sink.close(manifestName);
  return manifest;
}

/** An in-memory {@link ShardSink}: `files` maps each name to its bytes once closed (e.g. to upload from a browser). */
export function memoryShardSink(): ShardSink & { files: Map<string, Uint8Array> } {
  const parts = new Map<string, Uint8Array[]>();
  const files = new Map<string, Uint8Array>();
  return {
    files,
    write(name, bytes) {
      const p = parts.get(name) ?? [];
      p.push(bytes.slice());
      parts.set(name, p);
    },
    close(name) {
      const p = parts.get(name) ?? [];
      const out = new Uint8Array(p.reduce((n, b) => n + b.length, 0));
      let o = 0;
      for (const b of p) {
        out.set(b, o);
        o += b.length;
      }
      files.set(name, out);
      parts.delete(name);
    },
  };
}

/**
 * Parse and check the shape of a manifest's text.
 *
 * @param text - the manifest file's content.
 * @param file - its name or path, for errors.
 * @throws ShardIntegrityError when it is not JSON or not a manifest of this format.
 */
export function parseManifest(text: string, file: string): ShardManifest {
  let m: ShardManifest;
  try {
    m = JSON.parse(text) as ShardManifest;
  } catch (error) {
    throw new ShardIntegrityError(`readManifest: ${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  if (m?.format !== MANIFEST_FORMAT || !Array.isArray(m.shards)) {
    throw new ShardIntegrityError(`readManifest: ${file} is not a ${MANIFEST_FORMAT} manifest`, file);
  }
  for (const s of m.shards) {
    if (typeof s?.file !== 'string' || !SHARD_FILE.test(s.file) || typeof s.sha256 !== 'string') {
      throw new ShardIntegrityError(`readManifest: ${file} has a malformed shard entry ${JSON.stringify(s)}`, file);
    }
  }
  if (!Array.isArray(m.sources)) throw new ShardIntegrityError(`readManifest: ${file} has no sources list`, file);
  return m;
}

/** Read a manifest from `source`. @throws ShardIntegrityError when it cannot be read or parsed. */
export async function readManifestFrom(source: ShardSource, manifestName = 'manifest.json', label = manifestName): Promise<ShardManifest> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read(manifestName);
  } catch (error) {
    throw new ShardIntegrityError(`readManifest: cannot read ${label}: ${(error as Error)?.message ?? String(error)}`, label);
  }
  return parseManifest(new TextDecoder().decode(bytes), label);
}

async function checkShard(source: ShardSource, s: ShardEntry, createHash: () => ShardHasher): Promise<{ problem?: ShardProblem; bytes?: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read(s.file);
  } catch (error) {
    return { problem: { file: s.file, message: `cannot read ${s.file}: ${(error as Error)?.message ?? String(error)}` } };
  }
  const h = createHash();
  h.update(bytes);
  const actual = h.digest();
  if (actual !== s.sha256) {
    return { problem: { file: s.file, message: `sha256 mismatch for ${s.file}: manifest ${s.sha256}, file ${actual} (${bytes.length} bytes, manifest ${s.bytes})` } };
  }
  return { bytes };
}

function countLines(b: Uint8Array): number {
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/** Options of {@link verifyShardsFrom} and {@link readShardsFrom}. */
export interface ShardReadOptions {
  /** Manifest file name (default `'manifest.json'`). */
  manifestName?: string;
  /** Label of the manifest in errors (default its name; the Node entry passes the path). */
  manifestLabel?: string;
  /** SHA-256 implementation (default {@link Sha256}). */
  createHash?: () => ShardHasher;
}

/**
 * Verify every shard against the manifest (SHA-256, byte and record counts) and optionally the source files.
 *
 * @param source - where the files are.
 * @param options - manifest name; `sources`: current digests of source files to compare by name.
 * @returns `ok` and the problems found (empty when ok).
 * @throws ShardIntegrityError when the manifest itself cannot be read.
 */
export async function verifyShardsFrom(
  source: ShardSource,
  options: ShardReadOptions & { sources?: readonly ShardSourceDigest[] } = {},
): Promise<{ ok: boolean; problems: ShardProblem[]; manifest: ShardManifest }> {
  const createHash = options.createHash ?? ((): ShardHasher => new Sha256());
  const manifestName = options.manifestName ?? 'manifest.json';
  const manifest = await readManifestFrom(source, manifestName, options.manifestLabel);
  const problems: ShardProblem[] = [];
  let records = 0;
  for (const s of manifest.shards) {
    const { problem, bytes } = await checkShard(source, s, createHash);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const lines = countLines(bytes as Uint8Array);
    records += lines;
    if (lines !== s.records) problems.push({ file: s.file, message: `${s.file} holds ${lines} records, manifest says ${s.records}` });
  }
  if (problems.length === 0 && records !== manifest.records) {
    problems.push({ file: manifestName, message: `shards hold ${records} records, manifest total says ${manifest.records}` });
  }
  for (const src of options.sources ?? []) {
    const entry = manifest.sources.find((e) => e.name === src.name);
    if (!entry) {
      problems.push({ file: src.name, message: `source '${src.name}' is not in the manifest` });
      continue;
    }
    if (src.sha256 !== entry.sha256) problems.push({ file: src.name, message: `source '${src.name}' changed: manifest sha256 ${entry.sha256}, file ${src.sha256}` });
  }
  return { ok: problems.length === 0, problems, manifest };
}

/**
 * Read the records of a sharded output in order. Each shard's SHA-256 is checked against the manifest before any of
 * its records are yielded (a shard is read whole; shards are bounded by `shardSize`).
 *
 * @param source - where the files are.
 * @param options - manifest name; `verify: false` skips the checksum (default true).
 * @throws ShardIntegrityError naming the shard when it cannot be read, its checksum or record count does not match,
 *   or a line is not JSON.
 */
export async function* readShardsFrom<T = unknown>(source: ShardSource, options: ShardReadOptions & { verify?: boolean } = {}): AsyncGenerator<T> {
  const createHash = options.createHash ?? ((): ShardHasher => new Sha256());
  const verify = options.verify ?? true;
  const manifest = await readManifestFrom(source, options.manifestName, options.manifestLabel);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const s of manifest.shards) {
    let bytes: Uint8Array;
    if (verify) {
      const r = await checkShard(source, s, createHash);
      if (r.problem) throw new ShardIntegrityError(`readShards: ${r.problem.message}`, s.file);
      bytes = r.bytes as Uint8Array;
    } else {
      try {
        bytes = await source.read(s.file);
      } catch (error) {
        throw new ShardIntegrityError(`readShards: cannot read ${s.file}: ${(error as Error)?.message ?? String(error)}`, s.file);
      }
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new ShardIntegrityError(`readShards: ${s.file} is not valid UTF-8`, s.file);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (verify && lines.length !== s.records) {
      throw new ShardIntegrityError(`readShards: ${s.file} holds ${lines.length} records, manifest says ${s.records}`, s.file);
    }
    for (const [i, line] of lines.entries()) {
      let value: T;
      try {
        value = JSON.parse(line) as T;
      } catch (error) {
        throw new ShardIntegrityError(`readShards: ${s.file} line ${i + 1} is not JSON: ${(error as Error).message}`, s.file);
      }
      yield value;
    }
  }
}
