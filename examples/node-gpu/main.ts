/**
 * `pnpm example:node-gpu` (or `pnpm --filter @quarkmed/example-node-gpu start`): the QuarkMed recipe in Node on a
 * GPU, through WebGPU (Dawn) or native TensorFlow (`@tensorflow/tfjs-node-gpu`, when installed).
 *
 *   pnpm example:node-gpu [--backend webgpu|tensorflow] [--allow-software-adapter] [--scale tiny|quickstart|small|base]
 *                         [--config recipe.yaml] [--out runs/node-gpu] [--seed 1234]
 */
import { ExampleError, ExampleUsageError, parseCommonArgs, type CommonArgs } from '@quarkmed/example-node-cpu';
import { GPU_BACKENDS, type GpuBackend } from './src/gpu-backend';

const USAGE = 'usage: pnpm example:node-gpu [--backend webgpu|tensorflow] [--allow-software-adapter] [--scale tiny|quickstart|small|base] [--config FILE] [--out DIR] [--seed N]';

let args: CommonArgs<GpuBackend>;
try {
  args = parseCommonArgs(process.argv.slice(2), { backends: GPU_BACKENDS, defaultOut: 'runs/node-gpu', flags: ['allow-software-adapter'] });
} catch (e) {
  if (!(e instanceof ExampleUsageError)) throw e;
  process.stderr.write(`node-gpu: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}

const { runGpuExample } = await import('./src/run-gpu-example');
const { printResult } = await import('@quarkmed/example-node-cpu');
const t0 = performance.now();
try {
  const r = await runGpuExample({ ...args, backend: args.backend ?? 'webgpu', allowSoftwareAdapter: args.flags.has('allow-software-adapter') });
  if (!r.gpu.hardware) process.stderr.write(`node-gpu: note: ${r.gpu.choice.reason} is not a hardware GPU (correctness only, slow)\n`);
  console.log(printResult(r.run, r.gpu.choice.reason, (performance.now() - t0) / 1000));
} catch (e) {
  const err = e as Error;
  process.stderr.write(`node-gpu: ${err.name}: ${err.message.split('\n')[0]}\n`);
  process.exit(err.name === 'RecipeConfigError' ? 2 : e instanceof ExampleError && err.name !== 'ExampleError' ? 3 : 1);
}
