/**
 * `pnpm example:node-cpu` (or `pnpm --filter @quarkmed/example-node-cpu start`): the QuarkMed recipe in Node on the
 * embedded default backend.
 *
 *   pnpm example:node-cpu [--scale tiny|quickstart|small|base] [--config recipe.yaml] [--out runs/node-cpu]
 *                         [--backend auto|native|wasm|cpu] [--seed 1234]
 */
import { ExampleUsageError, parseCommonArgs, type CommonArgs } from './src/index';

const USAGE = 'usage: pnpm example:node-cpu [--scale tiny|quickstart|small|base] [--config FILE] [--out DIR] [--backend auto|native|wasm|cpu] [--seed N]';
const BACKENDS = ['auto', 'native', 'wasm', 'cpu'] as const;

let args: CommonArgs<(typeof BACKENDS)[number]>;
try {
  args = parseCommonArgs(process.argv.slice(2), { backends: BACKENDS, defaultOut: 'runs/node-cpu' });
} catch (e) {
  if (!(e instanceof ExampleUsageError)) throw e;
  process.stderr.write(`node-cpu: ${e.message}${e.option === '--backend' ? ' (GPU backends: pnpm example:node-gpu)' : ''}\n${USAGE}\n`);
  process.exit(2);
}

const { runExample, printResult } = await import('./src/index');
const t0 = performance.now();
try {
  const r = await runExample({ out: args.out, scale: args.scale, ...(args.config ? { config: args.config } : {}), ...(args.backend ? { backend: args.backend } : {}), ...(args.seed !== undefined ? { seed: args.seed } : {}) });
  if (r.config.backend === 'webgpu' || r.config.backend === 'tensorflow') process.stderr.write(`node-cpu: note: the config asks for backend ${r.config.backend}; pnpm example:node-gpu is the GPU example\n`);
  console.log(printResult(r, r.backend ?? r.config.backend, (performance.now() - t0) / 1000));
} catch (e) {
  const err = e as Error;
  process.stderr.write(`node-cpu: ${err.name}: ${err.message.split('\n')[0]}\n`);
  process.exit(err.name === 'RecipeConfigError' ? 2 : 1);
}
