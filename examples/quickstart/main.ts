/**
 * `pnpm quickstart`: picks the default backend, reports the choice, and trains one decoder block made of the
 * fused ops of @quarkmed/tensor-kernels, printing loss and throughput.
 *
 *   pnpm quickstart [--backend auto|wasm|cpu|webgpu|tensorflow] [--steps 150] [--seed 1234]
 */
import { parseArgs } from 'node:util';
import { runQuickstart } from './src/quickstart';
import type { BackendName } from '@quarkmed/tensor-kernels';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    steps: { type: 'string', default: '150' },
    seed: { type: 'string', default: '1234' },
  },
});
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`--steps must be an integer >= 2, got ${values.steps}`);

const result = await runQuickstart({
  backend: values.backend as BackendName | 'auto',
  steps,
  seed: Number(values.seed),
});
const first = result.losses[0];
const last = result.losses.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, result.losses.length);
console.log(
  `\nbackend ${result.backend.name} (${result.backend.reason})\n` +
    `parameters ${result.parameters}\n` +
    `loss ${first.toFixed(4)} -> ${last.toFixed(4)} (mean of the last 5 steps)\n` +
    `throughput ${result.tokensPerSecond.toFixed(0)} training tokens/s`,
);
