import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecipeConfigError } from '../../src/config/config-error';
import { parseRecipeConfig, parseRecipeConfigText } from '../../src/config/parse';
import { SCALES, withScale } from '../../src/config/scales';
import { loadRecipeConfig } from '../../src/node/run/load-config';

const tmp = mkdtempSync(join(tmpdir(), 'qm-recipe-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('recipe config', () => {
  it('fills every default from {} (the quickstart needs no config)', () => {
    const c = parseRecipeConfig({});
    expect(c.seed).toBe(1234);
    expect(c.pretrain).toMatchObject({ steps: 120, ablation: true, initCheckpoint: null });
    expect(c.rl1.grpo).toMatchObject({ numGenerations: 4, lossType: 'dapo' });
    expect(c.rl2.mix).toEqual({ reasoning: 3, general: 1 });
    expect(c.skip).toEqual([]);
    expect(parseRecipeConfig(undefined)).toEqual(c);
  });

  it.each([
    [{ pretrain: { steps: 0 } }, /pretrain\.steps: Too small: expected number to be >=1/],
    [{ rl1: { grpo: { numGenerations: 1 } } }, /rl1\.grpo\.numGenerations: /],
    [{ pretrian: {} }, /unknown key "pretrian"/],
    [{ rl2: { mix: { reasoning: 3, generl: 1 } } }, /rl2\.mix: unknown key "generl"/],
    [{ skip: ['pretrain', 'train'] }, /skip\[1\]: /],
    [{ backend: 'tpu' }, /backend: /],
    [{ corpus: { languages: [] } }, /corpus\.languages: /],
  ])('%j is refused by key path', (input, message) => {
    expect(() => parseRecipeConfig(input, 'my.yaml')).toThrow(RecipeConfigError);
    expect(() => parseRecipeConfig(input, 'my.yaml')).toThrow(message);
    expect(() => parseRecipeConfig(input, 'my.yaml')).toThrow(/^my\.yaml: /);
  });

  it('parses YAML and JSON, reports syntax errors by line and duplicate keys', () => {
    expect(parseRecipeConfigText('seed: 7\npretrain:\n  steps: 12\n').pretrain.steps).toBe(12);
    expect(parseRecipeConfigText('{"seed": 9}').seed).toBe(9);
    expect(() => parseRecipeConfigText('seed: 7\npretrain: [1,\n', 'bad.yaml')).toThrow(/^bad\.yaml: line \d+/);
    expect(() => parseRecipeConfigText('seed: 1\nseed: 2\n', 'dup.yaml')).toThrow(/dup\.yaml: .*(unique|duplicate|Map keys)/i);
  });

  it('applies a scale under the user config, and names an unknown scale', () => {
    const merged = withScale('tiny', { pretrain: { steps: 3 } }) as { pretrain: { steps: number; batchSize: number } };
    expect(merged.pretrain).toEqual({ ...SCALES.tiny.pretrain, steps: 3 });
    expect(() => withScale('huge')).toThrow(/scale: must be one of tiny, quickstart, small, base, got "huge"/);
  });

  it('loads a file under a scale with CLI overrides last, naming the file in errors', async () => {
    const f = join(tmp, 'r.yaml');
    writeFileSync(f, 'pretrain:\n  steps: 5\nseed: 11\n');
    const c = await loadRecipeConfig(f, 'tiny', { seed: 12 });
    expect(c.pretrain.steps).toBe(5);
    expect(c.pretrain.batchSize).toBe(SCALES.tiny.pretrain!.batchSize);
    expect(c.seed).toBe(12);
    writeFileSync(f, 'ift:\n  countPerTask: -1\n');
    await expect(loadRecipeConfig(f)).rejects.toThrow(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ift\\.countPerTask: `));
    await expect(loadRecipeConfig(join(tmp, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot read \(ENOENT\)/);
    writeFileSync(f, '- 1\n- 2\n');
    await expect(loadRecipeConfig(f)).rejects.toThrow(/must be a mapping of keys/);
  });
});
