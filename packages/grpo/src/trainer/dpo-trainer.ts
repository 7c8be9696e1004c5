/**
 * `DPOTrainer`: TRL's DPO (sigmoid or IPO loss, `beta`, label smoothing) on the model package's one `Trainer`.
 * Pairs are given (prompt, chosen, rejected), or built from the best and worst reward among G samples per prompt
 * ({@link DPOTrainer.pairsFromSamples}, the report's DPO-vs-GRPO comparison). The reference is the policy as it is
 * when the trainer starts: its sequence log-probs are computed once, without gradients (TRL's
 * `precompute_ref_log_probs`), so no copy of the model is kept; `referenceFree` uses 0. As in TRL, IPO compares
 * length-averaged sequence log-probs and sigmoid summed ones; `rpoAlpha` adds the chosen completions' token NLL.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Trainer, type GenerationTokenizer, type LrSchedule, type StatefulRng, type StepLog, type TrainerStore } from '@quarkmed/model';
import { parseDpoConfig, type DPOConfig, type DPOConfigInput } from '../config/dpo-config';
import { chosenNll } from '../dpo/chosen-nll';
import { DPO_METRIC_NAMES, dpoLoss, type DpoLossMetrics } from '../dpo/dpo-loss';
import { sequenceLogProbs } from '../dpo/sequence-log-probs';
import { buildPreferencePairs } from '../dpo/preference-pairs';
import { GrpoTrainerError } from './errors';
import { completionLogProbs, completionLogProbsHost, packSequences, type PolicyModel, type SequenceBatch } from './policy-model';
import { derivedSeed } from './prompt-sampler';
import { normalizeRewardFunctions, type RewardFunction } from './reward-functions';
import { rollout, type PromptExample, type RolloutSampling } from './rollouts';

/** One preference: the same prompt with a preferred and a dispreferred completion. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** Options of {@link DPOTrainer}. */
export interface DPOTrainerOptions {
  model: PolicyModel;
  tokenizer: GenerationTokenizer;
  /** DPO options (TRL's `DPOConfig`, camelCase), validated by `parseDpoConfig`. */
  config?: DPOConfigInput;
  pairs: readonly PreferencePair[];
  /** LoRA variables to train (default: every weight). */
  trainableVariables?: Map<string, tf.Variable>;
  /** Pairs per micro-batch (default 8). */
  batchSize?: number;
  gradientAccumulationSteps?: number;
  /** Learning rate or schedule (default `config.learningRate`). */
  lr?: number | LrSchedule;
  store?: TrainerStore;
  checkpointEvery?: number;
  maxGradNorm?: number;
  statefulRngs?: readonly StatefulRng[];
  onStep?: (log: StepLog) => void;
}

interface EncodedPair {
  promptIds: number[];
  chosenIds: number[];
  rejectedIds: number[];
}

/** A DPO micro-batch: chosen rows then rejected rows, with their reference log-probs. */
export interface DpoBatch {
  seq: SequenceBatch;
  pairs: number;
  refChosen: Float32Array;
  refRejected: Float32Array;
}

/** The DPO trainer. */
export class DPOTrainer {
  readonly config: Readonly<DPOConfig>;
  readonly trainer: Trainer<DpoBatch, number, PolicyModel>;
  private readonly model: PolicyModel;
  private readonly encoded: EncodedPair[];
  private readonly padId: number;
  private refChosen?: Float32Array;
  private refRejected?: Float32Array;

  /** @throws `GrpoConfigError` naming a config field; {@link GrpoTrainerError} naming an option or pair */
  constructor(options: DPOTrainerOptions) {
    if (options === null || typeof options !== 'object') throw new GrpoTrainerError('options', 'must be an object');
    const { model, tokenizer } = options;
    if (!model || typeof model.forward !== 'function') throw new GrpoTrainerError('options.model', 'must be a causal LM with forward() (e.g. a LlamaModel)');
    if (!tokenizer || typeof tokenizer.encode !== 'function') throw new GrpoTrainerError('options.tokenizer', 'must have encode()');
    if (!Array.isArray(options.pairs) || options.pairs.length === 0) throw new GrpoTrainerError('options.pairs', 'must be a non-empty array of { prompt, chosen, rejected }');
    this.config = parseDpoConfig(options.config ?? {});
    this.model = model;
    this.padId = tokenizer.padTokenId ?? model.config.padTokenId ?? 0;
    const eos = tokenizer.eosTokenId ?? model.config.eosTokenId;
    this.encoded = options.pairs.map((p, i) => {
      for (const k of ['prompt', 'chosen', 'rejected'] as const) {
        if (typeof p?.[k] !== 'string') throw new GrpoTrainerError(`options.pairs[${i}].${k}`, 'must be a string');
      }
      const promptIds = tokenizer.encode(p.prompt);
      if (promptIds.length === 0) throw new GrpoTrainerError(`options.pairs[${i}].prompt`, 'encodes to no tokens');
      const withEos = (ids: number[]): number[] => (eos !== undefined ? [...ids, eos] : ids);
      return { promptIds, chosenIds: withEos(tokenizer.encode(p.chosen)), rejectedIds: withEos(tokenizer.encode(p.rejected)) };
    });
    this.trainer = new Trainer<DpoBatch, number, PolicyModel>({
      model,
      trainableVariables: options.trainableVariables,
      computeLoss: (m, b, ctx) => this.loss(m, b, ctx.training),
      dataCollator: (idx) => this.collate(idx),
      batchWeight: (b) => b.pairs,
      disposeBatch: () => {},
      batchSize: options.batchSize ?? 8,
      gradAccumulationSteps: options.gradientAccumulationSteps ?? 1,
      lr: options.lr ?? this.config.learningRate,
      seed: this.config.seed,
      weightDecay: 0,
      maxGradNorm: options.maxGradNorm ?? 1,
      store: options.store,
      checkpointEvery: options.checkpointEvery,
      statefulRngs: options.statefulRngs,
      onStep: options.onStep,
    });
  }

  /**
   * Builds pairs from `numGenerations` samples of each prompt: the best- and worst-rewarded completions (ties
   * skipped, seeded tie-breaking), with the summed reward of the reward functions.
   */
  static async pairsFromSamples<Example extends PromptExample>(args: {
    model: PolicyModel;
    tokenizer: GenerationTokenizer;
    dataset: readonly Example[];
    rewardFuncs: readonly RewardFunction<Example>[];
    numGenerations: number;
    sampling: RolloutSampling;
    seed: number;
    batchPrompts?: number;
  }): Promise<PreferencePair[]> {
    const funcs = normalizeRewardFunctions(args.rewardFuncs);
    const per = args.batchPrompts ?? 8;
    const G = args.numGenerations;
    const pairs: PreferencePair[] = [];
    for (let start = 0; start < args.dataset.length; start += per) {
      const idx = Array.from({ length: Math.min(per, args.dataset.length - start) }, (_, i) => start + i);
      const r = await rollout(args.model, args.tokenizer, args.dataset, idx, G, args.sampling, derivedSeed(args.seed, 5, start), funcs);
      const totals = r.completions.map((_, i) => {
        let s = 0;
        let any = false;
        for (const f of r.rewardsPerFunction) {
          if (f[i] === null) continue;
          s += f[i]!;
          any = true;
        }
        return any ? s : null;
      });
      for (const p of buildPreferencePairs(totals, G, derivedSeed(args.seed, 6, start)).pairs) {
        const c = r.completions[p.chosen]!;
        pairs.push({ prompt: args.dataset[c.prompt]!.prompt, chosen: c.text, rejected: r.completions[p.rejected]!.text });
      }
    }
    return pairs;
  }

  get step(): number {
    return this.trainer.step;
  }

  /**
   * Computes the reference log-probs (once, before any update or resume), then trains `steps` steps.
   *
   */
  async train(options: { steps: number }): Promise<{ step: number; losses: number[] }> {
    await this.prepare();
    const r = await this.trainer.train(this.encoded.map((_, i) => i), options);
    return { step: r.step, losses: r.losses };
  }

  /** Resumes from a saved state; the reference log-probs are taken first, from the weights the trainer started with. */
  async resume(name?: string): Promise<string> {
    await this.prepare();
    return this.trainer.resume(name);
  }

  /** Frees the optimizer state. */
  dispose(): void {
    this.trainer.dispose();
  }

  /** Reference sequence log-probs of every pair (summed over completion tokens), computed once. */
  private async prepare(): Promise<void> {
    if (this.refChosen) return;
    const n = this.encoded.length;
    this.refChosen = new Float32Array(n);
    this.refRejected = new Float32Array(n);
    if (this.config.referenceFree) return;
    const per = 8;
    for (let s = 0; s < n; s += per) {
      const idx = Array.from({ length: Math.min(per, n - s) }, (_, i) => s + i);
      const seq = this.pack(idx);
      const lp = await completionLogProbsHost(this.model, seq, 1);
      const sums = rowLogProbs(lp, seq, this.config.lossType === 'ipo');
      idx.forEach((i, j) => {
        this.refChosen![i] = sums[j]!;
        this.refRejected![i] = sums[idx.length + j]!;
      });
    }
  }

  private pack(idx: readonly number[]): SequenceBatch {
    const pairs = idx.map((i) => this.encoded[i]!);
    return packSequences(
      [...pairs.map((p) => p.promptIds), ...pairs.map((p) => p.promptIds)],
      [...pairs.map((p) => p.chosenIds), ...pairs.map((p) => p.rejectedIds)],
      this.padId,
    );
  }

  private collate(idx: readonly number[]): DpoBatch {
    return {
      seq: this.pack(idx),
      pairs: idx.length,
      refChosen: Float32Array.from(idx.map((i) => this.refChosen![i]!)),
      refRejected: Float32Array.from(idx.map((i) => this.refRejected![i]!)),
    };
  }

  private loss(model: PolicyModel, b: DpoBatch, training: boolean): { loss: tf.Scalar; metrics: Record<string, tf.Scalar | number> } {
    const { rows, completionLength: C } = b.seq;
    const { logProbs } = completionLogProbs(model, b.seq, { temperature: 1, training });
    const mask = tf.tensor2d(b.seq.completionMask, [rows, C]);
    const seqLp = sequenceLogProbs(logProbs, mask, { average: this.config.lossType === 'ipo' });
    const chosen = tf.slice(seqLp, [0], [b.pairs]) as tf.Tensor1D;
    const rejected = tf.slice(seqLp, [b.pairs], [b.pairs]) as tf.Tensor1D;
    const nll = this.config.rpoAlpha === null ? null : chosenNll(tf.slice(logProbs, [0, 0], [b.pairs, C]) as tf.Tensor2D, tf.slice(mask, [0, 0], [b.pairs, C]) as tf.Tensor2D);
    const out = dpoLoss(
      this.config.referenceFree
        ? { policyChosenLogps: chosen, policyRejectedLogps: rejected, chosenNll: nll }
        : { policyChosenLogps: chosen, policyRejectedLogps: rejected, refChosenLogps: tf.tensor1d(b.refChosen), refRejectedLogps: tf.tensor1d(b.refRejected), chosenNll: nll },
      this.config,
    );
    const metrics: Record<string, tf.Scalar> = {};
    for (const [k, v] of Object.entries(out.metrics) as [keyof DpoLossMetrics, tf.Scalar][]) metrics[DPO_METRIC_NAMES[k]] = v;
    return { loss: out.loss, metrics };
  }
}

/** Per-row sequence log-probs on the host: the masked sum, or with `average` the masked mean (as `sequenceLogProbs`). */
function rowLogProbs(lp: Float32Array, seq: SequenceBatch, average: boolean): number[] {
  const C = seq.completionLength;
  return Array.from({ length: seq.rows }, (_, r) => {
    let s = 0;
    let n = 0;
    for (let j = 0; j < C; j++) {
      s += lp[r * C + j]! * seq.completionMask[r * C + j]!;
      n += seq.completionMask[r * C + j]!;
    }
    return average ? s / Math.max(n, 1) : s;
  });
}
