/**
 * `pnpm quickstart`: the main job. Picks the default backend and reports the choice, trains a byte-level BPE
 * tokenizer and a small Llama-style model on the shipped medical text, evaluates it on held-out paragraphs and
 * generates from it, printing loss, throughput and samples.
 *
 *   pnpm quickstart [--backend auto|wasm|cpu|webgpu|tensorflow] [--steps 200] [--seed 1234] [--out runs/quickstart]
 *   pnpm quickstart --job fused-block   # the kernel-level demo: one block of the fused ops on a lag-copy task
 */
import { parseArgs } from 'node:util';
import type { BackendName } from '@quarkmed/tensor-kernels';
import { runMedicalLm } from './src/medical-lm';
import { runFusedBlock } from './src/fused-block';

const { values } = parseArgs({
  options: {
    job: { type: 'string', default: 'medical-lm' },
    backend: { type: 'string', default: 'auto' },
    steps: { type: 'string' },
    seed: { type: 'string', default: '1234' },
    out: { type: 'string', default: 'runs/quickstart' },
  },
});
const steps = values.steps === undefined ? undefined : Number(values.steps);
if (steps !== undefined && (!Number.isInteger(steps) || steps < 2)) {
  throw new RangeError(`--steps must be an integer >= 2, got ${values.steps}`);
}
const backend = values.backend as BackendName | 'auto';
const seed = Number(values.seed);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

if (values.job === 'fused-block') {
  const r = await runFusedBlock({ backend, steps, seed });
  console.log(
    `\nbackend ${r.backend.name} (${r.backend.reason})\nparameters ${r.parameters}\n` +
      `loss ${r.losses[0].toFixed(4)} -> ${mean(r.losses.slice(-5)).toFixed(4)} (mean of the last 5 steps)\n` +
      `throughput ${r.tokensPerSecond.toFixed(0)} training tokens/s`,
  );
} else if (values.job === 'medical-lm') {
  const r = await runMedicalLm({ backend, steps, seed, outDir: values.out });
  console.log(
    `\nbackend ${r.backend.name} (${r.backend.reason})\nparameters ${r.parameters}\n` +
      `loss ${r.losses[0].toFixed(4)} -> ${mean(r.losses.slice(-5)).toFixed(4)} (mean of the last 5 steps); ` +
      `held-out loss ${r.evalLoss.toFixed(4)}\n` +
      `throughput ${r.tokensPerSecond.toFixed(0)} training tokens/s\n` +
      r.samples.map((s) => `sample: ${JSON.stringify(s.prompt)} -> ${JSON.stringify(s.text)}`).join('\n') +
      `\ncheckpoint and tokenizer in ${values.out}`,
  );
} else {
  throw new TypeError(`--job must be 'medical-lm' or 'fused-block', got '${values.job}'`);
}
