import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generation/generate';
import { textGenerator } from '../../src/generation/text-generator';
import { letterTokenizer, tinyModel, useCpu } from './helpers';

beforeAll(useCpu);

describe('textGenerator', () => {
  it('returns the same text as generate() with the mapped options, and cuts at stop strings', async () => {
    const model = tinyModel();
    const tok = letterTokenizer();
    const fn = textGenerator(model, tok, { maxNewTokens: 12 });
    const viaFn = await fn('abc', { seed: 3, temperature: 0.9, maxNewTokens: 10 });
    const [direct] = await generate(model, ['abc'], { tokenizer: tok, seed: 3, temperature: 0.9, maxNewTokens: 10 });
    expect(viaFn).toBe(direct.text);
    expect(await fn('abc', { seed: 3, temperature: 0.9, maxNewTokens: 10 })).toBe(viaFn); // seeded
    const full = await fn('abc'); // defaults: greedy, 12 tokens
    expect(full.length).toBeGreaterThan(0);
    const stop = full.slice(2, 4);
    const cut = await fn('abc', { stop: [stop] });
    expect(cut).toBe(full.slice(0, full.indexOf(stop)));
    model.dispose();
  });
});
