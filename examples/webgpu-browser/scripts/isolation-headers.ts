/**
 * The response headers that make a page cross-origin isolated (`crossOriginIsolated === true`), which browsers
 * require for `SharedArrayBuffer` and so for tfjs' multi-threaded wasm build. Used by the Vite dev and preview
 * servers and by the end-to-end tests' static server.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
