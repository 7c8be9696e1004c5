import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@quarkmed/source'] },
  ssr: { resolve: { conditions: ['@quarkmed/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    pool: 'forks',
    // Vitest's own summary, then one plain `tests: N passed, N failed, N skipped` line (see the reporter).
    reporters: ['default', './test-support/closing-line-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    server: { deps: { inline: [/@quarkmed\//] } },
  },
});
