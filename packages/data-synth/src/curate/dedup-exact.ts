/**
 * Exact deduplication by a 128-bit hash of the normalised text.
 *
 * @packageDocumentation
 */
import { CurateInputError } from './errors';
import { hash128Hex } from './hash';
import { dedupKey } from './normalize';

/** Options of {@link ExactDeduplicator} and {@link dedupExact}. */
export interface ExactDedupOptions {
  /**
   * Maps a text to the key compared for equality (default {@link dedupKey}: normalised, whitespace-collapsed,
   * lower-cased). Pass `(t) => t` to compare raw texts.
   */
  key?: (text: string) => string;
}

/**
 * Streaming exact deduplicator: remembers the 128-bit hash of each key seen (16 bytes of hash per distinct text, not
 * the text).
 *
 * @example
 * ```ts
 * const d = new ExactDeduplicator();
 * d.add('Cholera  is an infection.'); // true (new)
 * d.add('cholera is an infection.');  // false (duplicate after normalisation)
 * ```
 */
export class ExactDeduplicator {
  private readonly seen = new Set<string>();
  private readonly key: (text: string) => string;

  /** @param options - see {@link ExactDedupOptions}. */
  constructor(options: ExactDedupOptions = {}) {
    this.key = options.key ?? dedupKey;
  }

  /** The hash that identifies `text` (hex, 32 digits). */
  fingerprint(text: string): string {
    return hash128Hex(this.key(text));
  }

  /** Whether a text with the same key was added before (does not add it). */
  has(text: string): boolean {
    return this.seen.has(this.fingerprint(text));
  }

  /**
   * Adds `text`.
   *
   * @returns true when it is new, false when a text with the same key was added before.
   */
  add(text: string): boolean {
    const fp = this.fingerprint(text);
    if (this.seen.has(fp)) return false;
    this.seen.add(fp);
    return true;
  }

  /** Number of distinct texts added. */
  get size(): number {
    return this.seen.size;
  }
}

/** Result of {@link dedupExact}. */
export interface ExactDedupResult {
  /** Indices of the kept texts, ascending. */
  kept: number[];
  /** For each dropped index, the index of the kept text it duplicates. */
  duplicateOf: Map<number, number>;
}

/**
 * Exact deduplication of a list. By default the first occurrence of each key is kept; with `prefer`, the best
 * occurrence by that comparator (ties broken by index) is kept instead, so the choice never depends on anything but
 * the input.
 *
 * @param texts - the texts.
 * @param options - key function, and `prefer(a, b)`: negative when index `a` should be kept over index `b`.
 */
export function dedupExact(
  texts: readonly string[],
  options: ExactDedupOptions & { prefer?: (a: number, b: number) => number } = {},
): ExactDedupResult {
  const key = options.key ?? dedupKey;
  const best = new Map<string, number>();
  const members = new Map<string, number[]>();
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (typeof t !== 'string') throw new CurateInputError(`dedupExact: texts[${i}] must be a string, got ${typeof t}`);
    const fp = hash128Hex(key(t));
    const cur = best.get(fp);
    if (cur === undefined) {
      best.set(fp, i);
      members.set(fp, [i]);
      continue;
    }
    members.get(fp)!.push(i);
    if (options.prefer && options.prefer(i, cur) < 0) best.set(fp, i);
  }
  const kept: number[] = [];
  const duplicateOf = new Map<number, number>();
  for (const [fp, rep] of best) {
    kept.push(rep);
    for (const m of members.get(fp)!) if (m !== rep) duplicateOf.set(m, rep);
  }
  kept.sort((a, b) => a - b);
  return { kept, duplicateOf };
}
