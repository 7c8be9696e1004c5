/**
 * `@genai-fi/nanogpt` (a tfjs GPT library, root devDependency) as the JavaScript peer of `pnpm bench model`.
 *
 * What it takes to run it in Node on the bench's tfjs engine:
 * - Its `dist/` bundles its own copy of tfjs 4.22 (core, cpu and webgl backends). tfjs keeps the engine,
 *   the kernel and gradient registries and the environment in globals, so the bundled copy shares them with
 *   our `@tensorflow/tfjs-core`: same engine, same backend instance, same tensors.
 * - The bundle is a browser build: with `IS_NODE` it would construct tfjs' Node platform from an empty
 *   `util` stub and throw. {@link loadNanoGpt} sets `IS_NODE` false while importing it and restores it.
 * - Its custom kernels exist for cpu, webgl and webgpu only. Its cpu kernels are compositions of tfjs ops
 *   (no backend-specific code), so {@link prepareNanoGptBackend} registers those same functions for wasm.
 * - Two gaps on cpu (and so wasm) are filled, at the same cost as the library's own composites:
 *   `RMSNormNoGamma` (used by its v2 model; only webgl/webgpu have it) and `RMSNormGrad` without gamma.
 * - Its cpu `AttentionMask` ignores `pastLen`, so KV-cached decoding attends to the wrong keys on cpu; it is
 *   replaced (cpu and wasm) by the same computation with the rows of the mask offset by `pastLen`.
 * - Its webgpu kernels need its own bundled webgpu backend (`selectBackend('webgpu')`), not the one
 *   `@quarkmed/tensor-kernels` starts, so nanogpt is not run on webgpu here.
 *
 * Importing the bundle re-registers tfjs-backend-cpu 4.22's stock kernels (the same code as ours); import it
 * before `initBackend` so our registrations (fused kernels, overrides) come last.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

/** The subset of the library's API the bench uses (its own types pull in tfjs-data etc.). */
interface NanoGptModel {
  forward(attrs: Record<string, unknown>, idx: tf.Tensor): tf.Tensor;
  weightStore: { variables: tf.Variable[]; trainableVariables: tf.Variable[] };
  dispose(): void;
}
interface NanoGptOptimizer {
  applyGradients(grads: Record<string, tf.Tensor>): tf.Tensor;
  dispose(): void;
}
interface NanoGptModule {
  models: { NanoGPTV2: new (config: Record<string, unknown>) => NanoGptModel };
  training: { AdamWOptimizer: new (config: Record<string, unknown>) => NanoGptOptimizer };
}
type LossFn = (logits: tf.Tensor, targets: tf.Tensor, masked?: boolean, keepBatch?: boolean, labelSmoothing?: number) => tf.Scalar;

/** The loaded library: its module, its loss function and version. */
export interface NanoGpt {
  version: string;
  mod: NanoGptModule;
  calculateLoss: LossFn;
}

/** Config of {@link NanoGptRunner}: nanogpt's `GenAI_NanoGPT_v2` (RoPE, RMSNorm, relu² MLP, QK-norm, tied embeddings). */
export interface NanoGptConfig {
  vocabSize: number;
  /** Longest sequence (its KV cache is a fixed buffer of this length). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbed: number;
  /** MLP hidden size = mlpFactor · nEmbed. */
  mlpFactor: number;
}

let loaded: Promise<NanoGpt | { why: string }> | undefined;

/**
 * Imports `@genai-fi/nanogpt` once (see the file comment for the `IS_NODE` work-around). Resolves to the
 * library or to `{why}` when it cannot be loaded; never rejects.
 */
export function loadNanoGpt(): Promise<NanoGpt | { why: string }> {
  loaded ??= (async () => {
    const env = tf.env();
    const wasNode = env.getBool('IS_NODE');
    const warn = console.warn;
    try {
      const require = createRequire(import.meta.url);
      const main = require.resolve('@genai-fi/nanogpt');
      const dist = dirname(main);
      const pkg = require(join(dist, '..', 'package.json')) as { version: string };
      env.set('IS_NODE', false);
      // The bundle's tfjs re-registers backends and kernels that exist already: one warning each.
      console.warn = (...args: unknown[]) => {
        if (!/already registered|Reusing existing backend factory/.test(String(args[0]))) warn(...args);
      };
      const mod = (await import(pathToFileURL(main).href)) as NanoGptModule;
      const lossMod = (await import(pathToFileURL(join(dist, 'training', 'loss.js')).href)) as { calculateLoss: LossFn };
      // Some cpu kernels are registered only when the op using them is first imported: import every file
      // of dist/ops and dist/ops/cpu that registers one.
      const names = new Set<string>();
      for (const dir of [join(dist, 'ops'), join(dist, 'ops', 'cpu')]) {
        for (const f of readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) {
          const file = join(dir, f);
          const found = [...readFileSync(file, 'utf8').matchAll(/kernelName:\s*"(\w+)",\s*backendName:\s*"cpu"/g)].map((m) => m[1]!);
          if (found.length === 0) continue;
          await import(pathToFileURL(file).href);
          for (const n of found) names.add(n);
        }
      }
      cpuKernelNames = [...names].sort();
      return { version: pkg.version, mod, calculateLoss: lossMod.calculateLoss };
    } catch (error) {
      return { why: `cannot import @genai-fi/nanogpt: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
    } finally {
      env.set('IS_NODE', wasNode);
      console.warn = warn;
    }
  })();
  return loaded;
}

/**
 * nanogpt's custom cpu kernels (the `kernelName`s its `dist/ops/{,cpu/}*.js` register, read by {@link loadNanoGpt});
 * all are compositions of tfjs ops, so the same functions serve wasm.
 */
let cpuKernelNames: string[] = [];

const prepared = new Set<string>();
let originalRmsGrad: tf.KernelConfig | undefined;

function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/** Causal mask scores with the query rows starting at `pastLen` (nanogpt's cpu kernel, with that fixed). */
function attentionMaskKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: 'AttentionMask',
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const q = inputs['q'] as tf.Tensor4D;
      const k = inputs['k'] as tf.Tensor4D;
      const divisor = (attrs as { divisor: number }).divisor;
      const pastLen = (attrs as { pastLen?: number }).pastLen ?? 0;
      return tf.tidy(() => {
        const tq = q.shape[2];
        const tk = k.shape[2];
        const keep = tf.cast(tf.linalg.bandPart(tf.ones([tk, tk]), -1, 0), 'bool');
        const mask = tf.where(keep, tf.zeros([tk, tk]), tf.fill([tk, tk], -Infinity));
        const rows = tf.slice(mask, [pastLen, 0], [tq, tk]);
        const scores = tf.mul(tf.matMul(q, k, false, true), tf.scalar(divisor));
        return tf.add(scores, tf.reshape(rows, [1, 1, tq, tk]));
      });
    },
  };
}

/**
 * Registers what nanogpt needs on `backend` (see the file comment). Returns undefined when nanogpt can
 * run there, else why not.
 */
export function prepareNanoGptBackend(backend: string): string | undefined {
  if (backend !== 'cpu' && backend !== 'wasm') {
    return `nanogpt's ${backend} kernels need its own bundled ${backend} backend, not the one @quarkmed/tensor-kernels starts`;
  }
  if (prepared.has(backend)) return undefined;
  for (const name of ['RMSNorm', 'RMSNormGrad', 'AttentionMask', 'QKV', 'Rope', 'AdamMoments', 'AdamAdjust']) {
    if (!cpuKernelNames.includes(name) || !tf.getKernel(name, 'cpu')) return `nanogpt registered no cpu kernel ${name}`;
  }
  if (backend !== 'cpu') {
    for (const name of cpuKernelNames) replaceKernel({ ...tf.getKernel(name, 'cpu')!, backendName: backend });
  }
  replaceKernel({
    kernelName: 'RMSNormNoGamma',
    backendName: backend,
    kernelFunc: ({ inputs }) =>
      tf.tidy(() => {
        const x = inputs['x'] as tf.Tensor;
        return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8)));
      }),
  });
  // nanogpt's own cpu kernel, captured before the first replacement (which may be the cpu one).
  originalRmsGrad ??= tf.getKernel('RMSNormGrad', 'cpu')!;
  const rmsGrad = originalRmsGrad;
  replaceKernel({
    kernelName: 'RMSNormGrad',
    backendName: backend,
    kernelFunc: (args) => {
      if (args.inputs['gamma'] !== undefined) return rmsGrad.kernelFunc(args);
      const x = args.inputs['x'] as tf.Tensor;
      return tf.tidy(() => {
        const ones = tf.ones([x.shape[x.rank - 1]!]);
        const [dx, dGamma] = rmsGrad.kernelFunc({ ...args, inputs: { ...args.inputs, gamma: ones } }) as tf.Tensor[];
        dGamma!.dispose();
        return [dx!];
      }) as unknown as tf.TensorInfo[];
    },
  });
  replaceKernel(attentionMaskKernel(backend));
  prepared.add(backend);
  return undefined;
}

/** A nanogpt v2 model with an AdamW optimizer, driven like the bench drives `LlamaModel`. */
export class NanoGptRunner {
  private readonly model: NanoGptModel;
  private readonly optimizer: NanoGptOptimizer;

  constructor(
    private readonly lib: NanoGpt,
    readonly config: NanoGptConfig,
  ) {
    this.model = new lib.mod.models.NanoGPTV2({ modelType: 'GenAI_NanoGPT_v2', ...config });
    // Variables are created by the first forward.
    const probe = tf.zeros([1, 2], 'int32');
    tf.dispose([this.model.forward({ training: false }, probe), probe]);
    this.optimizer = new lib.mod.training.AdamWOptimizer({
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.01,
      lossScaling: 1,
      warmupSteps: 0,
      decayEpochs: 1e9,
      epochSteps: 1,
      minLearningRate: 1e-3,
    });
  }

  /** Parameters (its embedding is tied to the LM head). */
  parameterCount(): number {
    return this.model.weightStore.variables.reduce((n, v) => n + v.size, 0);
  }

  /**
   * One training step as its `BasicTrainer.trainStep` does it: `tf.variableGrads` of its loss over the
   * trainable variables, then its AdamW (fused moment/adjust kernels). Returns the loss (caller disposes).
   */
  trainStep(inputs: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const logits = this.model.forward({ training: true, ropePositionOffset: 0 }, inputs);
        return this.lib.calculateLoss(logits, labels, false, false, 0);
      }, this.model.weightStore.trainableVariables);
      tf.dispose(this.optimizer.applyGradients(grads));
      return value;
    });
  }

  /**
   * Greedy decoding of `newTokens` tokens after `prompt` (batch 1) with its KV cache, reading each token
   * back as its `Generator` does. Returns the generated ids.
   */
  async generate(prompt: number[], newTokens: number): Promise<number[]> {
    const cache = Array.from({ length: this.config.nLayer }, () => ({ k: undefined as tf.Tensor | undefined, v: undefined as tf.Tensor | undefined, length: 0, cumulativeLength: 0 }));
    const out: number[] = [];
    let input: tf.Tensor2D = tf.tensor2d([prompt], [1, prompt.length], 'int32');
    try {
      for (let i = 0; i < newTokens; i++) {
        const next = tf.tidy(() => {
          const logits = this.model.forward({ training: false, cache }, input);
          const last = tf.slice(logits, [0, logits.shape[1]! - 1, 0], [1, 1, -1]);
          return tf.cast(tf.reshape(tf.argMax(last, -1), [1, 1]), 'int32') as tf.Tensor2D;
        });
        input.dispose();
        input = next;
        out.push((await next.data())[0]!);
      }
    } finally {
      input.dispose();
      for (const c of cache) tf.dispose([c.k, c.v].filter((t): t is tf.Tensor => t !== undefined));
    }
    return out;
  }

  /** Frees the model and the optimizer state. */
  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
