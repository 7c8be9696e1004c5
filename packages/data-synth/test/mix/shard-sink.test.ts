/**
 * The browser-safe shard writer: the plain-JavaScript SHA-256 agrees with node:crypto, and writing through a memory
 * sink gives the same bytes and manifest as the Node entry's folder writer; reading back through a source verifies.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryShardSink, readShardsFrom, Sha256, sha256Hex, ShardIntegrityError, ShardWriteError, verifyShardsFrom, writeShardsToSink, type ShardSource } from '../../src/mix/index';
import { mulberry32 } from '../../src/random';
import { writeShards } from '../../src/node/index';

const root = mkdtempSync(join(tmpdir(), 'quarkmed-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Sha256', () => {
  it('matches the FIPS 180-4 vectors and node:crypto for seeded random data fed in random pieces', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const rand = mulberry32(7);
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70_000]) {
      const data = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      const h = new Sha256();
      for (let i = 0; i < n; ) {
        const k = 1 + Math.floor(rand() * 97);
        h.update(data.subarray(i, i + k));
        i += k;
      }
      expect(h.digest(), `length ${n}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
    const done = new Sha256();
    done.digest();
    expect(() => done.update(new Uint8Array(1))).toThrow(ShardWriteError);
  });
});

describe('writeShardsToSink', () => {
  const recs = Array.from({ length: 45 }, (_, i) => ({ id: `r${i}`, task: i % 3 ? 'definition' : 'icd10_coding', source: 'doid', text: `疾病 ${i} — ${'x'.repeat(i)}` }));

  it('gives the same shard bytes and manifest as writeShards, and reads back verified', async () => {
    const sink = memoryShardSink();
    const m = await writeShardsToSink(recs, sink, { shardSize: 20, prefix: 'ift', seed: 3 });
    const dir = join(root, 'out');
    const onDisk = await writeShards(recs, { dir, shardSize: 20, prefix: 'ift', seed: 3 });
    expect(m).toEqual(onDisk);
    expect([...sink.files.keys()]).toEqual(['ift-00000.jsonl', 'ift-00001.jsonl', 'ift-00002.jsonl', 'manifest.json']);
    for (const [name, bytes] of sink.files) expect(Buffer.from(bytes).equals(readFileSync(join(dir, name))), name).toBe(true);
    const source: ShardSource = { read: async (name) => sink.files.get(name) ?? Promise.reject(new Error(`no ${name}`)) };
    const back = [];
    for await (const r of readShardsFrom(source)) back.push(r);
    expect(back).toEqual(recs);
    expect((await verifyShardsFrom(source)).ok).toBe(true);
    // a flipped byte is caught and named
    const bad = new Uint8Array(sink.files.get('ift-00001.jsonl')!);
    bad[10] ^= 1;
    sink.files.set('ift-00001.jsonl', bad);
    const v = await verifyShardsFrom(source);
    expect(v.problems.map((p) => p.file)).toEqual(['ift-00001.jsonl']);
    await expect((async () => {
      for await (const _ of readShardsFrom(source)) void _;
    })()).rejects.toThrow(ShardIntegrityError);
    sink.files.delete('manifest.json');
    await expect(verifyShardsFrom(source)).rejects.toThrow(/cannot read manifest.json/);
  });

  it('validates options before writing anything', async () => {
    const sink = memoryShardSink();
    await expect(writeShardsToSink(recs, sink, { shardSize: 1.5 })).rejects.toThrow(ShardWriteError);
    await expect(writeShardsToSink(recs, sink, { shardSize: 1, manifestName: 'm.jsonl' })).rejects.toThrow(/manifestName/);
    expect(sink.files.size).toBe(0);
  });
});
