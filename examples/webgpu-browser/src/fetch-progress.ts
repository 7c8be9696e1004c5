/**
 * Downloads with progress: the response body is read chunk by chunk through its `ReadableStream` reader and the
 * bytes received are reported against the `Content-Length` header (when the server sends one and the body is not
 * content-encoded; otherwise the total is reported as unknown, never guessed).
 *
 * @packageDocumentation
 */
import { AssetFetchError } from './app-error';

/** Progress of one download. */
export interface DownloadProgress {
  url: string;
  /** Bytes received so far. */
  loaded: number;
  /** Bytes expected, from `Content-Length`; `undefined` when the server did not say (or the body is encoded). */
  total: number | undefined;
}

/** Options of {@link fetchWithProgress}. */
export interface FetchWithProgressOptions {
  /** Called after every chunk (and once at the start, with `loaded: 0`). */
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** The fetch to use (default: the global `fetch`). */
  fetch?: typeof fetch;
}

/**
 * The whole body of `url` as bytes, reporting progress per chunk.
 *
 * @throws {@link AssetFetchError} for a network error, a non-2xx status, a body shorter or longer than its
 *   `Content-Length`, or a response without a body
 */
export async function fetchWithProgress(url: string, options: FetchWithProgressOptions = {}): Promise<Uint8Array> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    throw new AssetFetchError(url, 0, `network error: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!response.ok) throw new AssetFetchError(url, response.status, `HTTP ${response.status} ${response.statusText}`.trim());
  if (response.body === null) throw new AssetFetchError(url, response.status, 'the response has no body');
  const total = declaredLength(response);
  const report = (loaded: number): void => options.onProgress?.({ url, loaded, total });
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  report(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    report(loaded);
  }
  if (total !== undefined && loaded !== total) {
    throw new AssetFetchError(url, response.status, `received ${loaded} bytes but Content-Length said ${total}`);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** `Content-Length` when it describes the bytes the reader yields (no content encoding), else undefined. */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return undefined;
  const raw = response.headers.get('content-length');
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}
