/**
 * `mkdir -p` that always settles.
 *
 * @packageDocumentation
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and its missing parents one level at a time. Node's `mkdir(dir, { recursive: true })` never settles
 * for a path under `/proc` (where `mkdir` fails with ENOENT although the parent exists); this walk rejects with
 * the file system's error instead.
 */
export async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    const exists = await stat(p).then(
      () => true,
      (error: { code?: string }) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (exists) break;
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const d of missing.reverse()) {
    await mkdir(d).catch((error: { code?: string }) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
