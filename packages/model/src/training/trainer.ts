/**
 * The training loop: micro-batching with gradient accumulation, global-norm clipping, AdamW with a
 * learning-rate schedule, periodic evaluation and checkpoints, and exact save/resume.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pathExists, writeFileAtomic } from '../checkpoint/atomic-write';
import { loadWeightsInto, readSafetensorsFile, saveCheckpoint, type CheckpointModel } from '../checkpoint/checkpoint';
import { CheckpointError } from '../checkpoint/errors';
import { serializeSafetensors, type SafetensorsInput } from '../checkpoint/safetensors';
import { clipByGlobalNorm, globalNorm } from './clip';
import { DataOrder, type DataOrderState } from './data-order';
import { AdamWOptimizer } from './optimizer';
import type { LrSchedule } from './schedule';

/** Label value excluded from the loss (Hugging Face convention). */
export const IGNORE_INDEX = -100;

/** One training example: token ids and aligned labels (default: the ids); the model shifts internally. */
export interface TrainExample {
  inputIds: ArrayLike<number>;
  /** Same length as `inputIds`; -100 marks positions without loss. Default: `inputIds`. */
  labels?: ArrayLike<number>;
}

/** A ready micro-batch, e.g. from an iterator: `[B, T]` ids and labels, as int32 tensors or nested arrays. */
export interface TrainBatch {
  inputIds: tf.Tensor2D | ArrayLike<number>[];
  labels: tf.Tensor2D | ArrayLike<number>[];
}

/** Training data: examples (shuffled per epoch with the trainer's seed) or a (sync or async) iterable of micro-batches. */
export type TrainData = readonly TrainExample[] | Iterable<TrainBatch> | AsyncIterable<TrainBatch>;

/** What the Trainer needs of a model (`LlamaModel` fits). */
export interface TrainableModel extends CheckpointModel {
  loss(inputIds: tf.Tensor2D, labels: tf.Tensor2D, options?: { training?: boolean }): { loss: tf.Scalar; lmLoss: tf.Scalar };
}

/** Something with random state outside the trainer (e.g. a `LoraHandle`'s dropout), saved and restored with it. */
export interface StatefulRng {
  getRngState(): unknown;
  setRngState(state: unknown): void;
}

/** One line of the training log (passed to `onStep` and appended to `logFile` as JSON). */
export interface StepLog {
  /** Optimizer steps completed (1-based number of this step). */
  step: number;
  /** Token-weighted mean training loss of the step's micro-batches. */
  loss: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Tokens with a label in this step. */
  tokens: number;
  /** Epoch of the data order after this step (example data only). */
  epoch?: number;
  /** Mean evaluation loss, on steps where evaluation ran. */
  evalLoss?: number;
  /** Directory written, on steps where a checkpoint was saved. */
  checkpoint?: string;
  /** Wall time of the step in milliseconds (not counting eval and checkpoint). */
  ms: number;
}

/** Options of the {@link Trainer}. */
export interface TrainerOptions {
  model: TrainableModel;
  /**
   * Variables to train. Default: every weight of `model.weights`. A Map keys them by stable names (used
   * in saved state), e.g. `loraHandle.namedVariables()`; an array is keyed by each variable's key in
   * `model.weights`, else its `name`.
   */
  trainableVariables?: Map<string, tf.Variable> | readonly tf.Variable[];
  /** A constant learning rate or a schedule of the 1-based step (e.g. `cosineWithWarmup`). */
  lr: number | LrSchedule;
  /** Decoupled weight decay (default 0.01), applied to variables of rank >= 2 unless `decay` says otherwise. */
  weightDecay?: number;
  /** Which variables get weight decay (default: rank >= 2). */
  decay?: (name: string, variable: tf.Variable) => boolean;
  /** AdamW betas (default [0.9, 0.999]). */
  betas?: [number, number];
  /** AdamW epsilon (default 1e-8). */
  eps?: number;
  /** Clip the global gradient norm to this (default 1; `Infinity` or 0 disables clipping). */
  maxGradNorm?: number;
  /** Micro-batches per optimizer step (default 1); their gradients are summed token-weighted. */
  gradAccumulationSteps?: number;
  /** Examples per micro-batch (default 8); ignored for batch iterables. */
  batchSize?: number;
  /** Seed of the data order (default 0). */
  seed?: number;
  /** Shuffle example data each epoch (default true). */
  shuffle?: boolean;
  /** Right-padding id for ragged example batches (default 0; padded positions get label -100). */
  padTokenId?: number;
  /** Evaluate on `evalData` every this many steps (default: never). */
  evalEvery?: number;
  /** Evaluation data for `evalEvery`. */
  evalData?: TrainData;
  /** Examples per evaluation batch (default `batchSize`). */
  evalBatchSize?: number;
  /** Save state every this many steps into `checkpointDir/checkpoint-<step>` (default: never). */
  checkpointEvery?: number;
  /** Where periodic checkpoints go. */
  checkpointDir?: string;
  /** Called after every step. */
  onStep?: (log: StepLog) => void;
  /** Append every {@link StepLog} as one JSON line to this file (its directory is created). */
  logFile?: string;
  /** External random state saved with the trainer state (e.g. `[loraHandle]` for LoRA dropout). */
  statefulRngs?: readonly StatefulRng[];
}

/** Result of {@link Trainer.train}. */
export interface TrainResult {
  /** Optimizer steps completed in total (including earlier calls and resumed ones). */
  step: number;
  /** The loss of every step of this call. */
  losses: number[];
  /** `[step, evalLoss]` of every evaluation of this call. */
  evalLosses: [number, number][];
}

/** Thrown for invalid trainer options or data, or an inconsistent saved state (names the field). */
export class TrainerError extends ModelError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Trainer ${field}: ${message}`);
    this.name = 'TrainerError';
  }
}

/** File names of a trainer state directory (besides the model checkpoint files). */
export const TRAINER_FILES = {
  optimizer: 'optimizer.safetensors',
  trainable: 'trainable.safetensors',
  state: 'trainer_state.json',
} as const;

/** Contents of `trainer_state.json`. */
export interface TrainerStateJson {
  version: 1;
  step: number;
  seed: number;
  /** Example-data position (size of the data set, epoch and cursor); null before any example data. */
  data: (DataOrderState & { size: number }) | null;
  /** Micro-batches drawn from batch iterables so far (informational: iterables are not rewound). */
  batchesConsumed: number;
  /** States of `statefulRngs`, in order. */
  rngStates: unknown[];
  /** Names of the trained variables (checked on resume). */
  variables: string[];
}

interface MicroBatch {
  ids: tf.Tensor2D;
  labels: tf.Tensor2D;
  /** Labels that count in the (shifted) loss. */
  tokens: number;
}

function isExampleArray(data: TrainData): data is readonly TrainExample[] {
  return Array.isArray(data);
}

function checkPositiveInt(field: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new TrainerError(field, `must be an integer >= 1, got ${String(v)}`);
}

/** Tokens that count in the model's shifted loss: labels[:, 1:] != -100. */
function countTokens(labels: Int32Array, b: number, t: number): number {
  let n = 0;
  for (let i = 0; i < b; i++) for (let j = 1; j < t; j++) if (labels[i * t + j] !== IGNORE_INDEX) n++;
  return n;
}

/**
 * Builds a `[B, T]` micro-batch from examples, right-padding to the longest with `padId` (label -100).
 *
 * @throws {@link TrainerError} for an example without ids or with labels of another length
 */
export function collate(examples: readonly TrainExample[], padId = 0): { inputIds: Int32Array; labels: Int32Array; shape: [number, number] } {
  const b = examples.length;
  let t = 0;
  examples.forEach((e, i) => {
    if (!e || e.inputIds === undefined || typeof e.inputIds.length !== 'number' || e.inputIds.length === 0) {
      throw new TrainerError(`data[${i}].inputIds`, 'must be a non-empty array of token ids');
    }
    if (e.labels !== undefined && e.labels.length !== e.inputIds.length) {
      throw new TrainerError(`data[${i}].labels`, `has length ${e.labels.length}, inputIds has ${e.inputIds.length}`);
    }
    t = Math.max(t, e.inputIds.length);
  });
  const ids = new Int32Array(b * t).fill(padId);
  const labels = new Int32Array(b * t).fill(IGNORE_INDEX);
  examples.forEach((e, i) => {
    const lab = e.labels ?? e.inputIds;
    for (let j = 0; j < e.inputIds.length; j++) {
      ids[i * t + j] = e.inputIds[j]!;
      labels[i * t + j] = lab[j]!;
    }
  });
  return { inputIds: ids, labels, shape: [b, t] };
}

function toTensor2D(field: string, x: tf.Tensor2D | ArrayLike<number>[]): tf.Tensor2D {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2 || x.dtype !== 'int32') throw new TrainerError(field, `must be an int32 [B, T] tensor, got ${x.dtype} [${x.shape.join(', ')}]`);
    return tf.clone(x);
  }
  if (!Array.isArray(x) || x.length === 0) throw new TrainerError(field, 'must be a non-empty [B, T] array or int32 tensor');
  const t = x[0]!.length;
  const flat = new Int32Array(x.length * t);
  x.forEach((row, i) => {
    if (row.length !== t) throw new TrainerError(field, `row ${i} has length ${row.length}, row 0 has ${t}`);
    for (let j = 0; j < t; j++) flat[i * t + j] = row[j]!;
  });
  return tf.tensor2d(flat, [x.length, t], 'int32');
}

/**
 * Trains a model (all its weights, or given variables such as LoRA adapters) with AdamW.
 *
 * Each optimizer step draws `gradAccumulationSteps` micro-batches; each micro-batch's loss is weighted by
 * its share of the step's label tokens, so accumulating k micro-batches equals one k-times larger batch.
 * The summed gradients are clipped to `maxGradNorm` (global norm) and applied with the fused `adamw` op
 * at `lr(step)`. Example data is visited in seeded per-epoch shuffles; the data position, the step,
 * the optimizer moments and external RNG states are saved by {@link Trainer.saveState}, so a new Trainer
 * with the same options that calls {@link Trainer.resume} continues exactly as the original would have.
 */
export class Trainer {
  /** Optimizer steps completed. */
  get step(): number {
    return this.optimizer.step;
  }

  private readonly model: TrainableModel;
  private readonly vars: Map<string, tf.Variable>;
  private readonly optimizer: AdamWOptimizer;
  private readonly schedule: LrSchedule;
  private readonly opts: TrainerOptions;
  private readonly accum: number;
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly maxGradNorm: number;
  private order?: DataOrder;
  private pendingDataState?: DataOrderState & { size: number };
  private batchesConsumed = 0;

  /** @throws {@link TrainerError} naming an invalid option */
  constructor(options: TrainerOptions) {
    if (options === null || typeof options !== 'object') throw new TrainerError('options', 'must be an object');
    const { model } = options;
    if (!model || !(model.weights instanceof Map) || typeof model.loss !== 'function') {
      throw new TrainerError('options.model', 'must have `weights` (a Map) and `loss()` (e.g. a LlamaModel)');
    }
    this.model = model;
    this.opts = options;
    checkPositiveInt('options.gradAccumulationSteps', options.gradAccumulationSteps);
    checkPositiveInt('options.batchSize', options.batchSize);
    checkPositiveInt('options.evalEvery', options.evalEvery);
    checkPositiveInt('options.checkpointEvery', options.checkpointEvery);
    checkPositiveInt('options.evalBatchSize', options.evalBatchSize);
    if (options.checkpointEvery !== undefined && !options.checkpointDir) throw new TrainerError('options.checkpointDir', 'is required with checkpointEvery');
    if (options.evalEvery !== undefined && options.evalData === undefined) throw new TrainerError('options.evalData', 'is required with evalEvery');
    this.accum = options.gradAccumulationSteps ?? 1;
    this.batchSize = options.batchSize ?? 8;
    this.seed = options.seed ?? 0;
    if (!Number.isFinite(this.seed)) throw new TrainerError('options.seed', `must be a finite number, got ${this.seed}`);
    const clip = options.maxGradNorm ?? 1;
    if (typeof clip !== 'number' || Number.isNaN(clip) || clip < 0) throw new TrainerError('options.maxGradNorm', `must be >= 0 (0 or Infinity: no clipping), got ${String(clip)}`);
    this.maxGradNorm = clip === 0 ? Infinity : clip;
    const lr = options.lr;
    if (typeof lr === 'number') {
      if (!Number.isFinite(lr) || lr < 0) throw new TrainerError('options.lr', `must be >= 0 or a schedule function, got ${lr}`);
      this.schedule = () => lr;
    } else if (typeof lr === 'function') {
      this.schedule = lr;
    } else {
      throw new TrainerError('options.lr', `must be a number or a schedule function, got ${typeof lr}`);
    }

    const keyOf = new Map<tf.Variable, string>();
    for (const [k, v] of model.weights) keyOf.set(v, k);
    const tv = options.trainableVariables;
    if (tv === undefined) this.vars = new Map(model.weights);
    else if (tv instanceof Map) this.vars = new Map(tv);
    else if (Array.isArray(tv)) this.vars = new Map(tv.map((v) => [keyOf.get(v) ?? v.name, v]));
    else throw new TrainerError('options.trainableVariables', 'must be a Map or an array of tf.Variable');
    if (this.vars.size === 0) throw new TrainerError('options.trainableVariables', 'is empty');
    for (const [k, v] of this.vars) {
      if (!(v instanceof tf.Variable)) throw new TrainerError(`options.trainableVariables[${k}]`, 'is not a tf.Variable');
    }
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    const config: ConstructorParameters<typeof AdamWOptimizer>[1] = { beta1, beta2, eps: options.eps ?? 1e-8, weightDecay: options.weightDecay ?? 0.01 };
    if (options.decay) config.decay = options.decay;
    this.optimizer = new AdamWOptimizer(this.vars, config);
  }

  /** The learning rate of the 1-based step `step`. */
  lrAt(step: number): number {
    return this.schedule(step);
  }

  /**
   * Runs `steps` optimizer steps (more, after earlier calls or a resume: the step count, schedule and
   * data position continue).
   *
   * @param data - examples (same array every call: its length is part of the saved data position) or micro-batches
   * @param options - `steps`: number of optimizer steps, an integer >= 1
   * @throws {@link TrainerError} for bad data, a data set whose size differs from the resumed one, or an
   *   iterable that runs out; a non-finite loss is reported in the log, not thrown
   */
  async train(data: TrainData, options: { steps: number }): Promise<TrainResult> {
    checkPositiveInt('train options.steps', options?.steps);
    const next = this.batchSource(data);
    const losses: number[] = [];
    const evalLosses: [number, number][] = [];
    const varList = [...this.vars.values()];
    const keyByName = new Map<string, string>();
    for (const [k, v] of this.vars) keyByName.set(v.name, k);

    for (let s = 0; s < options.steps; s++) {
      const start = performance.now();
      const micro: MicroBatch[] = [];
      try {
        for (let i = 0; i < this.accum; i++) micro.push(await next());
        const total = micro.reduce((a, m) => a + m.tokens, 0);
        const acc = new Map<string, tf.Tensor>();
        let lossSum = 0;
        for (const m of micro) {
          if (m.tokens === 0) continue;
          const w = m.tokens / total;
          const { value, grads } = tf.variableGrads(
            () => tf.mul(this.model.loss(m.ids, m.labels, { training: true }).loss, w) as tf.Scalar,
            varList,
          );
          lossSum += (await value.data())[0]!;
          value.dispose();
          for (const [name, g] of Object.entries(grads)) {
            const key = keyByName.get(name) ?? name;
            const prev = acc.get(key);
            if (prev) {
              acc.set(key, tf.add(prev, g));
              prev.dispose();
              g.dispose();
            } else acc.set(key, g);
          }
        }
        const step = this.optimizer.step + 1;
        const lr = this.schedule(step);
        let gradNorm = 0;
        if (acc.size > 0) {
          const record = Object.fromEntries(acc);
          let applied = record;
          let normT: tf.Scalar;
          if (Number.isFinite(this.maxGradNorm)) {
            const r = clipByGlobalNorm(record, this.maxGradNorm);
            applied = r.grads;
            normT = r.norm;
          } else normT = globalNorm(record);
          gradNorm = (await normT.data())[0]!;
          normT.dispose();
          this.optimizer.apply(applied, lr);
          if (applied !== record) tf.dispose(Object.values(applied));
          tf.dispose(Object.values(record));
        } else {
          this.optimizer.step++; // a step without label tokens still advances the schedule
        }
        const log: StepLog = { step, loss: total > 0 ? lossSum : NaN, lr, gradNorm, tokens: total, ms: performance.now() - start };
        if (this.order) log.epoch = this.order.state().epoch;
        losses.push(log.loss);
        if (this.opts.evalEvery !== undefined && step % this.opts.evalEvery === 0) {
          log.evalLoss = await this.evaluate(this.opts.evalData!);
          evalLosses.push([step, log.evalLoss]);
        }
        if (this.opts.checkpointEvery !== undefined && step % this.opts.checkpointEvery === 0) {
          log.checkpoint = join(this.opts.checkpointDir!, `checkpoint-${step}`);
          await this.saveState(log.checkpoint);
        }
        this.opts.onStep?.(log);
        if (this.opts.logFile) {
          await mkdir(dirname(this.opts.logFile), { recursive: true });
          await appendFile(this.opts.logFile, `${JSON.stringify(log)}\n`);
        }
      } finally {
        for (const m of micro) tf.dispose([m.ids, m.labels]);
      }
    }
    return { step: this.optimizer.step, losses, evalLosses };
  }

  /**
   * Mean LM loss over `data` (token-weighted, so it equals the loss of the whole set as one batch), in
   * eval mode (no dropout), without changing any state. Example data is read in order in batches of
   * `evalBatchSize`.
   *
   * @throws {@link TrainerError} for empty or invalid data
   */
  async evaluate(data: TrainData): Promise<number> {
    let sum = 0;
    let count = 0;
    const run = async (mb: MicroBatch): Promise<void> => {
      try {
        if (mb.tokens === 0) return;
        const l = tf.tidy(() => this.model.loss(mb.ids, mb.labels, { training: false }).lmLoss);
        sum += (await l.data())[0]! * mb.tokens;
        l.dispose();
        count += mb.tokens;
      } finally {
        tf.dispose([mb.ids, mb.labels]);
      }
    };
    if (isExampleArray(data)) {
      if (data.length === 0) throw new TrainerError('evaluate data', 'is empty');
      const bs = this.opts.evalBatchSize ?? this.batchSize;
      for (let i = 0; i < data.length; i += bs) await run(this.exampleBatch(data.slice(i, i + bs)));
    } else {
      for await (const batch of data as AsyncIterable<TrainBatch>) await run(this.tensorBatch(batch));
    }
    if (count === 0) throw new TrainerError('evaluate data', 'has no label tokens');
    return sum / count;
  }

  /**
   * Saves everything needed to resume into `dir`: the model checkpoint (`saveCheckpoint`: `config.json`,
   * `model.safetensors`), `trainable.safetensors` (trained variables that are not model weights, e.g.
   * LoRA), `optimizer.safetensors` (`<name>.m`, `<name>.v`; metadata `step`) and `trainer_state.json`.
   * Atomic: the files are written (each atomically) into a sibling temporary directory which then
   * replaces `dir`, so `dir` holds either the previous complete state or the new one.
   */
  async saveState(dir: string): Promise<void> {
    const tag = randomBytes(6).toString('hex');
    const staging = `${dir}.tmp-${tag}`;
    await mkdir(dirname(staging), { recursive: true });
    try {
      await saveCheckpoint(staging, this.model);
      const modelVars = new Set(this.model.weights.values());
      const extra = new Map<string, SafetensorsInput>();
      for (const [k, v] of this.vars) {
        if (!modelVars.has(v)) extra.set(k, { dtype: 'F32', shape: v.shape, data: (await v.data()) as Float32Array });
      }
      if (extra.size > 0) await writeFileAtomic(join(staging, TRAINER_FILES.trainable), serializeSafetensors(extra, { format: 'pt' }));
      const moments = new Map<string, SafetensorsInput>();
      for (const [k, t] of this.optimizer.stateTensors()) moments.set(k, { dtype: 'F32', shape: t.shape, data: (await t.data()) as Float32Array });
      await writeFileAtomic(join(staging, TRAINER_FILES.optimizer), serializeSafetensors(moments, { step: String(this.optimizer.step) }));
      const state: TrainerStateJson = {
        version: 1,
        step: this.optimizer.step,
        seed: this.seed,
        data: this.order ? { size: this.order.size, ...this.order.state() } : (this.pendingDataState ?? null),
        batchesConsumed: this.batchesConsumed,
        rngStates: (this.opts.statefulRngs ?? []).map((r) => r.getRngState()),
        variables: [...this.vars.keys()],
      };
      await writeFileAtomic(join(staging, TRAINER_FILES.state), `${JSON.stringify(state, null, 2)}\n`);
      if (await pathExists(dir)) {
        const old = `${dir}.old-${tag}`;
        await rename(dir, old);
        await rename(staging, dir);
        await rm(old, { recursive: true, force: true });
      } else {
        await rename(staging, dir);
      }
    } catch (error) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Restores a state written by {@link Trainer.saveState}: model weights, extra trained variables,
   * optimizer moments and step, data position and external RNG states. Everything is read and checked
   * before the trainer state changes (model weights are checked by `loadWeightsInto` before assigning).
   *
   * @throws {@link CheckpointError} for missing or bad files; {@link TrainerError} when the saved
   *   variables or seed differ from this trainer's
   */
  async resume(dir: string): Promise<void> {
    const statePath = join(dir, TRAINER_FILES.state);
    let state: TrainerStateJson;
    try {
      state = JSON.parse(await readFile(statePath, 'utf8')) as TrainerStateJson;
    } catch (error) {
      throw new CheckpointError(statePath, undefined, `cannot read trainer state: ${(error as Error).message}`);
    }
    if (state?.version !== 1 || !Number.isInteger(state.step) || state.step < 0 || !Array.isArray(state.variables)) {
      throw new CheckpointError(statePath, undefined, 'not a version-1 trainer state with step and variables');
    }
    const names = [...this.vars.keys()];
    if (state.variables.length !== names.length || state.variables.some((n, i) => n !== names[i])) {
      throw new TrainerError('resume', `saved state trains variables [${state.variables.slice(0, 4).join(', ')}...] (${state.variables.length}), this trainer [${names.slice(0, 4).join(', ')}...] (${names.length})`);
    }
    if (state.seed !== this.seed) throw new TrainerError('resume', `saved state used seed ${state.seed}, this trainer has seed ${this.seed}`);
    const rngs = this.opts.statefulRngs ?? [];
    if ((state.rngStates ?? []).length !== rngs.length) {
      throw new TrainerError('resume', `saved state has ${(state.rngStates ?? []).length} RNG states, options.statefulRngs has ${rngs.length}`);
    }
    const optPath = join(dir, TRAINER_FILES.optimizer);
    const opt = await readSafetensorsFile(optPath);
    const modelVars = new Set(this.model.weights.values());
    const extraNames = [...this.vars].filter(([, v]) => !modelVars.has(v)).map(([k]) => k);
    const extra = extraNames.length > 0 ? await readSafetensorsFile(join(dir, TRAINER_FILES.trainable)) : undefined;
    for (const k of extraNames) {
      const t = extra!.tensors.get(k);
      const v = this.vars.get(k)!;
      if (!t) throw new CheckpointError(join(dir, TRAINER_FILES.trainable), k, 'missing');
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        throw new CheckpointError(join(dir, TRAINER_FILES.trainable), k, `has shape [${t.shape.join(', ')}], variable has [${v.shape.join(', ')}]`);
      }
    }
    const moments = new Map<string, tf.Tensor>();
    try {
      for (const [k, t] of opt.tensors) moments.set(k, tf.tensor(t.data, t.shape, 'float32'));
      this.optimizer.loadState(moments, state.step);
    } catch (error) {
      if (error instanceof Error && !(error instanceof CheckpointError)) throw new CheckpointError(optPath, undefined, error.message);
      throw error;
    } finally {
      tf.dispose([...moments.values()]);
    }
    await loadWeightsInto(this.model, dir);
    for (const k of extraNames) {
      const t = extra!.tensors.get(k)!;
      tf.tidy(() => this.vars.get(k)!.assign(tf.tensor(t.data, t.shape, 'float32')));
    }
    rngs.forEach((r, i) => r.setRngState(state.rngStates[i]));
    this.batchesConsumed = state.batchesConsumed ?? 0;
    this.order = undefined;
    this.pendingDataState = state.data ?? undefined;
  }

  /** Frees the optimizer state (not the model). */
  dispose(): void {
    this.optimizer.dispose();
  }

  private exampleBatch(examples: readonly TrainExample[]): MicroBatch {
    const { inputIds, labels, shape } = collate(examples, this.opts.padTokenId ?? 0);
    return {
      ids: tf.tensor2d(inputIds, shape, 'int32'),
      labels: tf.tensor2d(labels, shape, 'int32'),
      tokens: countTokens(labels, shape[0], shape[1]),
    };
  }

  private tensorBatch(batch: TrainBatch): MicroBatch {
    if (!batch || typeof batch !== 'object') throw new TrainerError('batch', 'must be {inputIds, labels}');
    const ids = toTensor2D('batch.inputIds', batch.inputIds);
    let labels: tf.Tensor2D;
    try {
      labels = toTensor2D('batch.labels', batch.labels);
    } catch (e) {
      ids.dispose();
      throw e;
    }
    if (!tf.util.arraysEqual(ids.shape, labels.shape)) {
      tf.dispose([ids, labels]);
      throw new TrainerError('batch.labels', `has shape [${batch.labels instanceof tf.Tensor ? batch.labels.shape : ''}], inputIds [${ids.shape.join(', ')}]`);
    }
    return { ids, labels, tokens: countTokens(labels.dataSync() as Int32Array, ids.shape[0], ids.shape[1]) };
  }

  private batchSource(data: TrainData): () => Promise<MicroBatch> {
    if (isExampleArray(data)) {
      if (data.length === 0) throw new TrainerError('train data', 'is empty');
      if (!this.order || this.order.size !== data.length) {
        if (this.order) throw new TrainerError('train data', `has ${data.length} examples, earlier calls used ${this.order.size}`);
        collate(data, this.opts.padTokenId ?? 0); // validates every example before the order is fixed
        this.order = new DataOrder(data.length, this.seed, this.opts.shuffle ?? true);
        if (this.pendingDataState) {
          if (this.pendingDataState.size !== data.length) {
            throw new TrainerError('train data', `has ${data.length} examples, the resumed state was saved with ${this.pendingDataState.size}`);
          }
          this.order.restore(this.pendingDataState);
          this.pendingDataState = undefined;
        }
      }
      const order = this.order;
      return async () => this.exampleBatch(order.next(this.batchSize).map((i) => data[i]!));
    }
    const iterable = data as Iterable<TrainBatch> & AsyncIterable<TrainBatch>;
    const it: Iterator<TrainBatch> | AsyncIterator<TrainBatch> =
      typeof iterable[Symbol.asyncIterator] === 'function'
        ? iterable[Symbol.asyncIterator]()
        : typeof iterable[Symbol.iterator] === 'function'
          ? iterable[Symbol.iterator]()
          : (() => {
              throw new TrainerError('train data', 'must be an array of examples or an iterable of batches');
            })();
    return async () => {
      const r = await it.next();
      if (r.done) throw new TrainerError('train data', `the batch iterable ran out after ${this.batchesConsumed} micro-batches`);
      this.batchesConsumed++;
      return this.tensorBatch(r.value);
    };
  }
}
