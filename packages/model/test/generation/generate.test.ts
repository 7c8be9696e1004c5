/**
 * Batched KV-cache generation on tiny random LlamaModels (cpu backend): cached vs uncached equality, ragged
 * batches, stopping, streaming, abort, raw log-probs and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GenerationError,
  SamplingError,
  StoppingError,
  generate,
  streamGenerate,
  type GenerateOptions,
  type GenerateResult,
  type GenerationEvent,
} from '../../src/generation/index';
import type { LlamaModel } from '../../src/decoder/llama';
import { EOS_ID, PAD_ID, letterTokenizer, tinyModel, useCpu } from './helpers';

let model: LlamaModel;
const tok = letterTokenizer();
const PROMPTS = [[1, 2, 3], [4, 0], [5, 6, 7, 8, 9], [11]];

beforeAll(async () => {
  await useCpu();
  model = tinyModel({}, 3);
});
afterAll(() => model.dispose());

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function collect(
  it: AsyncGenerator<GenerationEvent, GenerateResult[], undefined>,
): Promise<{ events: GenerationEvent[]; results: GenerateResult[] }> {
  const events: GenerationEvent[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return { events, results: r.value };
    events.push(r.value);
  }
}

describe('cached vs uncached', () => {
  it('greedy: identical tokens and per-step logits within 1e-4 on a ragged batch', async () => {
    const opts: GenerateOptions = { maxNewTokens: 10, stopIds: [], returnLogits: true };
    const cached = await generate(model, PROMPTS, opts);
    const full = await generate(model, PROMPTS, { ...opts, useCache: false });
    for (let r = 0; r < PROMPTS.length; r++) {
      expect(cached[r]!.tokenIds).toHaveLength(10);
      expect(cached[r]!.tokenIds).toEqual(full[r]!.tokenIds);
      for (let s = 0; s < 10; s++) expect(maxAbsDiff(cached[r]!.logits![s]!, full[r]!.logits![s]!)).toBeLessThan(1e-4);
      cached[r]!.logProbs.forEach((lp, s) => expect(Math.abs(lp - full[r]!.logProbs[s]!)).toBeLessThan(1e-4));
    }
    // the outputs are not degenerate: rows differ from each other
    expect(new Set(cached.map((r) => r.tokenIds.join(','))).size).toBe(PROMPTS.length);
  });

  it('sampling with the same seed gives the same tokens with and without the cache', async () => {
    const opts: GenerateOptions = { maxNewTokens: 8, stopIds: [], temperature: 0.9, topK: 10, topP: 0.95, seed: 5 };
    const a = await generate(model, PROMPTS, opts);
    const b = await generate(model, PROMPTS, { ...opts, useCache: false });
    expect(a.map((r) => r.tokenIds)).toEqual(b.map((r) => r.tokenIds));
  });
});

describe('ragged batches', () => {
  it('every row of a left-padded batch equals generating that row alone (greedy)', async () => {
    const opts: GenerateOptions = { maxNewTokens: 8, stopIds: [], returnLogits: true };
    const batch = await generate(model, PROMPTS, opts);
    for (let r = 0; r < PROMPTS.length; r++) {
      const [alone] = await generate(model, [PROMPTS[r]!], opts);
      expect(batch[r]!.tokenIds).toEqual(alone!.tokenIds);
      for (let s = 0; s < 8; s++) expect(maxAbsDiff(batch[r]!.logits![s]!, alone!.logits![s]!)).toBeLessThan(1e-4);
    }
  });

  it('the pad id does not change the results', async () => {
    const a = await generate(model, PROMPTS, { maxNewTokens: 6, stopIds: [], padId: 0 });
    const b = await generate(model, PROMPTS, { maxNewTokens: 6, stopIds: [], padId: 17 });
    expect(a.map((r) => r.tokenIds)).toEqual(b.map((r) => r.tokenIds));
  });
});

describe('log-probs', () => {
  it('are the raw model log-probs of the generated tokens (LlamaModel.logProbs), even when sampling', async () => {
    const prompt = [3, 1, 4, 1, 5];
    const [res] = await generate(model, [prompt], {
      maxNewTokens: 6,
      stopIds: [],
      temperature: 1.5,
      repetitionPenalty: 1.3,
      topK: 5,
      seed: 2,
    });
    const seq = [...prompt, ...res!.tokenIds];
    const ref = tf.tidy(() => model.logProbs(tf.tensor2d([seq], [1, seq.length], 'int32')).arraySync()[0]!);
    const expected = ref.slice(prompt.length - 1);
    expect(res!.logProbs).toHaveLength(6);
    res!.logProbs.forEach((lp, i) => expect(Math.abs(lp - expected[i]!)).toBeLessThan(1e-4));
  });
});

describe('sampling', () => {
  it('is reproducible for a seed and changes with it; a tiny temperature equals greedy', async () => {
    const opts: GenerateOptions = { maxNewTokens: 12, stopIds: [], temperature: 1.2 };
    const a = await generate(model, PROMPTS, { ...opts, seed: 11 });
    const b = await generate(model, PROMPTS, { ...opts, seed: 11 });
    const c = await generate(model, PROMPTS, { ...opts, seed: 12 });
    expect(a.map((r) => r.tokenIds)).toEqual(b.map((r) => r.tokenIds));
    expect(a.map((r) => r.tokenIds)).not.toEqual(c.map((r) => r.tokenIds));
    const greedy = await generate(model, PROMPTS, { maxNewTokens: 12, stopIds: [] });
    const cold = await generate(model, PROMPTS, { ...opts, temperature: 1e-4, seed: 11 });
    expect(cold.map((r) => r.tokenIds)).toEqual(greedy.map((r) => r.tokenIds));
  });

  it('repetition penalty changes greedy output and top-k 1 equals greedy', async () => {
    const base = await generate(model, PROMPTS, { maxNewTokens: 12, stopIds: [] });
    const top1 = await generate(model, PROMPTS, { maxNewTokens: 12, stopIds: [], temperature: 1, topK: 1, seed: 9 });
    expect(top1.map((r) => r.tokenIds)).toEqual(base.map((r) => r.tokenIds));
    const pen = await generate(model, PROMPTS, { maxNewTokens: 12, stopIds: [], repetitionPenalty: 5 });
    expect(pen.map((r) => r.tokenIds)).not.toEqual(base.map((r) => r.tokenIds));
    // a strong penalty makes repeats rarer than in the unpenalised output
    const repeats = (rs: GenerateResult[]) =>
      rs.reduce((n, r, i) => n + r.tokenIds.filter((t, j) => [...PROMPTS[i]!, ...r.tokenIds.slice(0, j)].includes(t)).length, 0);
    expect(repeats(pen)).toBeLessThan(repeats(base));
  });
});

describe('stopping', () => {
  it("max tokens: finishReason 'length' and exactly maxNewTokens tokens", async () => {
    const res = await generate(model, PROMPTS, { maxNewTokens: 5, stopIds: [], tokenizer: tok });
    for (const r of res) {
      expect(r.finishReason).toBe('length');
      expect(r.tokenIds).toHaveLength(5);
      expect(r.logProbs).toHaveLength(5);
      expect(r.text).toBe(tok.decode(r.tokenIds));
    }
    const none = await generate(model, PROMPTS, { maxNewTokens: 0 });
    expect(none.map((r) => [r.tokenIds.length, r.finishReason])).toEqual(PROMPTS.map(() => [0, 'length']));
  });

  it("stop ids: the row ends at the first stop id (kept in tokenIds, not in text) with 'stop'", async () => {
    const free = await generate(model, PROMPTS, { maxNewTokens: 10, stopIds: [], tokenizer: tok });
    // stop on the 4th token of row 0; other rows stop wherever that id first appears, or run to the length
    const stopId = free[0]!.tokenIds[3]!;
    const res = await generate(model, PROMPTS, { maxNewTokens: 10, stopIds: [stopId], tokenizer: tok });
    for (let r = 0; r < PROMPTS.length; r++) {
      const k = free[r]!.tokenIds.indexOf(stopId);
      if (k < 0) {
        expect(res[r]!.tokenIds).toEqual(free[r]!.tokenIds);
        expect(res[r]!.finishReason).toBe('length');
      } else {
        expect(res[r]!.tokenIds).toEqual(free[r]!.tokenIds.slice(0, k + 1));
        expect(res[r]!.finishReason).toBe('stop');
        expect(res[r]!.text).toBe(tok.decode(free[r]!.tokenIds.slice(0, k)));
        expect(res[r]!.logProbs).toEqual(free[r]!.logProbs.slice(0, k + 1));
      }
    }
    expect(res[0]!.tokenIds.length).toBeLessThanOrEqual(4);
    // finished rows stay in the batch, ignored: the rows still running are unaffected (checked above) and
    // at least one row outlives row 0 here, so that path is exercised
    expect(Math.max(...res.map((r) => r.tokenIds.length))).toBeGreaterThan(res[0]!.tokenIds.length);
  });

  it("the tokenizer's EOS id (else the model config's) is the default stop id; stopIds replaces it", async () => {
    expect(tok.eosTokenId).toBe(EOS_ID);
    const free = await generate(model, [[2]], { maxNewTokens: 12, stopIds: [], tokenizer: tok });
    const eos = free[0]!.tokenIds[3]!;
    const k = free[0]!.tokenIds.indexOf(eos);
    // a tokenizer whose EOS is a token the model emits at step k <= 3
    const eosTok = { encode: (t: string) => tok.encode(t), decode: (ids: number[]) => tok.decode(ids), eosTokenId: eos };
    const [byDefault] = await generate(model, [[2]], { maxNewTokens: 12, tokenizer: eosTok });
    expect(byDefault!.tokenIds).toEqual(free[0]!.tokenIds.slice(0, k + 1));
    expect(byDefault!.finishReason).toBe('stop');
    const [replaced] = await generate(model, [[2]], { maxNewTokens: 12, tokenizer: eosTok, stopIds: [] });
    expect(replaced!.tokenIds).toEqual(free[0]!.tokenIds);
    expect(replaced!.finishReason).toBe('length');
  });

  it('stop sequences: text is cut before the match, tokens run through the completing token', async () => {
    const free = await generate(model, PROMPTS, { maxNewTokens: 12, stopIds: [], tokenizer: tok });
    const text0 = free[0]!.text;
    const seq = text0.slice(4, 6); // two characters from the middle of row 0's text
    const res = await generate(model, PROMPTS, { maxNewTokens: 12, stopIds: [], stopSequences: [seq], tokenizer: tok });
    for (let r = 0; r < PROMPTS.length; r++) {
      const full = free[r]!.text;
      const at = full.indexOf(seq);
      if (at < 0) {
        expect(res[r]!.finishReason).toBe('length');
        expect(res[r]!.text).toBe(full);
      } else {
        expect(res[r]!.finishReason).toBe('stop');
        expect(res[r]!.text).toBe(full.slice(0, at));
        // tokens run through the first one whose decoded prefix contains the stop sequence
        const ids = free[r]!.tokenIds;
        const k = ids.findIndex((_, j) => tok.decode(ids.slice(0, j + 1)).includes(seq));
        expect(res[r]!.tokenIds).toEqual(ids.slice(0, k + 1));
      }
    }
    expect(res[0]!.finishReason).toBe('stop');
  });
});

describe('streaming', () => {
  it('yields the same tokens, log-probs and text as generate, step by step', async () => {
    const opts: GenerateOptions = { maxNewTokens: 9, stopIds: [7], stopSequences: ['ab', 'q'], tokenizer: tok, temperature: 0.8, seed: 4 };
    const expected = await generate(model, PROMPTS, opts);
    const { events, results } = await collect(streamGenerate(model, PROMPTS, opts));
    expect(results).toEqual(expected);
    for (let r = 0; r < PROMPTS.length; r++) {
      const ev = events.filter((e) => e.row === r);
      expect(ev.map((e) => e.tokenId)).toEqual(expected[r]!.tokenIds);
      expect(ev.map((e) => e.logProb)).toEqual(expected[r]!.logProbs);
      expect(ev.map((e) => e.step)).toEqual(ev.map((_, i) => i));
      expect(ev.map((e) => e.text).join('')).toBe(expected[r]!.text);
      expect(ev.at(-1)!.finishReason).toBe(expected[r]!.finishReason);
      expect(ev.slice(0, -1).every((e) => e.finishReason === undefined)).toBe(true);
    }
    // events come in step order
    const steps = events.map((e) => e.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it('string prompts are encoded with the tokenizer', async () => {
    const [a] = await generate(model, ['hello world'], { maxNewTokens: 4, stopIds: [], tokenizer: tok });
    const [b] = await generate(model, [tok.encode('hello world')], { maxNewTokens: 4, stopIds: [] });
    expect(a!.tokenIds).toEqual(b!.tokenIds);
    expect(a!.text).toBe(tok.decode(b!.tokenIds));
    expect(b!.text).toBe(''); // no tokenizer, no text
  });
});

describe('abort', () => {
  it('a signal aborted before the start generates nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const res = await generate(model, PROMPTS, { maxNewTokens: 10, stopIds: [], signal: ac.signal });
    expect(res.map((r) => [r.tokenIds.length, r.finishReason])).toEqual(PROMPTS.map(() => [0, 'abort']));
  });

  it('aborting during a stream stops after the current step', async () => {
    const ac = new AbortController();
    const it = streamGenerate(model, PROMPTS, { maxNewTokens: 30, stopIds: [], signal: ac.signal, tokenizer: tok });
    const events: GenerationEvent[] = [];
    let results: GenerateResult[] = [];
    for (;;) {
      const r = await it.next();
      if (r.done) {
        results = r.value;
        break;
      }
      events.push(r.value);
      if (r.value.step === 2 && r.value.row === 0) ac.abort();
    }
    expect(results.map((r) => r.finishReason)).toEqual(PROMPTS.map(() => 'abort'));
    // the step in progress is finished for every row, then nothing more
    expect(results.map((r) => r.tokenIds.length)).toEqual(PROMPTS.map(() => 3));
    expect(events).toHaveLength(3 * PROMPTS.length);
    for (const r of results) expect(r.text).toBe(tok.decode(r.tokenIds));
  });

  it('an abort from a timer interrupts generate promptly (it yields to the event loop)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 0);
    const res = await generate(model, PROMPTS, { maxNewTokens: 50, stopIds: [], signal: ac.signal });
    for (const r of res) {
      expect(r.finishReason).toBe('abort');
      expect(r.tokenIds.length).toBeLessThan(50);
    }
  });
});

describe('errors', () => {
  it('reject bad arguments with messages naming them', async () => {
    await expect(generate(model, [[1], []])).rejects.toThrow(/prompts\[1\] is empty/);
    await expect(generate(model, [])).rejects.toThrow(GenerationError);
    await expect(generate(model, [[1, 99]])).rejects.toThrow(/prompts\[0\]\[1\] must be a token id in \[0, 29\), got 99/);
    await expect(generate(model, ['hi'])).rejects.toThrow(/prompts\[0\] is a string but options.tokenizer is missing/);
    await expect(generate(model, [[1]], { maxNewTokens: 64 })).rejects.toThrow(/maxNewTokens \(64\) exceeds the model's maxSeqLen 64/);
    await expect(generate(model, [[1]], { maxNewTokens: -1 })).rejects.toThrow(/maxNewTokens must be an integer >= 0/);
    await expect(generate(model, [[1]], { stopSequences: ['x'] })).rejects.toThrow(/stopSequences requires options.tokenizer/);
    await expect(generate(model, [[1]], { stopIds: [29] })).rejects.toThrow(StoppingError);
    await expect(generate(model, [[1]], { topP: 2 })).rejects.toThrow(SamplingError);
    await expect(generate(model, [[1]], { seed: -3 })).rejects.toThrow(/seed must be an integer/);
    await expect(generate(model, [[1]], { padId: PAD_ID + 1 })).rejects.toThrow(/padId/);
  });
});

describe('memory', () => {
  it('tf.memory().numTensors after 20 generations equals after the first (cache, abort, early break, errors)', async () => {
    const run = async (i: number) => {
      const opts: GenerateOptions = { maxNewTokens: 6, stopIds: [5], tokenizer: tok, temperature: i % 2 ? 0.7 : 0, seed: i };
      switch (i % 5) {
        case 0:
          await generate(model, PROMPTS, opts);
          break;
        case 1:
          await generate(model, PROMPTS, { ...opts, useCache: false, stopSequences: ['e'] });
          break;
        case 2: {
          // the consumer stops after one event: the generator's finally disposes the cache
          for await (const _ of streamGenerate(model, PROMPTS, opts)) break;
          break;
        }
        case 3: {
          const ac = new AbortController();
          setTimeout(() => ac.abort(), 0);
          await generate(model, PROMPTS, { ...opts, signal: ac.signal, maxNewTokens: 40 });
          break;
        }
        case 4: {
          // the model throws in the third forward: the cache is still freed
          const broken = Object.create(model) as LlamaModel;
          let calls = 0;
          broken.forward = (ids, o) => {
            if (++calls === 3) throw new Error('boom');
            return model.forward(ids, o);
          };
          await expect(generate(broken, PROMPTS, { ...opts, stopIds: [] })).rejects.toThrow('boom');
          break;
        }
      }
    };
    await run(0);
    const after1 = tf.memory().numTensors;
    for (let i = 1; i < 20; i++) {
      await run(i);
      expect(tf.memory().numTensors, `after generation ${i}`).toBe(after1);
    }
  });
});
