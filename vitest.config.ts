import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@quarkmed/source'] },
  ssr: { resolve: { conditions: ['@quarkmed/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    server: { deps: { inline: [/@quarkmed\//] } },
  },
});
