/**
 * What the browser page runs on the active backend (browser-safe: no Node built-ins): a tiny Llama policy, three
 * GRPO steps with a deterministic reward (the fraction of a completion's characters in a-m) and the verifier's multiple-choice
 * reward, then two DPO steps on fixed pairs. It reports numbers the test asserts on; it asserts nothing itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { multipleChoiceVerifier } from '@quarkmed/verifier';
import type { StepLog } from '@quarkmed/model';
import { GRPOTrainer } from '../../src/trainer/grpo-trainer';
import { DPOTrainer } from '../../src/trainer/dpo-trainer';
import type { RewardInput } from '../../src/trainer/reward-functions';
import { verifierReward } from '../../src/trainer/verifier-rewards';
import { charTokenizer, tinyPolicy, weightsOf } from '../trainer/helpers';

/** The numbers the browser test checks. */
export interface ScenarioResult {
  backend: string;
  grpo: {
    losses: number[];
    /** `reward` per step (the weighted sum of both reward functions' means). */
    rewards: number[];
    /** `rewards/good_chars/mean` per step. */
    goodChars: number[];
    /** `rewards/multiple_choice/mean` per step (the verifier ran on every completion). */
    multipleChoice: number[];
    /** Mean log-probability that a training prompt's first completion token is rewarded (no sampling), before and after. */
    probeBefore: number;
    probeAfter: number;
    /** max |Δw| over the policy's weights. */
    weightChange: number;
  };
  dpo: { losses: number[]; margins: number[]; accuracies: number[]; weightChange: number };
  /** tf.memory().numTensors after each GRPO step. */
  tensorsAfterStep: number[];
  /** Wall seconds of each GRPO step (reported, not asserted). */
  stepSeconds: number[];
}

const TRAIN = ['ab', 'cd', 'ef', 'gh'].map((p) => ({ prompt: p, answer: 'A' }));
/** Prompts of the DPO pairs (not seen by GRPO). */
const DPO_PROMPTS = ['ij', 'kl', 'mn', 'op'];

/** The rewarded characters: the first half of the lowercase alphabet (about a third of the vocabulary). */
const GOOD = 'abcdefghijklm';

/** Reward: the fraction of a completion's characters in {@link GOOD} (0 for an empty completion). */
const goodChars = {
  name: 'good_chars',
  fn: ({ completions }: RewardInput) => completions.map((c) => (c.length ? [...c].filter((x) => GOOD.includes(x)).length / c.length : 0)),
};

/**
 * The probe batch: mean over `prompts` of log P(first completion token ∈ GOOD), computed from the weights (no
 * sampling). GRPO on the good-characters reward should raise it.
 */
async function probeLogProb(model: ReturnType<typeof tinyPolicy>, prompts: readonly string[]): Promise<number> {
  const tok = charTokenizer();
  const ids = tf.tensor2d(prompts.map((p) => tok.encode(p)), undefined, 'int32');
  const good = tf.tensor1d([...GOOD].map((c) => tok.encode(c)[0]!), 'int32');
  const lp = tf.tidy(() => {
    const { logits } = model.forward(ids as tf.Tensor2D);
    const [b, t, v] = logits.shape;
    const last = tf.reshape(tf.slice(logits, [0, t - 1, 0], [b, 1, v]), [b, v]);
    return tf.mean(tf.logSumExp(tf.gather(tf.logSoftmax(last), good, 1), 1));
  });
  const value = (await lp.data())[0]!;
  tf.dispose([lp, ids, good]);
  return value;
}

async function maxChange(before: Map<string, Float32Array>, model: ReturnType<typeof tinyPolicy>): Promise<number> {
  const after = await weightsOf(model);
  let m = 0;
  for (const [k, a] of before) {
    const b = after.get(k)!;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  }
  return m;
}

/** Runs the GRPO and DPO steps on the backend that is active now. */
export async function runScenario(): Promise<ScenarioResult> {
  const steps = 3;
  const probe = TRAIN.map((x) => x.prompt);
  const model = tinyPolicy({}, 2);
  const tokenizer = charTokenizer();
  const w0 = await weightsOf(model);
  const probeBefore = await probeLogProb(model, probe);
  const logs: StepLog[] = [];
  const tensorsAfterStep: number[] = [];
  const stepSeconds: number[] = [];
  const grpo = new GRPOTrainer({
    model, tokenizer, trainDataset: TRAIN, lr: 3e-2, seed: 7, progress: false,
    rewardFuncs: [goodChars, verifierReward(multipleChoiceVerifier, { referenceOf: (ex: { answer: string }) => ({ answer: ex.answer }), name: 'multiple_choice' })],
    config: { numGenerations: 4, perDeviceTrainBatchSize: 16, maxCompletionLength: 4, beta: 0.04, lossType: 'dapo' },
    onStep: (log) => {
      logs.push(log);
    },
  });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    losses.push(...(await grpo.train({ steps: 1 })).losses);
    tensorsAfterStep.push(tf.memory().numTensors);
    stepSeconds.push((performance.now() - t0) / 1000);
  }
  const metric = (k: string) => logs.map((l) => l.metrics?.[k] ?? NaN);
  const grpoResult = {
    losses,
    rewards: metric('reward'),
    goodChars: metric('rewards/good_chars/mean'),
    multipleChoice: metric('rewards/multiple_choice/mean'),
    probeBefore,
    probeAfter: await probeLogProb(model, probe),
    weightChange: await maxChange(w0, model),
  };
  grpo.dispose();

  const w1 = await weightsOf(model);
  const dpoLogs: StepLog[] = [];
  const dpo = new DPOTrainer({
    model, tokenizer, batchSize: 4, lr: 2e-2, config: { beta: 0.1, seed: 1 },
    pairs: DPO_PROMPTS.map((p) => ({ prompt: p, chosen: 'aaa', rejected: 'bcd' })),
    onStep: (log) => {
      dpoLogs.push(log);
    },
  });
  const dpoLosses = (await dpo.train({ steps: 2 })).losses;
  const dpoResult = {
    losses: dpoLosses,
    margins: dpoLogs.map((l) => l.metrics?.['rewards/margins'] ?? NaN),
    accuracies: dpoLogs.map((l) => l.metrics?.['rewards/accuracies'] ?? NaN),
    weightChange: await maxChange(w1, model),
  };
  dpo.dispose();
  model.dispose();
  return { backend: tf.getBackend(), grpo: grpoResult, dpo: dpoResult, tensorsAfterStep, stepSeconds };
}
