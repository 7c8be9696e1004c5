import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicWriteError } from '../../src/checkpoint/errors';
import { TEMP_FILE_PATTERN, writeFileAtomic } from '../../src/node/atomic-dir';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qm-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes strings, bytes and chunk iterables, replacing an existing file', async () => {
    const path = join(dir, 'a.txt');
    await writeFileAtomic(path, 'héllo');
    expect(readFileSync(path, 'utf8')).toBe('héllo');
    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, [Uint8Array.from([9]), new Uint8Array(0), Uint8Array.from([8, 7])]);
    expect([...readFileSync(path)]).toEqual([9, 8, 7]);
    async function* gen(): AsyncGenerator<Uint8Array> {
      yield Uint8Array.from([4]);
      yield Uint8Array.from([5, 6]);
    }
    await writeFileAtomic(path, gen());
    expect([...readFileSync(path)]).toEqual([4, 5, 6]);
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('writes through a temporary file in the same directory, renamed at the end', async () => {
    const path = join(dir, 'b.bin');
    writeFileSync(path, 'old');
    const seen: string[][] = [];
    async function* gen(): AsyncGenerator<Uint8Array> {
      yield Uint8Array.from([1]);
      seen.push(readdirSync(dir).sort());
      // the target still holds the old content while the new one is being written
      expect(readFileSync(path, 'utf8')).toBe('old');
      yield Uint8Array.from([2]);
    }
    await writeFileAtomic(path, gen());
    expect(seen[0]).toHaveLength(2);
    const tmp = seen[0]!.find((n) => n !== 'b.bin')!;
    expect(tmp).toMatch(TEMP_FILE_PATTERN);
    expect(tmp.startsWith('.b.bin.')).toBe(true);
    expect(readdirSync(dir)).toEqual(['b.bin']);
    expect([...readFileSync(path)]).toEqual([1, 2]);
  });

  it('leaves no partial file and keeps the old content when the serialiser throws half-way', async () => {
    const path = join(dir, 'c.bin');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(1000).fill(7);
      throw new Error('serialiser exploded');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('serialiser exploded');
    expect(readdirSync(dir)).toEqual([]); // no target, no temp file
    writeFileSync(path, 'previous');
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('serialiser exploded');
    expect(readdirSync(dir)).toEqual(['c.bin']);
    expect(readFileSync(path, 'utf8')).toBe('previous');
  });

  it('cleans up when a chunk has the wrong type or the rename fails', async () => {
    const path = join(dir, 'd.bin');
    await expect(writeFileAtomic(path, ['text' as unknown as Uint8Array])).rejects.toThrow(/chunks must be Uint8Array/);
    expect(readdirSync(dir)).toEqual([]);
    mkdirSync(join(dir, 'target-is-a-dir'));
    writeFileSync(join(dir, 'target-is-a-dir', 'x'), 'x');
    await expect(writeFileAtomic(join(dir, 'target-is-a-dir'), 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['target-is-a-dir']);
  });

  it('rejects bad arguments and a missing directory', async () => {
    await expect(writeFileAtomic(join(dir, 'e'), 42 as unknown as string)).rejects.toThrow(AtomicWriteError);
    await expect(writeFileAtomic('', 'x')).rejects.toThrow(/path/);
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
