/**
 * Sharded JSONL output with a manifest (counts per task and source, seed, options, SHA-256 of every shard and of
 * every source file), written atomically, and a reader that verifies the checksums. The same records and options
 * always give byte-identical files (the manifest holds no timestamps or absolute paths).
 *
 * Uses `node:fs` and `node:crypto` (Node only).
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/** The `format` field of a manifest written by {@link writeShards}. */
export const MANIFEST_FORMAT = 'quarkmed-data-synth/shards@1';

/** A source file whose checksum goes into the manifest: a path, or a path with the name to record. */
export type ShardSourceFile = string | { path: string; name?: string };

/** Options of {@link writeShards}. */
export interface ShardWriterOptions<T = unknown> {
  /** Output folder (created if needed). */
  dir: string;
  /** Records per shard (positive integer); the last shard may hold fewer. */
  shardSize: number;
  /** File name prefix (default `'shard'`): shards are `<prefix>-00000.jsonl`, `<prefix>-00001.jsonl`, … */
  prefix?: string;
  /** Recorded in the manifest (the seed that produced the records). */
  seed?: number;
  /** Recorded in the manifest (JSON-serialisable generation options). */
  options?: Record<string, unknown>;
  /**
   * Source files to checksum into the manifest (e.g. the knowledge-graph files the records came from). Recorded by
   * `name` (default: the file's base name), never by absolute path, so manifests compare across machines.
   */
  sources?: readonly ShardSourceFile[];
  /**
   * Fields to count per record, e.g. `(r) => ({ task: r.task, source: r.source })`. Default: the record's `task` and
   * `source` fields when they are strings. Undefined values are not counted.
   */
  countBy?: (record: T) => Record<string, string | undefined>;
  /** Manifest file name (default `'manifest.json'`). */
  manifestName?: string;
  /** Serialise records with object keys sorted (default false: insertion order, already deterministic). */
  sortKeys?: boolean;
  /** fsync each file before renaming it into place (default true). */
  fsync?: boolean;
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
  sources: Array<{ name: string; bytes: number; sha256: string }>;
}

/** Thrown for invalid writer options or a record that cannot be serialised. */
export class ShardWriteError extends DataSynthError {
  override name = 'ShardWriteError';
}

/** Thrown by the reader when a shard or the manifest does not match. */
export class ShardIntegrityError extends DataSynthError {
  override name = 'ShardIntegrityError';
  /** @param message - what is wrong. @param file - the file concerned. */
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
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

/** SHA-256 of a file, streamed. */
async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

let stagingCounter = 0;
const CHUNK_BYTES = 1 << 20;

/**
 * Writes records as sharded JSONL (one JSON object per line, `\n`-terminated) plus a manifest.
 *
 * Atomicity: shards are written into a hidden staging folder inside `dir`; only when every record has been written
 * are they renamed into place, then the manifest is written (temporary file + rename). If the record iterator or a
 * write throws, the staging folder is removed and the error re-thrown: no partial shard and no new manifest appear
 * (an earlier manifest and its shards stay as they were). When a previous manifest of the same name exists, it is
 * removed before the new shards are moved in, and shards it listed that the new output does not reuse are deleted.
 *
 * Determinism: the same records and options give byte-identical shards and manifest.
 *
 * @param records - records, sync or async iterable (each must serialise with `JSON.stringify`).
 * @param options - see {@link ShardWriterOptions}.
 * @returns the manifest written.
 * @throws ShardWriteError for invalid options or a record that does not serialise (naming its index).
 */
export async function writeShards<T>(records: Iterable<T> | AsyncIterable<T>, options: ShardWriterOptions<T>): Promise<ShardManifest> {
  const { dir, shardSize } = options;
  const prefix = options.prefix ?? 'shard';
  const manifestName = options.manifestName ?? 'manifest.json';
  const fsync = options.fsync ?? true;
  if (typeof dir !== 'string' || dir.length === 0) throw new ShardWriteError(`writeShards: options.dir must be a non-empty path`);
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new ShardWriteError(`writeShards: options.shardSize must be a positive integer, got ${shardSize}`);
  if (!/^[A-Za-z0-9._-]+$/.test(prefix)) throw new ShardWriteError(`writeShards: options.prefix must match [A-Za-z0-9._-]+, got '${prefix}'`);
  const countBy = options.countBy ?? (defaultCountBy as (r: T) => Record<string, string | undefined>);
  const absDir = resolve(dir);
  await mkdir(absDir, { recursive: true });
  const staging = join(absDir, `.${prefix}.staging-${process.pid}-${stagingCounter++}`);
  await mkdir(staging);

  const shards: ShardEntry[] = [];
  const counts: Record<string, Record<string, number>> = {};
  let total = 0;
  let totalBytes = 0;
  try {
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    let hash = createHash('sha256');
    let inShard = 0;
    let shardBytes = 0;
    let pending: string[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const buf = Buffer.from(pending.join(''), 'utf8');
      pending = [];
      pendingBytes = 0;
      hash.update(buf);
      shardBytes += buf.length;
      await fh!.write(buf);
    };
    const closeShard = async (): Promise<void> => {
      await flush();
      if (fsync) await fh!.sync();
      await fh!.close();
      fh = undefined;
      shards.push({ file: shardName(prefix, shards.length), records: inShard, bytes: shardBytes, sha256: hash.digest('hex') });
      totalBytes += shardBytes;
    };
    try {
      for await (const r of records as AsyncIterable<T>) {
        let line: string | undefined;
        try {
          line = options.sortKeys ? stableStringify(r) : JSON.stringify(r);
        } catch (error) {
          throw new ShardWriteError(`writeShards: record ${total} does not serialise to JSON: ${(error as Error).message}`);
        }
        if (line === undefined) throw new ShardWriteError(`writeShards: record ${total} does not serialise to JSON (got ${typeof r})`);
        if (fh === undefined) {
          fh = await open(join(staging, shardName(prefix, shards.length)), 'wx');
          hash = createHash('sha256');
          inShard = 0;
          shardBytes = 0;
        }
        pending.push(line + '\n');
        pendingBytes += line.length + 1;
        inShard++;
        total++;
        const c = countBy(r);
        for (const [field, value] of Object.entries(c)) {
          if (value === undefined) continue;
          const m = (counts[field] ??= {});
          m[value] = (m[value] ?? 0) + 1;
        }
        if (pendingBytes >= CHUNK_BYTES) await flush();
        if (inShard === shardSize) await closeShard();
      }
      if (fh !== undefined) await closeShard();
    } finally {
      if (fh !== undefined) await fh.close().catch(() => undefined);
    }

    const sources: ShardManifest['sources'] = [];
    for (const s of options.sources ?? []) {
      const path = typeof s === 'string' ? s : s.path;
      const name = typeof s === 'string' ? basename(s) : (s.name ?? basename(s.path));
      try {
        sources.push({ name, ...(await sha256File(path)) });
      } catch (error) {
        throw new ShardWriteError(`writeShards: cannot checksum source '${path}': ${(error as Error).message}`);
      }
    }

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
      sources,
    };
    const manifestText = stableStringify(manifest, 2) + '\n';

    // Commit: retire the old manifest, move shards in, write the new manifest last.
    const manifestPath = join(absDir, manifestName);
    const oldFiles = await previousShardFiles(manifestPath);
    await rm(manifestPath, { force: true });
    for (const s of shards) await rename(join(staging, s.file), join(absDir, s.file));
    const keep = new Set(shards.map((s) => s.file));
    for (const f of oldFiles) if (!keep.has(f)) await rm(join(absDir, f), { force: true });
    const tmp = join(staging, manifestName + '.tmp');
    await writeFile(tmp, manifestText);
    if (fsync) {
      const h = await open(tmp, 'r+');
      await h.sync();
      await h.close();
    }
    await rename(tmp, manifestPath);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function shardName(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(5, '0')}.jsonl`;
}

/** Shard file names listed by an existing manifest (only plain names, never paths), or none. */
async function previousShardFiles(manifestPath: string): Promise<string[]> {
  if (!existsSync(manifestPath)) return [];
  try {
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as Partial<ShardManifest>;
    if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.shards)) return [];
    return m.shards.map((s) => s.file).filter((f): f is string => typeof f === 'string' && /^[A-Za-z0-9._-]+\.jsonl$/.test(f));
  } catch {
    return [];
  }
}

/**
 * Reads and checks the shape of a manifest.
 *
 * @param dir - the output folder.
 * @param manifestName - default `'manifest.json'`.
 * @throws ShardIntegrityError when it is missing, not JSON, or not a manifest of this format.
 */
export async function readManifest(dir: string, manifestName = 'manifest.json'): Promise<ShardManifest> {
  const path = join(resolve(dir), manifestName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ShardIntegrityError(`readManifest: cannot read ${path}: ${(error as Error).message}`, path);
  }
  let m: ShardManifest;
  try {
    m = JSON.parse(text) as ShardManifest;
  } catch (error) {
    throw new ShardIntegrityError(`readManifest: ${path} is not valid JSON: ${(error as Error).message}`, path);
  }
  if (m?.format !== MANIFEST_FORMAT || !Array.isArray(m.shards)) {
    throw new ShardIntegrityError(`readManifest: ${path} is not a ${MANIFEST_FORMAT} manifest`, path);
  }
  for (const s of m.shards) {
    if (typeof s.file !== 'string' || !/^[A-Za-z0-9._-]+\.jsonl$/.test(s.file) || typeof s.sha256 !== 'string') {
      throw new ShardIntegrityError(`readManifest: ${path} has a malformed shard entry ${JSON.stringify(s)}`, path);
    }
  }
  return m;
}

/** One problem found by {@link verifyShards}. */
export interface ShardProblem {
  file: string;
  message: string;
}

async function checkShard(absDir: string, s: ShardEntry): Promise<{ problem?: ShardProblem; bytes?: Buffer }> {
  const path = join(absDir, s.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { problem: { file: s.file, message: `cannot read ${s.file}: ${(error as Error).message}` } };
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== s.sha256) {
    return { problem: { file: s.file, message: `sha256 mismatch for ${s.file}: manifest ${s.sha256}, file ${actual} (${bytes.length} bytes, manifest ${s.bytes})` } };
  }
  return { bytes };
}

/**
 * Verifies every shard against the manifest (SHA-256, byte and record counts) and optionally the source files.
 *
 * @param dir - the output folder.
 * @param options - manifest name; `sources`: paths of the source files to re-check by name.
 * @returns `ok` and the problems found (empty when ok).
 * @throws ShardIntegrityError when the manifest itself cannot be read.
 */
export async function verifyShards(
  dir: string,
  options: { manifestName?: string; sources?: readonly ShardSourceFile[] } = {},
): Promise<{ ok: boolean; problems: ShardProblem[]; manifest: ShardManifest }> {
  const absDir = resolve(dir);
  const manifest = await readManifest(absDir, options.manifestName);
  const problems: ShardProblem[] = [];
  let records = 0;
  for (const s of manifest.shards) {
    const { problem, bytes } = await checkShard(absDir, s);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const lines = countLines(bytes!);
    records += lines;
    if (lines !== s.records) problems.push({ file: s.file, message: `${s.file} holds ${lines} records, manifest says ${s.records}` });
  }
  if (problems.length === 0 && records !== manifest.records) {
    problems.push({ file: options.manifestName ?? 'manifest.json', message: `shards hold ${records} records, manifest total says ${manifest.records}` });
  }
  for (const src of options.sources ?? []) {
    const path = typeof src === 'string' ? src : src.path;
    const name = typeof src === 'string' ? basename(src) : (src.name ?? basename(src.path));
    const entry = manifest.sources.find((e) => e.name === name);
    if (!entry) {
      problems.push({ file: name, message: `source '${name}' is not in the manifest` });
      continue;
    }
    const { sha256 } = await sha256File(path);
    if (sha256 !== entry.sha256) problems.push({ file: name, message: `source '${name}' changed: manifest sha256 ${entry.sha256}, file ${sha256}` });
  }
  return { ok: problems.length === 0, problems, manifest };
}

function countLines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Reads the records of a sharded output in order. Each shard's SHA-256 is checked against the manifest before any of
 * its records are yielded (a shard is read whole; shards are bounded by `shardSize`).
 *
 * @param dir - the output folder.
 * @param options - manifest name; `verify: false` skips the checksum (default true).
 * @throws ShardIntegrityError naming the shard when its checksum or record count does not match, or a line is not
 *   JSON.
 */
export async function* readShards<T = unknown>(dir: string, options: { manifestName?: string; verify?: boolean } = {}): AsyncGenerator<T> {
  const absDir = resolve(dir);
  const manifest = await readManifest(absDir, options.manifestName);
  for (const s of manifest.shards) {
    let bytes: Buffer;
    if (options.verify ?? true) {
      const r = await checkShard(absDir, s);
      if (r.problem) throw new ShardIntegrityError(`readShards: ${r.problem.message}`, s.file);
      bytes = r.bytes!;
    } else {
      bytes = await readFile(join(absDir, s.file));
    }
    const text = bytes.toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if ((options.verify ?? true) && lines.length !== s.records) {
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
