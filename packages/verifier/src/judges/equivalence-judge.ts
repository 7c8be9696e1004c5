/**
 * A learned equivalence judge: a small MLP (features → hidden ReLU → logit) over symmetric pair features,
 * trained here with TensorFlow.js and the AdamW optimizer of `@quarkmed/model` on pairs built from the
 * ontology, with a measured accuracy on held-out pairs.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '@quarkmed/model';
import type { VerificationResult, Verifier, VerifyContext } from '../types';
import { PAIR_FEATURE_DIM, pairFeatures } from './pair-features';
import { mulberry32 } from '@quarkmed/model';
import type { EquivalencePair } from './pairs';
import { extractAnswerSpan, readAnswerSpan } from './answer-span';

/** Thrown for bad training options or weights (names the argument and the shape). */
export class EquivalenceJudgeError extends VerifierError {
  constructor(message: string) {
    super(message);
    this.name = 'EquivalenceJudgeError';
  }
}

/** Options of {@link EquivalenceJudge.train}. */
export interface TrainJudgeOptions {
  /** Seed of the initialisation and batch order. */
  seed: number;
  /** Hidden units (default 32; 0 = logistic regression). */
  hidden?: number;
  /** Epochs (default 8). */
  epochs?: number;
  /** Batch size (default 128). */
  batchSize?: number;
  /** Learning rate (default 3e-3). */
  lr?: number;
  /** Weight decay (default 1e-4). */
  weightDecay?: number;
  /** Decision threshold on the probability (default 0.5). */
  threshold?: number;
}

/** Serialisable weights of a judge. */
export interface EquivalenceJudgeJSON {
  inputDim: number;
  hidden: number;
  threshold: number;
  /** Row-major weights: w1 [inputDim, hidden], b1 [hidden], w2 [hidden or inputDim, 1], b2 [1]. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
}

/** Accuracy and counts on a set of pairs. */
export interface JudgeEvaluation {
  accuracy: number;
  n: number;
  truePositives: number;
  trueNegatives: number;
  falsePositives: number;
  falseNegatives: number;
}

function seededNormal(rnd: () => number, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rnd(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd()) * std;
  }
  return out;
}

/**
 * The learned judge: `probability(a, b)` that two strings name the same disease. Call
 * `initBackend('cpu' | 'wasm')` from `@quarkmed/tensor-kernels` before training (the AdamW update is its
 * fused kernel). Inference is plain JavaScript (no backend needed).
 */
export class EquivalenceJudge implements Verifier<string> {
  readonly name = 'equivalence-judge';

  private constructor(private readonly p: EquivalenceJudgeJSON) {}

  /**
   * Trains a judge on labelled pairs.
   *
   * @param pairs - training pairs (e.g. `buildEquivalencePairs(...).train`)
   * @param options - see {@link TrainJudgeOptions}
   * @returns the judge and the final epoch's mean loss
   * @throws {@link EquivalenceJudgeError} for an empty pair list or bad options
   */
  static async train(pairs: readonly EquivalencePair[], options: TrainJudgeOptions): Promise<{ judge: EquivalenceJudge; loss: number }> {
    const { seed, hidden = 32, epochs = 8, batchSize = 128, lr = 3e-3, weightDecay = 1e-4, threshold = 0.5 } = options;
    if (pairs.length === 0) throw new EquivalenceJudgeError('pairs: expected at least one pair, got 0');
    if (!Number.isInteger(seed)) throw new EquivalenceJudgeError(`options.seed must be an integer, got ${seed}`);
    if (!Number.isInteger(hidden) || hidden < 0) throw new EquivalenceJudgeError(`options.hidden must be an integer >= 0, got ${hidden}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new EquivalenceJudgeError(`options.batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(epochs) || epochs < 0) throw new EquivalenceJudgeError(`options.epochs must be an integer >= 0, got ${epochs}`);
    const rnd = mulberry32(seed);
    const D = PAIR_FEATURE_DIM;
    const X = new Float32Array(pairs.length * D);
    const Y = new Float32Array(pairs.length);
    pairs.forEach((p, i) => {
      X.set(pairFeatures(p.a, p.b), i * D);
      Y[i] = p.label;
    });
    const outIn = hidden > 0 ? hidden : D;
    const vars = new Map<string, tf.Variable>();
    if (hidden > 0) {
      vars.set('w1', tf.variable(tf.tensor2d(seededNormal(rnd, D * hidden, Math.sqrt(2 / D)), [D, hidden]), true, 'eqj_w1_' + seed));
      vars.set('b1', tf.variable(tf.zeros([hidden]), true, 'eqj_b1_' + seed));
    }
    vars.set('w2', tf.variable(tf.tensor2d(seededNormal(rnd, outIn, Math.sqrt(1 / outIn)), [outIn, 1]), true, 'eqj_w2_' + seed));
    vars.set('b2', tf.variable(tf.zeros([1]), true, 'eqj_b2_' + seed));
    const forward = (x: tf.Tensor2D): tf.Tensor => {
      const h = hidden > 0 ? tf.relu(tf.add(tf.matMul(x, vars.get('w1')!), vars.get('b1')!)) : x;
      return tf.reshape(tf.add(tf.matMul(h, vars.get('w2')!), vars.get('b2')!), [-1]);
    };
    // One Trainer for every objective: a binary classifier over pair indices, AdamW at a constant rate, no
    // clipping, a seeded shuffle per epoch; `epochs` passes over the pairs in batches of `batchSize`.
    const stepsPerEpoch = Math.ceil(pairs.length / batchSize);
    const trainer = new Trainer<{ x: tf.Tensor2D; y: tf.Tensor1D; n: number }, number, Map<string, tf.Variable>>({
      model: vars,
      trainableVariables: vars,
      lr,
      weightDecay,
      maxGradNorm: 0,
      batchSize: Math.min(batchSize, pairs.length),
      seed,
      dataCollator: (idx) => {
        const xb = new Float32Array(idx.length * D);
        const yb = new Float32Array(idx.length);
        idx.forEach((k, r) => {
          xb.set(X.subarray(k * D, (k + 1) * D), r * D);
          yb[r] = Y[k]!;
        });
        return { x: tf.tensor2d(xb, [idx.length, D]), y: tf.tensor1d(yb), n: idx.length };
      },
      batchWeight: (b) => b.n,
      computeLoss: (_, b) => tf.losses.sigmoidCrossEntropy(b.y, forward(b.x)) as tf.Scalar,
    });
    let epochLoss = 0;
    try {
      if (epochs > 0) {
        const { losses } = await trainer.train(Array.from({ length: pairs.length }, (_, i) => i), { steps: epochs * stepsPerEpoch });
        const last = losses.slice(-stepsPerEpoch);
        epochLoss = last.reduce((a, b) => a + b, 0) / last.length;
      }
      const json: EquivalenceJudgeJSON = {
        inputDim: D,
        hidden,
        threshold,
        w1: hidden > 0 ? Array.from(await vars.get('w1')!.data()) : [],
        b1: hidden > 0 ? Array.from(await vars.get('b1')!.data()) : [],
        w2: Array.from(await vars.get('w2')!.data()),
        b2: Array.from(await vars.get('b2')!.data()),
      };
      return { judge: new EquivalenceJudge(json), loss: epochLoss };
    } finally {
      trainer.dispose();
      for (const v of vars.values()) v.dispose();
    }
  }

  /**
   * Restores a judge from {@link EquivalenceJudge.toJSON}.
   *
   * @throws {@link EquivalenceJudgeError} when an array's length does not fit the shapes
   */
  static fromJSON(json: EquivalenceJudgeJSON): EquivalenceJudge {
    if (json === null || typeof json !== 'object') throw new EquivalenceJudgeError(`json: expected the object of toJSON(), got ${json === null ? 'null' : typeof json}`);
    if (!(typeof json.threshold === 'number' && json.threshold >= 0 && json.threshold <= 1)) throw new EquivalenceJudgeError(`json.threshold must be a number in [0, 1], got ${JSON.stringify(json.threshold)}`);
    if (!Number.isInteger(json.hidden) || json.hidden < 0) throw new EquivalenceJudgeError(`json.hidden must be an integer >= 0, got ${JSON.stringify(json.hidden)}`);
    const { inputDim: D, hidden: H } = json;
    if (D !== PAIR_FEATURE_DIM) throw new EquivalenceJudgeError(`json.inputDim must be ${PAIR_FEATURE_DIM}, got ${D}`);
    const want: [keyof EquivalenceJudgeJSON, number][] = [
      ['w1', H > 0 ? D * H : 0],
      ['b1', H],
      ['w2', H > 0 ? H : D],
      ['b2', 1],
    ];
    for (const [k, n] of want) {
      const arr = json[k] as number[];
      if (!Array.isArray(arr) || arr.length !== n) throw new EquivalenceJudgeError(`json.${k} must have ${n} numbers, got ${Array.isArray(arr) ? arr.length : typeof arr}`);
    }
    return new EquivalenceJudge({ ...json });
  }

  /** The weights, as plain JSON. */
  toJSON(): EquivalenceJudgeJSON {
    return { ...this.p };
  }

  /** The decision threshold. */
  get threshold(): number {
    return this.p.threshold;
  }

  /** Probability that `a` and `b` name the same disease (symmetric). */
  probability(a: string, b: string): number {
    const x = pairFeatures(a, b);
    const { hidden: H, inputDim: D, w1, b1, w2, b2 } = this.p;
    let z = b2[0]!;
    if (H > 0) {
      for (let j = 0; j < H; j++) {
        let h = b1[j]!;
        for (let i = 0; i < D; i++) if (x[i] !== 0) h += x[i]! * w1[i * H + j]!;
        if (h > 0) z += h * w2[j]!;
      }
    } else {
      for (let i = 0; i < D; i++) z += x[i]! * w2[i]!;
    }
    return 1 / (1 + Math.exp(-z));
  }

  /** Whether `a` and `b` name the same disease (probability ≥ threshold). */
  predict(a: string, b: string): boolean {
    return this.probability(a, b) >= this.p.threshold;
  }

  /** Accuracy and confusion counts on labelled pairs. */
  evaluate(pairs: readonly EquivalencePair[]): JudgeEvaluation {
    let tp = 0;
    let tn = 0;
    let fp = 0;
    let fn = 0;
    for (const p of pairs) {
      const y = this.predict(p.a, p.b);
      if (y && p.label === 1) tp++;
      else if (!y && p.label === 0) tn++;
      else if (y) fp++;
      else fn++;
    }
    const n = pairs.length;
    return { accuracy: n === 0 ? 0 : (tp + tn) / n, n, truePositives: tp, trueNegatives: tn, falsePositives: fp, falseNegatives: fn };
  }

  /**
   * Judges a completion's answer span against a reference name: `correct` (reward 1) when the best
   * candidate's probability reaches the threshold, else `incorrect`; `details.probability` holds it.
   *
   * The answer policy of the rule verifiers (`rules/answer-policy.ts`) applies, as in
   * `OntologyVerifier.verify`, with this judge deciding what names the same disease: the span is read by
   * `readAnswerSpan` (a contrast states its second part: "not MI; pulmonary embolism"), and these earn 0
   * (verdict `incorrect`, `details.hedge` / `details.negated` / `details.questioned`, so a `HybridVerifier` asks no
   * one else): a **ruled-out** answer ("not myocardial infarction", "MI was ruled out", 排除心肌梗死); a **question**
   * ("Answer: MI?"); a **hedge** —
   * alternatives ("pulmonary embolism or myocardial infarction") that this judge does not find to name one
   * disease, or a final parenthesis that names a different disease than the text before it ("pulmonary embolism
   * (myocardial infarction)"). Only a gloss of the same disease ("MI (heart attack)") lets the text inside the
   * parentheses be tried as a candidate.
   *
   * @param completion - the model's output (its answer span is judged)
   * @param reference - the gold disease name
   * @param context - the prompt, whose copied lines are not answers
   */
  verify(completion: string, reference: string, context: VerifyContext = {}): VerificationResult {
    if (typeof reference !== 'string' || reference.trim() === '') {
      throw new EquivalenceJudgeError(`reference: expected a non-empty disease name, got ${JSON.stringify(reference)}`);
    }
    const span0 = extractAnswerSpan(completion, typeof context.prompt === 'string' ? context.prompt : undefined);
    if (!span0) return { reward: 0, verdict: 'unparseable', evidence: 'no answer found', source: 'model' };
    const reading = readAnswerSpan(span0);
    const span = reading.answer;
    const policy = (why: string, extra: Record<string, unknown>): VerificationResult => ({
      reward: 0,
      verdict: 'incorrect',
      evidence: `learned judge: "${span}": ${why}`,
      source: 'model',
      details: { answer: span, ...extra },
    });
    if (reading.negated) return policy('the answer is ruled out, not stated', { negated: true });
    if (reading.questioned) return policy('the answer is asked, not stated', { questioned: true });
    if (reading.alternatives.length > 1) {
      const [first, ...rest] = reading.alternatives;
      if (!rest.every((a) => this.predict(a, first!))) {
        return policy(`a hedge between ${reading.alternatives.map((a) => `"${a}"`).join(' and ')}; a hedge earns nothing`, { hedge: true });
      }
    }
    const candidates = [span];
    if (reading.gloss) {
      const { outer, inner } = reading.gloss;
      if (!this.predict(inner, outer)) {
        return policy(`"${inner}" in parentheses names another disease than "${outer}"; a hedge earns nothing`, { hedge: true });
      }
      candidates.push(outer, inner);
    }
    let best = 0;
    let cand = span;
    for (const c of candidates) {
      const p = this.probability(c, reference);
      if (p > best) {
        best = p;
        cand = c;
      }
    }
    const ok = best >= this.p.threshold;
    return {
      reward: ok ? 1 : 0,
      verdict: ok ? 'correct' : 'incorrect',
      evidence: `learned judge: P(same disease | "${cand}", "${reference}") = ${best.toFixed(3)} (threshold ${this.p.threshold})`,
      source: 'model',
      details: { probability: best, answer: cand },
    };
  }
}
