import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mix } from '../../src/mix/mixing';
import { ShardIntegrityError, type ShardManifest } from '../../src/mix/shards';
import { readManifest, readShards, verifyShards, writeShards } from '../../src/node/shards';

const root = mkdtempSync(join(tmpdir(), 'quarkmed-shards-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `out-${n++}`);

interface Rec {
  id: string;
  task: string;
  source: string;
  prompt: string;
  answer: string;
}

/** A seeded dataset: 3:1 mix of two tasks, as a pipeline would produce. */
function records(seed: number): Rec[] {
  const defs = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, task: 'definition', source: 'doid', prompt: `Define disease ${i}.`, answer: `Disease ${i} is … 霍乱 ${i}` }));
  const codes = Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, task: 'icd10_coding', source: 'icd10cm', prompt: `Code ${i}?`, answer: `A${String(i).padStart(2, '0')}.9` }));
  return mix(
    [
      { name: 'definition', items: defs, weight: 3 },
      { name: 'icd10_coding', items: codes, weight: 1 },
    ],
    { total: 80, seed },
  ).items.map((x) => x.item);
}

function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f), 'latin1');
  return out;
}

describe('writeShards', () => {
  const src = join(root, 'source.tsv');
  writeFileSync(src, 'DOID:1\tcholera\n');

  it('writes shards of shardSize records and a manifest with counts, seed, options and checksums', async () => {
    const dir = fresh();
    const m = await writeShards(records(1), { dir, shardSize: 30, prefix: 'ift', seed: 1, options: { total: 80, ratio: '3:1' }, sources: [src] });
    expect(readdirSync(dir).sort()).toEqual(['ift-00000.jsonl', 'ift-00001.jsonl', 'ift-00002.jsonl', 'manifest.json']);
    expect(m.shards.map((s) => s.records)).toEqual([30, 30, 20]);
    expect(m.records).toBe(80);
    expect(m.counts).toEqual({ task: { definition: 60, icd10_coding: 20 }, source: { doid: 60, icd10cm: 20 } });
    expect(m.seed).toBe(1);
    expect(m.options).toEqual({ total: 80, ratio: '3:1' });
    expect(m.sources).toEqual([{ name: 'source.tsv', bytes: 15, sha256: createHash('sha256').update('DOID:1\tcholera\n').digest('hex') }]);
    expect(m.shards[0]!.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'ift-00000.jsonl'))).digest('hex'));
    const onDisk = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ShardManifest;
    expect(onDisk).toEqual(m);
    // Shard lines are the records, in order.
    const back: Rec[] = [];
    for await (const r of readShards<Rec>(dir)) back.push(r);
    expect(back).toEqual(records(1));
    expect(m.bytes).toBe(readFileSync(join(dir, 'ift-00000.jsonl')).length + readFileSync(join(dir, 'ift-00001.jsonl')).length + readFileSync(join(dir, 'ift-00002.jsonl')).length);
  });

  it('same seed → byte-identical shards and manifest; another seed → different bytes', async () => {
    const a = fresh();
    const b = fresh();
    const c = fresh();
    const opts = { shardSize: 25, prefix: 'ift', options: { total: 80 }, sources: [src] };
    await writeShards(records(7), { dir: a, seed: 7, ...opts });
    await writeShards(records(7), { dir: b, seed: 7, ...opts });
    await writeShards(records(8), { dir: c, seed: 8, ...opts });
    const fa = filesOf(a);
    expect(filesOf(b)).toEqual(fa);
    const fc = filesOf(c);
    expect(Object.keys(fc)).toEqual(Object.keys(fa));
    expect(fc['ift-00000.jsonl']).not.toBe(fa['ift-00000.jsonl']);
    expect(fc['manifest.json']).not.toBe(fa['manifest.json']);
  });

  it('a crash mid-write (the record iterator throws) leaves no partial shard and no manifest', async () => {
    const dir = fresh();
    function* failing(): Generator<Rec> {
      const rs = records(3);
      for (let i = 0; i < rs.length; i++) {
        if (i === 45) throw new Error('generator crashed');
        yield rs[i]!;
      }
    }
    await expect(writeShards(failing(), { dir, shardSize: 20 })).rejects.toThrow('generator crashed');
    // Two full shards had been written into staging, but nothing was committed and staging is gone.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failed rewrite leaves the previous output intact, and a successful one replaces it', async () => {
    const dir = fresh();
    await writeShards(records(1), { dir, shardSize: 20, seed: 1 });
    const before = filesOf(dir);
    async function* failing(): AsyncGenerator<Rec> {
      yield records(2)[0]!;
      throw new Error('boom');
    }
    await expect(writeShards(failing(), { dir, shardSize: 20 })).rejects.toThrow('boom');
    expect(filesOf(dir)).toEqual(before);
    expect((await verifyShards(dir)).ok).toBe(true);
    // Fewer records now: stale shards of the old manifest are removed.
    await writeShards(records(2).slice(0, 30), { dir, shardSize: 20, seed: 2 });
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'shard-00000.jsonl', 'shard-00001.jsonl']);
    expect((await readManifest(dir)).records).toBe(30);
  });

  it('verification catches a modified shard, and the reader refuses it', async () => {
    const dir = fresh();
    await writeShards(records(4), { dir, shardSize: 40, sources: [src] });
    expect(await verifyShards(dir, { sources: [src] })).toMatchObject({ ok: true, problems: [] });
    const shard = join(dir, 'shard-00001.jsonl');
    const text = readFileSync(shard, 'utf8');
    writeFileSync(shard, text.replace('"task":"definition"', '"task":"definitioN"'));
    const v = await verifyShards(dir);
    expect(v.ok).toBe(false);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]!.file).toBe('shard-00001.jsonl');
    expect(v.problems[0]!.message).toMatch(/sha256 mismatch for shard-00001.jsonl/);
    const read = async (): Promise<number> => {
      let k = 0;
      for await (const _ of readShards(dir)) k++;
      return k;
    };
    await expect(read()).rejects.toThrow(ShardIntegrityError);
    await expect(read()).rejects.toThrow(/shard-00001.jsonl/);
    // A changed source file is reported too.
    writeFileSync(src, 'DOID:1\tcholera!\n');
    writeFileSync(shard, text);
    const s = await verifyShards(dir, { sources: [src] });
    expect(s.problems.map((p) => p.file)).toEqual(['source.tsv']);
    writeFileSync(src, 'DOID:1\tcholera\n');
  });

  it('validates options and records', async () => {
    await expect(writeShards([], { dir: fresh(), shardSize: 0 })).rejects.toThrow(/shardSize must be a positive integer, got 0/);
    await expect(writeShards([], { dir: fresh(), shardSize: 1, prefix: '../x' })).rejects.toThrow(/prefix must match/);
    const dir = fresh();
    await expect(writeShards([{ a: 1 }, undefined], { dir, shardSize: 1 })).rejects.toThrow(/record 1 does not serialise/);
    expect(readdirSync(dir)).toEqual([]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writeShards([cyclic], { dir, shardSize: 1 })).rejects.toThrow(/record 0 does not serialise to JSON/);
    await expect(readManifest(fresh())).rejects.toThrow(ShardIntegrityError);
  });

  it('an empty input gives an empty manifest', async () => {
    const dir = fresh();
    const m = await writeShards([], { dir, shardSize: 10 });
    expect(m).toMatchObject({ records: 0, shards: [], counts: {} });
    expect(readdirSync(dir)).toEqual(['manifest.json']);
  });
});
