/**
 * Sharded JSONL in a folder: {@link writeShards} (atomic: staging folder, then renames, manifest last),
 * {@link readShards}, {@link verifyShards} and {@link readManifest}, on top of the main entry's sink/source
 * functions, with `node:crypto` SHA-256.
 *
 * @packageDocumentation
 */
import { createHash as nodeHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  checkShardOptions,
  MANIFEST_FORMAT,
  readManifestFrom,
  readShardsFrom,
  verifyShardsFrom,
  writeShardsToSink,
  type ShardEncodeOptions,
  type ShardHasher,
  type ShardManifest,
  type ShardProblem,
  type ShardSink,
  type ShardSource,
  type ShardSourceDigest,
} from '../mix/shards';
import { ShardWriteError } from '../mix/shard-errors';
import { makeDirectory } from './make-directory';

/** A source file whose checksum goes into the manifest: a path, or a path with the name to record. */
export type ShardSourceFile = string | { path: string; name?: string };

/** Options of {@link writeShards}. */
export interface ShardWriterOptions<T = unknown> extends Omit<ShardEncodeOptions<T>, 'sources' | 'createHash'> {
  /** Output folder (created if needed). */
  dir: string;
  /**
   * Source files to checksum into the manifest (e.g. the knowledge-graph files the records came from). Recorded by
   * `name` (default: the file's base name), never by absolute path, so manifests compare across machines.
   */
  sources?: readonly ShardSourceFile[];
  /** fsync each file before renaming it into place (default true). */
  fsync?: boolean;
}

/** `node:crypto` SHA-256 as a {@link ShardHasher}. */
function sha256(): ShardHasher {
  const h = nodeHash('sha256');
  return { update: (b) => void h.update(b), digest: () => h.digest('hex') };
}

/** SHA-256 and size of a file, streamed. */
async function digestFile(path: string, name: string): Promise<ShardSourceDigest> {
  const h = nodeHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { name, bytes, sha256: h.digest('hex') };
}

function sourceName(s: ShardSourceFile): { path: string; name: string } {
  return typeof s === 'string' ? { path: s, name: basename(s) } : { path: s.path, name: s.name ?? basename(s.path) };
}

/** Files under `dir`, read whole. */
function folderSource(dir: string): ShardSource {
  return { read: async (name) => new Uint8Array(await readFile(join(dir, name))) };
}

let stagingCounter = 0;

/** Writes into a staging folder, fsyncing each file on close when asked. */
function stagingSink(staging: string, fsync: boolean): ShardSink & { closeAll(): Promise<void> } {
  const handles = new Map<string, Awaited<ReturnType<typeof open>>>();
  const handle = async (name: string): Promise<Awaited<ReturnType<typeof open>>> => {
    let fh = handles.get(name);
    if (!fh) {
      fh = await open(join(staging, name), 'wx');
      handles.set(name, fh);
    }
    return fh;
  };
  const guard = async (what: string, name: string, f: () => Promise<void>): Promise<void> => {
    try {
      await f();
    } catch (error) {
      throw new ShardWriteError(`writeShards: cannot ${what} ${join(staging, name)}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  };
  return {
    write: (name, bytes) => guard('write', name, async () => void (await (await handle(name)).write(bytes))),
    close: (name) =>
      guard('close', name, async () => {
        const fh = await handle(name);
        if (fsync) await fh.sync();
        await fh.close();
        handles.delete(name);
      }),
    async closeAll() {
      for (const fh of handles.values()) await fh.close().catch(() => undefined);
      handles.clear();
    },
  };
}

/** Shard file names listed by an existing manifest (only plain names, never paths), or none. */
async function previousShardFiles(manifestPath: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    return [];
  }
  try {
    const m = JSON.parse(text) as Partial<ShardManifest>;
    if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.shards)) return [];
    return m.shards.map((s) => s.file).filter((f): f is string => typeof f === 'string' && /^[A-Za-z0-9._-]+\.jsonl$/.test(f));
  } catch {
    return [];
  }
}

/**
 * Writes records as sharded JSONL (one JSON object per line, `\n`-terminated) plus a manifest into `options.dir`.
 *
 * Atomicity: shards and the manifest are written into a hidden staging folder inside `dir`; only when every record
 * has been written are the shards renamed into place, then the manifest (renamed last). If the record iterator or a
 * write throws, the staging folder is removed and the error re-thrown: no partial shard and no new manifest appear
 * (an earlier manifest and its shards stay as they were). When a previous manifest of the same name exists, it is
 * removed before the new shards are moved in, and shards it listed that the new output does not reuse are deleted.
 *
 * Determinism: the same records and options give byte-identical shards and manifest.
 *
 * @param records - records, sync or async iterable (each must serialise with `JSON.stringify`).
 * @param options - see {@link ShardWriterOptions}.
 * @returns the manifest written.
 * @throws ShardWriteError for invalid options, a record that does not serialise (naming its index), a source that
 *   cannot be checksummed, or a file-system failure (naming the path).
 */
export async function writeShards<T>(records: Iterable<T> | AsyncIterable<T>, options: ShardWriterOptions<T>): Promise<ShardManifest> {
  const { dir } = options;
  if (typeof dir !== 'string' || dir.length === 0) throw new ShardWriteError(`writeShards: options.dir must be a non-empty path`);
  checkShardOptions(options);
  const prefix = options.prefix ?? 'shard';
  const manifestName = options.manifestName ?? 'manifest.json';
  const absDir = resolve(dir);
  const fsCall = async <R>(what: string, path: string, f: () => Promise<R>): Promise<R> => {
    try {
      return await f();
    } catch (error) {
      throw new ShardWriteError(`writeShards: cannot ${what} ${path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  };
  await fsCall('create folder', absDir, () => makeDirectory(absDir));
  const staging = join(absDir, `.${prefix}.staging-${process.pid}-${stagingCounter++}`);
  await fsCall('create folder', staging, () => mkdir(staging));
  const sink = stagingSink(staging, options.fsync ?? true);
  try {
    const sources: ShardSourceDigest[] = [];
    for (const s of options.sources ?? []) {
      const { path, name } = sourceName(s);
      try {
        sources.push(await digestFile(path, name));
      } catch (error) {
        throw new ShardWriteError(`writeShards: cannot checksum source '${path}': ${(error as Error).message}`, { cause: error });
      }
    }
    const { dir: _dir, sources: _sources, fsync: _fsync, ...encode } = options;
    let manifest: ShardManifest;
    try {
      manifest = await writeShardsToSink(records, sink, { ...encode, sources, createHash: sha256 });
    } finally {
      await sink.closeAll();
    }

    // Commit: retire the old manifest, move shards in, move the new manifest in last.
    const manifestPath = join(absDir, manifestName);
    const oldFiles = await previousShardFiles(manifestPath);
    await fsCall('remove', manifestPath, () => rm(manifestPath, { force: true }));
    for (const s of manifest.shards) await fsCall('move shard to', join(absDir, s.file), () => rename(join(staging, s.file), join(absDir, s.file)));
    const keep = new Set(manifest.shards.map((s) => s.file));
    for (const f of oldFiles) if (!keep.has(f)) await fsCall('remove', join(absDir, f), () => rm(join(absDir, f), { force: true }));
    await fsCall('move manifest to', manifestPath, () => rename(join(staging, manifestName), manifestPath));
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
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
  const absDir = resolve(dir);
  return readManifestFrom(folderSource(absDir), manifestName, join(absDir, manifestName));
}

/**
 * Verifies every shard against the manifest (SHA-256, byte and record counts) and optionally the source files.
 *
 * @param dir - the output folder.
 * @param options - manifest name; `sources`: paths of the source files to re-check by name.
 * @returns `ok` and the problems found (empty when ok); an unreadable source file is a problem too.
 * @throws ShardIntegrityError when the manifest itself cannot be read.
 */
export async function verifyShards(
  dir: string,
  options: { manifestName?: string; sources?: readonly ShardSourceFile[] } = {},
): Promise<{ ok: boolean; problems: ShardProblem[]; manifest: ShardManifest }> {
  const absDir = resolve(dir);
  const manifestName = options.manifestName ?? 'manifest.json';
  const digests: ShardSourceDigest[] = [];
  const unreadable: ShardProblem[] = [];
  for (const s of options.sources ?? []) {
    const { path, name } = sourceName(s);
    try {
      digests.push(await digestFile(path, name));
    } catch (error) {
      unreadable.push({ file: name, message: `cannot read source '${path}': ${(error as Error).message}` });
    }
  }
  const r = await verifyShardsFrom(folderSource(absDir), { manifestName, manifestLabel: join(absDir, manifestName), sources: digests, createHash: sha256 });
  const problems = [...r.problems, ...unreadable];
  return { ok: problems.length === 0, problems, manifest: r.manifest };
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
  const manifestName = options.manifestName ?? 'manifest.json';
  yield* readShardsFrom<T>(folderSource(absDir), { manifestName, manifestLabel: join(absDir, manifestName), verify: options.verify, createHash: sha256 });
}
