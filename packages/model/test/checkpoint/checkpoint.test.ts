import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quarkmed/tensor-kernels';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/errors';
import { loadCheckpoint, loadWeightsInto, readSafetensorsFile, saveCheckpoint } from '../../src/node/checkpoint';
import { isLinearWeight } from '../../src/checkpoint/hf-llama';
import { SAVE_ID_KEY } from '../../src/checkpoint/checkpoint-layout';
import { serializeCheckpoint } from '../../src/checkpoint/checkpoint-save';
import { loadCheckpointFromFiles, loadWeightsFromFiles } from '../../src/checkpoint/checkpoint-load';
import { toHfConfig, type LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { normalValues } from '../../src/decoder/init';

const FIXTURE = fileURLToPath(new URL('../fixtures/tiny-llama', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/llama_reference.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

interface Expected {
  input_ids: number[][];
  logits: number[][][];
}
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected_logits.json'), 'utf8')) as Expected;

/** Whether /usr/bin/python3 can import torch (CI installs python3-torch; elsewhere the test is skipped). */
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn('[checkpoint.test] /usr/bin/python3 with torch not found: skipping the TypeScript -> PyTorch check');

const tiny: LlamaConfig = { vocabSize: 97, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 48, maxSeqLen: 64, rmsNormEps: 1e-5, ropeTheta: 50000 };

let root: string;
const models: LlamaModel[] = [];
function track(m: LlamaModel): LlamaModel {
  models.push(m);
  return m;
}

beforeAll(async () => {
  await initBackend('cpu', { log: false });
  root = mkdtempSync(join(tmpdir(), 'qm-ckpt-'));
});
afterAll(() => {
  for (const m of models) m.dispose();
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
function freshDir(): string {
  return join(root, `d${n++}`);
}

function logitsOf(model: LlamaModel, ids: number[][] = expected.input_ids): Float32Array {
  return tf.tidy(() => model.forward(tf.tensor2d(ids, undefined, 'int32')).logits.dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Weights of a clearly non-trivial size (the default init gives near-zero logits), seeded. */
function randomize(model: LlamaModel, seed: number): void {
  let k = 0;
  for (const [name, v] of model.weights) {
    const vals = normalValues(v.size, name.endsWith('norm.weight') ? 0.1 : name.includes('embed') ? 1 : 0.25, seed * 1000 + k++);
    if (name.endsWith('norm.weight')) for (let i = 0; i < vals.length; i++) vals[i]! += 1;
    tf.tidy(() => v.assign(tf.tensor(vals, v.shape, 'float32')));
  }
}

function snapshot(model: LlamaModel): Map<string, Float32Array> {
  return new Map([...model.weights].map(([name, v]) => [name, v.dataSync() as Float32Array]));
}

/** Rewrites the JSON header of a safetensors file (keeping the data section). */
function editHeader(path: string, edit: (h: Record<string, any>) => void): void {
  const bytes = readFileSync(path);
  const len = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + len).toString('utf8'));
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([prefix, json, bytes.subarray(8 + len)]));
}

function copyFixture(): string {
  const dir = freshDir();
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

async function loadError(dir: string, into?: LlamaModel): Promise<CheckpointError> {
  try {
    if (into) await loadWeightsInto(into, dir);
    else track(await loadCheckpoint(dir));
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return error as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('loadCheckpoint: PyTorch fixture (scripts/llama_reference.py)', () => {
  it('reads config.json and matches the PyTorch logits to 1e-4', async () => {
    const model = track(await loadCheckpoint(FIXTURE));
    expect(model.config).toMatchObject({ ...tiny, tieEmbeddings: false });
    const diff = maxAbsDiff(logitsOf(model), expected.logits.flat(2));
    expect(diff).toBeLessThan(1e-4);
    // the fixture's logits are far from zero, so the comparison means something
    expect(Math.max(...expected.logits.flat(2).map(Math.abs))).toBeGreaterThan(2);
  });

  it('stores linear weights transposed ([in, out]) and the rest as in the file', async () => {
    const model = track(await loadCheckpoint(FIXTURE));
    const { tensors } = await readSafetensorsFile(join(FIXTURE, 'model.safetensors'));
    const q = tensors.get('model.layers.1.self_attn.k_proj.weight')!; // [16, 32] in the file
    const v = model.weights.get('model.layers.1.self_attn.k_proj.weight')!;
    expect(v.shape).toEqual([32, 16]);
    const got = v.dataSync();
    for (const [o, i] of [[0, 0], [3, 17], [15, 31]] as const) expect(got[i * 16 + o]).toBe(q.data[o * 32 + i]);
    expect(model.weights.get('model.embed_tokens.weight')!.dataSync()).toEqual(tensors.get('model.embed_tokens.weight')!.data);
  });

  it('loads in place without leaking tensors', async () => {
    const model = track(new LlamaModel(tiny, { seed: 5 }));
    const before = tf.memory().numTensors;
    await loadWeightsInto(model, FIXTURE);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiff(logitsOf(model), expected.logits.flat(2))).toBeLessThan(1e-4);
  });
});

describe('saveCheckpoint', () => {
  it('round-trips every weight exactly through model.safetensors + config.json', async () => {
    const model = track(new LlamaModel({ ...tiny, tieEmbeddings: true, bosTokenId: 1, eosTokenId: 2 }, { seed: 11 }));
    randomize(model, 11);
    const dir = freshDir();
    const result = await saveCheckpoint(dir, model);
    expect(result).toEqual({ files: ['model.safetensors'], sharded: false, totalSize: expect.any(Number), saveId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ ...toHfConfig(model.config), [SAVE_ID_KEY]: result.saveId });

    const { tensors, metadata } = await readSafetensorsFile(join(dir, 'model.safetensors'));
    expect(metadata.format).toBe('pt');
    expect(metadata[SAVE_ID_KEY]).toBe(result.saveId);
    expect(tensors.has('lm_head.weight')).toBe(false);
    expect(result.totalSize).toBe([...tensors.values()].reduce((s, t) => s + t.data.length * 4, 0));
    const o = tensors.get('model.layers.0.self_attn.o_proj.weight')!;
    expect(o.shape).toEqual([32, 32]);
    const ov = model.weights.get('model.layers.0.self_attn.o_proj.weight')!.dataSync();
    expect(o.data[3 * 32 + 5]).toBe(ov[5 * 32 + 3]); // file[out=3][in=5] == model[in=5][out=3]

    const loaded = track(await loadCheckpoint(dir));
    expect(loaded.config).toEqual(model.config);
    const a = snapshot(model);
    const b = snapshot(loaded);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, data] of a) expect(b.get(name), name).toEqual(data);
  });

  it('shards above shardSizeBytes (index.json + several files) and loads them to the same logits', async () => {
    const model = track(await loadCheckpoint(FIXTURE));
    const dir = freshDir();
    const shardSizeBytes = 20_000;
    const result = await saveCheckpoint(dir, model, { shardSizeBytes });
    expect(result.sharded).toBe(true);
    expect(result.files.length).toBeGreaterThanOrEqual(4);
    const k = result.files.length;
    expect(result.files).toEqual(Array.from({ length: k }, (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(k).padStart(5, '0')}.safetensors`));
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors.index.json', ...result.files].sort());

    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index.metadata.total_size).toBe(result.totalSize);
    expect(Object.keys(index.weight_map).sort()).toEqual([...model.weights.keys()].sort());
    let total = 0;
    for (const file of result.files) {
      const { tensors } = await readSafetensorsFile(join(dir, file));
      const bytes = [...tensors.values()].reduce((s, t) => s + t.data.length * 4, 0);
      total += bytes;
      if (tensors.size > 1) expect(bytes).toBeLessThanOrEqual(shardSizeBytes);
      for (const name of tensors.keys()) expect(index.weight_map[name]).toBe(file);
    }
    expect(total).toBe(result.totalSize);

    const loaded = track(await loadCheckpoint(dir));
    expect(maxAbsDiff(logitsOf(loaded), logitsOf(model))).toBe(0);
    expect(maxAbsDiff(logitsOf(loaded), expected.logits.flat(2))).toBeLessThan(1e-4);

    // saving unsharded over it removes the index and the shards
    await saveCheckpoint(dir, loaded);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    // and sharded again removes the single file
    await saveCheckpoint(dir, loaded, { shardSizeBytes: 40_000 });
    expect(readdirSync(dir)).not.toContain('model.safetensors');
    expect(maxAbsDiff(logitsOf(track(await loadCheckpoint(dir))), logitsOf(model))).toBe(0);
  });

  it('leaves the previous checkpoint intact and no temp file when serialisation throws', async () => {
    const dir = freshDir();
    const good = track(await loadCheckpoint(FIXTURE));
    await saveCheckpoint(dir, good);
    const before = readdirSync(dir).sort();
    const bytesBefore = readFileSync(join(dir, 'model.safetensors'));

    const broken = new LlamaModel(tiny, { seed: 3 });
    broken.weights.get('model.layers.1.mlp.up_proj.weight')!.dispose(); // reading its data throws half-way through the file
    await expect(saveCheckpoint(dir, broken)).rejects.toThrow(/disposed/);
    broken.dispose();
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(join(dir, 'model.safetensors')).equals(bytesBefore)).toBe(true);
    expect(maxAbsDiff(logitsOf(track(await loadCheckpoint(dir))), expected.logits.flat(2))).toBeLessThan(1e-4);
  });

  it('rejects a bad shard size', async () => {
    const model = track(new LlamaModel(tiny, { seed: 1, init: 'zeros' }));
    await expect(saveCheckpoint(freshDir(), model, { shardSizeBytes: 0 })).rejects.toThrow(/shardSizeBytes/);
  });
});

describe.skipIf(!hasTorch)('TypeScript -> PyTorch (scripts/llama_reference.py --check)', () => {
  const cases: { name: string; config: LlamaConfig; shardSizeBytes?: number }[] = [
    { name: 'untied, single file', config: tiny },
    { name: 'tied embeddings, MHA, sharded', config: { ...tiny, numKvHeads: 4, tieEmbeddings: true, ropeTheta: 10000, rmsNormEps: 1e-6 }, shardSizeBytes: 16_000 },
  ];
  cases.forEach((c, i) => {
    it(`PyTorch reads our checkpoint and computes our logits: ${c.name}`, async () => {
      const model = track(new LlamaModel(c.config, { seed: 21 + i }));
      randomize(model, 21 + i);
      const dir = freshDir();
      const result = await saveCheckpoint(dir, model, { shardSizeBytes: c.shardSizeBytes });
      expect(result.sharded).toBe(c.shardSizeBytes !== undefined);
      const ids = [
        [3, 14, 15, 92, 65, 35, 89],
        [79, 32, 38, 46, 26, 43, 38],
      ];
      const out = execFileSync(PYTHON, [SCRIPT, '--check', dir, '--ids', JSON.stringify(ids)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const ref = JSON.parse(out) as Expected;
      expect(ref.input_ids).toEqual(ids);
      const want = ref.logits.flat(2);
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1);
      expect(maxAbsDiff(logitsOf(model, ids), want)).toBeLessThan(1e-4);
    });
  });
});

describe('bad checkpoints raise CheckpointError naming the file and the tensor', () => {
  const single = (dir: string): string => join(dir, 'model.safetensors');

  it('truncated file', async () => {
    const dir = copyFixture();
    truncateSync(single(dir), readFileSync(single(dir)).length - 100);
    const e = await loadError(dir);
    expect(e.file).toBe(single(dir));
    expect(e.tensor).toBe('lm_head.weight'); // the last tensor of the file
    expect(e.message).toMatch(/truncated/);
    truncateSync(single(dir), 6);
    const e2 = await loadError(dir);
    expect([e2.file, e2.tensor]).toEqual([single(dir), undefined]);
    expect(e2.message).toMatch(/truncated: 6 bytes/);
  });

  it('corrupt header: not JSON, and a bad entry', async () => {
    const dir = copyFixture();
    const bytes = readFileSync(single(dir));
    bytes[8] = 0x5b; // '{' -> '['
    writeFileSync(single(dir), bytes);
    const e = await loadError(dir);
    expect(e.file).toBe(single(dir));
    expect(e.message).toMatch(/corrupt header/);

    const dir2 = copyFixture();
    editHeader(single(dir2), (h) => {
      h['model.layers.0.mlp.gate_proj.weight'].data_offsets[1] += 4;
    });
    const e2 = await loadError(dir2);
    expect([e2.file, e2.tensor]).toEqual([single(dir2), 'model.layers.0.mlp.gate_proj.weight']);
    expect(e2.message).toMatch(/corrupt header: data_offsets/);
  });

  it('missing tensor (single file and sharded index)', async () => {
    const dir = copyFixture();
    editHeader(single(dir), (h) => {
      delete h['model.layers.1.mlp.up_proj.weight'];
    });
    const e = await loadError(dir);
    expect([e.file, e.tensor]).toEqual([single(dir), 'model.layers.1.mlp.up_proj.weight']);
    expect(e.message).toMatch(/missing tensor/);

    const src = track(await loadCheckpoint(FIXTURE));
    const sharded = freshDir();
    const { files } = await saveCheckpoint(sharded, src, { shardSizeBytes: 20_000 });
    const indexPath = join(sharded, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8'));
    delete index.weight_map['model.norm.weight'];
    writeFileSync(indexPath, JSON.stringify(index));
    const e2 = await loadError(sharded);
    expect([e2.file, e2.tensor]).toEqual([indexPath, 'model.norm.weight']);

    // the index points at a shard that does not hold the tensor
    index.weight_map['model.norm.weight'] = files[0];
    writeFileSync(indexPath, JSON.stringify(index));
    const e3 = await loadError(sharded);
    expect([e3.file, e3.tensor]).toEqual([join(sharded, files[0]!), 'model.norm.weight']);
    expect(e3.message).toMatch(/missing tensor/);
  });

  it('shape mismatch (in the file, and a config that does not match the file)', async () => {
    const dir = copyFixture();
    editHeader(single(dir), (h) => {
      h['model.layers.0.self_attn.k_proj.weight'].shape = [32, 16]; // same byte count, transposed shape
    });
    const e = await loadError(dir);
    expect([e.file, e.tensor]).toEqual([single(dir), 'model.layers.0.self_attn.k_proj.weight']);
    expect(e.message).toMatch(/shape mismatch: file has \[32, 16\].*expects \[16, 32\]/);

    const other = track(new LlamaModel({ ...tiny, intermediateSize: 40 }, { seed: 0, init: 'zeros' }));
    const e2 = await loadError(FIXTURE, other);
    expect([e2.file, e2.tensor]).toEqual([single(FIXTURE), 'model.layers.0.mlp.gate_proj.weight']);
  });

  it('wrong dtype', async () => {
    const dir = copyFixture();
    editHeader(single(dir), (h) => {
      h['model.norm.weight'].dtype = 'I32';
    });
    const e = await loadError(dir);
    expect([e.file, e.tensor]).toEqual([single(dir), 'model.norm.weight']);
    expect(e.message).toMatch(/wrong dtype I32/);
  });

  it('unexpected tensor (strict by default), no checkpoint files, bad config.json', async () => {
    const dir = copyFixture();
    editHeader(single(dir), (h) => {
      h['model.layers.0.self_attn.q_proj.bias'] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
      h['model.layers.0.self_attn.rotary_emb.inv_freq'] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
    });
    const e = await loadError(dir);
    expect([e.file, e.tensor]).toEqual([single(dir), 'model.layers.0.self_attn.q_proj.bias']);
    expect(e.message).toMatch(/unexpected tensor/);
    const lenient = track(await loadCheckpoint(dir, { strict: false }));
    expect(maxAbsDiff(logitsOf(lenient), expected.logits.flat(2))).toBeLessThan(1e-4);

    const empty = freshDir();
    cpSync(join(FIXTURE, 'config.json'), join(empty, 'config.json'));
    const e2 = await loadError(empty);
    expect(e2.file).toBe(empty);
    expect(e2.message).toMatch(/no model\.safetensors or model\.safetensors\.index\.json/);

    const badConfig = copyFixture();
    writeFileSync(join(badConfig, 'config.json'), JSON.stringify({ hidden_size: 32 }));
    const e3 = await loadError(badConfig);
    expect(e3.file).toBe(join(badConfig, 'config.json'));
    expect(e3.message).toMatch(/vocab_size/);
  });

  it('a failed load leaves the model unchanged', async () => {
    const dir = copyFixture();
    editHeader(single(dir), (h) => {
      h['lm_head.weight'].dtype = 'I32';
    });
    const model = track(new LlamaModel(tiny, { seed: 9 }));
    const before = snapshot(model);
    await loadError(dir, model);
    const after = snapshot(model);
    for (const [name, data] of before) expect(after.get(name), name).toEqual(data);
  });
});

it('every linear weight of the model is classified as linear (layout contract with LlamaModel)', () => {
  const model = track(new LlamaModel({ ...tiny, moe: { numExperts: 2, topK: 1 } }, { seed: 0, init: 'zeros' }));
  const linears = new Set([...model.linears().keys()].map((k) => `${k}.weight`));
  for (const name of model.weights.keys()) expect(isLinearWeight(name), name).toBe(linears.has(name));
});

describe('a checkpoint is replaced as a unit; files of different saves are detected', () => {
  it('every file carries the same save id; a hand-made mix of two saves is a torn CheckpointError', async () => {
    const a = track(new LlamaModel(tiny, { seed: 1 }));
    randomize(a, 1);
    const b = track(new LlamaModel(tiny, { seed: 2 }));
    randomize(b, 2);
    const dirA = freshDir();
    const dirB = freshDir();
    const ra = await saveCheckpoint(dirA, a, { shardSizeBytes: 20_000 });
    const rb = await saveCheckpoint(dirB, b, { shardSizeBytes: 20_000 });
    expect(ra.files.length).toBeGreaterThanOrEqual(3);
    expect(ra.saveId).not.toBe(rb.saveId);
    const index = JSON.parse(readFileSync(join(dirA, 'model.safetensors.index.json'), 'utf8'));
    expect(index.metadata[SAVE_ID_KEY]).toBe(ra.saveId);
    for (const f of ra.files) expect((await readSafetensorsFile(join(dirA, f))).metadata[SAVE_ID_KEY]).toBe(ra.saveId);

    // shard 2 of B among A's files
    const torn = freshDir();
    cpSync(dirA, torn, { recursive: true });
    cpSync(join(dirB, ra.files[1]!), join(torn, ra.files[1]!));
    const e = await loadError(torn);
    expect(e.message).toMatch(/torn checkpoint/);
    expect([ra.files[1]!, 'model.safetensors.index.json'].map((f) => join(torn, f))).toContain(e.file);
    // B's index with A's shards
    const torn2 = freshDir();
    cpSync(dirA, torn2, { recursive: true });
    cpSync(join(dirB, 'model.safetensors.index.json'), join(torn2, 'model.safetensors.index.json'));
    expect((await loadError(torn2)).message).toMatch(/torn checkpoint/);
    // B's config.json (same architecture) with A's weights
    const torn3 = freshDir();
    cpSync(dirA, torn3, { recursive: true });
    cpSync(join(dirB, 'config.json'), join(torn3, 'config.json'));
    const e3 = await loadError(torn3);
    expect(e3.file).toBe(join(torn3, 'config.json'));
    expect(e3.message).toMatch(/torn checkpoint/);
    // untouched: loads A exactly
    expect(maxAbsDiff(logitsOf(track(await loadCheckpoint(dirA))), logitsOf(a))).toBe(0);
  });

  it('a save keeps other files of the directory, drops files of an earlier layout, and leaves no staging directories', async () => {
    const model = track(await loadCheckpoint(FIXTURE));
    const parent = freshDir();
    const dir = join(parent, 'ckpt');
    await saveCheckpoint(dir, model, { shardSizeBytes: 20_000 });
    writeFileSync(join(dir, 'tokenizer.json'), '{"keep":1}');
    await saveCheckpoint(dir, model);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect(readFileSync(join(dir, 'tokenizer.json'), 'utf8')).toBe('{"keep":1}');
    expect(readdirSync(parent)).toEqual(['ckpt']);
    expect(maxAbsDiff(logitsOf(track(await loadCheckpoint(dir))), expected.logits.flat(2))).toBeLessThan(1e-4);
  });

  it('saveId makes the files byte-identical; bad options are typed errors', async () => {
    const model = track(await loadCheckpoint(FIXTURE));
    const x = await serializeCheckpoint(model, { saveId: 'run-1' });
    const y = await serializeCheckpoint(model, { saveId: 'run-1' });
    expect([...x.keys()]).toEqual(['model.safetensors', 'config.json']);
    for (const [k, v] of x) expect(Buffer.from(v).equals(Buffer.from(y.get(k)!))).toBe(true);
    await expect(serializeCheckpoint(model, { saveId: 'a/b' })).rejects.toThrow(CheckpointError);
    await expect(serializeCheckpoint(model, { metadata: { [SAVE_ID_KEY]: 'x' } })).rejects.toThrow(/reserved/);
    await expect(serializeCheckpoint(model, { metadata: { n: 1 as unknown as string } })).rejects.toThrow(/must be a string/);
  });
});

describe('loading from fetched files (browser main entry)', () => {
  it('loads bytes, Blobs and an on-demand fetch function to the same logits as the directory', async () => {
    const src = track(await loadCheckpoint(FIXTURE));
    const files = await serializeCheckpoint(src, { shardSizeBytes: 20_000 });
    expect(files.has('model.safetensors.index.json')).toBe(true);
    const want = logitsOf(src);

    const asRecord: Record<string, Uint8Array | string> = Object.fromEntries(files);
    asRecord['config.json'] = new TextDecoder().decode(files.get('config.json'));
    expect(maxAbsDiff(logitsOf(track(await loadCheckpointFromFiles(asRecord))), want)).toBe(0);

    const fetched: string[] = [];
    const fetchLike = async (name: string): Promise<Blob | undefined> => {
      fetched.push(name);
      const bytes = files.get(name);
      return bytes === undefined ? undefined : new Blob([bytes as BlobPart]);
    };
    expect(maxAbsDiff(logitsOf(track(await loadCheckpointFromFiles(fetchLike))), want)).toBe(0);
    expect(new Set(fetched)).toEqual(new Set(files.keys())); // each file fetched once (plus no guesses beyond the layout)
    expect(fetched.length).toBe(files.size);

    const into = track(new LlamaModel(src.config, { seed: 5 }));
    await loadWeightsFromFiles(into, new Map(files));
    expect(maxAbsDiff(logitsOf(into), want)).toBe(0);
  });

  it('a missing file, a throwing fetch and content of another type are CheckpointErrors naming the file', async () => {
    const src = track(await loadCheckpoint(FIXTURE));
    const files = Object.fromEntries(await serializeCheckpoint(src));
    const noWeights = { 'config.json': files['config.json']! };
    await expect(loadCheckpointFromFiles(noWeights)).rejects.toThrow(/no model\.safetensors or model\.safetensors\.index\.json/);
    await expect(loadCheckpointFromFiles({ 'model.safetensors': files['model.safetensors']! })).rejects.toThrow(/files\/config\.json: cannot read the config/);
    const failing = async (name: string) => {
      if (name === 'model.safetensors') throw new Error('HTTP 503');
      return files[name];
    };
    const e = await loadCheckpointFromFiles(failing).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).file).toBe('files/model.safetensors');
    expect((e as Error).message).toMatch(/HTTP 503/);
    await expect(loadCheckpointFromFiles({ ...files, 'model.safetensors': 42 as unknown as string })).rejects.toThrow(/must be a string, Uint8Array, ArrayBuffer or Blob/);
    const truncated = { ...files, 'model.safetensors': files['model.safetensors']!.subarray(0, 1000) };
    await expect(loadCheckpointFromFiles(truncated)).rejects.toThrow(CheckpointError);
  });
});
