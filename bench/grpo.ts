/**
 * `pnpm bench grpo`: seconds per GRPO step of `GRPOTrainer` (`@quarkmed/grpo`) on the reference model of
 * `pnpm bench model` (hidden 256, 6 layers, 8 heads, intermediate 688, vocabulary 8192, max sequence 256), with
 * G = 8 completions of 8 prompts (32 tokens each), 64 new tokens, split into generation (batched KV-cache sampling
 * at temperature 1), scoring (reward + advantages; old/ref log-probs would count here, none with beta 0 on-policy)
 * and update (4 micro-batches of 16 rows through the model package's Trainer: forward, backward, AdamW); generated
 * tokens/s. Where `/usr/bin/python3` (or `QM_BENCH_TORCH_PYTHON`) has torch, `bench/torch_grpo.py` times the same
 * step (same architecture, the same dapo loss, same micro-batching) and the ratio PyTorch / ours is printed: the
 * number to beat (< 1 means we are slower).
 *
 * The reward is the fraction of even token ids in a completion (cheap and deterministic; no EOS, so every
 * completion has the full 64 tokens, as the PyTorch step). Backends: wasm (2 threads) and tensorflow run the
 * reference config; cpu and webgpu (Mesa llvmpipe here) are ~100x slower and are skipped unless `--quick`.
 * `--quick`: a tiny config (hidden 64, 2 layers, vocabulary 512, G = 4, 2 prompts, 16 new tokens), < 1 minute.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as qk from '@quarkmed/tensor-kernels';
import type { BackendName } from '@quarkmed/tensor-kernels';
import { LlamaModel, type GenerationTokenizer, type LlamaConfig } from '@quarkmed/model';
import { GRPOTrainer, type RewardInput } from '../packages/grpo/src/index';
import { BENCH_DIR, writeJsonAtomic } from './lib/json';
import type { SuiteContext, SuiteOutcome } from './lib/suite';
import { printTable } from './lib/table';
import { mulberry32 } from './lib/tensors';
import { median } from './lib/timing';

/** One line for `pnpm bench --help`. */
export const description = 'GRPOTrainer seconds per step (generation / scoring / update) and generated tokens/s, vs PyTorch';

const TORCH_PYTHON = process.env['QM_BENCH_TORCH_PYTHON'] ?? '/usr/bin/python3';
const THREADS = 2;
const SEED = 1234;

interface GrpoBenchConfig {
  name: string;
  model: Omit<LlamaConfig, 'maxSeqLen'>;
  G: number;
  prompts: number;
  promptLen: number;
  newTokens: number;
  microBatches: number;
  warmup: number;
  steps: number;
}

const CONFIGS: Record<'reference' | 'quick', GrpoBenchConfig> = {
  reference: {
    name: 'reference',
    model: { vocabSize: 8192, hiddenSize: 256, numLayers: 6, numHeads: 8, numKvHeads: 8, intermediateSize: 688 },
    G: 8, prompts: 8, promptLen: 32, newTokens: 64, microBatches: 4, warmup: 1, steps: 2,
  },
  quick: {
    name: 'quick',
    model: { vocabSize: 512, hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 176 },
    G: 4, prompts: 2, promptLen: 8, newTokens: 16, microBatches: 2, warmup: 1, steps: 2,
  },
};

interface StepTimes {
  generation: number;
  scoring: number;
  update: number;
  total: number;
}

interface Result {
  backend: string;
  config: string;
  steps?: StepTimes[];
  median?: StepTimes;
  tokensPerSec?: number;
  error?: string;
  skipped?: string;
}

/** Prompts are space-separated token ids; decode writes them back (no EOS: completions run to the limit). */
function idTokenizer(vocab: number): GenerationTokenizer {
  return {
    encode: (text: string) => text.split(' ').map((x) => {
      const id = Number(x);
      if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new RangeError(`idTokenizer: "${x}" is not a token id below ${vocab}`);
      return id;
    }),
    decode: (ids: number[]) => ids.join(' '),
  };
}

function medianOf(steps: readonly StepTimes[]): StepTimes {
  const k = (f: keyof StepTimes): number => median(steps.map((s) => s[f]));
  return { generation: k('generation'), scoring: k('scoring'), update: k('update'), total: k('total') };
}

async function benchOurs(backend: string, c: GrpoBenchConfig): Promise<Result> {
  const rand = mulberry32(SEED);
  const total = c.warmup + c.steps;
  const dataset = Array.from({ length: c.prompts * total }, () => ({ prompt: Array.from({ length: c.promptLen }, () => Math.floor(rand() * c.model.vocabSize)).join(' ') }));
  const model = new LlamaModel({ ...c.model, maxSeqLen: 256 }, { seed: SEED });
  const even = { name: 'even', fn: ({ completionIds }: RewardInput) => completionIds.map((ids) => (ids.length ? ids.filter((x) => x % 2 === 0).length / ids.length : 0)) };
  const rows = c.G * c.prompts;
  const steps: StepTimes[] = [];
  const trainer = new GRPOTrainer({
    model, tokenizer: idTokenizer(c.model.vocabSize), trainDataset: dataset, rewardFuncs: [even], seed: SEED, lr: 1e-6, progress: false,
    config: { numGenerations: c.G, perDeviceTrainBatchSize: rows / c.microBatches, gradientAccumulationSteps: c.microBatches, maxCompletionLength: c.newTokens, temperature: 1, beta: 0 },
    onStep: (log) => {
      const m = log.metrics ?? {};
      steps.push({ generation: m['timing/generation_s']!, scoring: m['timing/scoring_s']!, update: m['timing/update_s']!, total: log.ms / 1000 });
    },
  });
  try {
    await trainer.train({ steps: total });
  } finally {
    trainer.dispose();
    model.dispose();
  }
  const timed = steps.slice(c.warmup);
  const med = medianOf(timed);
  return { backend, config: c.name, steps: timed, median: med, tokensPerSec: (rows * c.newTokens) / med.generation };
}

interface TorchRun {
  torch?: string;
  threads?: number;
  steps?: StepTimes[];
  tokensPerSec?: number;
  error?: string;
}

function runTorch(c: GrpoBenchConfig): TorchRun {
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error || probe.status !== 0) return { error: `${TORCH_PYTHON} has no torch: skipped` };
  const spec = { threads: THREADS, seed: SEED, config: c.model, G: c.G, prompts: c.prompts, promptLen: c.promptLen, newTokens: c.newTokens, microBatches: c.microBatches, warmup: c.warmup, steps: c.steps };
  const r = spawnSync(TORCH_PYTHON, [join(BENCH_DIR, 'torch_grpo.py')], { input: JSON.stringify(spec), encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  if (r.error || r.status !== 0) return { error: `torch_grpo.py failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  try {
    return JSON.parse(r.stdout) as TorchRun;
  } catch (error) {
    return { error: `torch_grpo.py printed no JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

const s = (x: number | undefined): string => (x === undefined ? '-' : x < 0.1 ? `${(x * 1000).toFixed(1)} ms` : `${x.toFixed(2)} s`);

/** Runs the grpo suite (see the file comment). */
export async function run(ctx: SuiteContext): Promise<SuiteOutcome> {
  const c = ctx.quick ? CONFIGS.quick : CONFIGS.reference;
  const m = c.model;
  console.log(`host: node ${process.version}, ${cpus().length} CPU cores, tfjs-core ${tf.version_core}`);
  console.log(`config ${c.name}: hidden ${m.hiddenSize}, ${m.numLayers} layers, ${m.numHeads} heads (kv ${m.numKvHeads}), intermediate ${m.intermediateSize}, vocab ${m.vocabSize}; G ${c.G} x ${c.prompts} prompts of ${c.promptLen} tokens, ${c.newTokens} new tokens, ${c.microBatches} micro-batches; ${c.warmup} warm-up + ${c.steps} timed steps (median)\n`);
  const results: Result[] = [];
  let errors = 0;
  for (const name of ctx.backends) {
    if (!ctx.quick && (name === 'cpu' || name === 'webgpu')) {
      results.push({ backend: name, config: c.name, skipped: 'reference config on wasm/tensorflow only (~100x slower here); use --quick' });
      continue;
    }
    try {
      await qk.initBackend(name as BackendName, { threads: THREADS, log: false });
    } catch (error) {
      const why = error instanceof qk.BackendUnavailableError ? error.reason : String(error);
      results.push({ backend: name, config: c.name, skipped: `not started (${why})` });
      continue;
    }
    try {
      results.push(await benchOurs(name, c));
    } catch (error) {
      errors++;
      results.push({ backend: name, config: c.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const torch = runTorch(c);
  const tMed = torch.steps ? medianOf(torch.steps) : undefined;
  const rows = results.map((r) => [
    r.backend,
    s(r.median?.generation),
    s(r.median?.scoring),
    s(r.median?.update),
    s(r.median?.total),
    r.tokensPerSec === undefined ? '-' : r.tokensPerSec.toFixed(0),
    tMed && r.median ? (tMed.total / r.median.total).toFixed(3) : '-',
    r.error ? `ERROR ${r.error}` : (r.skipped ?? ''),
  ]);
  if (tMed) rows.push([`pytorch ${torch.torch} (${torch.threads} thr)`, s(tMed.generation), s(tMed.scoring), s(tMed.update), s(tMed.total), torch.tokensPerSec!.toFixed(0), '1', '']);
  printTable(`GRPO step, ${c.name} config (median of ${c.steps})`, ['impl / backend', 'generation', 'scoring', 'update', 'step', 'gen tok/s', 'torch/ours', ''], rows, [
    'torch/ours: PyTorch step seconds / ours (< 1: we are slower; the ratio to beat is 1)',
    ...(torch.error ? [`pytorch: ${torch.error}`] : []),
  ]);
  const jsonPath = writeJsonAtomic(ctx.jsonPath, { suite: 'grpo', quick: ctx.quick, config: c, results, torch });
  return { errors, jsonPath };
}
