/**
 * `quarkmed stage <name> [config]`: runs one stage alone in a run directory (re-running it when finished), reading
 * earlier stages' outputs from the same directory.
 *
 * @packageDocumentation
 */
import { join, resolve } from 'node:path';
import { Argument, type Command } from 'commander';
import { makeDirectory } from '@quarkmed/model/node';
import { STAGE_NAMES, type StageName } from '../../../config/stage-names';
import { ProgressReporter } from '../../progress/reporter';
import { loadRecipeConfig } from '../../run/load-config';
import { runRecipe } from '../../run/run-recipe';
import { addRunOptions, cliOverrides } from './run';
import { CliUsageError } from '../usage-error';

/** Registers `quarkmed stage`. */
export function registerStageCommand(program: Command): void {
  addRunOptions(
    program
      .command('stage')
      .description('run one stage alone (re-run when finished); start a model stage from a checkpoint with --init')
      .addArgument(new Argument('<name>', 'the stage').choices(STAGE_NAMES as unknown as string[]))
      .argument('[config]', 'recipe config (YAML or JSON)'),
  )
    .option('--init <dir>', "start the stage from this checkpoint directory (ours or a Hugging Face Llama-format one): sets <name>.initCheckpoint")
    .action(async (name: StageName, config: string | undefined, opts: { scale: string; out: string; backend?: string; seed?: number; json?: boolean; init?: string }) => {
      const base = await loadRecipeConfig(config, opts.scale, cliOverrides(opts));
      let cfg = base;
      if (opts.init !== undefined) {
        if (!['pretrain', 'ift', 'sft', 'rl1', 'rl2'].includes(name)) throw new CliUsageError(`--init applies to a model stage (pretrain, ift, sft, rl1, rl2), not ${name}`);
        cfg = await loadRecipeConfig(config, opts.scale, { ...cliOverrides(opts), [name]: { ...(base[name as 'ift'] as object), initCheckpoint: resolve(opts.init) } });
      }
      const runDir = resolve(opts.out);
      await makeDirectory(runDir);
      const progress = new ProgressReporter({ logFile: join(runDir, 'events.jsonl'), ...(opts.json ? { tty: false } : {}) });
      await runRecipe({ runDir, config: cfg, progress, only: name });
      progress.close();
      process.stdout.write(`stage ${name} finished: ${join(runDir, 'stages', name)}\n`);
    });
}
