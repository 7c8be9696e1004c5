/**
 * `quarkmed eval`: a benchmark on a local checkpoint or an OpenAI-compatible endpoint, without and/or with
 * retrieval; prints the accuracy table with 95% CIs and writes predictions a rerun can rescore (`--rescore`).
 *
 * Exit codes (mapped by `main.ts`): 0 done; 1 the job failed (unreadable or malformed file, the model failed); 2 usage
 * error ({@link CliUsageError}: one line on stderr, no stack).
 *
 * @packageDocumentation
 */
import { mkdir } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { initBackend } from '@quarkmed/tensor-kernels';
import { RemoteJudge, type Verifier } from '@quarkmed/verifier';
import { benchmarkNames } from '../../../eval/benchmarks';
import { formatReportTable } from '../../../eval/report-table';
import type { EvalItem } from '../../../eval/types';
import type { EvalModel } from '../../../models/eval-model';
import { EvalModelConfigError } from '../../../models/model-errors';
import { OpenAICompatibleModel } from '../../../models/openai-compatible-model';
import { loadBenchmarkFile } from '../../eval/benchmark-file';
import { FileAnswerCache } from '../../eval/file-answer-cache';
import { loadKnowledgeProbes } from '../../eval/knowledge-probe-files';
import { loadLocalEvalModel } from '../../eval/local-model-files';
import { CliUsageError } from '../usage-error';
import { BACKEND_CHOICES, backendOption } from '../../serve/option-values';
import { loadCorpusRetriever } from '../../eval/retrieval-corpus';
import { rescoreFiles, runEvalJob } from '../../eval/run-eval';
import type { EvalRun } from '../../../eval/harness';

/** The options `quarkmed eval` parses. */
export interface EvalCommandOptions {
  model?: string;
  /** Tensor backend for a local checkpoint (`--backend`, default auto). */
  backend?: string;
  tokenizer?: string;
  baseUrl?: string;
  modelName?: string;
  apiKeyEnv?: string;
  endpoint: string;
  retrieval?: string;
  retrievalK: number;
  compare?: boolean;
  out?: string;
  limit?: number;
  concurrency: number;
  maxTokens: number;
  temperature: number;
  seed: number;
  timeoutMs: number;
  retries: number;
  cache?: string;
  truncatePrompt?: boolean;
  rescore?: string[];
  mode: string;
  scoring: string;
  likelihoodMetric: string;
  judgeBaseUrl?: string;
  judgeModel?: string;
  judgeApiKeyEnv?: string;
  copBase?: number;
  probeSeed: number;
  probeSplitSeed: number;
  probeCount: number;
  probeLanguage: string;
  json?: boolean;
}

const int = (min: number) => (v: string): number => {
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return Number(v);
};
const num = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative number, got ${JSON.stringify(v)}`);
  return n;
};

/** A usage error of the command: the CLI's usage error (exit code 2), naming the option. */
class EvalUsageError extends CliUsageError {
  constructor(option: string, problem: string) {
    super(`${option}: ${problem}`);
  }
}

function judgeOf(o: EvalCommandOptions): Verifier<string> | undefined {
  if (o.judgeBaseUrl === undefined) return undefined;
  if (o.judgeModel === undefined) throw new EvalUsageError('--judge-model', 'is required with --judge-base-url');
  let apiKey: string | undefined;
  if (o.judgeApiKeyEnv !== undefined) {
    apiKey = process.env[o.judgeApiKeyEnv];
    if (!apiKey) throw new EvalUsageError('--judge-api-key-env', `the environment variable ${o.judgeApiKeyEnv} is not set`);
  }
  return new RemoteJudge({ baseUrl: o.judgeBaseUrl, model: o.judgeModel, ...(apiKey ? { apiKey } : {}) });
}

async function modelOf(o: EvalCommandOptions): Promise<EvalModel> {
  if ((o.model === undefined) === (o.baseUrl === undefined)) throw new EvalUsageError('--model/--base-url', 'give exactly one: a checkpoint folder (--model) or an OpenAI-compatible endpoint (--base-url)');
  if (o.model !== undefined) {
    await initBackend(backendOption(o.backend ?? 'auto'), { log: false });
    return loadLocalEvalModel(o.model, { ...(o.tokenizer ? { tokenizerDir: o.tokenizer } : {}), batchSize: o.concurrency, ...(o.truncatePrompt ? { truncatePrompt: true } : {}) });
  }
  if (o.modelName === undefined) throw new EvalUsageError('--model-name', 'is required with --base-url (the model name the endpoint serves)');
  if (o.endpoint !== 'chat' && o.endpoint !== 'completions') throw new EvalUsageError('--endpoint', `must be chat or completions, got ${o.endpoint}`);
  const cacheDir = o.cache ?? (o.out !== undefined ? `${o.out}/cache` : undefined);
  return new OpenAICompatibleModel({
    baseUrl: o.baseUrl!,
    model: o.modelName,
    ...(o.apiKeyEnv !== undefined ? { apiKeyEnv: o.apiKeyEnv } : {}),
    endpoint: o.endpoint,
    concurrency: o.concurrency,
    maxRetries: o.retries,
    timeoutMs: o.timeoutMs,
    backoff: { seed: o.seed },
    ...(cacheDir !== undefined ? { cache: new FileAnswerCache(cacheDir) } : {}),
  });
}

async function itemsOf(benchmark: string, file: string | undefined, o: EvalCommandOptions): Promise<EvalItem[]> {
  if (benchmark === 'knowledge-probes') {
    if (file !== undefined) throw new EvalUsageError('file', 'knowledge-probes are built from the shipped knowledge graph; give no file');
    if (o.probeLanguage !== 'en' && o.probeLanguage !== 'zh') throw new EvalUsageError('--probe-language', `must be en or zh, got ${o.probeLanguage}`);
    return loadKnowledgeProbes({ seed: o.probeSeed, splitSeed: o.probeSplitSeed, countPerTask: o.probeCount, language: o.probeLanguage });
  }
  if (!benchmarkNames().includes(benchmark)) throw new EvalUsageError('benchmark', `unknown benchmark ${JSON.stringify(benchmark)}; known: ${[...benchmarkNames(), 'knowledge-probes'].join(', ')}`);
  if (file === undefined) throw new EvalUsageError('file', `the ${benchmark} benchmark file is required`);
  if (o.copBase !== undefined && o.copBase !== 0 && o.copBase !== 1) throw new EvalUsageError('--cop-base', `must be 0 or 1, got ${o.copBase}`);
  return loadBenchmarkFile(benchmark, file, o.copBase !== undefined ? { copBase: o.copBase as 0 | 1 } : {});
}

function print(runs: EvalRun[], o: EvalCommandOptions): void {
  if (o.json) process.stdout.write(`${JSON.stringify(runs.map((r) => r.report), null, 2)}\n`);
  else process.stdout.write(`${formatReportTable(runs.map((r) => r.report))}\n`);
  if (o.out !== undefined && !o.json) process.stdout.write(`predictions and report.json in ${o.out}\n`);
}

/**
 * The job of `quarkmed eval` with parsed arguments.
 *
 * @throws {@link CliUsageError} for a bad command line (exit 2); the job's errors otherwise (exit 1).
 */
export async function runEvalCommand(benchmark: string | undefined, file: string | undefined, o: EvalCommandOptions): Promise<void> {
  try {
    if (o.mode !== 'exact' && o.mode !== 'partial') throw new EvalUsageError('--mode', `must be exact or partial, got ${o.mode}`);
    const judge = judgeOf(o);
    const scoring = { mode: o.mode as 'exact' | 'partial', ...(judge ? { judge } : {}) };
    if (o.rescore !== undefined) {
      if (benchmark !== undefined || o.model !== undefined || o.baseUrl !== undefined) throw new EvalUsageError('--rescore', 'rescoring takes predictions files only (no benchmark, --model or --base-url)');
      print(await rescoreFiles(o.rescore, { ...scoring, ...(o.out !== undefined ? { out: o.out } : {}) }), o);
      return;
    }
    if (benchmark === undefined) throw new EvalUsageError('benchmark', 'is required (or --rescore <predictions.jsonl...>)');
    if (o.compare && o.retrieval === undefined) throw new EvalUsageError('--compare', 'needs --retrieval <corpus>');
    if (o.scoring !== 'generate' && o.scoring !== 'likelihood') throw new EvalUsageError('--scoring', `must be generate or likelihood, got ${o.scoring}`);
    if (o.likelihoodMetric !== 'acc' && o.likelihoodMetric !== 'acc_norm') throw new EvalUsageError('--likelihood-metric', `must be acc or acc_norm, got ${o.likelihoodMetric}`);
    if (o.scoring === 'likelihood' && o.baseUrl !== undefined) throw new EvalUsageError('--scoring', 'likelihood needs the log-probabilities of a local checkpoint (--model); an endpoint (--base-url) only generates');
    const items = await itemsOf(benchmark, file, o);
    const model = await modelOf(o);
    const retriever = o.retrieval !== undefined ? await loadCorpusRetriever(o.retrieval, o.retrievalK) : undefined;
    if (o.out !== undefined) await mkdir(o.out, { recursive: true });
    const tty = process.stderr.isTTY;
    const runs = await runEvalJob({
      ...scoring,
      items,
      model,
      ...(retriever ? { retriever } : {}),
      ...(o.compare ? { compare: true } : {}),
      ...(o.out !== undefined ? { out: o.out } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      concurrency: o.concurrency,
      params: { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed },
      scoring: o.scoring,
      likelihoodMetric: o.likelihoodMetric,
      onPrediction: (p, done, total) => {
        if (tty) process.stderr.write(`\r${p.retrieval ? 'with retrieval' : 'eval'} ${done}/${total}`);
        if (tty && done === total) process.stderr.write('\n');
      },
    });
    print(runs, o);
  } catch (e) {
    if (e instanceof EvalModelConfigError) throw new EvalUsageError(e.option, e.problem);
    throw e;
  }
}

/** Registers `quarkmed eval` on a commander program. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description(
      'Evaluate a model on a medical benchmark: JSON-answer prompts, scoring with @quarkmed/verifier, accuracy with 95% Wilson CIs per subject, optionally with retrieval.\n' +
        `Benchmarks: ${[...benchmarkNames(), 'knowledge-probes'].join(', ')}.\n` +
        'Exit codes: 0 done, 1 the job failed (bad file, model error), 2 usage error.',
    )
    .argument('[benchmark]', 'benchmark name')
    .argument('[file]', 'benchmark file (JSON, JSON Lines or CSV as the benchmark ships it); none for knowledge-probes')
    .option('--model <dir>', 'local checkpoint folder (config.json + safetensors + tokenizer.json)')
    .option('--tokenizer <dir>', 'tokenizer folder when it is not the checkpoint folder')
    .option('--backend <name>', `tensor backend for --model: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--base-url <url>', 'OpenAI-compatible endpoint root, e.g. http://localhost:8000/v1')
    .option('--model-name <name>', 'model name at the endpoint (with --base-url)')
    .option('--api-key-env <var>', 'environment variable that holds the endpoint API key')
    .option('--endpoint <kind>', 'chat (/chat/completions) or completions (/completions)', 'chat')
    .option('--retrieval <corpus>', 'retrieval corpus (JSON/JSONL documents with pageContent or text), indexed with BM25')
    .option('--retrieval-k <n>', 'passages per question', int(1), 4)
    .option('--compare', 'with --retrieval: also run without retrieval and report both')
    .option('--out <dir>', 'write predictions*.jsonl and report.json here (a rerun reuses the predictions)')
    .option('--limit <n>', 'evaluate the first n questions', int(1))
    .option('--concurrency <n>', 'requests in flight (endpoint) or batch size (checkpoint)', int(1), 4)
    .option('--max-tokens <n>', 'most new tokens per answer', int(1), 256)
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', num, 0)
    .option('--seed <n>', 'seed of sampling and of retry jitter', int(0), 0)
    .option('--timeout-ms <n>', 'per-request timeout (endpoint)', int(1), 60_000)
    .option('--retries <n>', 'retries on 429/5xx/network errors (endpoint)', int(0), 4)
    .option('--cache <dir>', 'answer cache folder (endpoint; default <out>/cache)')
    .option('--truncate-prompt', 'checkpoint: keep the last tokens of prompts longer than the context instead of failing')
    .option('--rescore <predictions...>', 'score predictions files again without generating')
    .option('--mode <mode>', 'multiple-response scoring: exact or partial', 'exact')
    .option('--scoring <how>', "generate (parse the generated answer) or likelihood (the option the checkpoint finds most likely; --model only)", 'generate')
    .option('--likelihood-metric <m>', 'likelihood scoring: acc_norm (log-prob per byte) or acc (summed log-prob)', 'acc_norm')
    .option('--judge-base-url <url>', 'OpenAI-compatible judge for open-ended answers (CMB-Clin)')
    .option('--judge-model <name>', 'judge model name')
    .option('--judge-api-key-env <var>', 'environment variable with the judge API key')
    .option('--cop-base <n>', 'MedMCQA: base of the cop field (0 or 1) when the file does not show it', int(0))
    .option('--probe-seed <n>', 'knowledge-probes: seed of the task builders', int(0), 1)
    .option('--probe-split-seed <n>', 'knowledge-probes: seed of the entity split', int(0), 7)
    .option('--probe-count <n>', 'knowledge-probes: probes per task', int(1), 20)
    .option('--probe-language <lang>', 'knowledge-probes: en or zh', 'en')
    .option('--json', 'print the reports as JSON instead of a table')
    .action(async (benchmark: string | undefined, file: string | undefined, options: EvalCommandOptions) => {
      await runEvalCommand(benchmark, file, options);
    });
}
