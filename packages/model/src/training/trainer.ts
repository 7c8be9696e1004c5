/**
 * The training loop: one {@link Trainer} for every objective. An objective is a loss hook
 * (`computeLoss(model, batch, context)`, default: the causal-LM loss) with its data collator and batch
 * weight; the Trainer does the rest: micro-batching with weighted gradient accumulation, global-norm
 * clipping, AdamW with a learning-rate schedule, periodic evaluation, logging and checkpoints through a
 * {@link TrainerStore}, and exact save/resume.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../checkpoint/errors';
import { clipByGlobalNorm, globalNorm } from './clip';
import { DataOrder, type DataOrderState } from './data-order';
import { collate, lmBatchWeight, lmCollator, lmLoss, type TrainBatch, type TrainExample, type TrainableModel } from './lm-objective';
import type { ComputeLoss, LossContext, LossResult } from './loss-hook';
import { AdamWOptimizer, OptimizerStateError } from './optimizer';
import { Mulberry32, mixSeed } from './rng';
import type { LrSchedule } from './schedule';
import { TrainerError } from './trainer-error';
import { decodeTrainerState, encodeTrainerState, type TrainerStateJson } from './trainer-state';
import { MemoryTrainerStore, checkStateName, checkpointName, type TrainerStore } from './trainer-store';

export type { TrainBatch, TrainExample, TrainableModel } from './lm-objective';

/**
 * Training data: examples (shuffled per epoch with the trainer's seed and turned into batches by the data
 * collator) or a (sync or async) iterable of ready micro-batches.
 */
export type TrainData<Example = TrainExample, Batch = TrainBatch> = readonly Example[] | Iterable<Batch> | AsyncIterable<Batch>;

/** Something with random state outside the trainer (e.g. a `LoraHandle`'s dropout), saved and restored with it. */
export interface StatefulRng {
  getRngState(): unknown;
  setRngState(state: unknown): void;
}

/** One line of the training log (passed to `onStep` and appended to the store's log as JSON). */
export interface StepLog {
  /** Optimizer steps completed (1-based number of this step). */
  step: number;
  /** Weighted mean training loss of the step's micro-batches. */
  loss: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Sum of the micro-batches' weights (`batchWeight`): label tokens for the LM loss, e.g. pairs for preferences. */
  numItems: number;
  /** Weighted means of the loss hook's metrics, when it returns any. */
  metrics?: Record<string, number>;
  /** Epoch of the data order after this step (example data only). */
  epoch?: number;
  /** Mean evaluation loss, on steps where evaluation ran. */
  evalLoss?: number;
  /** Name of the state saved in the store, on steps where a checkpoint was saved. */
  checkpoint?: string;
  /** Wall time of the step in milliseconds (not counting eval and checkpoint). */
  ms: number;
}

/**
 * Options of the {@link Trainer}. `Batch` is what the loss hook receives, `Example` what the data collator
 * turns into batches, `Model` what the loss hook trains; the defaults are the causal-LM objective.
 */
export interface TrainerOptions<Batch = TrainBatch, Example = TrainExample, Model = TrainableModel> {
  /** What the loss hook receives first (e.g. a `LlamaModel`, a reward model, a classifier's parameters). */
  model: Model;
  /**
   * The loss of one micro-batch (default: the LM loss via `model.loss()`, which needs a model with
   * `loss()` and the default `Batch` and `Example`). See {@link ComputeLoss}.
   */
  computeLoss?: ComputeLoss<Model, Batch>;
  /**
   * Turns the examples of one micro-batch into a `Batch` (default: right-pad LM examples into int32 tensors).
   * Required for example arrays with a custom `computeLoss`. Tensors it creates are disposed after use
   * (see `disposeBatch`).
   */
  dataCollator?: (examples: readonly Example[]) => Batch;
  /**
   * The weight of a micro-batch in gradient accumulation and in the logged means (default: label tokens
   * for the LM loss, 1 per micro-batch otherwise). With weights `w_i` a step minimises
   * `Σ w_i · loss_i / Σ w_i`; a micro-batch of weight 0 is skipped.
   */
  batchWeight?: (batch: Batch) => number;
  /** Frees a collated batch (default: disposes every tensor among the batch's own property values). */
  disposeBatch?: (batch: Batch) => void;
  /**
   * Variables to train. Default: every weight of `model.weights` (a Map). A Map keys them by stable names (used
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
  /** Micro-batches per optimizer step (default 1); their gradients are summed weighted (see `batchWeight`). */
  gradAccumulationSteps?: number;
  /** Examples per micro-batch (default 8); ignored for batch iterables. */
  batchSize?: number;
  /** Seed of the data order and of the loss hook's `context.rng` (default 0). */
  seed?: number;
  /** Shuffle example data each epoch (default true). */
  shuffle?: boolean;
  /** Right-padding id of the default LM collator (default 0; padded positions get label -100). */
  padTokenId?: number;
  /** Evaluate on `evalData` every this many steps (default: never). */
  evalEvery?: number;
  /** Evaluation data for `evalEvery`. */
  evalData?: TrainData<NoInfer<Example>, NoInfer<Batch>>;
  /** Examples per evaluation batch (default `batchSize`). */
  evalBatchSize?: number;
  /** Save the state every this many steps as `checkpoint-<step>` in the store (default: never). */
  checkpointEvery?: number;
  /**
   * Where states and log lines go (default: a fresh {@link MemoryTrainerStore}); `FileTrainerStore` from
   * `@quarkmed/model/node` keeps them on disk. Every {@link StepLog} is appended to the store's log.
   */
  store?: TrainerStore;
  /** Called after every step. */
  onStep?: (log: StepLog) => void;
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

interface MicroBatch<Batch> {
  batch: Batch;
  weight: number;
  /** Whether the trainer made the batch (and frees it). */
  owned: boolean;
}

function isExampleArray<E, B>(data: TrainData<E, B>): data is readonly E[] {
  return Array.isArray(data);
}

function checkPositiveInt(field: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new TrainerError(field, `must be an integer >= 1, got ${String(v)}`);
}

function disposeOwnTensors(batch: unknown): void {
  if (batch instanceof tf.Tensor) batch.dispose();
  else if (batch !== null && typeof batch === 'object') for (const v of Object.values(batch)) if (v instanceof tf.Tensor) v.dispose();
}

function asLossResult(out: tf.Scalar | LossResult): LossResult {
  if (out instanceof tf.Tensor) return { loss: out };
  if (out === null || typeof out !== 'object' || !(out.loss instanceof tf.Tensor)) {
    throw new TrainerError('options.computeLoss', 'must return a scalar tensor or { loss: scalar tensor, metrics? }');
  }
  return out;
}

function checkScalar(loss: tf.Tensor): void {
  if (loss.size !== 1) throw new TrainerError('options.computeLoss', `must return a scalar loss, got shape [${loss.shape.join(', ')}]`);
}

/**
 * Trains a model (all its weights, or given variables such as LoRA adapters or reward heads) with AdamW,
 * for any objective given as a loss hook.
 *
 * Each optimizer step draws `gradAccumulationSteps` micro-batches; each micro-batch's loss is weighted by
 * its share of the step's total `batchWeight` (label tokens for the LM loss), so accumulating k micro-batches
 * equals one k-times larger batch. The summed gradients are clipped to `maxGradNorm` (global norm) and
 * applied with the fused `adamw` op at `lr(step)`. Example data is visited in seeded per-epoch shuffles;
 * the trained variables, the optimizer moments and step, the data position and external RNG states are
 * saved by {@link Trainer.saveState} into the store, so a new Trainer with the same options that calls
 * {@link Trainer.resume} continues exactly as the original would have.
 *
 * @example A preference-pair objective (Bradley–Terry):
 * ```ts
 * const trainer = new Trainer<PairBatch, PreferencePair, RewardModel>({
 *   model, trainableVariables: model.trainableVariables(), lr: 3e-3,
 *   dataCollator: (pairs) => model.encodePairs(pairs),
 *   batchWeight: (b) => b.n,
 *   computeLoss: (m, b) => bradleyTerryLoss(...m.rewards(b)),
 * });
 * await trainer.train(pairs, { steps: 100 });
 * ```
 */
export class Trainer<Batch = TrainBatch, Example = TrainExample, Model = TrainableModel> {
  /** Optimizer steps completed. */
  get step(): number {
    return this.optimizer.step;
  }

  /** The store of states and log lines. */
  readonly store: TrainerStore;

  private readonly model: Model;
  private readonly vars: Map<string, tf.Variable>;
  private readonly optimizer: AdamWOptimizer;
  private readonly schedule: LrSchedule;
  private readonly opts: TrainerOptions<Batch, Example, Model>;
  private readonly computeLoss: ComputeLoss<Model, Batch>;
  private readonly collator?: (examples: readonly Example[]) => Batch;
  private readonly weightOf: (batch: Batch) => number;
  private readonly disposeBatch: (batch: Batch) => void;
  private readonly lmObjective: boolean;
  private readonly accum: number;
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly maxGradNorm: number;
  private order?: DataOrder;
  private pendingDataState?: DataOrderState & { size: number };
  private batchesConsumed = 0;

  /** @throws {@link TrainerError} naming an invalid option */
  constructor(options: TrainerOptions<Batch, Example, Model>) {
    if (options === null || typeof options !== 'object') throw new TrainerError('options', 'must be an object');
    const { model } = options;
    if (model === null || model === undefined) throw new TrainerError('options.model', 'is required');
    this.model = model;
    this.opts = options;
    const weights = (model as { weights?: unknown }).weights;
    this.lmObjective = options.computeLoss === undefined;
    if (this.lmObjective) {
      if (!(weights instanceof Map) || typeof (model as { loss?: unknown }).loss !== 'function') {
        throw new TrainerError('options.model', 'must have `weights` (a Map) and `loss()` (e.g. a LlamaModel) for the default LM loss; pass options.computeLoss for another objective');
      }
      this.computeLoss = lmLoss as unknown as ComputeLoss<Model, Batch>;
    } else {
      if (typeof options.computeLoss !== 'function') throw new TrainerError('options.computeLoss', 'must be a function (model, batch, context) => loss');
      this.computeLoss = options.computeLoss;
    }
    for (const k of ['dataCollator', 'batchWeight', 'disposeBatch'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'function') throw new TrainerError(`options.${k}`, 'must be a function');
    }
    const lmCollate = this.lmObjective ? (lmCollator(options.padTokenId ?? 0) as unknown as (examples: readonly Example[]) => Batch) : undefined;
    this.collator = options.dataCollator ?? lmCollate;
    this.weightOf = options.batchWeight ?? (this.lmObjective ? (lmBatchWeight as unknown as (b: Batch) => number) : () => 1);
    this.disposeBatch = options.disposeBatch ?? disposeOwnTensors;
    checkPositiveInt('options.gradAccumulationSteps', options.gradAccumulationSteps);
    checkPositiveInt('options.batchSize', options.batchSize);
    checkPositiveInt('options.evalEvery', options.evalEvery);
    checkPositiveInt('options.checkpointEvery', options.checkpointEvery);
    checkPositiveInt('options.evalBatchSize', options.evalBatchSize);
    if (options.evalEvery !== undefined && options.evalData === undefined) throw new TrainerError('options.evalData', 'is required with evalEvery');
    const store = options.store ?? new MemoryTrainerStore();
    for (const k of ['saveState', 'loadState', 'listCheckpoints', 'appendLog'] as const) {
      if (typeof (store as unknown as Record<string, unknown>)[k] !== 'function') throw new TrainerError('options.store', `must implement TrainerStore (no ${k}())`);
    }
    this.store = store;
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

    const tv = options.trainableVariables;
    if (tv === undefined) {
      if (!(weights instanceof Map)) throw new TrainerError('options.trainableVariables', 'is required when options.model has no `weights` Map');
      this.vars = new Map(weights as Map<string, tf.Variable>);
    } else if (tv instanceof Map) this.vars = new Map(tv);
    else if (Array.isArray(tv)) {
      const keyOf = new Map<tf.Variable, string>();
      if (weights instanceof Map) for (const [k, v] of weights as Map<string, tf.Variable>) keyOf.set(v, k);
      this.vars = new Map(tv.map((v) => [keyOf.get(v) ?? v.name, v]));
    } else throw new TrainerError('options.trainableVariables', 'must be a Map or an array of tf.Variable');
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
   * @throws {@link TrainerError} for bad data, a data set whose size differs from the resumed one, an
   *   iterable that runs out, or a loss hook that returns no scalar; a non-finite loss is reported in the
   *   log, not thrown
   */
  async train(data: TrainData<Example, Batch>, options: { steps: number }): Promise<TrainResult> {
    checkPositiveInt('train options.steps', options?.steps);
    const next = this.batchSource(data);
    const losses: number[] = [];
    const evalLosses: [number, number][] = [];
    const varList = [...this.vars.values()];
    const keyByName = new Map<string, string>();
    for (const [k, v] of this.vars) keyByName.set(v.name, k);

    for (let s = 0; s < options.steps; s++) {
      const start = performance.now();
      const micro: MicroBatch<Batch>[] = [];
      try {
        for (let i = 0; i < this.accum; i++) micro.push(await next());
        const total = micro.reduce((a, m) => a + m.weight, 0);
        const step = this.optimizer.step + 1;
        const acc = new Map<string, tf.Tensor>();
        let lossSum = 0;
        const metricSums = new Map<string, number>();
        for (const [index, m] of micro.entries()) {
          if (m.weight === 0) continue;
          const w = m.weight / total;
          const kept: [string, tf.Tensor][] = [];
          const context = this.context(step, index, true);
          const { value, grads } = tf.variableGrads(() => {
            const out = asLossResult(this.computeLoss(this.model, m.batch, context));
            checkScalar(out.loss);
            for (const [k, v] of Object.entries(out.metrics ?? {})) if (v instanceof tf.Tensor) kept.push([k, tf.keep(v)]);
            for (const [k, v] of Object.entries(out.metrics ?? {})) if (typeof v === 'number') metricSums.set(k, (metricSums.get(k) ?? 0) + v * w);
            return tf.mul(tf.reshape(out.loss, []), w) as tf.Scalar;
          }, varList);
          lossSum += (await value.data())[0]!;
          value.dispose();
          for (const [k, t] of kept) {
            metricSums.set(k, (metricSums.get(k) ?? 0) + (await t.data())[0]! * w);
            t.dispose();
          }
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
          this.optimizer.step++; // a step without weight still advances the schedule
        }
        const log: StepLog = { step, loss: total > 0 ? lossSum : NaN, lr, gradNorm, numItems: total, ms: performance.now() - start };
        if (metricSums.size > 0) log.metrics = Object.fromEntries(metricSums);
        if (this.order) log.epoch = this.order.state().epoch;
        losses.push(log.loss);
        if (this.opts.evalEvery !== undefined && step % this.opts.evalEvery === 0) {
          log.evalLoss = await this.evaluate(this.opts.evalData!);
          evalLosses.push([step, log.evalLoss]);
        }
        if (this.opts.checkpointEvery !== undefined && step % this.opts.checkpointEvery === 0) {
          log.checkpoint = await this.saveState(checkpointName(step));
        }
        this.opts.onStep?.(log);
        await this.store.appendLog(JSON.stringify(log));
      } finally {
        for (const m of micro) if (m.owned) this.disposeBatch(m.batch);
      }
      // CPU backends resolve reads as microtasks, so a long run would otherwise never let timers, I/O or a UI
      // (progress bars, test runners, a browser tab) run: give the event loop one turn per step.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    return { step: this.optimizer.step, losses, evalLosses };
  }

  /**
   * Mean loss of the loss hook over `data` in eval mode (`context.training` false: no dropout; for the LM
   * loss the LM part alone), weighted by `batchWeight` (for the LM loss: token-weighted, so it equals the
   * loss of the whole set as one batch), without changing any state. Example data is read in order in
   * batches of `evalBatchSize`.
   *
   * @throws {@link TrainerError} for empty or invalid data
   */
  async evaluate(data: TrainData<Example, Batch>): Promise<number> {
    let sum = 0;
    let count = 0;
    let index = 0;
    const run = async (mb: MicroBatch<Batch>): Promise<void> => {
      try {
        if (mb.weight === 0) return;
        const context = this.context(this.optimizer.step, index++, false);
        const l = tf.tidy(() => {
          const out = asLossResult(this.computeLoss(this.model, mb.batch, context));
          checkScalar(out.loss);
          return tf.reshape(out.loss, []);
        });
        sum += (await l.data())[0]! * mb.weight;
        l.dispose();
        count += mb.weight;
      } finally {
        if (mb.owned) this.disposeBatch(mb.batch);
      }
    };
    if (isExampleArray(data)) {
      if (data.length === 0) throw new TrainerError('evaluate data', 'is empty');
      const collator = this.requireCollator();
      const bs = this.opts.evalBatchSize ?? this.batchSize;
      for (let i = 0; i < data.length; i += bs) await run(this.collated(collator, data.slice(i, i + bs)));
    } else {
      for await (const batch of data as AsyncIterable<Batch>) await run({ batch, weight: this.weighOf(batch), owned: false });
    }
    if (count === 0) throw new TrainerError('evaluate data', 'has no weight (no label tokens)');
    return sum / count;
  }

  /**
   * Saves everything needed to resume as the state `name` in the store (default `checkpoint-<step>`): the
   * trained variables (`trainable.safetensors`), the optimizer moments and step (`optimizer.safetensors`)
   * and `trainer_state.json` (data position, RNG states, seed). The store replaces an earlier state of
   * the same name as a unit. Frozen weights (e.g. a LoRA base) are not part of the state.
   *
   * @returns the name saved under
   * @throws {@link TrainerError} for an invalid name; the store's errors
   */
  async saveState(name: string = checkpointName(this.optimizer.step)): Promise<string> {
    checkStateName(name);
    const read = async (t: tf.Tensor): Promise<{ shape: number[]; data: Float32Array }> => ({ shape: t.shape, data: (await t.data()) as Float32Array });
    const trainable = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, v] of this.vars) trainable.set(k, await read(v));
    const moments = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, t] of this.optimizer.stateTensors()) moments.set(k, await read(t));
    const state: TrainerStateJson = {
      version: 2,
      step: this.optimizer.step,
      seed: this.seed,
      data: this.order ? { size: this.order.size, ...this.order.state() } : (this.pendingDataState ?? null),
      batchesConsumed: this.batchesConsumed,
      rngStates: (this.opts.statefulRngs ?? []).map((r) => r.getRngState()),
      variables: [...this.vars.keys()],
    };
    await this.store.saveState(name, encodeTrainerState(state, trainable, moments));
    return name;
  }

  /**
   * Restores a state written by {@link Trainer.saveState}: trained variables, optimizer moments and step,
   * data position and external RNG states. Everything is read and checked before the trainer changes.
   *
   * @param name - the state's name; default: the latest periodic checkpoint in the store (as
   *   `resume_from_checkpoint=True` in the Hugging Face Trainer)
   * @returns the name resumed from
   * @throws {@link CheckpointError} for a missing state or bad files; {@link TrainerError} when there is no
   *   checkpoint to resume, or the saved variables (names or shapes), seed or RNG count differ from this trainer's
   */
  async resume(name?: string): Promise<string> {
    if (name === undefined) {
      const all = await this.store.listCheckpoints();
      if (all.length === 0) throw new TrainerError('resume', 'the store holds no checkpoint-<step> state to resume from');
      name = all[all.length - 1]!;
    }
    checkStateName(name);
    const { state, trainable, moments } = decodeTrainerState(await this.store.loadState(name), name);
    const names = [...this.vars.keys()];
    if (state.variables.length !== names.length || state.variables.some((n, i) => n !== names[i])) {
      throw new TrainerError('resume', `saved state trains variables [${state.variables.slice(0, 4).join(', ')}...] (${state.variables.length}), this trainer [${names.slice(0, 4).join(', ')}...] (${names.length})`);
    }
    if (state.seed !== this.seed) throw new TrainerError('resume', `saved state used seed ${state.seed}, this trainer has seed ${this.seed}`);
    const rngs = this.opts.statefulRngs ?? [];
    if ((state.rngStates ?? []).length !== rngs.length) {
      throw new TrainerError('resume', `saved state has ${(state.rngStates ?? []).length} RNG states, options.statefulRngs has ${rngs.length}`);
    }
    for (const [k, v] of this.vars) {
      const t = trainable.get(k);
      if (!t) throw new CheckpointError(`${name}/trainable.safetensors`, k, 'missing');
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        throw new CheckpointError(`${name}/trainable.safetensors`, k, `has shape [${t.shape.join(', ')}], variable has [${v.shape.join(', ')}]`);
      }
    }
    const momentTensors = new Map<string, tf.Tensor>();
    try {
      for (const [k, t] of moments) momentTensors.set(k, tf.tensor(t.data, t.shape, 'float32'));
      this.optimizer.loadState(momentTensors, state.step);
    } catch (error) {
      if (error instanceof OptimizerStateError || error instanceof RangeError) throw new CheckpointError(`${name}/optimizer.safetensors`, undefined, error.message);
      throw error;
    } finally {
      tf.dispose([...momentTensors.values()]);
    }
    for (const [k, v] of this.vars) {
      const t = trainable.get(k)!;
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
    }
    rngs.forEach((r, i) => r.setRngState(state.rngStates[i]));
    this.batchesConsumed = state.batchesConsumed ?? 0;
    this.order = undefined;
    this.pendingDataState = state.data ?? undefined;
    return name;
  }

  /** Frees the optimizer state (not the model). */
  dispose(): void {
    this.optimizer.dispose();
  }

  private context(step: number, microStep: number, training: boolean): LossContext {
    return { step, microStep, training, rng: new Mulberry32(mixSeed('loss', this.seed, training ? 1 : 0, step, microStep)) };
  }

  private weighOf(batch: Batch): number {
    const w = this.weightOf(batch);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new TrainerError('options.batchWeight', `must return a finite number >= 0, got ${String(w)}`);
    return w;
  }

  private requireCollator(): (examples: readonly Example[]) => Batch {
    if (!this.collator) throw new TrainerError('options.dataCollator', 'is required to train on an array of examples with a custom computeLoss');
    return this.collator;
  }

  private collated(collator: (examples: readonly Example[]) => Batch, examples: readonly Example[]): MicroBatch<Batch> {
    const batch = collator(examples);
    try {
      return { batch, weight: this.weighOf(batch), owned: true };
    } catch (error) {
      this.disposeBatch(batch);
      throw error;
    }
  }

  private batchSource(data: TrainData<Example, Batch>): () => Promise<MicroBatch<Batch>> {
    if (isExampleArray(data)) {
      if (data.length === 0) throw new TrainerError('train data', 'is empty');
      const collator = this.requireCollator();
      if (!this.order || this.order.size !== data.length) {
        if (this.order) throw new TrainerError('train data', `has ${data.length} examples, earlier calls used ${this.order.size}`);
        // validates every LM example before the order is fixed
        if (this.lmObjective && this.opts.dataCollator === undefined) collate(data as readonly TrainExample[], this.opts.padTokenId ?? 0);
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
      return async () => this.collated(collator, order.next(this.batchSize).map((i) => data[i]!));
    }
    const iterable = data as Iterable<Batch> & AsyncIterable<Batch>;
    const it: Iterator<Batch> | AsyncIterator<Batch> =
      iterable !== null && typeof iterable === 'object' && typeof iterable[Symbol.asyncIterator] === 'function'
        ? iterable[Symbol.asyncIterator]()
        : iterable !== null && typeof iterable === 'object' && typeof iterable[Symbol.iterator] === 'function'
          ? iterable[Symbol.iterator]()
          : (() => {
              throw new TrainerError('train data', 'must be an array of examples or an iterable of batches');
            })();
    return async () => {
      const r = await it.next();
      if (r.done) throw new TrainerError('train data', `the batch iterable ran out after ${this.batchesConsumed} micro-batches`);
      this.batchesConsumed++;
      return { batch: r.value, weight: this.weighOf(r.value), owned: false };
    };
  }
}
