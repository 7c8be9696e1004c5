/**
 * The measurements of `pnpm bench model` on the tfjs side: the configurations, the training loop timing and
 * the run of our `LlamaModel` (training tokens/s, KV-cache and uncached generation tokens/s), shared by the
 * suite (`bench/model.ts`, which also runs nanogpt with {@link timeTraining}) and the child process that
 * measures our model one backend at a time (`bench/lib/model-worker.ts`).
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { AdamWOptimizer, LlamaModel, generate, type LlamaConfig } from '@quarkmed/model';
import { profileKernels, type KernelProfile } from './kernel-profile';
import { liveTensors, mulberry32 } from './tensors';
import { median } from './timing';

/** Threads of PyTorch's as-installed setting and of the wasm and native backends. */
export const THREADS = 2;
export const LR = 1e-3;
export const SEED = 1234;
/** Timed runs of cached generation, ours and PyTorch's (the best is reported), after one full warm-up run. */
export const GEN_RUNS = 3;

/** Tokens generated in the profiled generation run. */
const PROFILE_GEN_TOKENS = 32;

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

/** The configurations (see `bench/model.ts`). */
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

/** The configuration a backend runs: cpu and webgpu (Mesa llvmpipe here) the reduced one, `--quick` the tiny one. */
export function configFor(backend: string, quick: boolean): BenchConfig {
  if (quick) return CONFIGS.quick;
  return backend === 'cpu' || backend === 'webgpu' ? CONFIGS.reduced : CONFIGS.reference;
}

/** One line describing a configuration. */
export function describeConfig(c: BenchConfig): string {
  const m = c.model;
  return `hidden ${m.hiddenSize}, ${m.numLayers} layers, ${m.numHeads} heads (kv ${m.numKvHeads}), intermediate ${m.intermediateSize}, vocab ${m.vocabSize}; train batch ${c.batch} x seq ${c.seq}; generate ${c.newTokens} tokens after a ${c.promptLen}-token prompt`;
}

/** Longest sequence of a config (training or prompt + generation). */
export function maxLen(c: BenchConfig): number {
  return Math.max(c.seq, c.promptLen + c.newTokens);
}

/** Training results of one implementation on one backend. */
export interface TrainResult {
  stepMs: number[];
  medianMs: number;
  tokensPerSec: number;
  /** Loss of the first and the last step (it should fall: the same batch every step). */
  lossFirst: number;
  lossLast: number;
  /** tf.memory() peak during a profiled step, and bytes held by the model + optimizer between steps. */
  peakBytes?: number;
  heldBytes?: number;
  /** Process RSS after the steps. */
  rssBytes: number;
}

/** Generation results at batch 1. */
export interface GenResult {
  cached: { newTokens: number; ms: number; tokensPerSec: number };
  uncached?: { newTokens: number; ms: number; tokensPerSec: number };
  /** cached tokens/s over uncached tokens/s. */
  speedup?: number;
  /** The uncached tokens equal the first cached ones (greedy). */
  tokensMatch?: boolean;
}

/** One implementation on one backend. */
export interface ImplResult {
  impl: 'quarkmed' | 'nanogpt';
  backend: string;
  label: string;
  config: string;
  params?: number;
  train?: TrainResult;
  generate?: GenResult;
  /** Peak RSS of the process that measured it (ours: a child process of its own; see model-worker.ts). */
  peakRssBytes?: number;
  /** Per-kernel self times of one training step and of one KV-cache generation (when asked for). */
  profile?: { train?: KernelProfile; generate?: KernelProfile & { newTokens: number } };
  skipped?: string;
  error?: string;
  leaked?: number;
}

function errText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** A transient status line on an interactive stderr. */
export function progress(text: string): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r\x1b[K${text}`);
}

/** Seeded token ids `[rows, cols]` in `[0, vocab)`. */
export function seededIds(rows: number, cols: number, vocab: number, seed: number): number[][] {
  const rnd = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.floor(rnd() * vocab)));
}

/** Inputs `[B, T]` and next-token labels (the inputs shifted by one). */
export function trainingBatch(c: BenchConfig): { ids: number[][]; shifted: number[][] } {
  const ids = seededIds(c.batch, c.seq + 1, c.model.vocabSize, SEED + 1);
  return { ids: ids.map((r) => r.slice(0, c.seq)), shifted: ids.map((r) => r.slice(1)) };
}

/**
 * Runs a training loop: `warmup` un-timed steps, one profiled step (peak tfjs bytes), `steps` timed steps.
 * `step` returns the loss scalar (the step's work is complete once its value is read).
 */
export async function timeTraining(c: BenchConfig, step: () => tf.Scalar): Promise<TrainResult> {
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

/**
 * Our `LlamaModel` on the active backend: training (forward + backward + fused AdamW), then greedy generation
 * at batch 1 with and without the KV cache. With `profile`, one more training step and one generation of
 * {@link PROFILE_GEN_TOKENS} tokens run with every kernel timed (`kernel-profile.ts`), after the timed runs.
 */
export async function benchOurs(backend: string, label: string, c: BenchConfig, profile: boolean): Promise<ImplResult> {
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
    const step = (): tf.Scalar => {
      // Not inside tf.tidy: the optimizer keeps its new moments across steps (variableGrads frees the rest).
      const { value, grads } = tf.variableGrads(() => m.loss(inputs, inputs).loss, m.variables());
      o.apply(grads, LR);
      tf.dispose(Object.values(grads));
      return value;
    };
    progress(`quarkmed: training on ${backend}...`);
    res.train = await timeTraining(c, step);
    if (profile) {
      progress(`quarkmed: profiling a training step on ${backend}...`);
      res.profile = {
        train: await profileKernels(tf.getBackend(), async () => {
          const loss = step();
          await loss.data();
          loss.dispose();
        }),
      };
    }
    opt.dispose();
    opt = undefined;

    progress(`quarkmed: generating on ${backend}...`);
    const prompt = seededIds(1, c.promptLen, c.model.vocabSize, SEED + 2)[0]!;
    const gen = (n: number, useCache: boolean) => generate(m, [prompt], { maxNewTokens: n, stopIds: [], useCache });
    // Same protocol as bench/torch_model.py: one full un-timed run (JIT, kernel compilation on webgpu, buffers),
    // then the best of GEN_RUNS timed runs.
    let cachedMs = Infinity;
    let cached = (await gen(c.newTokens, true))[0]!; // the warm-up's tokens, replaced by each timed run's
    for (let r = 0; r < GEN_RUNS; r++) {
      const t = performance.now();
      cached = (await gen(c.newTokens, true))[0]!;
      cachedMs = Math.min(cachedMs, performance.now() - t);
    }
    res.generate = { cached: { newTokens: cached.tokenIds.length, ms: cachedMs, tokensPerSec: cached.tokenIds.length / (cachedMs / 1000) } };
    await gen(2, false); // warm-up of the uncached shapes
    const t0 = performance.now();
    const uncached = (await gen(c.uncachedTokens, false))[0]!;
    const uncachedMs = performance.now() - t0;
    res.generate.uncached = { newTokens: uncached.tokenIds.length, ms: uncachedMs, tokensPerSec: uncached.tokenIds.length / (uncachedMs / 1000) };
    res.generate.speedup = res.generate.cached.tokensPerSec / res.generate.uncached.tokensPerSec;
    res.generate.tokensMatch = uncached.tokenIds.every((t, i) => t === cached.tokenIds[i]);
    if (profile) {
      progress(`quarkmed: profiling generation on ${backend}...`);
      const n = Math.min(PROFILE_GEN_TOKENS, c.newTokens);
      const p = await profileKernels(tf.getBackend(), async () => {
        await gen(n, true);
      });
      res.profile = { ...res.profile, generate: { ...p, newTokens: n } };
    }
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
