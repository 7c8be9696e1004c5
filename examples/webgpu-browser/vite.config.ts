/**
 * Vite config of the browser example: two pages (`index.html`: chat, `train.html`: training), the workspace
 * packages read from their TypeScript sources (the `@quarkmed/source` export condition, so no package build is
 * needed), and the COOP/COEP headers that make the page cross-origin isolated (SharedArrayBuffer, hence wasm
 * threads) in `vite` (dev) and `vite preview`.
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from './scripts/isolation-headers';

const page = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  resolve: { conditions: ['@quarkmed/source', ...defaultClientConditions] },
  server: { headers: CROSS_ORIGIN_ISOLATION_HEADERS },
  preview: { headers: CROSS_ORIGIN_ISOLATION_HEADERS },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: { chat: page('index.html'), train: page('train.html') } },
  },
  // No `esbuild.keepNames`: tfjs puts the threaded wasm factory's source (`toString()`) into its pthread workers,
  // and the `__name` helper that keepNames injects does not exist there ("__name is not defined").
  worker: { format: 'es' },
});
