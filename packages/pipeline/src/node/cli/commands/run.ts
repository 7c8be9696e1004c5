/**
 * `quarkmed run [config]`: the whole recipe (resuming a killed run), then the report.
 *
 * @packageDocumentation
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SCALE_NAMES } from '../../../config/scales';
import { BACKEND_CHOICES } from '../../serve/option-values';
import { formatEffectsTable, computeEffects } from '../../../report/effects';
import { ProgressReporter } from '../../progress/reporter';
import { writeReport } from '../../report/write-report';
import { loadRecipeConfig } from '../../run/load-config';
import { runRecipe } from '../../run/run-recipe';
import { join, resolve } from 'node:path';
import { makeDirectory } from '@quarkmed/model/node';

/** Options shared by `run` and `stage`. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--scale <name>', 'named scale under the config').choices(SCALE_NAMES as unknown as string[]).default('quickstart'))
    .option('--out <dir>', 'run directory (created; a re-run resumes it)', 'runs/recipe')
    .addOption(new Option('--backend <name>', 'tensor backend (overrides the config)').choices([...BACKEND_CHOICES]))
    .option('--seed <n>', 'seed of every random choice (overrides the config)', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidArgumentError(`--seed must be an integer in [0, 4294967295], got '${v}'`);
      return Number(v);
    })
    .option('--json', 'progress as JSON lines even on a TTY');
}

/** CLI overrides of the config. */
export function cliOverrides(opts: { backend?: string; seed?: number }): Record<string, unknown> {
  return { ...(opts.backend ? { backend: opts.backend } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
}

/** Registers `quarkmed run`. */
export function registerRunCommand(program: Command): void {
  addRunOptions(
    program
      .command('run')
      .description('run the whole recipe (corpus -> tokenizer -> pretrain -> ift -> sft -> rl1 -> rl2 -> eval); a killed run resumes')
      .argument('[config]', 'recipe config (YAML or JSON); every field has a default'),
  ).action(async (config: string | undefined, opts: { scale: string; out: string; backend?: string; seed?: number; json?: boolean }) => {
    const cfg = await loadRecipeConfig(config, opts.scale, cliOverrides(opts));
    const runDir = resolve(opts.out);
    await makeDirectory(runDir);
    const progress = new ProgressReporter({ logFile: join(runDir, 'events.jsonl'), ...(opts.json ? { tty: false } : {}) });
    await runRecipe({ runDir, config: cfg, progress });
    progress.close();
    const { path, eval: ev } = await writeReport(runDir);
    if (ev) process.stdout.write(`\n${formatEffectsTable(computeEffects(ev))}\n`);
    process.stdout.write(`report: ${path}\n`);
  });
}
