/**
 * The `quarkmed` command line: `run`, `stage`, `report` (the recipe), `eval`, `serve`, `chat`.
 * Exit codes: 0 ok; 1 the job failed; 2 usage error (bad option, argument or config; one line, no stack).
 *
 * @packageDocumentation
 */
import { Command, CommanderError } from 'commander';
import { RecipeConfigError } from '../../config/config-error';
import { registerChatCommand } from './commands/chat';
import { registerEvalCommand } from './commands/eval';
import { registerReportCommand } from './commands/report';
import { registerRunCommand } from './commands/run';
import { registerServeCommand } from './commands/serve';
import { registerStageCommand } from './commands/stage';
import { CliUsageError } from './usage-error';

/** Error names (of any package) that mean a bad command line or config: exit 2. */
const USAGE_ERRORS = new Set(['RecipeConfigError', 'CliUsageError', 'ServeOptionError', 'EvalOptionError']);

/** The program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('quarkmed')
    .description('QuarkMed: the five-stage medical LLM recipe, evaluation, server and chat')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `quarkmed: ${s}` : s) });
  registerRunCommand(program);
  registerStageCommand(program);
  registerReportCommand(program);
  registerEvalCommand(program);
  registerServeCommand(program);
  registerChatCommand(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    const err = e as Error;
    const line = (err?.message ?? String(e)).split('\n')[0];
    if (e instanceof RecipeConfigError || e instanceof CliUsageError || USAGE_ERRORS.has(err?.name)) {
      process.stderr.write(`quarkmed: ${line}\n`);
      return 2;
    }
    process.stderr.write(`quarkmed: ${err?.name ?? 'Error'}: ${line}\n`);
    if (process.env.QUARKMED_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 1;
  }
}
