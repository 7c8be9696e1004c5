/**
 * Ratio-weighted mixing of several sources (tasks, datasets, ability dimensions) into one set of exactly `total`
 * items, with seeded sampling with or without replacement.
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';
import { deriveSeed, mulberry32, shuffle, type Rand } from '../random';

/** One source to mix. */
export interface MixSource<T> {
  /** Unique name (e.g. a task id or `'reasoning'`). */
  name: string;
  items: readonly T[];
  /** Relative weight (≥ 0); `3` and `1` give a 3:1 mix. */
  weight: number;
}

/** Options of {@link mix}. */
export interface MixOptions {
  /** Exact number of items in the result. */
  total: number;
  /** Seed of every random choice. */
  seed: number;
  /**
   * Sample with replacement (default false). Without replacement a source is never repeated, so it can give at
   * most its size; see `shortage`.
   */
  replacement?: boolean;
  /**
   * Without replacement, when a source has fewer items than its share: `'error'` (default) throws a
   * {@link MixError}; `'redistribute'` takes all of it and gives the rest of its share to the other sources in
   * proportion to their weights (the total stays exact, the ratio does not).
   */
  shortage?: 'error' | 'redistribute';
  /** Shuffle the mixed result (default true); false keeps the sources grouped in the given order. */
  shuffle?: boolean;
}

/** One item of a mix, with where it came from. */
export interface MixedItem<T> {
  /** Name of its source. */
  source: string;
  /** Index of the item within its source's `items`. */
  index: number;
  item: T;
}

/** Result of {@link mix}. */
export interface MixResult<T> {
  items: MixedItem<T>[];
  /** Items taken from each source (sums to `total`). */
  counts: Record<string, number>;
  /** The ideal fractional share of each source, `total · weight / Σweight`. */
  targets: Record<string, number>;
}

/** Thrown for invalid mixing input or a source too small for its share. */
export class MixError extends DataSynthError {
  override name = 'MixError';
}

/**
 * Splits `total` into integer parts proportional to `weights` by the largest-remainder method: every part is within
 * 1 of its exact share `total·w/Σw`, and the parts sum to `total`. Ties of remainders go to the earlier index.
 *
 * @param total - a non-negative integer.
 * @param weights - non-negative numbers, not all zero (unless total is 0).
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new MixError(`apportion: total must be a non-negative integer, got ${total}`);
  const sum = weights.reduce((a, w) => a + w, 0);
  if (weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
    throw new MixError(`apportion: weights must be finite and ≥ 0, got [${weights.join(', ')}]`);
  }
  if (sum <= 0) {
    if (total === 0) return weights.map(() => 0);
    throw new MixError(`apportion: weights must not all be zero when total is ${total}`);
  }
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map((x) => Math.floor(x));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length) {
    const i = order[k]![1];
    if (weights[i]! > 0) {
      parts[i]!++;
      left--;
    }
  }
  return parts;
}

/** Indices 0..n-1 drawn `k` times: distinct (partial Fisher–Yates) or with replacement. */
function drawIndices(n: number, k: number, replacement: boolean, rand: Rand): number[] {
  if (replacement) {
    const out: number[] = new Array(k);
    for (let i = 0; i < k; i++) out[i] = Math.floor(rand() * n);
    return out;
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k);
}

/**
 * Mixes sources by weight into exactly `options.total` items. Each source's count is its largest-remainder share of
 * the total (within ±1 of `total·weight/Σweight`); items are drawn from each source with a seed derived from
 * `options.seed` and the source name, so adding a source does not change which items another source contributes
 * (only how many). Same inputs and seed → same result.
 *
 * @example
 * ```ts
 * const { items, counts } = mix(
 *   [{ name: 'reasoning', items: reasoning, weight: 3 }, { name: 'general', items: general, weight: 1 }],
 *   { total: 1000, seed: 42 },
 * ); // counts: { reasoning: 750, general: 250 }
 * ```
 * @param sources - the sources (unique names; weights ≥ 0).
 * @param options - total, seed, replacement, shortage policy, shuffle.
 * @throws MixError for duplicate names, bad weights or total, an empty source with a positive share, or (without
 *   replacement and with `shortage: 'error'`) a source smaller than its share.
 */
export function mix<T>(sources: readonly MixSource<T>[], options: MixOptions): MixResult<T> {
  const { total, seed } = options;
  const replacement = options.replacement ?? false;
  const shortage = options.shortage ?? 'error';
  if (!Number.isInteger(total) || total < 0) throw new MixError(`mix: options.total must be a non-negative integer, got ${total}`);
  const names = new Set<string>();
  for (const [i, s] of sources.entries()) {
    if (typeof s.name !== 'string' || s.name.length === 0) throw new MixError(`mix: sources[${i}].name must be a non-empty string`);
    if (names.has(s.name)) throw new MixError(`mix: duplicate source name '${s.name}' (sources[${i}])`);
    names.add(s.name);
    if (!(s.weight >= 0) || !Number.isFinite(s.weight)) throw new MixError(`mix: sources[${i}] ('${s.name}').weight must be finite and ≥ 0, got ${s.weight}`);
  }
  const weights = sources.map((s) => s.weight);
  const sumW = weights.reduce((a, b) => a + b, 0);
  const targets: Record<string, number> = {};
  for (const s of sources) targets[s.name] = sumW > 0 ? (total * s.weight) / sumW : 0;
  let counts = apportion(total, weights);

  for (const [i, s] of sources.entries()) {
    if (counts[i]! > 0 && s.items.length === 0) {
      if (replacement || shortage === 'error') {
        throw new MixError(`mix: source '${s.name}' is empty but its share is ${counts[i]} of ${total}`);
      }
    }
  }
  if (!replacement) {
    const short = sources.findIndex((s, i) => counts[i]! > s.items.length);
    if (short >= 0) {
      if (shortage === 'error') {
        const s = sources[short]!;
        throw new MixError(
          `mix: source '${s.name}' has ${s.items.length} items but its share is ${counts[short]} of ${total} without replacement ` +
            `(use replacement: true or shortage: 'redistribute')`,
        );
      }
      counts = redistribute(total, sources, weights);
    }
  }

  const items: MixedItem<T>[] = [];
  const out: Record<string, number> = {};
  for (const [i, s] of sources.entries()) {
    out[s.name] = counts[i]!;
    if (counts[i] === 0) continue;
    const rand = mulberry32(deriveSeed(seed, `mix:${s.name}`));
    for (const idx of drawIndices(s.items.length, counts[i]!, replacement, rand)) items.push({ source: s.name, index: idx, item: s.items[idx]! });
  }
  const mixed = options.shuffle === false ? items : shuffle(items, mulberry32(deriveSeed(seed, 'mix:order')));
  return { items: mixed, counts: out, targets };
}

/** Caps sources at their size and hands the remainder to the others by weight, repeatedly. */
function redistribute<T>(total: number, sources: readonly MixSource<T>[], weights: readonly number[]): number[] {
  const cap = sources.map((s) => s.items.length);
  const capacity = cap.reduce((a, b, i) => a + (weights[i]! > 0 ? b : 0), 0);
  if (capacity < total) {
    throw new MixError(`mix: the sources with a positive weight hold ${capacity} items in all, fewer than total ${total} without replacement`);
  }
  const counts = sources.map(() => 0);
  const open = new Set(sources.map((_, i) => i).filter((i) => weights[i]! > 0));
  let left = total;
  while (left > 0) {
    const ids = [...open];
    const parts = apportion(
      left,
      ids.map((i) => weights[i]!),
    );
    let moved = 0;
    for (const [k, i] of ids.entries()) {
      const take = Math.min(parts[k]!, cap[i]! - counts[i]!);
      counts[i]! += take;
      moved += take;
      if (counts[i] === cap[i]) open.delete(i);
    }
    left -= moved;
    if (moved === 0) break; // cannot happen while capacity ≥ total
  }
  return counts;
}

/**
 * Groups records by a key (e.g. a task's ability dimension or its task id) and mixes the groups by `weights`.
 * Records whose key has no weight are left out (counted in `excluded`).
 *
 * @param records - the records.
 * @param key - the group of a record.
 * @param weights - weight per group, e.g. `{ reasoning: 3, general: 1 }`.
 * @param options - see {@link MixOptions}.
 * @throws MixError when a weighted group has no records and a positive share.
 */
export function mixByKey<T>(
  records: Iterable<T>,
  key: (r: T) => string,
  weights: Record<string, number>,
  options: MixOptions,
): MixResult<T> & { excluded: number } {
  const groups = new Map<string, T[]>(Object.keys(weights).map((k) => [k, []]));
  let excluded = 0;
  for (const r of records) {
    const g = groups.get(key(r));
    if (g) g.push(r);
    else excluded++;
  }
  const sources = Object.keys(weights).map((name) => ({ name, items: groups.get(name)!, weight: weights[name]! }));
  return { ...mix(sources, options), excluded };
}
