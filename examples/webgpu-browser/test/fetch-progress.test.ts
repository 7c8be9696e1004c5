import { describe, expect, it } from 'vitest';
import { AssetFetchError } from '../src/app-error';
import { fetchWithProgress, type DownloadProgress } from '../src/fetch-progress';

/** A fetch that answers with `chunks` as a streamed body and the given headers. */
function fakeFetch(chunks: Uint8Array[], init: { status?: number; headers?: Record<string, string> } = {}): typeof fetch {
  return (async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      }),
      { status: init.status ?? 200, headers: init.headers ?? {} },
    )) as unknown as typeof fetch;
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe('fetchWithProgress', () => {
  it('reads the body chunk by chunk and reports each against Content-Length', async () => {
    const seen: DownloadProgress[] = [];
    const out = await fetchWithProgress('http://x/model.safetensors', {
      fetch: fakeFetch([bytes(1, 2, 3), bytes(4), bytes(5, 6)], { headers: { 'content-length': '6' } }),
      onProgress: (p) => seen.push(p),
    });
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.map((p) => [p.loaded, p.total])).toEqual([
      [0, 6],
      [3, 6],
      [4, 6],
      [6, 6],
    ]);
  });

  it('reports the total as unknown without Content-Length or with a content encoding', async () => {
    const cases: Record<string, string>[] = [{}, { 'content-length': '3', 'content-encoding': 'gzip' }];
    for (const headers of cases) {
      const totals: (number | undefined)[] = [];
      await fetchWithProgress('http://x/a', { fetch: fakeFetch([bytes(1, 2, 3)], { headers }), onProgress: (p) => totals.push(p.total) });
      expect(totals).toEqual([undefined, undefined]);
    }
  });

  it('fails on a body that does not match Content-Length, an HTTP error and a network error, naming the URL', async () => {
    await expect(fetchWithProgress('http://x/short', { fetch: fakeFetch([bytes(1)], { headers: { 'content-length': '2' } }) })).rejects.toThrow(
      /^http:\/\/x\/short: received 1 bytes but Content-Length said 2$/,
    );
    const notFound = await fetchWithProgress('http://x/missing', { fetch: fakeFetch([], { status: 404 }) }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(AssetFetchError);
    expect((notFound as AssetFetchError).status).toBe(404);
    expect((notFound as AssetFetchError).url).toBe('http://x/missing');
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const down = await fetchWithProgress('http://x/down', { fetch: offline }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(AssetFetchError);
    expect((down as AssetFetchError).status).toBe(0);
    expect((down as Error).message).toBe('http://x/down: network error: Failed to fetch');
  });
});
