/**
 * Crash-safe writes of files and whole directories, and the clean-up of what a crashed write left behind.
 *
 * - {@link writeFileAtomic}: a temporary file next to the target (`.<name>.<pid>.<hex>.tmp`) is written,
 *   fsynced and renamed over the target; readers see the old file or the complete new one.
 * - {@link replaceDirectory}: the new content of a directory is written into a fresh sibling staging
 *   directory (`.<name>.staging.<pid>.<hex>`), fsynced, marked complete by renaming it to
 *   `.<name>.ready.<pid>.<hex>`, and swapped in (`dir` -> `.<name>.old.<pid>.<hex>`, ready -> `dir`).
 *   A `kill -9` at any moment leaves the complete old or the complete new directory: either at `dir`, or,
 *   when the crash fell between the two renames of the swap, as the ready/old sibling that
 *   {@link recoverDirectory} (run by every save and load) moves back to `dir`.
 * - {@link recoverDirectory} / {@link cleanStaleTemps}: finish or roll back an interrupted swap, and remove
 *   staging directories and temporary files of writers that are no longer running. Entries of a process
 *   that is still alive (by the pid in their name) are left alone, so a load never removes the staging
 *   directory of a save in progress in another process.
 *
 * One writer per target at a time is assumed (two processes saving into the same directory at once is a
 * race whose winner is arbitrary, although neither leaves a mix).
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, rename, rm, stat, copyFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AtomicWriteError } from '../checkpoint/errors';

/** What {@link writeFileAtomic} accepts: the whole content, or chunks produced while writing. */
export type AtomicWriteData = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Names of the temporary files of {@link writeFileAtomic}: `.<target name>.<pid>.<16 hex>.tmp` (older
 * versions wrote `.<target name>.<16 hex>.tmp`, which also matches).
 */
export const TEMP_FILE_PATTERN = /^\..+\.[0-9a-f]{16}\.tmp$/;

const TEMP_PID = /\.(\d+)\.[0-9a-f]{16}\.tmp$/;
const SIBLING = /^\.(.+)\.(staging|ready|old)\.(\d+)\.([0-9a-f]{12})$/;

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file in the same directory (so the
 * rename never crosses file systems), which is fsynced and renamed over `path`; the directory is then
 * fsynced (best effort) so the rename itself is durable.
 *
 * When anything fails, including the iterable of chunks throwing half-way (a serialiser failing), the
 * temporary file is removed and `path` is left as it was (absent or with its old content). Temporary
 * files of crashed writers are removed by {@link cleanStaleTemps}.
 *
 * @param path - the target file; its directory must exist
 * @param data - a string (UTF-8), bytes, or a (sync or async) iterable of byte chunks
 * @param options - `mode`: permission bits of a new file (default 0o644)
 * @throws {@link index.AtomicWriteError | AtomicWriteError} for an empty path, data of another type or a chunk that is not a
 *   `Uint8Array`; the underlying file-system error or the error the iterable threw, after cleaning up
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData, options: { mode?: number } = {}): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new AtomicWriteError(String(path), 'writeFileAtomic: path must be a non-empty string');
  const chunks = toChunks(path, data);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', options.mode ?? 0o644);
  let closed = false;
  try {
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new AtomicWriteError(path, `writeFileAtomic: chunks must be Uint8Array, got ${Object.prototype.toString.call(chunk)}`);
      }
      let written = 0;
      while (written < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
        written += bytesWritten;
      }
    }
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(tmp, path);
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

/** Whether `path` exists (a file or a directory); any error of `stat` counts as "does not exist". */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link replaceDirectory}. */
export interface ReplaceDirectoryOptions {
  /**
   * Entries of the current `dir` to carry over into the new one (hard-linked, or copied where links are
   * not possible) before `write` runs, e.g. files of other tools that share the directory. Default: none.
   */
  keep?: (name: string) => boolean;
}

/**
 * `mkdir -p`, one level at a time: creates `dir` and its missing parents. Node's own
 * `mkdir(dir, { recursive: true })` never settles for a path under `/proc` (where `mkdir` fails with ENOENT
 * although the parent exists); this walk fails with that error instead.
 *
 * @throws {@link index.AtomicWriteError | AtomicWriteError} naming the level that cannot be created and the file system's code
 *   (`ENOENT`, `EACCES`, `ENOTDIR`, ...)
 */
export async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  let p = resolve(dir);
  while ((await lstatOrUndefined(p)) === undefined) {
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'EEXIST') throw new AtomicWriteError(d, `cannot create directory (${code ?? (error as Error).message})`);
    }
  }
}

/**
 * Replaces the directory `dir` as a unit: `write` fills a fresh, empty staging directory next to `dir`;
 * every file and directory in it is then fsynced and the staging directory is swapped in for `dir`
 * (created when absent; its parent is created too). A crash at any moment leaves either the complete old
 * or the complete new directory (recovered to `dir` by the next {@link recoverDirectory}, which this
 * function and the package's loaders run first); the old directory is removed once the new one is in place.
 *
 * When `write` throws, the staging directory is removed and `dir` is untouched.
 *
 * @param dir - the directory to replace
 * @param write - writes the new content into the staging directory it is given (plain writes suffice:
 *   everything is fsynced before the swap)
 * @param options - see {@link ReplaceDirectoryOptions}
 * @throws {@link index.AtomicWriteError | AtomicWriteError} for an empty path or when `dir` exists and is not a directory; the
 *   error of `write` or of the file system, after cleaning up
 */
export async function replaceDirectory(
  dir: string,
  write: (stagingDir: string) => Promise<void>,
  options: ReplaceDirectoryOptions = {},
): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) throw new AtomicWriteError(String(dir), 'replaceDirectory: dir must be a non-empty string');
  if (typeof write !== 'function') throw new AtomicWriteError(dir, 'replaceDirectory: write must be a function');
  const target = resolve(dir);
  const parent = dirname(target);
  const name = basename(target);
  await makeDirectory(parent);
  await recoverDirectory(target);
  const existing = await lstatOrUndefined(target);
  if (existing !== undefined && !existing.isDirectory()) throw new AtomicWriteError(target, 'exists and is not a directory');

  const tag = `${process.pid}.${randomBytes(6).toString('hex')}`;
  const staging = join(parent, `.${name}.staging.${tag}`);
  const ready = join(parent, `.${name}.ready.${tag}`);
  const old = join(parent, `.${name}.old.${tag}`);
  await mkdir(staging);
  let movedOld = false;
  let swapped = false;
  try {
    if (existing !== undefined && options.keep !== undefined) {
      for (const entry of await readdir(target)) {
        if (isOwnTemp(entry) || !options.keep(entry)) continue;
        await linkOrCopy(join(target, entry), join(staging, entry));
      }
    }
    await write(staging);
    await syncTree(staging);
    await rename(staging, ready);
    await syncDir(parent);
    if (existing !== undefined) {
      await rename(target, old);
      movedOld = true;
    }
    await rename(ready, target);
    swapped = true;
    await syncDir(parent);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (!swapped) {
      await rm(ready, { recursive: true, force: true }).catch(() => undefined);
      if (movedOld) await rename(old, target).catch(() => undefined);
    }
    throw error;
  }
  if (movedOld) await rm(old, { recursive: true, force: true });
}

/**
 * Recovers `dir` after a crash of {@link replaceDirectory} and removes what crashed writers left: when
 * `dir` is missing and a complete new version (`.<name>.ready.*`) exists it is moved to `dir`, else a
 * previous version (`.<name>.old.*`) is moved back; then the remaining staging, ready and old siblings
 * of dead processes are removed, and {@link cleanStaleTemps} runs inside `dir`. Does nothing (and writes
 * nothing) when there is nothing to recover, so it is safe on read-only checkpoints.
 *
 * @param dir - the directory
 * @returns whether anything was moved or removed
 */
export async function recoverDirectory(dir: string): Promise<boolean> {
  const target = resolve(dir);
  const parent = dirname(target);
  const name = basename(target);
  let changed = false;
  let siblings: { path: string; kind: string; mtimeMs: number }[] = [];
  try {
    for (const entry of await readdir(parent)) {
      const m = SIBLING.exec(entry);
      if (m === null || m[1] !== name || isAlive(Number(m[3]))) continue;
      const st = await lstatOrUndefined(join(parent, entry));
      if (st !== undefined) siblings.push({ path: join(parent, entry), kind: m[2]!, mtimeMs: st.mtimeMs });
    }
  } catch {
    siblings = []; // no parent: nothing to recover
  }
  if (siblings.length > 0) {
    if ((await lstatOrUndefined(target)) === undefined) {
      const newest = (kind: string) => siblings.filter((s) => s.kind === kind).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
      const restore = newest('ready') ?? newest('old');
      if (restore !== undefined) {
        await rename(restore.path, target);
        await syncDir(parent);
        siblings = siblings.filter((s) => s !== restore);
      }
    }
    for (const s of siblings) await rm(s.path, { recursive: true, force: true });
    changed = true;
  }
  if (await cleanStaleTemps(target)) changed = true;
  return changed;
}

/**
 * Removes the temporary files of crashed {@link writeFileAtomic} calls (`.<name>.<pid>.<hex>.tmp`) in
 * `dir` (not recursively); files of processes still running are kept. A missing `dir` is no error.
 *
 * @param dir - the directory
 * @returns whether any file was removed
 */
export async function cleanStaleTemps(dir: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return false;
  }
  let removed = false;
  for (const entry of entries) {
    if (!TEMP_FILE_PATTERN.test(entry)) continue;
    const pid = TEMP_PID.exec(entry);
    if (pid !== null && isAlive(Number(pid[1]))) continue;
    await rm(join(dir, entry), { force: true });
    removed = true;
  }
  return removed;
}

function isOwnTemp(name: string): boolean {
  return TEMP_FILE_PATTERN.test(name);
}

/** Whether a process with this pid runs (EPERM: it runs, under another user). */
function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lstatOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  const st = await lstat(from);
  if (st.isDirectory()) {
    await mkdir(to);
    for (const entry of await readdir(from)) await linkOrCopy(join(from, entry), join(to, entry));
    return;
  }
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/** fsync every file and directory under `dir` (and `dir` itself). */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) {
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncDir(dir);
}

function toChunks(path: string, data: AtomicWriteData): Iterable<Uint8Array> | AsyncIterable<Uint8Array> {
  if (typeof data === 'string') return [new TextEncoder().encode(data)];
  if (data instanceof Uint8Array) return [data];
  if (data !== null && typeof data === 'object' && (Symbol.asyncIterator in data || Symbol.iterator in data)) return data;
  throw new AtomicWriteError(path, `writeFileAtomic: data must be a string, a Uint8Array or an iterable of Uint8Array, got ${Object.prototype.toString.call(data)}`);
}

/** fsync a directory so a rename in it is durable; ignored where directories cannot be opened (Windows). */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
