/**
 * `quarkmed serve`: the OpenAI-compatible server for a local checkpoint.
 *
 * @packageDocumentation
 */
import { initBackend } from '@quarkmed/tensor-kernels';
import type { Command } from 'commander';
import { startServer } from '../../serve/create-server';
import { loadLocalModel } from '../../serve/load-local-model';
import { loadRetriever } from '../../serve/load-retriever';
import { BACKEND_CHOICES, backendOption, intOption } from '../../serve/option-values';
import { ServeOptionError } from '../../serve/serve-errors';
import type { StartServerOptions } from '../../serve/serve-options';

interface ServeFlags {
  checkpoint?: string;
  tokenizer?: string;
  host: string;
  port: string;
  modelId: string;
  apiKeyEnv: string;
  maxBodyBytes: string;
  maxConcurrent: string;
  maxQueue: string;
  maxTokens: string;
  maxChoices: string;
  seed: string;
  backend: string;
  bm25?: string;
  store?: string;
  embedder?: string;
  retrievalK: string;
}

/** Registers `serve` on the CLI program. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve a local checkpoint over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models).')
    .option('-c, --checkpoint <dir>', 'checkpoint directory (config.json + model.safetensors); required')
    .option('-t, --tokenizer <dir>', 'tokenizer directory (tokenizer.json); default: the checkpoint directory')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('-p, --port <port>', 'port (0 picks a free one)', '8000')
    .option('--model-id <id>', 'model id clients send and /v1/models lists', 'quarkmed-local')
    .option('--api-key-env <name>', 'environment variable holding the API key; when it is set, requests need "Authorization: Bearer <key>"', 'QUARKMED_API_KEY')
    .option('--max-body-bytes <n>', 'largest request body (larger: 413)', String(1 << 20))
    .option('--max-concurrent <n>', 'generations running at once', '2')
    .option('--max-queue <n>', 'requests waiting for a generation slot (beyond: 429)', '32')
    .option('--max-tokens <n>', 'cap on max_tokens (larger requests: 400)', '256')
    .option('--max-choices <n>', 'cap on n', '4')
    .option('--seed <n>', 'seed of requests that send none', '0')
    .option('--backend <name>', `tensor backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--bm25 <file>', 'retrieval: a BM25 index file (Bm25Index.toBytes)')
    .option('--store <dir>', 'retrieval: a vector store directory (saveVectorStore)')
    .option('--embedder <dir>', "retrieval: the store's embedder (default: @quarkmed/rag's shipped embedder)")
    .option('--retrieval-k <n>', 'retrieval: passages per question', '4')
    .addHelpText(
      'after',
      '\nWith --bm25 and/or --store every request is retrieval-augmented (send "retrieval": false to turn it off); responses carry the cited passages in "citations".\nExit codes: 0 stopped by SIGINT/SIGTERM, 1 the server could not start (checkpoint, index or port), 2 usage error (bad option).',
    )
    .action(async (flags: ServeFlags) => {
      if (!flags.checkpoint) throw new ServeOptionError('--checkpoint', 'is required');
      const backend = backendOption(flags.backend);
      const retrievalK = intOption('--retrieval-k', flags.retrievalK, 1, 100)!;
      if (flags.embedder && !flags.store) throw new ServeOptionError('--embedder', 'only applies with --store');
      const apiKey = process.env[flags.apiKeyEnv];
      const options: Omit<StartServerOptions, 'model' | 'tokenizer'> = {
        host: flags.host,
        port: intOption('--port', flags.port, 0, 65535)!,
        modelId: flags.modelId,
        ...(apiKey ? { apiKey } : {}),
        maxBodyBytes: intOption('--max-body-bytes', flags.maxBodyBytes, 1)!,
        maxConcurrent: intOption('--max-concurrent', flags.maxConcurrent, 1, 1024)!,
        maxQueue: intOption('--max-queue', flags.maxQueue, 0, 100_000)!,
        maxTokens: intOption('--max-tokens', flags.maxTokens, 1)!,
        maxChoices: intOption('--max-choices', flags.maxChoices, 1, 128)!,
        defaultSeed: intOption('--seed', flags.seed, 0, 0xffffffff)!,
      };
      await initBackend(backend, { log: (m) => process.stderr.write(`${m}\n`) });
      const { model, tokenizer } = await loadLocalModel(flags.checkpoint, flags.tokenizer);
      const retriever = flags.bm25 || flags.store ? await loadRetriever({ bm25File: flags.bm25, storeDir: flags.store, embedderDir: flags.embedder, k: retrievalK }) : undefined;
      const server = await startServer({ ...options, model, tokenizer, ...(retriever ? { retrieval: { retriever } } : {}) });
      process.stdout.write(
        `quarkmed serve: ${server.modelId} on ${server.url}/v1${options.apiKey ? ` (API key from $${flags.apiKeyEnv})` : ''}${retriever ? ' with retrieval' : ''}\n`,
      );
      // Serve until SIGINT/SIGTERM, then close and return (exit 0).
      await new Promise<void>((resolve, reject) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.close().then(resolve, reject);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      model.dispose();
    });
}
