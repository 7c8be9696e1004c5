/**
 * `pnpm --filter @quarkmed/example-webgpu-browser prepare-model [--run DIR] [--seed N]`: puts a recipe checkpoint
 * and the retrieval corpus into the app's `public/` (see `prepare-assets.ts`). Exit code 1 on any error, 2 on a
 * usage error.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareAssets } from './prepare-assets';

const here = fileURLToPath(new URL('.', import.meta.url));
let values: { run?: string; seed?: string };
try {
  ({ values } = parseArgs({ options: { run: { type: 'string' }, seed: { type: 'string' } }, strict: true }));
} catch (error) {
  process.stderr.write(`prepare-model: ${(error as Error).message}\nusage: prepare-model [--run DIR] [--seed N]\n`);
  process.exit(2);
}
if (values.seed !== undefined && !/^\d+$/.test(values.seed)) {
  process.stderr.write(`prepare-model: --seed must be a non-negative integer, got ${values.seed}\n`);
  process.exit(2);
}
try {
  await prepareAssets({
    repoRoot: resolve(here, '../../..'),
    publicDir: resolve(here, '../public'),
    ...(values.run !== undefined ? { run: resolve(process.cwd(), values.run) } : {}),
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
    log: (line) => console.log(line),
  });
} catch (error) {
  process.stderr.write(`prepare-model: ${(error as Error).name}: ${(error as Error).message}\n`);
  process.exit(1);
}
