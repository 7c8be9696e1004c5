import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicWriteError } from '../../src/checkpoint/errors';
import { cleanStaleTemps, recoverDirectory, replaceDirectory } from '../../src/node/atomic-dir';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'qm-atomic-dir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited (so its leftovers count as a crashed writer's). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function put(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
}

function read(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

describe('replaceDirectory', () => {
  it('creates, then replaces the whole directory; nothing is left next to it', async () => {
    const dir = join(root, 'nested', 'ckpt');
    await replaceDirectory(dir, async (s) => put(s, { a: '1', b: '1' }));
    expect(read(dir)).toEqual({ a: '1', b: '1' });
    await replaceDirectory(dir, async (s) => put(s, { a: '2', c: '2' }));
    expect(read(dir)).toEqual({ a: '2', c: '2' });
    expect(readdirSync(join(root, 'nested'))).toEqual(['ckpt']);
  });

  it('leaves the old directory untouched when write throws, and removes its staging directory', async () => {
    const dir = join(root, 'ckpt');
    put(dir, { a: 'old' });
    let staging = '';
    await expect(
      replaceDirectory(dir, async (s) => {
        staging = s;
        put(s, { a: 'half' });
        throw new Error('writer failed');
      }),
    ).rejects.toThrow('writer failed');
    expect(staging.startsWith(join(root, '.ckpt.staging.'))).toBe(true);
    expect(read(dir)).toEqual({ a: 'old' });
    expect(readdirSync(root)).toEqual(['ckpt']);
  });

  it('carries over the entries `keep` selects, and rejects a target that is a file or an empty path', async () => {
    const dir = join(root, 'ckpt');
    put(dir, { 'model.bin': 'old', 'tokenizer.json': 'tok' });
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x'), 'x');
    await replaceDirectory(dir, async (s) => put(s, { 'model.bin': 'new' }), { keep: (n) => n !== 'model.bin' });
    expect(readdirSync(dir).sort()).toEqual(['model.bin', 'sub', 'tokenizer.json']);
    expect(readFileSync(join(dir, 'model.bin'), 'utf8')).toBe('new');
    expect(readFileSync(join(dir, 'tokenizer.json'), 'utf8')).toBe('tok');
    expect(readFileSync(join(dir, 'sub', 'x'), 'utf8')).toBe('x');
    writeFileSync(join(root, 'file'), 'f');
    await expect(replaceDirectory(join(root, 'file'), async () => undefined)).rejects.toThrow(AtomicWriteError);
    await expect(replaceDirectory(join(root, 'file'), async () => undefined)).rejects.toThrow(/exists and is not a directory/);
    await expect(replaceDirectory('', async () => undefined)).rejects.toThrow(AtomicWriteError);
    expect(readdirSync(root).sort()).toEqual(['ckpt', 'file']);
  });
});

describe('recoverDirectory / cleanStaleTemps: the states a kill -9 can leave', () => {
  it('crash between the two renames (dir gone, new version ready): rolls forward', async () => {
    const pid = deadPid();
    put(join(root, `.ckpt.old.${pid}.aaaaaaaaaaaa`), { a: 'old' });
    put(join(root, `.ckpt.ready.${pid}.aaaaaaaaaaaa`), { a: 'new' });
    expect(await recoverDirectory(join(root, 'ckpt'))).toBe(true);
    expect(read(join(root, 'ckpt'))).toEqual({ a: 'new' });
    expect(readdirSync(root)).toEqual(['ckpt']);
  });

  it('dir gone with only the old version (a failed roll-back): restores it', async () => {
    const pid = deadPid();
    put(join(root, `.ckpt.old.${pid}.bbbbbbbbbbbb`), { a: 'old' });
    put(join(root, `.ckpt.staging.${pid}.cccccccccccc`), { a: 'partial' });
    await recoverDirectory(join(root, 'ckpt'));
    expect(read(join(root, 'ckpt'))).toEqual({ a: 'old' });
    expect(readdirSync(root)).toEqual(['ckpt']);
  });

  it('dir present: removes staging, ready and old siblings and temp files of dead writers only', async () => {
    const pid = deadPid();
    put(join(root, 'ckpt'), { a: 'cur', [`.a.${pid}.0123456789abcdef.tmp`]: 'x', '.b.0123456789abcdef.tmp': 'legacy', [`.c.${process.pid}.0123456789abcdef.tmp`]: 'live' });
    put(join(root, `.ckpt.staging.${pid}.dddddddddddd`), { a: 'p' });
    put(join(root, `.ckpt.ready.${pid}.eeeeeeeeeeee`), { a: 'r' });
    put(join(root, `.ckpt.old.${pid}.ffffffffffff`), { a: 'o' });
    put(join(root, `.ckpt.staging.${process.pid}.111111111111`), { a: 'in progress' }); // a live writer's
    put(join(root, `.other.staging.${pid}.222222222222`), { a: 'another dir' });
    await recoverDirectory(join(root, 'ckpt'));
    expect(read(join(root, 'ckpt'))).toEqual({ [`.c.${process.pid}.0123456789abcdef.tmp`]: 'live', a: 'cur' });
    expect(readdirSync(root).sort()).toEqual([`.ckpt.staging.${process.pid}.111111111111`, `.other.staging.${pid}.222222222222`, 'ckpt'].sort());
    expect(await recoverDirectory(join(root, 'ckpt'))).toBe(false);
  });

  it('does nothing for a missing directory without leftovers', async () => {
    expect(await recoverDirectory(join(root, 'none'))).toBe(false);
    expect(await cleanStaleTemps(join(root, 'none'))).toBe(false);
    expect(existsSync(join(root, 'none'))).toBe(false);
  });
});
