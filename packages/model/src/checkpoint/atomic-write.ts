/**
 * Crash-safe file replacement: write a temporary file next to the target, fsync it, rename it over the
 * target, fsync the directory. Readers see either the old file or the complete new one, never a part.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What {@link writeFileAtomic} accepts: the whole content, or chunks produced while writing. */
export type AtomicWriteData = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Prefix and suffix of the temporary files (`.<target name>.<random>.tmp`), e.g. to clean up after a crash. */
export const TEMP_FILE_PATTERN = /^\..+\.[0-9a-f]{16}\.tmp$/;

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file in the same directory
 * (`.<name>.<random hex>.tmp`, so the rename never crosses file systems), which is fsynced and renamed
 * over `path`; the directory is then fsynced (best effort) so the rename itself is durable.
 *
 * When anything fails, including the iterable of chunks throwing half-way (a serialiser failing), the
 * temporary file is removed and `path` is left as it was (absent or with its old content).
 *
 * @param path - the target file; its directory must exist
 * @param data - a string (UTF-8), bytes, or a (sync or async) iterable of byte chunks
 * @param options - `mode`: permission bits of a new file (default 0o644)
 * @throws TypeError when `data` is of another type; the underlying file-system error or the error the
 *   iterable threw, after cleaning up
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData, options: { mode?: number } = {}): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`writeFileAtomic: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const chunks = toChunks(data);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', options.mode ?? 0o644);
  let closed = false;
  try {
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`writeFileAtomic: chunks must be Uint8Array, got ${Object.prototype.toString.call(chunk)}`);
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

function toChunks(data: AtomicWriteData): Iterable<Uint8Array> | AsyncIterable<Uint8Array> {
  if (typeof data === 'string') return [new TextEncoder().encode(data)];
  if (data instanceof Uint8Array) return [data];
  if (data !== null && typeof data === 'object' && (Symbol.asyncIterator in data || Symbol.iterator in data)) return data;
  throw new TypeError(`writeFileAtomic: data must be a string, a Uint8Array or an iterable of Uint8Array, got ${Object.prototype.toString.call(data)}`);
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
