/**
 * `pnpm quickstart`: the main job. Runs the whole five-stage QuarkMed recipe (`@quarkmed/pipeline`) on the shipped
 * knowledge-graph subset with the default backend, writes the run directory and its HTML report, and prints the
 * table of the report's effects at small scale, each with its 95% interval.
 *
 *   pnpm quickstart [--backend auto|wasm|cpu|webgpu|tensorflow] [--steps N] [--seed 1234] [--out runs/quickstart]
 *                   [--config recipe.yaml] [--scale tiny|quickstart|small|base]
 *   pnpm quickstart --job medical-lm    # the pre-training demo: tokenizer + small Llama on the shipped text
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
} else if (args.job === 'recipe') {
  const { runQuickstartRecipe } = await import('./src/recipe');
  const t0 = performance.now();
  try {
    const r = await runQuickstartRecipe({ backend, seed, out: args.out, ...(steps !== undefined ? { steps } : {}), ...(args.config ? { config: args.config } : {}), ...(args.scale ? { scale: args.scale } : {}) });
    console.log(
      `\nbackend ${r.backend}\nstage seconds ${JSON.stringify(Object.fromEntries(Object.entries(r.seconds).map(([k, v]) => [k, Number(v.toFixed(1))])))}\n` +
        `total ${((performance.now() - t0) / 1000).toFixed(1)} s\n\nEffects at small scale (held-out probes; 95% intervals):\n${r.table}\n\nreport: ${r.report}\nrun directory: ${args.out} (a re-run resumes it)`,
    );
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`quickstart: ${err.name}: ${err.message.split('\n')[0]}\n`);
    process.exit(err.name === 'RecipeConfigError' ? 2 : 1);
  }
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
