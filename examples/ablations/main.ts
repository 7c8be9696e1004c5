/**
 * `pnpm --filter @quarkmed/example-ablations start <experiment> [--scale small] [--seed 1234] [--out DIR]`: runs
 * one of the report's ablations (or `all`), prints its table with 95% intervals and writes its HTML report.
 */
import { USAGE, parseAblationArgs, type AblationArgs } from './src/cli';
import { AblationError } from './src/error';

let args: AblationArgs;
try {
  args = parseAblationArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof AblationError)) throw e;
  process.stderr.write(`ablations: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}

const { EXPERIMENTS } = await import('./src/experiments/registry');
for (const name of args.experiments) {
  const t0 = performance.now();
  try {
    const r = await EXPERIMENTS[name]({ out: args.out, scale: args.scale, scaleName: args.scaleName, seed: args.seed, backend: args.backend, verbose: args.verbose });
    console.log(
      `\n## ${r.title} (scale ${args.scaleName}, seed ${args.seed}, backend ${args.backend})\n\n${r.table}\n\n${r.notes.join('\n')}\n\n` +
        `report: ${r.report}\nwall time: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`ablations: ${name}: ${err.name}: ${err.message.split('\n')[0]}\n`);
    if (process.env.QUARKMED_DEBUG === '1') process.stderr.write(`${err.stack ?? ''}\n`);
    process.exit(err.name === 'RecipeConfigError' ? 2 : 1);
  }
}
