import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EvalModelConfigError,
  EvalOptionError,
  LocalModel,
  LocalModelInputError,
  OpenAICompatibleModel,
  buildLikelihoodPrompt,
  evaluate,
  likelihoodContinuations,
  loadBenchmark,
  parsePredictions,
  rescore,
  serializePredictions,
  type ChoiceItem,
  type ContinuationScore,
  type EvalItem,
  type EvalPrompt,
} from '../../src/index';
import type { LlamaModel } from '@quarkmed/model';
import { sampleText } from './fixtures';
import { ScriptedModel } from './scripted-model';
import { tinyModel, useCpu } from '../serve/tiny-checkpoint';

const utf8 = new TextEncoder();

/** A scripted model that also scores continuations: `logProbOf(item, key)` for each option of the prompt's item. */
class ScriptedScorer extends ScriptedModel {
  scored = 0;
  constructor(
    id: string,
    private readonly all: readonly EvalItem[],
    private readonly logProbOf: (item: EvalItem, key: string) => number,
  ) {
    super(id, all, () => {
      throw new Error('likelihood scoring must not generate');
    });
  }
  async scoreContinuations(prompt: EvalPrompt, continuations: readonly string[]): Promise<ContinuationScore[]> {
    this.scored++;
    const text = typeof prompt === 'string' ? prompt : prompt.map((m) => m.content).join('\n');
    const item = this.all.filter((i) => text.includes(i.question)).sort((a, b) => b.question.length - a.question.length)[0]!;
    const conts = likelihoodContinuations(item);
    expect(continuations).toEqual(conts.map((c) => c.continuation));
    return conts.map((c) => ({ logProb: this.logProbOf(item, c.key), tokens: 1, bytes: utf8.encode(c.continuation).length }));
  }
}

const gold = (item: EvalItem): string[] => (item.kind === 'multiple-choice' ? item.answer : item.kind === 'yes-no-maybe' ? [item.answer] : []);
const items = (): EvalItem[] => [...loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl')), ...loadBenchmark('pubmedqa', sampleText('pubmedqa_pqal.sample.json'))];

describe("the harness's likelihood scoring", () => {
  it('a model whose log-probs favour the gold option scores 100%, one favouring a wrong option 0%, without generating', async () => {
    const list = items();
    expect(list.some((i) => i.kind === 'yes-no-maybe') && list.some((i) => i.kind === 'multiple-choice')).toBe(true);
    // per byte (acc_norm) the gold option wins by a wide margin whatever the option lengths
    const right = new ScriptedScorer('right', list, (item, key) => (gold(item).includes(key) ? -0.01 : -500));
    const r = await evaluate({ items: list, model: right, scoring: 'likelihood', concurrency: 3 });
    expect(right.calls).toBe(0);
    expect(right.scored).toBe(list.length);
    expect(r.report.overall).toMatchObject({ n: list.length, correct: list.length, accuracy: 1 });
    expect(r.report.scoring).toBe('likelihood');
    const wrong = new ScriptedScorer('wrong', list, (item, key) => (gold(item).includes(key) ? -500 : -0.01));
    const w = await evaluate({ items: list, model: wrong, scoring: 'likelihood', likelihoodMetric: 'acc' });
    expect(w.report.overall).toMatchObject({ n: list.length, correct: 0, accuracy: 0 });
    expect(w.predictions.every((p) => p.scoring === 'likelihood' && p.likelihood?.metric === 'acc' && !gold(p.item).includes(p.output))).toBe(true);
  });

  it('acc and acc_norm differ exactly as documented: summed log-prob vs log-prob per UTF-8 byte', async () => {
    const [item] = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    const conts = likelihoodContinuations(item!);
    const bytes = conts.map((c) => utf8.encode(c.continuation).length);
    const longest = bytes.indexOf(Math.max(...bytes));
    expect(bytes.filter((b) => b === bytes[longest]).length).toBe(1);
    // the longest option: -0.5 per byte, the lowest sum; every other: a higher sum but below -0.5 per byte
    const lp = (_: EvalItem, key: string): number => {
      const k = conts.findIndex((c) => c.key === key);
      return k === longest ? -0.5 * bytes[k]! : -0.5 * bytes[longest]! + 0.001;
    };
    const acc = await evaluate({ items: [item!], model: new ScriptedScorer('m', [item!], lp), scoring: 'likelihood', likelihoodMetric: 'acc' });
    const norm = await evaluate({ items: [item!], model: new ScriptedScorer('m', [item!], lp), scoring: 'likelihood' });
    expect(norm.predictions[0]!.output).toBe(conts[longest]!.key);
    expect(acc.predictions[0]!.output).not.toBe(conts[longest]!.key);
  });

  it('rescoring a likelihood predictions file equals the scoring of the run (and reuses the recorded scores)', async () => {
    const list = items();
    // a mix: gold on even positions, a wrong option on odd ones
    const m = new ScriptedScorer('mix', list, (item, key) => {
      const k = list.indexOf(item);
      return gold(item).includes(key) === (k % 2 === 0) ? -0.1 : -50;
    });
    const run = await evaluate({ items: list, model: m, scoring: 'likelihood' });
    expect(run.report.overall.accuracy).toBeGreaterThan(0);
    expect(run.report.overall.accuracy).toBeLessThan(1);
    const back = parsePredictions(serializePredictions(run.predictions), 'p.jsonl');
    expect(back).toEqual(run.predictions);
    const again = await rescore(back);
    expect(again.scores).toEqual(run.scores);
    expect(again.report).toEqual(run.report);
    // a rerun with the previous predictions asks the model for nothing
    const m2 = new ScriptedScorer('mix', list, () => {
      throw new Error('must be reused');
    });
    const rerun = await evaluate({ items: list, model: m2, scoring: 'likelihood', previous: back });
    expect(rerun.reused).toBe(list.length);
    expect(rerun.report).toEqual(run.report);
    // a line that says likelihood without its scores is a typed error naming the field
    const line = JSON.parse(serializePredictions(run.predictions.slice(0, 1)));
    delete line.likelihood;
    expect(() => parsePredictions(JSON.stringify(line), 'p.jsonl')).toThrow(/^p\.jsonl:1: field "likelihood": is required/);
  });

  it('OpenAICompatibleModel cannot score continuations: a typed error naming the option, before any request', async () => {
    const list = items();
    let requests = 0;
    const remote = new OpenAICompatibleModel({
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'm',
      fetch: (async () => {
        requests++;
        throw new Error('no request expected');
      }) as typeof fetch,
    });
    expect('scoreContinuations' in remote).toBe(false);
    const e = await evaluate({ items: list, model: remote, scoring: 'likelihood' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EvalOptionError);
    expect((e as EvalOptionError).option).toBe('scoring');
    expect((e as Error).message).toMatch(/scoreContinuations/);
    expect(requests).toBe(0);
    await expect(evaluate({ items: list, model: remote, scoring: 'bogus' as 'likelihood' })).rejects.toMatchObject({ option: 'scoring' });
  });

  it('items likelihood cannot answer are typed errors naming scoring', async () => {
    const [item] = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    const multi: ChoiceItem = { ...(item as ChoiceItem), id: 'multi', answer: ['A', 'B'], responseType: 'multiple' };
    const m = new ScriptedScorer('m', [multi], () => 0);
    await expect(evaluate({ items: [multi], model: m, scoring: 'likelihood' })).rejects.toMatchObject({ option: 'scoring', message: /multiple response/ });
    expect(m.scored).toBe(0);
  });
});

describe('LocalModel.scoreContinuations on a real tiny LlamaModel', () => {
  let model: LlamaModel;
  let tokenizer: Awaited<ReturnType<typeof tinyModel>>['tokenizer'];
  beforeAll(async () => {
    await useCpu();
    ({ model, tokenizer } = await tinyModel(11));
  });

  /** The hand computation: one unpadded row per option, `model.logProbs`, the continuation's last tokens summed. */
  function byHand(prompt: string, continuation: string): { logProb: number; tokens: number } {
    const ctx = tokenizer.encode(prompt);
    const whole = tokenizer.encode(prompt + continuation);
    const cont = ctx.every((id, k) => whole[k] === id) && whole.length > ctx.length ? whole.slice(ctx.length) : tokenizer.encode(continuation);
    const ids = [...ctx, ...cont];
    const lp = tf.tidy(() => model.logProbs(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync()[0]!);
    return { logProb: lp.slice(lp.length - cont.length).reduce((a, b) => a + b, 0), tokens: cont.length };
  }

  it('equals a hand computation with logProbs, picks the same options, and keeps the tensor count flat', async () => {
    const pool = [...items(), ...loadBenchmark('mmlu-medical', sampleText('mmlu_medical.sample.jsonl'))];
    const list = pool.filter((i) => tokenizer.encode(buildLikelihoodPrompt(i).text).length < 480).slice(0, 3);
    expect(list.length).toBeGreaterThanOrEqual(3);
    const local = new LocalModel({ model, tokenizer, id: 'tiny', scoreBatchSize: 3 });
    const before = tf.memory().numTensors;
    const run = await evaluate({ items: list, model: local, scoring: 'likelihood', concurrency: 2 });
    expect(tf.memory().numTensors).toBe(before);
    // every option scored once, in batches of at most 3 rows of one call
    expect(Math.max(...local.scoreBatches)).toBe(3);
    expect(local.scoreBatches.reduce((a, b) => a + b, 0)).toBe(run.predictions.reduce((a, p) => a + p.likelihood!.options.length, 0));
    let correct = 0;
    for (const p of run.predictions) {
      const text = buildLikelihoodPrompt(p.item).text;
      expect(p.prompt[0]!.content).toBe(text);
      let best = '';
      let bestValue = -Infinity;
      for (const o of p.likelihood!.options) {
        const h = byHand(text, o.continuation);
        expect(o.tokens).toBe(h.tokens);
        expect(o.logProb).toBeCloseTo(h.logProb, 4);
        expect(o.bytes).toBe(utf8.encode(o.continuation).length);
        const v = h.logProb / o.bytes;
        if (v > bestValue) [best, bestValue] = [o.key, v];
      }
      expect(p.output).toBe(best);
      if (gold(p.item).includes(best)) correct++;
    }
    expect(run.report.overall.correct).toBe(correct);
    expect((await rescore(run.predictions)).report).toEqual(run.report);
    // the scores do not depend on what else was queued: alone (concurrency 1) they are bit-for-bit the same
    const alone = await evaluate({ items: list, model: new LocalModel({ model, tokenizer, id: 'tiny', scoreBatchSize: 3 }), scoring: 'likelihood' });
    expect(alone.predictions).toEqual(run.predictions);
  });

  it('bad input is a typed error: no logProbs, empty continuations, a row longer than maxSeqLen', async () => {
    const noLp = new LocalModel({ model: { config: model.config, createCache: () => model.createCache(), forward: (ids, o) => model.forward(ids, o) }, tokenizer, id: 'x' });
    await expect(noLp.scoreContinuations('Question', [' a'])).rejects.toBeInstanceOf(EvalModelConfigError);
    const local = new LocalModel({ model, tokenizer, id: 'tiny' });
    await expect(local.scoreContinuations('Question', [])).rejects.toBeInstanceOf(LocalModelInputError);
    await expect(local.scoreContinuations('Question', [''])).rejects.toThrow(/continuations\[0\]/);
    const long = 'the patient '.repeat(400);
    await expect(local.scoreContinuations(long, [' yes'])).rejects.toThrow(/maxSeqLen 512/);
    // truncatePrompt keeps the prompt's last tokens: equal to scoring the kept tail by hand
    const trunc = new LocalModel({ model, tokenizer, id: 'tiny', truncatePrompt: true });
    const [s] = await trunc.scoreContinuations(long, [' yes']);
    expect(s!.tokens).toBeGreaterThan(0);
    expect(Number.isFinite(s!.logProb)).toBe(true);
  });
});
