/**
 * `pnpm quickstart`: the main job. Picks the default backend and reports the choice, trains a byte-level BPE
 * tokenizer and a small Llama-style model on the shipped medical text, evaluates it on held-out paragraphs and
 * generates from it, printing loss, throughput and samples.
 *
 *   pnpm quickstart [--backend auto|wasm|cpu|webgpu|tensorflow] [--steps 200] [--seed 1234] [--out runs/quickstart]
 *   pnpm quickstart --job fused-block   # the kernel-level demo: one block of the fused ops on a lag-copy task
 */
import { USAGE, UsageError, parseQuickstartArgs, type QuickstartArgs } from './src/cli';

let args: QuickstartArgs;
try {
  args = parseQuickstartArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`quickstart: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}
const { backend, steps, seed } = args;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// The jobs (and TensorFlow.js) load only once the command line is known to be good.
if (args.job === 'fused-block') {
  const { runFusedBlock } = await import('./src/fused-block');
  const r = await runFusedBlock({ backend, steps, seed });
  console.log(
    `\nbackend ${r.backend.name} (${r.backend.reason})\nparameters ${r.parameters}\n` +
      `loss ${r.losses[0].toFixed(4)} -> ${mean(r.losses.slice(-5)).toFixed(4)} (mean of the last 5 steps)\n` +
      `throughput ${r.tokensPerSecond.toFixed(0)} training tokens/s`,
  );
} else {
  const { runMedicalLm } = await import('./src/medical-lm');
  const r = await runMedicalLm({ backend, steps, seed, outDir: args.out });
  console.log(
    `\nbackend ${r.backend.name} (${r.backend.reason})\nparameters ${r.parameters}\n` +
      `loss ${r.losses[0].toFixed(4)} -> ${mean(r.losses.slice(-5)).toFixed(4)} (mean of the last 5 steps); ` +
      `held-out loss ${r.evalLoss.toFixed(4)}\n` +
      `throughput ${r.tokensPerSecond.toFixed(0)} training tokens/s\n` +
      r.samples.map((s) => `sample: ${JSON.stringify(s.prompt)} -> ${JSON.stringify(s.text)}`).join('\n') +
      `\ncheckpoint and tokenizer in ${args.out}`,
  );
}
