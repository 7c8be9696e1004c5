/**
 * `GRPOTrainer`: TRL's `GRPOTrainer` on `@quarkmed/model`. Rollouts come from the model's batched KV-cache
 * generator; rewards from any number of (sync or async) reward functions; advantages and the policy loss are
 * the package's pure functions; the update runs through the model package's one `Trainer` (its loss hook), so
 * gradient accumulation, clipping, AdamW, logging to the store's JSONL and checkpoint/resume are shared.
 *
 * Generation schedule (TRL): every `stepsPerGeneration × numIterations` micro-batches a generation batch of
 * `perDeviceTrainBatchSize × stepsPerGeneration` completions (`/ numGenerations` prompts) is generated, scored,
 * shuffled and split into `stepsPerGeneration` micro-batches, each used `numIterations` times. When the policy
 * changes between generation and use (off-policy), the old policy's log-probs are computed at generation time
 * without gradients and kept; otherwise the current log-probs (detached) stand in, as in TRL.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { LlamaModel, Trainer, mulberry32, serializeSafetensors, parseSafetensors } from '@quarkmed/model';
import type { GenerationTokenizer, LossContext, LossResult, LrSchedule, StatefulRng, StepLog, TrainerStore } from '@quarkmed/model';
import { computeAdvantages, computePolicyLoss, policyBatchWeight, resolveGrpoSettings, type GrpoSettings } from './core-api';
import { GrpoTrainerError } from './errors';
import { completionLogProbs, completionLogProbsHost, packSequences, type PolicyModel, type SequenceBatch } from './policy-model';
import { ProgressBar } from './progress';
import { PromptSampler, derivedSeed, type PromptSamplerState } from './prompt-sampler';
import { adaptersDisabledReference, frozenCopyReference, type AdapterSwitch, type ReferencePolicy } from './reference-policy';
import { normalizeRewardFunctions, type RewardFunction, type NamedRewardFunction } from './reward-functions';
import { completionLengthMetrics, rollout, type Completion, type PromptExample, type RolloutSampling } from './rollouts';
import { filterByDifficulty, type DifficultyFilterOptions, type DifficultyReport } from './difficulty-filter';

/** The LoRA handle the trainer needs (a `LoraHandle` from `@quarkmed/model` fits). */
export interface LoraLike extends AdapterSwitch, StatefulRng {
  namedVariables(): Map<string, tf.Variable>;
}

/** Dynamic sampling (DAPO): what to do with groups whose rewards are all equal (zero advantage). */
export interface DynamicSamplingOptions {
  /** Replace zero-std groups with groups of fresh prompts (default false: only count them). */
  replace?: boolean;
  /** Extra generation rounds at most, per generation batch (default 3); afterwards zero-std groups are kept. */
  maxRounds?: number;
}

/** When a completion counts as solved (difficulty filter, mastered prompts). */
export interface PassCriterion {
  /** The reward function that decides (default: the first). */
  rewardFunction?: string;
  /** Solved when that function's reward is >= this (default 1). */
  threshold?: number;
}

/** Options of {@link GRPOTrainer}. */
export interface GRPOTrainerOptions<Example extends PromptExample = PromptExample> {
  /** The policy (e.g. a `LlamaModel`, SFT-initialised). */
  model: PolicyModel;
  /** Encodes prompts and decodes completions; its EOS id ends a completion. */
  tokenizer: GenerationTokenizer;
  /** GRPO options (TRL's `GRPOConfig`, camelCase), validated by `parseGrpoConfig`. */
  config?: Record<string, unknown>;
  /** Reward functions, weighted by `config.rewardWeights` (default all 1). */
  rewardFuncs: readonly RewardFunction<Example>[];
  /** The prompts. */
  trainDataset: readonly Example[];
  /** Train these LoRA adapters; the reference is then the model with its adapters disabled (no copy). */
  lora?: LoraLike;
  /**
   * Makes an empty model of the policy's architecture for the frozen reference copy (default for a `LlamaModel`:
   * `new LlamaModel(model.config, { init: 'zeros' })`). Not used with `beta = 0` or LoRA.
   */
  makeReferenceModel?: () => PolicyModel;
  /** Learning rate or schedule (default `config.learningRate`, else TRL's 1e-6). */
  lr?: number | LrSchedule;
  /** Seed of the prompt order, sampling and the Trainer (default `config.seed`, else 42 as TRL). */
  seed?: number;
  /** Where checkpoints and the JSONL log go (default in memory). */
  store?: TrainerStore;
  /** Save every this many steps. */
  checkpointEvery?: number;
  /** Gradient clipping (default 1). */
  maxGradNorm?: number;
  /** AdamW weight decay (default 0, TRL's TrainingArguments). */
  weightDecay?: number;
  /** Drop prompts before RL that the initial policy always or never solves. */
  difficultyFilter?: DifficultyFilterOptions;
  /** Per-epoch resampling: drop prompts whose group pass rate reached this. */
  masteredPassRate?: number;
  /** DAPO dynamic sampling. */
  dynamicSampling?: DynamicSamplingOptions;
  /** What counts as solved (difficulty filter, mastered prompts). */
  pass?: PassCriterion;
  /** Called after every step with the full log line (the same object goes to the JSONL log). */
  onStep?: (log: StepLog) => void;
  /** Progress bar: `'auto'` (default) shows it on a TTY. */
  progress?: boolean | 'auto';
}

/** One micro-batch of the loss hook (host arrays; tensors are made inside the hook). */
export interface GrpoMicroBatch {
  seq: SequenceBatch;
  /** `[B]` advantages. */
  advantages: Float32Array;
  /** `[B * C]` old-policy log-probs (off-policy only). */
  oldLogProbs?: Float32Array;
  /** `[B * C]` reference log-probs (`beta > 0` only). */
  refLogProbs?: Float32Array;
  /** Per row: truncated at maxCompletionLength (no stop id). */
  truncated: boolean[];
  /** Active completion tokens in the micro-batch (truncated rows excluded with maskTruncatedCompletions). */
  tokens: number;
}

interface SavedSlice {
  promptIds: number[][];
  completionIds: number[][];
  truncated: boolean[];
  advantages: number[];
  old?: number[];
  ref?: number[];
}

interface SavedState {
  microBatches: number;
  generations: number;
  sampler: PromptSamplerState;
  pool: number[];
  slices: SavedSlice[];
  lora?: unknown;
}

const STATE_VERSION = 1;

/**
 * The GRPO trainer.
 *
 * @example
 * ```ts
 * const trainer = new GRPOTrainer({
 *   model, tokenizer, trainDataset: prompts,
 *   config: { numGenerations: 8, beta: 0.04, lossType: 'dapo', maxCompletionLength: 64 },
 *   rewardFuncs: [verifierReward(multipleChoiceVerifier, { referenceOf: (ex) => ex.reference }), formatRewardFunction({ schema })],
 * });
 * await trainer.train({ steps: 100 });
 * ```
 */
export class GRPOTrainer<Example extends PromptExample = PromptExample> {
  /** The resolved settings (config plus trainer arguments). */
  readonly settings: GrpoSettings;
  /** The model package's Trainer that runs the updates. */
  readonly trainer: Trainer<GrpoMicroBatch, never, PolicyModel>;
  /** The reference policy (undefined with `beta = 0`). */
  readonly reference?: ReferencePolicy;
  /** The difficulty filter's report, once it ran. */
  difficultyReport?: DifficultyReport;

  private readonly model: PolicyModel;
  private readonly tokenizer: GenerationTokenizer;
  private readonly rewardFuncs: NamedRewardFunction<Example>[];
  private readonly dataset: readonly Example[];
  private readonly opts: GRPOTrainerOptions<Example>;
  private readonly seed: number;
  private readonly sampling: RolloutSampling;
  private readonly offPolicy: boolean;
  private readonly generateEvery: number;
  private readonly passFunction: number;
  private readonly passThreshold: number;
  private sampler?: PromptSampler;
  private pool?: number[];
  private microBatches = 0;
  private generations = 0;
  private slices: GrpoMicroBatch[] = [];
  private savedSlices: SavedSlice[] = [];
  private pendingMetrics: Record<string, number> = {};
  private pendingGenSeconds = 0;
  private pendingScoreSeconds = 0;
  private restored?: SavedState;
  private pendingWrites: Promise<void>[] = [];

  /** @throws `GrpoConfigError` naming an invalid config field; {@link GrpoTrainerError} naming an invalid option */
  constructor(options: GRPOTrainerOptions<Example>) {
    if (options === null || typeof options !== 'object') throw new GrpoTrainerError('options', 'must be an object');
    const { model, tokenizer } = options;
    if (!model || typeof model.forward !== 'function' || !(model.weights instanceof Map)) throw new GrpoTrainerError('options.model', 'must be a causal LM with forward() and weights (e.g. a LlamaModel)');
    if (!tokenizer || typeof tokenizer.encode !== 'function' || typeof tokenizer.decode !== 'function') throw new GrpoTrainerError('options.tokenizer', 'must have encode() and decode()');
    if (!Array.isArray(options.trainDataset) || options.trainDataset.length === 0) throw new GrpoTrainerError('options.trainDataset', 'must be a non-empty array of { prompt }');
    options.trainDataset.forEach((ex, i) => {
      if (!ex || typeof ex.prompt !== 'string' || ex.prompt.length === 0) throw new GrpoTrainerError(`options.trainDataset[${i}].prompt`, 'must be a non-empty string');
    });
    this.settings = resolveGrpoSettings(options.config ?? {});
    const s = this.settings;
    this.rewardFuncs = normalizeRewardFunctions(options.rewardFuncs);
    if (s.rewardWeights && s.rewardWeights.length !== this.rewardFuncs.length) {
      throw new GrpoTrainerError('config.rewardWeights', `has ${s.rewardWeights.length} weights for ${this.rewardFuncs.length} reward functions`);
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.dataset = options.trainDataset;
    this.opts = options;
    this.seed = options.seed ?? s.seed ?? 42;
    if (!Number.isInteger(this.seed) || this.seed < 0) throw new GrpoTrainerError('options.seed', `must be an integer >= 0, got ${this.seed}`);
    this.sampling = { temperature: s.temperature, topP: s.topP, topK: s.topK ?? 0, minP: s.minP ?? null, repetitionPenalty: s.repetitionPenalty, maxCompletionLength: s.maxCompletionLength };
    this.generateEvery = s.stepsPerGeneration * s.numIterations;
    this.offPolicy = s.gradientAccumulationSteps % this.generateEvery !== 0;
    const passName = options.pass?.rewardFunction;
    this.passFunction = passName === undefined ? 0 : this.rewardFuncs.findIndex((f) => f.name === passName);
    if (this.passFunction < 0) throw new GrpoTrainerError('options.pass.rewardFunction', `names no reward function (have ${this.rewardFuncs.map((f) => f.name).join(', ')})`);
    this.passThreshold = options.pass?.threshold ?? 1;
    if (options.dynamicSampling?.maxRounds !== undefined && !(Number.isInteger(options.dynamicSampling.maxRounds) && options.dynamicSampling.maxRounds >= 0)) {
      throw new GrpoTrainerError('options.dynamicSampling.maxRounds', `must be an integer >= 0, got ${options.dynamicSampling.maxRounds}`);
    }

    if (s.beta !== 0) {
      if (options.lora) {
        if (s.syncRefModel) throw new GrpoTrainerError('config.syncRefModel', 'is not possible with LoRA: the reference is the base model (adapters disabled)');
        this.reference = adaptersDisabledReference(model, options.lora);
      } else {
        const make = options.makeReferenceModel ?? (model instanceof LlamaModel ? () => new LlamaModel(model.config, { init: 'zeros' }) as unknown as PolicyModel : undefined);
        if (!make) throw new GrpoTrainerError('options.makeReferenceModel', 'is required for beta > 0 with a model that is not a LlamaModel');
        this.reference = frozenCopyReference(model, make);
      }
    }

    const stateRng: StatefulRng = {
      getRngState: () => this.getState(),
      setRngState: (state: unknown) => {
        this.restored = state as SavedState;
      },
    };
    const lossType = s.lossType;
    this.trainer = new Trainer<GrpoMicroBatch, never, PolicyModel>({
      model,
      trainableVariables: options.lora ? options.lora.namedVariables() : undefined,
      computeLoss: (m, b, ctx) => this.computeLoss(m, b, ctx),
      // dapo/cispo normalise by the tokens of the whole accumulated batch (TRL's num_items_in_batch): weight by
      // tokens; grpo/sapo/bnpo/dr_grpo average per micro-batch, then over micro-batches (weight 1 each).
      batchWeight: (b) => policyBatchWeight(lossType, b.tokens),
      disposeBatch: () => {},
      lr: options.lr ?? s.learningRate ?? 1e-6,
      seed: this.seed,
      gradAccumulationSteps: s.gradientAccumulationSteps,
      maxGradNorm: options.maxGradNorm ?? 1,
      weightDecay: options.weightDecay ?? 0,
      store: options.store,
      checkpointEvery: options.checkpointEvery,
      statefulRngs: options.lora ? [stateRng, options.lora] : [stateRng],
      onStep: (log) => this.afterStep(log),
    });
  }

  /** Optimizer steps completed. */
  get step(): number {
    return this.trainer.step;
  }

  /**
   * Runs `steps` optimizer steps (continuing after earlier calls or {@link GRPOTrainer.resume}). The difficulty
   * filter, when configured, runs once before the first step (its result is part of the saved state).
   *
   */
  async train(options: { steps: number }): Promise<{ step: number; losses: number[] }> {
    await this.ensureSampler();
    const bar = new ProgressBar(this.trainer.step + options.steps, this.opts.progress ?? 'auto');
    const batches: AsyncIterable<GrpoMicroBatch> = {
      [Symbol.asyncIterator]: () => ({ next: async () => ({ done: false, value: await this.nextMicroBatch() }) }),
    };
    const userOnStep = this.opts.onStep;
    let last: StepLog | undefined;
    const unsub = (log: StepLog): void => {
      last = log;
      bar.update(log.step, `loss ${log.loss.toFixed(4)} reward ${(log.metrics?.reward ?? NaN).toFixed(3)}`);
      userOnStep?.(log);
    };
    this.stepListener = unsub;
    try {
      const r = await this.trainer.train(batches, options);
      await Promise.all(this.pendingWrites);
      this.pendingWrites = [];
      return { step: r.step, losses: r.losses };
    } finally {
      this.stepListener = undefined;
      if (last) bar.finish();
    }
  }

  /** Saves the full state (policy or adapters, optimizer, prompt order, generation buffer) as `name`. */
  async saveState(name?: string): Promise<string> {
    const saved = await this.trainer.saveState(name);
    await this.saveReference(saved);
    return saved;
  }

  /** Resumes from a saved state (default: the latest periodic checkpoint). */
  async resume(name?: string): Promise<string> {
    const resumed = await this.trainer.resume(name);
    if (this.reference && this.settings.syncRefModel) await this.loadReference(resumed);
    const st = this.restored;
    if (st) {
      if ((st as { version?: number }).version !== STATE_VERSION) throw new GrpoTrainerError('resume', `state ${resumed} has GRPO state version ${(st as { version?: number }).version}, expected ${STATE_VERSION}`);
      this.microBatches = st.microBatches;
      this.generations = st.generations;
      this.pool = st.pool;
      this.sampler = new PromptSampler(st.pool, this.seed, { masteredPassRate: this.opts.masteredPassRate });
      this.sampler.setState(st.sampler);
      this.savedSlices = st.slices;
      this.slices = st.slices.map((sl) => this.sliceFromSaved(sl));
      this.restored = undefined;
    }
    return resumed;
  }

  /** Frees the optimizer state and a copied reference model (not the policy). */
  dispose(): void {
    this.trainer.dispose();
    this.reference?.dispose();
  }

  private stepListener?: (log: StepLog) => void;

  private getState(): SavedState & { version: number } {
    return {
      version: STATE_VERSION,
      microBatches: this.microBatches,
      generations: this.generations,
      sampler: this.sampler!.getState(),
      pool: this.pool ?? [],
      slices: this.savedSlices,
    };
  }

  private async ensureSampler(): Promise<void> {
    if (this.sampler) return;
    let pool = this.dataset.map((_, i) => i);
    if (this.opts.difficultyFilter) {
      this.difficultyReport = await filterByDifficulty({
        model: this.model,
        tokenizer: this.tokenizer,
        dataset: this.dataset,
        rewardFuncs: this.rewardFuncs,
        sampling: this.sampling,
        seed: derivedSeed(this.seed, 7, 0),
        passFunction: this.passFunction,
        passThreshold: this.passThreshold,
        ...this.opts.difficultyFilter,
      });
      pool = this.difficultyReport.kept;
    }
    this.pool = pool;
    this.sampler = new PromptSampler(pool, this.seed, { masteredPassRate: this.opts.masteredPassRate });
  }

  private async nextMicroBatch(): Promise<GrpoMicroBatch> {
    if (this.pendingWrites.length) {
      await Promise.all(this.pendingWrites);
      this.pendingWrites = [];
    }
    if (this.microBatches % this.generateEvery === 0 || this.slices.length === 0) await this.generateBatch();
    const b = this.slices[this.microBatches % this.settings.stepsPerGeneration]!;
    this.microBatches++;
    return b;
  }

  /** Generates, scores and splits one generation batch into `stepsPerGeneration` micro-batches. */
  private async generateBatch(): Promise<void> {
    const s = this.settings;
    const G = s.numGenerations;
    const perStep = s.perDeviceTrainBatchSize;
    const total = perStep * s.stepsPerGeneration;
    const numPrompts = total / G;
    const genIndex = this.generations++;
    const sampler = this.sampler!;
    const first = await rollout(this.model, this.tokenizer, this.dataset, sampler.next(numPrompts), G, this.sampling, derivedSeed(this.seed, 2, genIndex * 64), this.rewardFuncs);
    let genS = first.generationSeconds;
    let scoreS = first.scoringSeconds;
    const names = this.rewardFuncs.map((f) => f.name);
    const firstAdv = computeAdvantages(first.rewardsPerFunction, G, this.settings, names);
    const metrics: Record<string, number> = { ...firstAdv.metrics, ...completionLengthMetrics(first.completions) };
    // groups: completions, rewards per function, advantages
    type Group = { completions: Completion[]; advantages: number[]; zeroStd: boolean };
    const groupsOf = (r: typeof first, adv: typeof firstAdv): Group[] =>
      Array.from({ length: r.completions.length / G }, (_, g) => ({
        completions: r.completions.slice(g * G, g * G + G),
        advantages: adv.advantages.slice(g * G, g * G + G),
        zeroStd: adv.zeroStdGroups[g]!,
      }));
    const recordPass = (r: typeof first): void => {
      for (let g = 0; g < r.completions.length / G; g++) {
        let pass = 0;
        for (let j = 0; j < G; j++) pass += (r.rewardsPerFunction[this.passFunction]![g * G + j] ?? -Infinity) >= this.passThreshold ? 1 : 0;
        sampler.record(r.completions[g * G]!.prompt, pass / G);
      }
    };
    recordPass(first);
    let groups = groupsOf(first, firstAdv);
    const ds = this.opts.dynamicSampling;
    if (ds?.replace) {
      const kept = groups.filter((g) => !g.zeroStd);
      const spare = groups.filter((g) => g.zeroStd);
      const maxRounds = ds.maxRounds ?? 3;
      for (let round = 1; round <= maxRounds && kept.length < numPrompts; round++) {
        const more = await rollout(this.model, this.tokenizer, this.dataset, sampler.next(numPrompts - kept.length), G, this.sampling, derivedSeed(this.seed, 2, genIndex * 64 + round), this.rewardFuncs);
        genS += more.generationSeconds;
        scoreS += more.scoringSeconds;
        recordPass(more);
        for (const g of groupsOf(more, computeAdvantages(more.rewardsPerFunction, G, this.settings, names))) (g.zeroStd ? spare : kept).push(g);
      }
      while (kept.length < numPrompts) kept.push(spare.shift()!);
      groups = kept.slice(0, numPrompts);
      metrics['dynamic_sampling/replaced_groups'] = groups.filter((g) => !g.zeroStd).length - groupsOf(first, firstAdv).filter((g) => !g.zeroStd).length;
    }
    // Shuffle the completions of the generation batch (TRL shuffles before splitting), then split.
    const all = groups.flatMap((g) => g.completions.map((c, j) => ({ c, a: g.advantages[j]! })));
    const rand = mulberry32(derivedSeed(this.seed, 3, genIndex));
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    const t0 = performance.now();
    this.slices = [];
    this.savedSlices = [];
    for (let k = 0; k < s.stepsPerGeneration; k++) {
      const part = all.slice(k * perStep, (k + 1) * perStep);
      const saved: SavedSlice = {
        promptIds: part.map((x) => x.c.promptIds),
        completionIds: part.map((x) => x.c.completionIds),
        truncated: part.map((x) => x.c.finishReason !== 'stop'),
        advantages: Array.from(Float32Array.from(part.map((x) => x.a))),
      };
      const mb = this.sliceFromSaved(saved);
      if (this.offPolicy) {
        mb.oldLogProbs = await completionLogProbsHost(this.model, mb.seq, s.temperature);
        saved.old = Array.from(mb.oldLogProbs);
      }
      if (this.reference) {
        mb.refLogProbs = await this.reference.logProbs(mb.seq, s.temperature);
        saved.ref = Array.from(mb.refLogProbs);
      }
      this.slices.push(mb);
      this.savedSlices.push(saved);
    }
    scoreS += (performance.now() - t0) / 1000; // old/ref log-probs count as scoring (no gradient)
    this.pendingGenSeconds += genS;
    this.pendingScoreSeconds += scoreS;
    this.pendingMetrics = { ...this.pendingMetrics, ...metrics };
  }

  private sliceFromSaved(sl: SavedSlice): GrpoMicroBatch {
    const padId = this.tokenizer.padTokenId ?? this.model.config.padTokenId ?? 0;
    const seq = packSequences(sl.promptIds, sl.completionIds, padId);
    const C = seq.completionLength;
    let tokens = 0;
    for (let r = 0; r < seq.rows; r++) {
      if (this.settings.maskTruncatedCompletions && sl.truncated[r]) continue;
      for (let j = 0; j < C; j++) tokens += seq.completionMask[r * C + j]!;
    }
    const mb: GrpoMicroBatch = { seq, advantages: Float32Array.from(sl.advantages), truncated: [...sl.truncated], tokens };
    if (sl.old) mb.oldLogProbs = Float32Array.from(sl.old);
    if (sl.ref) mb.refLogProbs = Float32Array.from(sl.ref);
    return mb;
  }

  private computeLoss(model: PolicyModel, b: GrpoMicroBatch, ctx: LossContext): LossResult {
    const { rows: B, completionLength: C } = b.seq;
    const { logProbs, entropies } = completionLogProbs(model, b.seq, { temperature: this.settings.temperature, entropy: true, training: ctx.training });
    const out = computePolicyLoss(
      {
        logProbs,
        ...(b.oldLogProbs ? { oldLogProbs: tf.tensor2d(b.oldLogProbs, [B, C]) } : {}),
        ...(b.refLogProbs ? { refLogProbs: tf.tensor2d(b.refLogProbs, [B, C]) } : {}),
        advantages: tf.tensor1d(b.advantages),
        completionMask: tf.tensor2d(b.seq.completionMask, [B, C]),
        entropies: entropies!,
        truncated: b.truncated,
        numItemsInBatch: b.tokens,
      },
      this.settings,
    );
    return out;
  }

  private afterStep(log: StepLog): void {
    const update = log.ms / 1000 - this.pendingGenSeconds - this.pendingScoreSeconds;
    log.metrics = {
      ...(log.metrics ?? {}),
      ...this.pendingMetrics,
      'timing/generation_s': this.pendingGenSeconds,
      'timing/scoring_s': this.pendingScoreSeconds,
      'timing/update_s': Math.max(0, update),
    };
    if (this.pendingMetrics['completions/mean_length'] !== undefined) {
      log.metrics['num_tokens'] = this.pendingMetrics['completions/mean_length']! * this.settings.perDeviceTrainBatchSize * this.settings.stepsPerGeneration;
    }
    this.pendingMetrics = {};
    this.pendingGenSeconds = 0;
    this.pendingScoreSeconds = 0;
    const s = this.settings;
    if (this.reference && s.syncRefModel && log.step % s.refModelSyncSteps === 0) this.reference.sync(s.refModelMixupAlpha);
    if (log.checkpoint && this.reference && s.syncRefModel) this.pendingWrites.push(this.saveReference(log.checkpoint));
    this.stepListener?.(log);
  }

  /** With `syncRefModel` the reference moves: save its weights beside the checkpoint (state `<name>.ref`). */
  private async saveReference(name: string): Promise<void> {
    const weights = this.reference?.weights;
    if (!weights || !this.settings.syncRefModel) return;
    const tensors = new Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>();
    for (const [k, v] of weights) tensors.set(k, { dtype: 'F32', shape: v.shape, data: (await v.data()) as Float32Array });
    await this.trainer.store.saveState(`${name}.ref`, new Map([['reference.safetensors', serializeSafetensors(tensors)]]));
  }

  private async loadReference(name: string): Promise<void> {
    const weights = this.reference?.weights;
    if (!weights) return;
    const files = await this.trainer.store.loadState(`${name}.ref`);
    const bytes = files.get('reference.safetensors');
    if (!bytes) throw new GrpoTrainerError('resume', `state ${name}.ref has no reference.safetensors`);
    const { tensors } = parseSafetensors(bytes, { file: `${name}.ref/reference.safetensors` });
    for (const [k, w] of weights) {
      const t = tensors.get(k);
      if (!t) throw new GrpoTrainerError('resume', `state ${name}.ref misses reference weight ${k}`);
      tf.tidy(() => w.assign(tf.tensor(t.data as Float32Array, t.shape as number[], 'float32')));
    }
  }
}
