/**
 * `pnpm bench grpo`: seconds per GRPO step of `GRPOTrainer` (`@quarkmed/grpo`) on the reference model of
 * `pnpm bench model` (hidden 256, 6 layers, 8 heads, intermediate 688, vocabulary 8192, max sequence 256), with
 * G = 8 completions of 8 prompts (32 tokens each), 64 new tokens, split into generation (batched KV-cache sampling
 * at temperature 1), scoring (reward + advantages; old/ref log-probs would count here, none with beta 0 on-policy)
 * and update (4 micro-batches of 16 rows through the model package's Trainer: forward, backward, AdamW); generated
 * tokens/s. Where `/usr/bin/python3` (or `QM_BENCH_TORCH_PYTHON`) has torch, `bench/torch_grpo.py` times the same
 * step (same architecture, the same dapo loss, same micro-batching) and the ratio PyTorch / ours is printed: the
 * number to beat (< 1 means we are slower). PyTorch runs with its best BLAS library and thread setting on this
 * machine: the settings sweep of `bench/lib/torch-settings.ts` (one short GRPO step per setting, printed first).
 *
 * The reward is the fraction of even token ids in a completion (cheap and deterministic; no EOS, so every
 * completion has the full 64 tokens, as the PyTorch step). Backends: wasm (2 threads) and tensorflow run the
 * reference config (native first when it is built); cpu and webgpu (Mesa llvmpipe here) are ~100x slower and are
 * skipped unless `--quick`.
 * `--quick`: a tiny config (hidden 64, 2 layers, vocabulary 512, G = 4, 2 prompts, 16 new tokens), < 1 minute.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { LlamaModel, type GenerationTokenizer, type LlamaConfig } from '@quarkmed/model';
import { GRPOTrainer, type RewardInput } from '../packages/grpo/src/index';
import { startBackend } from './lib/backends';
import { writeJsonAtomic } from './lib/json';
import type { SuiteContext, SuiteOutcome } from './lib/suite';
import { printTable } from './lib/table';
import { mulberry32 } from './lib/tensors';
import { median } from './lib/timing';
import { runTorchScript, torchAvailable, type TorchRuntime } from './lib/torch-process';
import {
  detectBlasLibraries,
  renderSweep,
  settingLabel,
  sweepCandidates,
  sweepJson,
  sweepTorchSettings,
  type SweepResult,
  type TorchSetting,
} from './lib/torch-settings';

/** One line for `pnpm bench --help`. */
export const description = 'GRPOTrainer seconds per step (generation / scoring / update) and generated tokens/s, vs PyTorch';

const THREADS = 2;
const TORCH_TIMEOUT_MS = 20 * 60_000;
/** New tokens per completion in the sweep's probe step (the full step's count when smaller). */
const PROBE_NEW_TOKENS = 16;
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

interface TorchRun extends TorchRuntime {
  steps?: StepTimes[];
  tokensPerSec?: number;
  setting?: TorchSetting;
  error?: string;
}

function torchSpec(c: GrpoBenchConfig, probe: boolean): Record<string, unknown> {
  return {
    seed: SEED, config: c.model, G: c.G, prompts: c.prompts, promptLen: c.promptLen, microBatches: c.microBatches,
    newTokens: probe ? Math.min(PROBE_NEW_TOKENS, c.newTokens) : c.newTokens,
    warmup: probe ? 0 : c.warmup,
    steps: probe ? 1 : c.steps,
  };
}

/** The sweep: one GRPO step (fewer new tokens) per setting; the value is completion tokens per second of step. */
function sweepTorch(c: GrpoBenchConfig): SweepResult {
  const cores = cpus().length;
  const candidates = sweepCandidates(detectBlasLibraries(), cores);
  const tokens = c.G * c.prompts * Math.min(PROBE_NEW_TOKENS, c.newTokens);
  return sweepTorchSettings(
    candidates,
    [{ key: 'step', label: 'step tok/s' }],
    (s) => {
      const r = runTorchScript<TorchRun>('torch_grpo.py', torchSpec(c, true), s, TORCH_TIMEOUT_MS);
      if (r.error !== undefined) return { error: r.error };
      const run = r as TorchRun;
      const total = run.steps?.[0]?.total;
      return { values: { step: total ? tokens / total : undefined }, runtime: run };
    },
    (i, s) => {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[KPyTorch settings sweep ${i + 1}/${candidates.length}: ${settingLabel(s)}...`);
    },
  );
}

function runTorch(c: GrpoBenchConfig, setting: TorchSetting): TorchRun {
  const r = runTorchScript<TorchRun>('torch_grpo.py', torchSpec(c, false), setting, TORCH_TIMEOUT_MS);
  return { ...r, setting };
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
    const started = await startBackend(name, THREADS);
    if (!started.ok) {
      console.log(`${name}: ${started.reason}; skipping it`);
      results.push({ backend: name, config: c.name, skipped: started.reason });
      continue;
    }
    try {
      results.push(await benchOurs(name, c));
    } catch (error) {
      errors++;
      results.push({ backend: name, config: c.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  let torch: TorchRun;
  let sweep: SweepResult | undefined;
  const avail = torchAvailable();
  if (!avail.ok) {
    torch = { error: `skipped (${avail.why})` };
  } else {
    sweep = sweepTorch(c);
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    console.log(renderSweep(`PyTorch ${avail.version} settings sweep: BLAS library x torch threads x BLAS threads (one GRPO step, ${Math.min(PROBE_NEW_TOKENS, c.newTokens)} new tokens)`, sweep, cpus().length) + '\n');
    const best = sweep.best['step']?.setting;
    torch = best ? runTorch(c, best) : { error: 'no setting of the sweep ran' };
  }
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
  if (tMed) rows.push([`pytorch ${torch.torch} (${torch.setting ? `${torch.setting.blas.id} BLAS; ${torch.setting.torchThreads} torch + ${torch.setting.blasThreads} BLAS thr` : `${torch.threads} thr`})`, s(tMed.generation), s(tMed.scoring), s(tMed.update), s(tMed.total), torch.tokensPerSec!.toFixed(0), '1', '']);
  printTable(`GRPO step, ${c.name} config (median of ${c.steps})`, ['impl / backend', 'generation', 'scoring', 'update', 'step', 'gen tok/s', 'torch/ours', ''], rows, [
    'torch/ours: PyTorch step seconds / ours (< 1: we are slower; the ratio to beat is 1)',
    ...(torch.setting ? [`pytorch: ${settingLabel(torch.setting)} (the sweep's fastest GRPO step)`] : []),
    ...(torch.error ? [`pytorch: ${torch.error}`] : []),
  ]);
  const jsonPath = writeJsonAtomic(ctx.jsonPath, { suite: 'grpo', quick: ctx.quick, config: c, results, torch: { ...torch, setting: torch.setting && settingLabel(torch.setting) }, torchSweep: sweep ? sweepJson(sweep) : undefined });
  return { errors, jsonPath };
}
