/**
 * Files as loader input: {@link fileInput} turns a path into a {@link ByteInput} that any loader of the main entry
 * reads, streamed, with typed errors for a missing file or a directory.
 *
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { LoadError } from '../kg/errors';
import type { ByteInput } from '../kg/lines';

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot read: ${(error as Error)?.message ?? String(error)}`;
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new LoadError(path, 0, reason(error));
  }
  if (info.isDirectory()) throw new LoadError(path, 0, 'is a directory, not a file');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof LoadError) throw error;
    throw new LoadError(path, 0, reason(error));
  }
}

/**
 * A file as loader input: `loadObo(kg, fileInput('doid.obo'))`. The file is opened when the loader starts reading
 * and streamed in 64 KiB chunks; issues and errors name `path`, and the triples' default `source` is its base name.
 *
 * @param path - the file.
 * @returns a {@link ByteInput}; read it once.
 * @throws LoadError (when read) naming the path: `file not found`, `is a directory, not a file`, `permission
 *   denied`, or invalid UTF-8 at a line.
 */
export function fileInput(path: string): ByteInput {
  return { name: path, bytes: fileChunks(path) };
}
