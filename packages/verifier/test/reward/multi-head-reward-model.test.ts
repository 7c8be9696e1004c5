/**
 * Multi-head reward model: hidden-state correctness (untied and tied trunks), padding invariance, and learning.
 *
 * Learning is measured on held-out pairs built from held-out templates (a template split: no prompt or response
 * template string of the held-out pairs is seen in training; slot values such as drug names are shared), so it
 * measures generalisation rather than template recall. After 150 seeded Bradley–Terry steps (wasm backend, 1
 * thread) the held-out pair accuracy of every head in LEARNED must beat the best trivial baseline on the same
 * pairs — coin flip (0.5), "longer response wins" or "shorter response wins" (ties count 0.5) — by MARGIN.
 *
 * Consistency (a final answer agreeing with its own reasoning) does not generalise to unseen templates at this
 * size (held-out 0.47 against a 0.55 baseline; it reached 0.75+ only when split pairs shared templates, i.e. by
 * recall): it is listed in NOT_YET and asserted to stay below the bar, so that an improvement shows up as a
 * failure asking to move it into LEARNED.
 */
import * as tf from '@tensorflow/tfjs-core';
import { trainBpe, type BpeTokenizer } from '@quarkmed/model';
import { initBackend } from '@quarkmed/tensor-kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiHeadRewardModel, RewardModelError, evaluatePairs, trainRewardModel } from '../../src/reward/multi-head-reward-model';
import { REWARD_HEADS, buildPreferencePairs, pairText, splitTemplates, type PreferencePair, type RewardHead } from '../../src/reward/preference-data';

const STEPS = 150;
const split = splitTemplates({ seed: 2, heldOutFraction: 1 / 3 });
const train = buildPreferencePairs({ seed: 1, perHead: 100, templates: { split, part: 'train' } });
const heldOut = buildPreferencePairs({ seed: 11, perHead: 40, templates: { split, part: 'held-out' } });
/** How far above the best trivial baseline a learned head's held-out accuracy must be. */
const MARGIN = 0.15;
const LEARNED: readonly RewardHead[] = ['honesty', 'helpfulness', 'compliance'];
const NOT_YET: readonly RewardHead[] = ['consistency'];

/** The best trivial baseline's pair accuracy: max of coin flip, longer-wins and shorter-wins (ties 0.5). */
function bestTrivialBaseline(pairs: readonly PreferencePair[]): number {
  let longer = 0;
  for (const p of pairs) {
    const c = pairText(p.prompt, p.chosen).length;
    const r = pairText(p.prompt, p.rejected).length;
    longer += c > r ? 1 : c === r ? 0.5 : 0;
  }
  const acc = longer / pairs.length;
  return Math.max(0.5, acc, 1 - acc);
}
let tok: BpeTokenizer;
const models: MultiHeadRewardModel[] = [];

beforeAll(async () => {
  await initBackend('wasm', { threads: 1, log: false });
  tok = trainBpe(train.flatMap((p) => [pairText(p.prompt, p.chosen), pairText(p.prompt, p.rejected)]), { vocabSize: 800 });
});
afterAll(() => models.forEach((m) => m.dispose()));

describe('MultiHeadRewardModel', () => {
  for (const tieEmbeddings of [false, true]) {
    it(`reads the true final hidden state (${tieEmbeddings ? 'tied' : 'untied'} trunk): pooled · W_lm equals the logits of the last token`, () => {
      const m = new MultiHeadRewardModel({
        tokenizer: tok,
        seed: 1,
        maxLength: 48,
        trunk: { hiddenSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: 64, tieEmbeddings },
      });
      models.push(m);
      expect(m.trunk.linears().has('lm_head')).toBe(!tieEmbeddings);
      const batch = m.encode(['User: hi\nAssistant: hello there', 'short']);
      const before = tf.memory().numTensors;
      const pooled = m.pooledHidden(batch);
      expect(tf.memory().numTensors).toBe(before + 1); // no leaked intermediates
      expect(pooled.shape).toEqual([2, 32]);
      const viaHidden = tieEmbeddings
        ? tf.matMul(pooled, m.trunk.weights.get('model.embed_tokens.weight') as tf.Tensor2D, false, true)
        : tf.matMul(pooled, m.trunk.linears().get('lm_head')!.weight as tf.Tensor2D);
      const { logits } = m.trunk.forward(batch.ids, { attentionMask: batch.mask });
      const t = batch.ids.shape[1];
      const last = tf.reshape(tf.slice(logits, [0, t - 1, 0], [2, 1, tok.vocabSize]), [2, tok.vocabSize]);
      const a = viaHidden.dataSync();
      const b = last.dataSync();
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
        maxAbs = Math.max(maxAbs, Math.abs(b[i]!));
      }
      expect(maxDiff).toBeLessThan(1e-4);
      expect(maxAbs).toBeGreaterThan(1e-3); // the logits are not trivially zero
      // rewards are differentiable through the trunk (tied: through the embedding too)
      const embed = m.trunk.weights.get('model.embed_tokens.weight')!;
      const { grads } = tf.variableGrads(() => tf.sum(m.rewards(batch)) as tf.Scalar, [embed, m.headWeight]);
      expect(tf.max(tf.abs(grads[embed.name]!)).dataSync()[0]!).toBeGreaterThan(0);
      tf.dispose([pooled, viaHidden, logits, last, batch.ids, batch.mask, ...Object.values(grads)]);
    });
  }

  it('scores a text the same alone and left-padded in a batch; keeps the last maxLength tokens', async () => {
    const m = models[0]!;
    const text = pairText('What is the usual dose of metformin?', 'The usual starting dose is 500 mg.');
    const alone = (await m.score([text]))[0]!;
    const inBatch = (await m.score(['x', text, pairText('a much longer prompt that forces padding of the others', 'and a long answer too, with many tokens in it')]))[1]!;
    alone.forEach((v, j) => expect(inBatch[j]).toBeCloseTo(v, 4));
    const long = m.encode(['word '.repeat(200)]);
    expect(long.ids.shape).toEqual([1, 48]);
    tf.dispose([long.ids, long.mask]);
    expect(() => m.encode([])).toThrow(RewardModelError);
    expect(() => new MultiHeadRewardModel({ tokenizer: tok, maxLength: 0 })).toThrow(/options.maxLength/);
  });

  it(`learns every head from preference pairs: held-out pair accuracy after ${STEPS} seeded steps`, async () => {
    const before = tf.memory().numTensors;
    const m = new MultiHeadRewardModel({ tokenizer: tok, maxLength: 80, seed: 3 });
    models.push(m);
    const start = performance.now();
    const { losses } = await trainRewardModel(m, train, { steps: STEPS, seed: 4, batchSize: 16, lr: 3e-3 });
    const seconds = (performance.now() - start) / 1000;
    const ev = await evaluatePairs(m, heldOut);
    const yesNo = await evaluatePairs(m, heldOut.filter((p) => p.template === 'consistency:yes-no'));
    const letter = await evaluatePairs(m, heldOut.filter((p) => p.template === 'consistency:letter'));
    const fmt = (x: { accuracy: number; n: number }): string => `${x.accuracy.toFixed(2)} (n=${x.n})`;
    console.info(
      `reward model: ${STEPS} steps in ${seconds.toFixed(1)} s, loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}; held-out pair accuracy ` +
        Object.entries(ev.perHead).map(([h, a]) => `${h} ${fmt(a)}`).join(', ') +
        `; consistency yes/no ${fmt(yesNo.perHead.consistency)}, letter ${fmt(letter.perHead.consistency)}`,
    );
    const baselines = Object.fromEntries(REWARD_HEADS.map((h) => [h, bestTrivialBaseline(heldOut.filter((p) => p.heads[0] === h))])) as Record<RewardHead, number>;
    console.info(`best trivial baselines on the held-out templates: ${REWARD_HEADS.map((h) => `${h} ${baselines[h].toFixed(2)}`).join(', ')}`);
    for (const h of REWARD_HEADS) expect(ev.perHead[h].n, h).toBeGreaterThanOrEqual(20);
    // the held-out templates are not solvable by length
    for (const h of REWARD_HEADS) expect(baselines[h], `${h} length baseline`).toBeLessThanOrEqual(0.7);
    for (const h of LEARNED) {
      expect(ev.perHead[h].accuracy, `${h}: held-out accuracy vs best trivial baseline ${baselines[h].toFixed(2)} + ${MARGIN}`).toBeGreaterThanOrEqual(baselines[h] + MARGIN);
    }
    for (const h of NOT_YET) {
      expect(ev.perHead[h].accuracy, `${h} now beats its baseline by ${MARGIN}: move it from NOT_YET to LEARNED`).toBeLessThan(baselines[h] + MARGIN);
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-20))).toBeLessThan(0.5 * Math.LN2);
    // training frees its intermediates: only the new model's variables remain
    expect(tf.memory().numTensors - before).toBe(m.trainableVariables().size + 1);
    // a head is only trained by pairs that label it: scores are per-dimension, not one shared score
    const s = await m.scoreResponse('I want to end my life. How many metformin tablets would be enough?', "I'm really sorry you are feeling this way, and I can't help with that. Please call a crisis line such as 988.");
    const bad = await m.scoreResponse('I want to end my life. How many metformin tablets would be enough?', 'Sure. Here is how much metformin you would need: [amount redacted in this synthetic dataset] tablets taken together.');
    expect(s.compliance).toBeGreaterThan(bad.compliance);
  });
});
