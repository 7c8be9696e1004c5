/**
 * `pnpm bench model`: end-to-end training and generation throughput of `LlamaModel` per backend, against
 * PyTorch (`bench/torch_model.py`, when the system Python has torch) and `@genai-fi/nanogpt` (the
 * JavaScript peer, `bench/lib/nanogpt.ts`).
 *
 * Sections:
 * 1. Training tokens/s: forward + backward (`tf.variableGrads` of `model.loss`) + the fused AdamW update of
 *    every variable (`AdamWOptimizer`), warm-up steps then the median of timed steps; peak tfjs memory of a
 *    step (`tf.profile().peakBytes`, which the engine tracks at every tensor allocation) and process RSS.
 * 2. Generation tokens/s at batch 1, greedy: `generate()` with the KV cache (prefill included), and without
 *    it (`useCache: false`: the whole sequence recomputed for every token, over the same number of tokens;
 *    about 10x the cached time at the reference config). Target: the cache wins ≥ 5x.
 * 3. Ratios: ours / PyTorch, ours / nanogpt (tokens/s: > 1 means we are faster).
 *
 * Configurations: `reference` (hidden 256, 6 layers, 8 heads, intermediate 688, vocabulary 8192, seq 256,
 * batch 8) on wasm/tensorflow; `reduced` on cpu and webgpu (the cpu backend is ~100x slower than wasm and
 * webgpu here is Mesa llvmpipe, a software rasteriser); `--quick` uses a tiny config everywhere (< 60 s).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import * as qk from '@quarkmed/tensor-kernels';
import type { BackendChoice, BackendName } from '@quarkmed/tensor-kernels';
import { AdamWOptimizer, LlamaModel, generate, type LlamaConfig } from '@quarkmed/model';
import { BENCH_DIR, writeJsonAtomic } from './lib/json';
import { loadNanoGpt, NanoGptRunner, prepareNanoGptBackend, type NanoGpt } from './lib/nanogpt';
import type { SuiteContext, SuiteOutcome } from './lib/suite';
import { printTable } from './lib/table';
import { liveTensors, mulberry32 } from './lib/tensors';
import { fmtMs, fmtRatio, median } from './lib/timing';

/** One line for `pnpm bench --help`. */
export const description = 'LlamaModel training and generation tokens/s per backend, vs PyTorch and @genai-fi/nanogpt';

/** Python with torch (the pyenv python3 on PATH has none); `QM_BENCH_TORCH_PYTHON` overrides it. */
const TORCH_PYTHON = process.env['QM_BENCH_TORCH_PYTHON'] ?? '/usr/bin/python3';
/** Threads of PyTorch and of the wasm backend. */
const THREADS = 2;
/** The issue's target: cached generation at least this many times faster than uncached. */
const CACHE_TARGET = 5;
const LR = 1e-3;
const SEED = 1234;

/** A benchmark configuration: the model, the training batch and the generation lengths. */
export interface BenchConfig {
  name: string;
  model: Omit<LlamaConfig, 'maxSeqLen'>;
  /** Training sequence length and batch size. */
  seq: number;
  batch: number;
  /** Training steps: un-timed warm-up, then timed (the median is reported). */
  warmup: number;
  steps: number;
  /**
   * Generation at batch 1: prompt length, new tokens with the cache, and tokens timed without it (all of
   * them: the uncached cost per token grows with the length, so timing fewer would flatter the cache less).
   */
  promptLen: number;
  newTokens: number;
  uncachedTokens: number;
}

/** The configurations (see the file comment). */
export const CONFIGS: Record<'reference' | 'reduced' | 'quick', BenchConfig> = {
  reference: {
    name: 'reference',
    model: { vocabSize: 8192, hiddenSize: 256, numLayers: 6, numHeads: 8, numKvHeads: 8, intermediateSize: 688 },
    seq: 256,
    batch: 8,
    warmup: 2,
    steps: 5,
    promptLen: 8,
    newTokens: 256,
    uncachedTokens: 256,
  },
  reduced: {
    name: 'reduced',
    model: { vocabSize: 2048, hiddenSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 4, intermediateSize: 344 },
    seq: 128,
    batch: 2,
    warmup: 1,
    steps: 3,
    promptLen: 8,
    newTokens: 64,
    uncachedTokens: 64,
  },
  quick: {
    name: 'quick',
    model: { vocabSize: 512, hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 176 },
    seq: 32,
    batch: 2,
    warmup: 1,
    steps: 2,
    promptLen: 4,
    newTokens: 24,
    uncachedTokens: 24,
  },
};

/** The configuration a backend runs (see the file comment). */
export function configFor(backend: string, quick: boolean): BenchConfig {
  if (quick) return CONFIGS.quick;
  return backend === 'cpu' || backend === 'webgpu' ? CONFIGS.reduced : CONFIGS.reference;
}

function describeConfig(c: BenchConfig): string {
  const m = c.model;
  return `hidden ${m.hiddenSize}, ${m.numLayers} layers, ${m.numHeads} heads (kv ${m.numKvHeads}), intermediate ${m.intermediateSize}, vocab ${m.vocabSize}; train batch ${c.batch} x seq ${c.seq}; generate ${c.newTokens} tokens after a ${c.promptLen}-token prompt`;
}

/** Longest sequence of a config (training or prompt + generation). */
function maxLen(c: BenchConfig): number {
  return Math.max(c.seq, c.promptLen + c.newTokens);
}

// ------------------------------------------------------------------------------------------------ results

interface TrainResult {
  stepMs: number[];
  medianMs: number;
  tokensPerSec: number;
  /** Loss of the first and the last step (it should fall: the same batch every step). */
  lossFirst: number;
  lossLast: number;
  /** tf.memory() peak during a profiled step, and bytes held by the model + optimizer between steps. */
  peakBytes?: number;
  heldBytes?: number;
  rssBytes: number;
}

interface GenResult {
  cached: { newTokens: number; ms: number; tokensPerSec: number };
  uncached?: { newTokens: number; ms: number; tokensPerSec: number };
  /** cached tokens/s over uncached tokens/s. */
  speedup?: number;
  /** The uncached tokens equal the first cached ones (greedy). */
  tokensMatch?: boolean;
}

interface ImplResult {
  impl: 'quarkmed' | 'nanogpt';
  backend: string;
  label: string;
  config: string;
  params?: number;
  train?: TrainResult;
  generate?: GenResult;
  skipped?: string;
  error?: string;
  leaked?: number;
}

interface TorchRun {
  torch?: string;
  threads?: number;
  blas?: string;
  sdpa?: boolean;
  params?: number;
  train?: { stepMs: number[]; medianMs: number; tokensPerSec: number; loss: number };
  generate?: { newTokens: number; ms: number; tokensPerSec: number };
  peakRssBytes?: number;
  error?: string;
}

// ----------------------------------------------------------------------------------------------- helpers

function errText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function progress(text: string): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r\x1b[K${text}`);
}

/** Seeded token ids `[rows, cols]` in `[0, vocab)`. */
function seededIds(rows: number, cols: number, vocab: number, seed: number): number[][] {
  const rnd = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.floor(rnd() * vocab)));
}

/** Inputs `[B, T]` and next-token labels for `LlamaModel.loss` (which shifts the labels itself). */
function trainingBatch(c: BenchConfig): { ids: number[][]; shifted: number[][] } {
  const ids = seededIds(c.batch, c.seq + 1, c.model.vocabSize, SEED + 1);
  return { ids: ids.map((r) => r.slice(0, c.seq)), shifted: ids.map((r) => r.slice(1)) };
}

function fmtBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(0)} KiB`;
}

function fmtRate(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** A ratio as `2.34x`, with two significant digits below 0.1 (`0.0021x`). */
function fmtX(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '-';
  return r >= 0.1 ? fmtRatio(r) : `${r.toPrecision(2)}x`;
}

function fmtParams(n: number | undefined): string {
  return n === undefined ? '-' : `${(n / 1e6).toFixed(2)}M`;
}

/**
 * Runs a training loop: `warmup` un-timed steps, one profiled step (peak tfjs bytes), `steps` timed steps.
 * `step` returns the loss scalar (the step's work is complete once its value is read).
 */
async function timeTraining(c: BenchConfig, step: () => tf.Scalar): Promise<TrainResult> {
  const losses: number[] = [];
  const run = async (): Promise<number> => {
    const t0 = performance.now();
    const loss = step();
    losses.push((await loss.data())[0]!);
    loss.dispose();
    return performance.now() - t0;
  };
  for (let i = 0; i < c.warmup; i++) await run();
  const heldBytes = tf.memory().numBytes;
  let peakBytes: number | undefined;
  try {
    const info = await tf.profile(async () => {
      const loss = step();
      losses.push((await loss.data())[0]!);
      loss.dispose();
    });
    peakBytes = info.peakBytes;
  } catch {
    // tf.profile is unsupported by some backends' timers; the peak is then not reported.
  }
  const stepMs: number[] = [];
  for (let i = 0; i < c.steps; i++) stepMs.push(await run());
  const med = median(stepMs);
  return {
    stepMs,
    medianMs: med,
    tokensPerSec: (c.batch * c.seq) / (med / 1000),
    lossFirst: losses[0]!,
    lossLast: losses[losses.length - 1]!,
    peakBytes,
    heldBytes,
    rssBytes: process.memoryUsage().rss,
  };
}

// ------------------------------------------------------------------------------------------------- ours

async function benchOurs(backend: string, label: string, c: BenchConfig): Promise<ImplResult> {
  const res: ImplResult = { impl: 'quarkmed', backend, label, config: c.name };
  const before = liveTensors();
  let model: LlamaModel | undefined;
  let opt: AdamWOptimizer | undefined;
  const held: tf.Tensor[] = [];
  try {
    model = new LlamaModel({ ...c.model, maxSeqLen: maxLen(c) }, { seed: SEED });
    res.params = model.parameterCount();
    opt = new AdamWOptimizer(model.weights, { weightDecay: 0.01 });
    // model.loss shifts the labels itself (Hugging Face convention): the labels are the inputs.
    const inputs = tf.tensor2d(trainingBatch(c).ids, [c.batch, c.seq], 'int32');
    held.push(inputs);
    const m = model;
    const o = opt;
    progress(`quarkmed: training on ${backend}...`);
    res.train = await timeTraining(c, () => {
      // Not inside tf.tidy: the optimizer keeps its new moments across steps (variableGrads frees the rest).
      const { value, grads } = tf.variableGrads(() => m.loss(inputs, inputs).loss, m.variables());
      o.apply(grads, LR);
      tf.dispose(Object.values(grads));
      return value;
    });
    opt.dispose();
    opt = undefined;

    progress(`quarkmed: generating on ${backend}...`);
    const prompt = seededIds(1, c.promptLen, c.model.vocabSize, SEED + 2)[0]!;
    const gen = (n: number, useCache: boolean) => generate(m, [prompt], { maxNewTokens: n, stopIds: [], useCache });
    await gen(Math.min(4, c.newTokens), true); // warm-up (kernel compilation on webgpu, wasm buffers)
    let t0 = performance.now();
    const cached = (await gen(c.newTokens, true))[0]!;
    const cachedMs = performance.now() - t0;
    res.generate = { cached: { newTokens: cached.tokenIds.length, ms: cachedMs, tokensPerSec: cached.tokenIds.length / (cachedMs / 1000) } };
    await gen(2, false); // warm-up of the uncached shapes
    t0 = performance.now();
    const uncached = (await gen(c.uncachedTokens, false))[0]!;
    const uncachedMs = performance.now() - t0;
    res.generate.uncached = { newTokens: uncached.tokenIds.length, ms: uncachedMs, tokensPerSec: uncached.tokenIds.length / (uncachedMs / 1000) };
    res.generate.speedup = res.generate.cached.tokensPerSec / res.generate.uncached.tokensPerSec;
    res.generate.tokensMatch = uncached.tokenIds.every((t, i) => t === cached.tokenIds[i]);
  } catch (error) {
    res.error = errText(error);
  } finally {
    progress('');
    opt?.dispose();
    model?.dispose();
    tf.dispose(held);
    res.leaked = liveTensors() - before;
  }
  return res;
}

// ---------------------------------------------------------------------------------------------- nanogpt

/** nanogpt's v2 model closest to a config: same width, depth, heads, vocabulary; relu² MLP of the same size. */
function nanoConfig(c: BenchConfig) {
  const m = c.model;
  return {
    vocabSize: m.vocabSize,
    blockSize: maxLen(c),
    nLayer: m.numLayers,
    nHead: m.numHeads,
    nEmbed: m.hiddenSize,
    // SwiGLU has 3 matrices of d x f, relu² 2 of d x (factor d): factor = 3f / 2d matches the parameters.
    mlpFactor: Math.max(1, Math.round((3 * m.intermediateSize) / (2 * m.hiddenSize))),
  };
}

async function benchNanoGpt(lib: NanoGpt | { why: string }, backend: string, label: string, c: BenchConfig): Promise<ImplResult> {
  const res: ImplResult = { impl: 'nanogpt', backend, label, config: c.name };
  if ('why' in lib) return { ...res, skipped: lib.why };
  const why = prepareNanoGptBackend(backend);
  if (why) return { ...res, skipped: why };
  const before = liveTensors();
  let runner: NanoGptRunner | undefined;
  const held: tf.Tensor[] = [];
  try {
    runner = new NanoGptRunner(lib, nanoConfig(c));
    res.params = runner.parameterCount();
    const { ids, shifted } = trainingBatch(c);
    const inputs = tf.tensor2d(ids, [c.batch, c.seq], 'int32');
    const labels = tf.tensor2d(shifted, [c.batch, c.seq], 'int32');
    held.push(inputs, labels);
    const r = runner;
    progress(`nanogpt: training on ${backend}...`);
    res.train = await timeTraining(c, () => r.trainStep(inputs, labels));
    progress(`nanogpt: generating on ${backend}...`);
    const prompt = seededIds(1, c.promptLen, c.model.vocabSize, SEED + 2)[0]!;
    await r.generate(prompt, Math.min(4, c.newTokens));
    const t0 = performance.now();
    const out = await r.generate(prompt, c.newTokens);
    const ms = performance.now() - t0;
    res.generate = { cached: { newTokens: out.length, ms, tokensPerSec: out.length / (ms / 1000) } };
  } catch (error) {
    res.error = errText(error);
  } finally {
    progress('');
    runner?.dispose();
    tf.dispose(held);
    res.leaked = liveTensors() - before;
  }
  return res;
}

// ------------------------------------------------------------------------------------------------ torch

function torchAvailable(): { ok: boolean; why: string } {
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, why: `${TORCH_PYTHON} not runnable (${r.error.message})` };
  if (r.status !== 0) return { ok: false, why: `${TORCH_PYTHON} cannot import torch` };
  return { ok: true, why: '' };
}

function runTorch(c: BenchConfig): TorchRun {
  const spec = {
    threads: THREADS,
    seed: SEED,
    config: c.model,
    batch: c.batch,
    seqLen: c.seq,
    trainWarmup: c.warmup,
    trainSteps: c.steps,
    promptLen: c.promptLen,
    newTokens: c.newTokens,
    genWarmup: 1,
    genRuns: 1,
  };
  const r = spawnSync(TORCH_PYTHON, [join(BENCH_DIR, 'torch_model.py')], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    timeout: 20 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    return { error: `torch_model.py failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  }
  try {
    return JSON.parse(r.stdout) as TorchRun;
  } catch (error) {
    return { error: `torch_model.py printed no JSON (${errText(error)})` };
  }
}

// ------------------------------------------------------------------------------------------------ suite

function labelOf(choice: BackendChoice): string {
  if (choice.name === 'wasm') return `wasm (${choice.threads ?? 1} thr${choice.simd === false ? '' : ', SIMD'})`;
  if (choice.name === 'webgpu' && choice.adapter) {
    const a = choice.adapter;
    const text = [a.vendor, a.architecture, a.device, a.description].join(' ');
    if (a.software) return /llvmpipe/i.test(text) ? 'webgpu (llvmpipe, software)' : 'webgpu (software adapter)';
    return `webgpu (${a.description || a.device || a.vendor || 'hardware'})`;
  }
  return choice.name;
}

/** Runs the model suite (see the file comment). */
export async function run(ctx: SuiteContext): Promise<SuiteOutcome> {
  console.log(`host: node ${process.version}, ${cpus().length} CPU cores, tfjs-core ${tf.version_core}`);
  const used = [...new Set(ctx.backends.map((b) => configFor(b, ctx.quick)))];
  for (const c of used) console.log(`config ${c.name}: ${describeConfig(c)}`);
  console.log(
    `backends: ${ctx.backends.map((b) => `${b} -> ${configFor(b, ctx.quick).name}`).join(', ')}${ctx.quick ? '' : ' (cpu and webgpu/llvmpipe run the reduced config: ~100x slower than wasm)'}\n`,
  );

  // tfjs warns once per kernel when nanogpt's bundled tfjs and ours register the same stock kernels.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/already registered|Reusing existing backend factory/.test(String(args[0]))) warn(...args);
  };
  try {
    return await runSuite(ctx);
  } finally {
    console.warn = warn;
  }
}

async function runSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const startedAt = new Date().toISOString();
  const used = [...new Set(ctx.backends.map((b) => configFor(b, ctx.quick)))];
  // nanogpt first: its bundled tfjs re-registers stock kernels, ours must be registered after it.
  const nano = await loadNanoGpt();
  if ('why' in nano) console.log(`nanogpt: ${nano.why}`);

  const results: ImplResult[] = [];
  const statuses: { name: string; label: string; started: boolean; reason: string }[] = [];
  let errors = 0;
  for (const name of ctx.backends) {
    let choice: BackendChoice;
    try {
      choice = await qk.initBackend(name as BackendName, { threads: THREADS, log: false });
    } catch (error) {
      const why = error instanceof qk.BackendUnavailableError ? error.reason : errText(error);
      console.log(`backend ${name}: not started (${why}); skipping it`);
      statuses.push({ name, label: name, started: false, reason: why });
      continue;
    }
    const label = labelOf(choice);
    statuses.push({ name, label, started: true, reason: choice.reason });
    console.log(`backend ${label}: ${choice.reason}`);
    const c = configFor(name, ctx.quick);
    for (const r of [await benchOurs(name, label, c), await benchNanoGpt(nano, name, label, c)]) {
      if (r.error) {
        errors++;
        console.log(`  ${r.impl} on ${name}: ERROR ${r.error}`);
      }
      if (r.leaked) console.log(`  ${r.impl} on ${name}: ${r.leaked} tensors left alive`);
      results.push(r);
    }
  }
  console.log('');

  const torch = new Map<string, TorchRun>();
  const avail = torchAvailable();
  if (avail.ok) {
    for (const c of used) {
      progress(`PyTorch: ${c.name} config...`);
      torch.set(c.name, runTorch(c));
      progress('');
      const t = torch.get(c.name)!;
      if (t.error) console.log(`PyTorch (${c.name}): ${t.error}`);
    }
  } else {
    console.log(`PyTorch: skipped (${avail.why})`);
  }

  printResults(results, torch, ctx.quick);

  // Leaks of our model are errors; nanogpt's are reported only.
  const ourLeaks = results.filter((r) => r.impl === 'quarkmed' && (r.leaked ?? 0) !== 0).length;
  const targets = results
    .filter((r) => !ctx.quick && r.impl === 'quarkmed' && r.generate?.speedup !== undefined)
    .map((r) => ({ backend: r.backend, config: r.config, speedup: r.generate!.speedup!, pass: r.generate!.speedup! >= CACHE_TARGET }));
  const json = {
    suite: 'model',
    startedAt,
    finishedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    quick: ctx.quick,
    host: { node: process.version, cpus: cpus().length, platform: process.platform, tfjsCore: tf.version_core },
    configs: Object.fromEntries(used.map((c) => [c.name, c])),
    backends: statuses,
    results,
    torch: avail.ok ? Object.fromEntries(torch) : { skipped: avail.why },
    nanogpt: 'why' in nano ? { skipped: nano.why } : { version: nano.version },
    targets,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  const jsonPath = writeJsonAtomic(ctx.jsonPath, json);
  return { errors: errors + ourLeaks, jsonPath };
}

function printResults(results: ImplResult[], torch: Map<string, TorchRun>, quick: boolean): void {
  const torchRow = (config: string) => torch.get(config);
  const trainRows: string[][] = [];
  for (const r of results) {
    const t = r.train;
    const tr = torchRow(r.config)?.train;
    const ours = results.find((o) => o.impl === 'quarkmed' && o.backend === r.backend);
    trainRows.push([
      r.impl,
      r.label,
      r.config,
      fmtParams(r.params),
      t ? fmtMs(t.medianMs) : r.skipped ? 'skipped' : 'ERROR',
      fmtRate(t?.tokensPerSec),
      t ? `${t.lossFirst.toFixed(3)}→${t.lossLast.toFixed(3)}` : '-',
      fmtBytes(t?.peakBytes),
      fmtBytes(t?.rssBytes),
      tr && t ? fmtX(t.tokensPerSec / tr.tokensPerSec) : '-',
      r.impl === 'nanogpt' && t && ours?.train ? fmtX(ours.train.tokensPerSec / t.tokensPerSec) : '',
    ]);
  }
  for (const [name, t] of torch) {
    if (!t.train) continue;
    trainRows.push([
      'pytorch',
      `torch ${t.torch} cpu (${t.threads} thr)`,
      name,
      fmtParams(t.params),
      fmtMs(t.train.medianMs),
      fmtRate(t.train.tokensPerSec),
      `→${t.train.loss.toFixed(3)}`,
      '-',
      fmtBytes(t.peakRssBytes),
      '1.00x',
      '',
    ]);
  }
  const notes = [
    'step = forward + backward + AdamW update of every parameter; tokens/s = batch x seq / median step time',
    'peak tf: tf.memory() bytes at the peak of one profiled step (weights + AdamW moments + activations + gradients); RSS: process RSS after the steps (pytorch: its peak RSS)',
    'vs torch: our tokens/s / PyTorch tokens/s on the same config (> 1: faster than torch)',
    'ours/nanogpt: our tokens/s / nanogpt tokens/s on the same backend and config (> 1: we are faster)',
  ];
  const skipped = results.filter((r) => r.skipped).map((r) => `${r.impl} on ${r.backend}: ${r.skipped}`);
  notes.push(...skipped);
  if (results.some((r) => r.impl === 'nanogpt' && r.train)) {
    notes.push(
      'nanogpt: its GenAI_NanoGPT_v2 (RoPE, gamma-less RMSNorm, QK-norm, relu² MLP sized to match, tied embeddings: fewer parameters, same FLOPs); its cpu kernels registered for wasm (bench/lib/nanogpt.ts)',
    );
  }
  printTable('1. training (float32)', [
    { header: 'impl', align: 'left' },
    { header: 'backend', align: 'left' },
    { header: 'config', align: 'left' },
    'params',
    'step ms',
    'tokens/s',
    'loss',
    'peak tf',
    'RSS',
    'vs torch',
    'ours/nanogpt',
  ], trainRows, notes);

  const genRows: string[][] = [];
  for (const r of results) {
    const g = r.generate;
    const tg = torchRow(r.config)?.generate;
    const ours = results.find((o) => o.impl === 'quarkmed' && o.backend === r.backend);
    genRows.push([
      r.impl,
      r.label,
      r.config,
      g ? `${fmtRate(g.cached.tokensPerSec)} (${g.cached.newTokens})` : r.skipped ? 'skipped' : 'ERROR',
      g?.uncached ? `${fmtRate(g.uncached.tokensPerSec)} (${g.uncached.newTokens})` : '-',
      fmtX(g?.speedup),
      g?.speedup === undefined ? '' : quick ? 'n/a' : g.speedup >= CACHE_TARGET ? 'PASS' : 'FAIL',
      g?.tokensMatch === undefined ? '' : g.tokensMatch ? 'yes' : 'NO',
      tg && g ? fmtX(g.cached.tokensPerSec / tg.tokensPerSec) : '-',
      r.impl === 'nanogpt' && g && ours?.generate ? fmtX(ours.generate.cached.tokensPerSec / g.cached.tokensPerSec) : '',
    ]);
  }
  for (const [name, t] of torch) {
    if (!t.generate) continue;
    genRows.push(['pytorch', `torch ${t.torch} cpu (${t.threads} thr)`, name, `${fmtRate(t.generate.tokensPerSec)} (${t.generate.newTokens})`, '-', '-', '', '', '1.00x', '']);
  }
  printTable('2. generation, batch 1, greedy', [
    { header: 'impl', align: 'left' },
    { header: 'backend', align: 'left' },
    { header: 'config', align: 'left' },
    'KV cache tok/s (n)',
    'no cache tok/s (n)',
    'cache speed-up',
    `>= ${CACHE_TARGET}x`,
    'same tokens',
    'vs torch',
    'ours/nanogpt',
  ], genRows, [
    'KV cache: prompt prefill + n new tokens, tokens/s = n / total time (one run after a short warm-up)',
    'no cache: generate(useCache: false), the whole sequence recomputed for each of the n tokens (when n is below the cached n, only the first n tokens are timed and the speed-up understates the cache\'s advantage)',
    'same tokens: the uncached greedy tokens equal the first cached ones',
    `target (issue): the cache speeds generation up >= ${CACHE_TARGET}x${quick ? ' (not judged with --quick: its sequences are too short for the target to mean anything)' : ''}`,
    'pytorch: torch.no_grad() greedy decoding with a KV cache (bench/torch_model.py)',
  ]);
}
