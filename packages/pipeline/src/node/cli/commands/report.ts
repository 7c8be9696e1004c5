/**
 * `quarkmed report [run-dir]`: writes the self-contained HTML report of a run and prints the effects table.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { computeEffects, formatEffectsTable } from '../../../report/effects';
import { writeReport } from '../../report/write-report';

/** Registers `quarkmed report`. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write the self-contained HTML report of a run (plots inlined; opens offline) and print its effects')
    .argument('[run-dir]', 'the run directory', 'runs/recipe')
    .option('--out <file>', 'where to write the report (default <run-dir>/report.html)')
    .action(async (runDir: string, opts: { out?: string }) => {
      const { path, eval: ev } = await writeReport(runDir, opts.out);
      if (ev) process.stdout.write(`${formatEffectsTable(computeEffects(ev))}\n`);
      process.stdout.write(`report: ${path}\n`);
    });
}
