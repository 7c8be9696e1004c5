/**
 * The on-disk answer cache of the OpenAI-compatible client: one small JSON file per answer,
 * `<dir>/<key[0..2]>/<key>.json`, each written atomically (temporary file + rename), so a run killed at any moment
 * leaves every finished answer readable and no partial one; a rerun asks only for what is missing.
 *
 * @packageDocumentation
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@quarkmed/model/node';
import type { AnswerCache } from '../../models/answer-cache';
import { EvalDataError } from '../../eval/eval-data-error';

/** An answer cache in a directory (see the module documentation). */
export class FileAnswerCache implements AnswerCache {
  constructor(readonly dir: string) {}

  private path(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new EvalDataError(this.dir, 0, `cache keys are hex digests, got ${JSON.stringify(key)}`);
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** @throws {@link index.EvalDataError | EvalDataError} naming the file when an entry is not a cache entry of this key. */
  async get(key: string): Promise<string | undefined> {
    const p = this.path(key);
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new EvalDataError(p, 0, `cannot read the cache entry (${(e as Error).message})`, undefined, { cause: e });
    }
    let v: { key?: unknown; answer?: unknown };
    try {
      v = JSON.parse(text) as { key?: unknown; answer?: unknown };
    } catch (e) {
      throw new EvalDataError(p, 1, 'the cache entry is not JSON', undefined, { cause: e });
    }
    if (v?.key !== key || typeof v.answer !== 'string') throw new EvalDataError(p, 1, 'not a cache entry of this key', 'key');
    return v.answer;
  }

  async set(key: string, answer: string): Promise<void> {
    const p = this.path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    await writeFileAtomic(p, JSON.stringify({ key, answer }));
  }
}
