import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@quarkmed/pipeline/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunDirectoryError } from '../src/app-error';
import { parseCorpus } from '../src/corpus-index';
import { parseModelManifest } from '../src/model-manifest';
import { prepareAssets } from '../scripts/prepare-assets';
import { finalCheckpoint } from '../scripts/final-checkpoint';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** Writes a run directory whose manifest lists `stages` (name → files), with real checksums. */
async function fakeRun(dir: string, stages: Record<string, Record<string, string>>): Promise<void> {
  const entries: Record<string, unknown> = {};
  for (const [stage, files] of Object.entries(stages)) {
    await mkdir(join(dir, 'stages', stage), { recursive: true });
    const listed: Record<string, { sha256: string; bytes: number }> = {};
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(dir, 'stages', stage, name), content);
      listed[name] = { sha256: sha256(content), bytes: Buffer.byteLength(content) };
    }
    entries[stage] = { files: listed, metrics: {}, curves: [], seconds: 1 };
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, configHash: 'x', config: {}, seed: 1, packages: {}, backend: 'wasm', stages: entries }));
}

const CKPT = { 'config.json': '{"c":1}', 'model.safetensors': 'WEIGHTS', 'tokenizer.json': '{"t":1}', 'tokenizer_config.json': '{}' };

describe('prepare-model', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prepare-model-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the last finished model stage, weights last, and copies it with a manifest and the attributed corpus', async () => {
    const run = join(dir, 'run');
    await fakeRun(run, { corpus: { 'corpus.jsonl': '{}' }, pretrain: CKPT, sft: { ...CKPT, 'model.safetensors': 'SFT' }, eval: { 'results.json': '{}' } });
    const found = await finalCheckpoint(run);
    expect(found?.stage).toBe('sft');
    expect(found?.files).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']);

    const publicDir = join(dir, 'public');
    const r = await prepareAssets({ repoRoot: REPO, publicDir, run });
    expect(r.ranTinyRecipe).toBe(false);
    const manifest = parseModelManifest(JSON.parse(await readFile(join(publicDir, 'model', 'manifest.json'), 'utf8')), 'manifest.json');
    expect(manifest).toEqual(r.manifest);
    expect(manifest.stage).toBe('sft');
    expect(manifest.files).toContainEqual({ name: 'model.safetensors', bytes: 3 });
    expect(await readFile(join(publicDir, 'model', 'model.safetensors'), 'utf8')).toBe('SFT');
    const records = parseCorpus(await readFile(join(publicDir, 'corpus', 'corpus.jsonl'), 'utf8'), 'corpus.jsonl');
    expect(records).toHaveLength(r.corpusRecords);
    expect(records.filter((x) => x.language === 'en' && x.license === 'MIT')).toHaveLength(150);
    expect(records.filter((x) => x.language === 'zh' && x.license === 'Apache-2.0')).toHaveLength(150);
    expect(await readFile(join(publicDir, 'corpus', 'SOURCES.md'), 'utf8')).toContain('PubMedQA');
  });

  it('refuses a run without a finished model stage and a stage whose files fail their checksums', async () => {
    const empty = join(dir, 'empty');
    await fakeRun(empty, { corpus: { 'corpus.jsonl': '{}' } });
    expect(await finalCheckpoint(empty)).toBeUndefined();
    expect(await finalCheckpoint(join(dir, 'none'))).toBeUndefined();
    await expect(prepareAssets({ repoRoot: REPO, publicDir: join(dir, 'p'), run: empty })).rejects.toThrow(RunDirectoryError);
    const broken = join(dir, 'broken');
    await fakeRun(broken, { rl2: CKPT });
    await writeFile(join(broken, 'stages', 'rl2', 'model.safetensors'), 'CHANGED');
    await expect(finalCheckpoint(broken)).rejects.toThrow(/stage rl2 does not match its manifest \(model\.safetensors does not match its checksum\)/);
    const noTokenizer = join(dir, 'no-tok');
    await fakeRun(noTokenizer, { rl1: { 'config.json': '{}', 'model.safetensors': 'W' } });
    await expect(finalCheckpoint(noTokenizer)).rejects.toThrow(/stage rl1 has no tokenizer\.json$/);
  });
});
