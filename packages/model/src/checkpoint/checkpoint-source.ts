/**
 * Where checkpoint files come from: a {@link CheckpointSource} gives random access to the files of one
 * checkpoint (or adapter) directory, so loaders read only headers and the tensor ranges they need. The
 * Node entry provides one over a directory; {@link checkpointSource} makes one from files a browser
 * fetched (strings, bytes, `Blob`s, or a function that fetches a file on demand).
 *
 * @packageDocumentation
 */
import { CheckpointError } from './errors';

/** Random access to the bytes of one file. */
export interface RandomAccessFile {
  /** The file size in bytes. */
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer only at the end of the file). */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Releases the file (a no-op for in-memory files). */
  close(): Promise<void>;
}

/** The files of one checkpoint directory. */
export interface CheckpointSource {
  /** How a file is named in errors (a path, or `label/name`). */
  describe(name: string): string;
  /** Whether the file exists. */
  exists(name: string): Promise<boolean>;
  /** The whole file as UTF-8 text; rejects for a missing file. */
  readText(name: string): Promise<string>;
  /** Opens the file for random access; rejects for a missing file. */
  open(name: string): Promise<RandomAccessFile>;
}

/** The content of one fetched file: text, bytes, or a `Blob` (read lazily, by ranges). */
export type CheckpointFileContent = string | Uint8Array | ArrayBuffer | Blob;

/**
 * Files of a checkpoint by name (`config.json`, `model.safetensors`, shards, the index, or the PEFT
 * files): an object, a `Map`, or a function that returns (or fetches) a file, `undefined` when absent.
 * A function is called at most once per name.
 */
export type CheckpointFiles =
  | Readonly<Record<string, CheckpointFileContent>>
  | ReadonlyMap<string, CheckpointFileContent>
  | ((name: string) => CheckpointFileContent | undefined | Promise<CheckpointFileContent | undefined>);

/**
 * A {@link CheckpointSource} over in-memory or fetched files.
 *
 * @example
 * ```ts
 * const files = async (name: string) => {
 *   const r = await fetch(`/models/med-lm/${name}`);
 *   return r.ok ? await r.blob() : undefined;
 * };
 * const model = await loadCheckpointFromFiles(files);
 * ```
 *
 * @param files - see {@link CheckpointFiles}
 * @param label - prefix of file names in errors (default `"files"`)
 * @throws {@link CheckpointError} (when used) for a missing file, a function that throws, or content of
 *   another type
 */
export function checkpointSource(files: CheckpointFiles, label = 'files'): CheckpointSource {
  const cache = new Map<string, Promise<CheckpointFileContent | undefined>>();
  const describe = (name: string): string => `${label}/${name}`;
  const get = (name: string): Promise<CheckpointFileContent | undefined> => {
    let p = cache.get(name);
    if (p === undefined) {
      p = (async () => {
        let v: unknown;
        try {
          if (typeof files === 'function') v = await files(name);
          else if (files instanceof Map) v = files.get(name);
          else v = Object.prototype.hasOwnProperty.call(files, name) ? (files as Record<string, unknown>)[name] : undefined;
        } catch (error) {
          throw new CheckpointError(describe(name), undefined, `cannot get the file: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (v === undefined || v === null) return undefined;
        if (typeof v === 'string' || v instanceof Uint8Array || v instanceof ArrayBuffer || (typeof Blob !== 'undefined' && v instanceof Blob)) {
          return v as CheckpointFileContent;
        }
        throw new CheckpointError(describe(name), undefined, `file content must be a string, Uint8Array, ArrayBuffer or Blob, got ${Object.prototype.toString.call(v)}`);
      })();
      cache.set(name, p);
    }
    return p;
  };
  const need = async (name: string): Promise<CheckpointFileContent> => {
    const v = await get(name);
    if (v === undefined) throw new CheckpointError(describe(name), undefined, 'missing file');
    return v;
  };
  return {
    describe,
    exists: async (name) => (await get(name)) !== undefined,
    readText: async (name) => {
      const v = await need(name);
      if (typeof v === 'string') return v;
      const bytes = v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(await v.arrayBuffer());
      return new TextDecoder().decode(bytes);
    },
    open: async (name) => {
      const v = await need(name);
      if (typeof Blob !== 'undefined' && v instanceof Blob) {
        return {
          size: v.size,
          read: async (position, length) => new Uint8Array(await v.slice(position, Math.min(v.size, position + length)).arrayBuffer()),
          close: async () => undefined,
        };
      }
      const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer);
      return {
        size: bytes.length,
        read: async (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)),
        close: async () => undefined,
      };
    },
  };
}

/** Reads a whole file of a source as bytes. */
export async function readAllBytes(source: CheckpointSource, name: string): Promise<Uint8Array> {
  const f = await source.open(name);
  try {
    const bytes = await f.read(0, f.size);
    if (bytes.length !== f.size) throw new CheckpointError(source.describe(name), undefined, `truncated: read ${bytes.length} of ${f.size} bytes`);
    return bytes;
  } finally {
    await f.close();
  }
}
