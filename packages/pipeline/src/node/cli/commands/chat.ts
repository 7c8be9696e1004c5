/**
 * `quarkmed chat`: an interactive terminal chat with a local checkpoint, or one answer with `--prompt`.
 *
 * @packageDocumentation
 */
import { initBackend } from '@quarkmed/tensor-kernels';
import type { Command } from 'commander';
import { loadLocalModel } from '../../serve/load-local-model';
import { LocalEngine } from '../../serve/local-engine';
import { BACKEND_CHOICES, backendOption, intOption, numberOption } from '../../serve/option-values';
import { ServeOptionError } from '../../serve/serve-errors';
import { answer, interactiveChat, type ChatSettings } from '../../serve/terminal-chat';

interface ChatFlags {
  checkpoint?: string;
  tokenizer?: string;
  prompt?: string;
  system?: string;
  maxTokens: string;
  temperature: string;
  topP?: string;
  seed: string;
  backend: string;
}

/** Registers `chat` on the CLI program. */
export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('Chat with a local checkpoint in the terminal (tokens stream as they are generated; Ctrl-C stops the current answer).')
    .option('-c, --checkpoint <dir>', 'checkpoint directory (config.json + model.safetensors); required')
    .option('-t, --tokenizer <dir>', 'tokenizer directory (tokenizer.json); default: the checkpoint directory')
    .option('--prompt <text>', 'answer this one message, print the answer and exit (for scripts)')
    .option('--system <text>', 'system message')
    .option('--max-tokens <n>', 'most tokens per answer', '256')
    .option('--temperature <t>', 'sampling temperature, 0 for greedy', '0.7')
    .option('--top-p <p>', 'nucleus sampling mass in (0, 1]')
    .option('--seed <n>', 'sampling seed (answer i of a session uses seed + i)', '0')
    .option('--backend <name>', `tensor backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .addHelpText('after', '\nIn the chat: /reset clears the history, /exit (or Ctrl-C at the prompt, or end of input) quits.\nExit codes: 0 ok, 1 the checkpoint could not be loaded or generation failed, 2 usage error.')
    .action(async (flags: ChatFlags) => {
      if (!flags.checkpoint) throw new ServeOptionError('--checkpoint', 'is required');
      if (flags.prompt !== undefined && flags.prompt.trim() === '') throw new ServeOptionError('--prompt', 'must not be empty');
      const backend = backendOption(flags.backend);
      const settings: ChatSettings = {
        ...(flags.system !== undefined ? { system: flags.system } : {}),
        maxTokens: intOption('--max-tokens', flags.maxTokens, 1)!,
        temperature: numberOption('--temperature', flags.temperature, 0, 2)!,
        ...(flags.topP !== undefined ? { topP: numberOption('--top-p', flags.topP, Number.MIN_VALUE, 1)! } : {}),
        seed: intOption('--seed', flags.seed, 0, 0xffffffff)!,
      };
      await initBackend(backend, { log: false });
      const { model, tokenizer } = await loadLocalModel(flags.checkpoint, flags.tokenizer);
      try {
        const engine = new LocalEngine(model, tokenizer);
        if (flags.prompt === undefined) {
          await interactiveChat(engine, settings, { input: process.stdin, output: process.stdout });
          return;
        }
        const messages = [...(settings.system ? [{ role: 'system', content: settings.system }] : []), { role: 'user', content: flags.prompt }];
        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.on('SIGINT', onInterrupt);
        try {
          await answer(engine, messages, settings, (t) => process.stdout.write(t), controller.signal);
        } finally {
          process.off('SIGINT', onInterrupt);
        }
        process.stdout.write('\n');
      } finally {
        model.dispose();
      }
    });
}
