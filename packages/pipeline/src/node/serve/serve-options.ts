/**
 * The options of {@link createServer}/{@link startServer}, validated with zod; every limit has a stated default.
 *
 * @packageDocumentation
 */
import type { LlamaModel, Tokenizer } from '@quarkmed/model';
import { z } from 'zod';
import type { ServeRetrievalOptions } from './retrieval-context';
import { ServeOptionError } from './serve-errors';

/** Options of `createServer`. */
export interface ServerOptions {
  /** The model (e.g. from `loadCheckpoint`). */
  model: LlamaModel;
  /** Its tokenizer (e.g. from `loadTokenizer`). */
  tokenizer: Tokenizer;
  /** The model id clients send and `/v1/models` lists. Default `'quarkmed-local'`. */
  modelId?: string;
  /** When set, every `/v1/*` request needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Largest request body in bytes; larger gets 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Generations running at once. Default 2. */
  maxConcurrent?: number;
  /** Requests waiting for a generation slot; beyond, 429. Default 32. */
  maxQueue?: number;
  /** Cap on `max_tokens`: larger requests get 400; absent `max_tokens` means this (or the context room). Default 256. */
  maxTokens?: number;
  /** Cap on `n`. Default 4. */
  maxChoices?: number;
  /** Seed of requests that send none. Default 0. */
  defaultSeed?: number;
  /** Retrieval augmentation with citations; requests may turn it off with `retrieval: false`. */
  retrieval?: ServeRetrievalOptions;
}

/** Options of `startServer`: those of `createServer` plus where to listen. */
export interface StartServerOptions extends ServerOptions {
  /** Interface to bind. Default `127.0.0.1` (loopback only). */
  host?: string;
  /** Port; 0 picks a free one. Default 8000. */
  port?: number;
}

const positiveInt = (max: number) => z.number().int().min(1).max(max);

const limitsSchema = z.strictObject({
  modelId: z.string().min(1).regex(/^\S+$/, 'must not contain white space').default('quarkmed-local'),
  apiKey: z.string().min(1).optional(),
  maxBodyBytes: positiveInt(1 << 30).default(1 << 20),
  maxConcurrent: positiveInt(1024).default(2),
  maxQueue: z.number().int().min(0).max(100_000).default(32),
  maxTokens: positiveInt(1 << 20).default(256),
  maxChoices: positiveInt(128).default(4),
  defaultSeed: z.number().int().min(0).max(0xffffffff).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8000),
});

/** The resolved limits and listening address. */
export type ResolvedServeLimits = z.infer<typeof limitsSchema>;

/**
 * Validates the options.
 *
 * @throws {@link ServeOptionError} naming the option key and the problem
 */
export function resolveServeOptions(options: StartServerOptions): ResolvedServeLimits {
  if (!options || typeof options !== 'object') throw new ServeOptionError('options', 'must be an object');
  if (typeof options.model?.forward !== 'function') throw new ServeOptionError('model', 'must be a loaded @quarkmed/model LlamaModel');
  if (typeof options.tokenizer?.applyChatTemplate !== 'function') throw new ServeOptionError('tokenizer', 'must be a @quarkmed/model Tokenizer');
  if (options.retrieval !== undefined && typeof options.retrieval?.retriever?.invoke !== 'function') {
    throw new ServeOptionError('retrieval.retriever', 'must be a @quarkmed/rag Retriever (with invoke(query))');
  }
  const { model: _m, tokenizer: _t, retrieval: _r, ...rest } = options;
  const parsed = limitsSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.map(String).join('.');
    throw new ServeOptionError(key, issue.code === 'unrecognized_keys' ? 'is not an option of the server' : issue.message);
  }
  return parsed.data;
}
