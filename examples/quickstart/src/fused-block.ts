import * as tf from '@tensorflow/tfjs-core';
import { adamw, initBackend } from '@quarkmed/tensor-kernels';
import type { BackendChoice, BackendName } from '@quarkmed/tensor-kernels';
import { TinyBlock, type TinyBlockConfig } from './tiny-block';
import { mulberry32 } from '@quarkmed/model';
import { lagCopyBatch } from './lag-copy-data';
import { ProgressReporter } from './progress';

/** Options of {@link runFusedBlock}. */
export interface FusedBlockOptions {
  backend?: BackendName | 'auto';
  steps?: number;
  batch?: number;
  seq?: number;
  lr?: number;
  seed?: number;
  model?: Partial<TinyBlockConfig>;
  reporter?: ProgressReporter;
}

/** What {@link runFusedBlock} measured. */
export interface FusedBlockResult {
  backend: BackendChoice;
  parameters: number;
  losses: number[];
  /** Mean training throughput over the steps after the first (which includes kernel compilation). */
  tokensPerSecond: number;
}

/**
 * Initialises the backend, then trains one decoder block made of the fused ops on a lag-copy task (every token
 * repeats the one 3 positions back) with the fused AdamW update, reporting loss and throughput per step.
 */
export async function runFusedBlock(options: FusedBlockOptions = {}): Promise<FusedBlockResult> {
  const reporter = options.reporter ?? new ProgressReporter();
  const steps = options.steps ?? 150;
  const batch = options.batch ?? 16;
  const seq = options.seq ?? 32;
  const lr = options.lr ?? 5e-3;
  const seed = options.seed ?? 1234;
  const backend = await initBackend(options.backend ?? 'auto', { log: false });
  reporter.event('backend', { name: backend.name, reason: backend.reason });

  const config: TinyBlockConfig = { vocab: 32, hidden: 64, heads: 4, kvHeads: 2, intermediate: 128, ...options.model };
  const model = new TinyBlock(config, seed);
  reporter.event('model', { ...config, parameters: model.parameterCount() });
  const vars = Object.values(model.params);
  const moments: { m: tf.Tensor; v: tf.Tensor }[] = vars.map((v) => ({ m: tf.zerosLike(v), v: tf.zerosLike(v) }));
  const rand = mulberry32(seed);
  const losses: number[] = [];
  let tokens = 0;
  let seconds = 0;

  for (let step = 1; step <= steps; step++) {
    const start = performance.now();
    const { inputs, targets } = lagCopyBatch(rand, batch, seq, config.vocab, 3);
    const { value, grads } = tf.variableGrads(() => model.loss(inputs, targets), vars);
    vars.forEach((variable, i) => {
      const state = adamw(variable, grads[variable.name], moments[i].m, moments[i].v, {
        lr,
        step,
        weightDecay: 0.01,
      });
      variable.assign(state.param);
      state.param.dispose();
      moments[i].m.dispose();
      moments[i].v.dispose();
      moments[i] = { m: state.m, v: state.v };
    });
    const loss = (await value.data())[0];
    tf.dispose([value, inputs, targets, ...Object.values(grads)]);
    const elapsed = (performance.now() - start) / 1000;
    if (step > 1) {
      tokens += batch * seq;
      seconds += elapsed;
    }
    losses.push(loss);
    reporter.step({ step, steps, loss, tokensPerSecond: (batch * seq) / elapsed });
  }
  const result: FusedBlockResult = {
    backend,
    parameters: model.parameterCount(),
    losses,
    tokensPerSecond: seconds > 0 ? tokens / seconds : 0,
  };
  tf.dispose(moments.flatMap((s) => [s.m, s.v]));
  model.dispose();
  return result;
}
