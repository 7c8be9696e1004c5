/**
 * Curriculum ordering: atomic items (one fact, one step) before composite ones (several facts, multi-step
 * reasoning), stably.
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';

/** The default level names, easiest first. */
export const DEFAULT_LEVELS = ['atomic', 'composite'] as const;

/** Options of {@link curriculumOrder}. */
export interface CurriculumOptions<T> {
  /** The level of a record (default: its `level` field). Numbers sort ascending; names by `levels`. */
  level?: (r: T) => string | number | undefined;
  /** Level names, easiest first (default `['atomic', 'composite']`). */
  levels?: readonly string[];
  /**
   * Where records without a level go: `'error'` (default) throws, `'first'` / `'last'` put them before / after every
   * level (keeping their order).
   */
  missing?: 'error' | 'first' | 'last';
}

/** Thrown for a record whose level is unknown or missing. */
export class CurriculumError extends DataSynthError {
  override name = 'CurriculumError';
}

/**
 * Orders records by curriculum level, stably: records of the same level keep their relative order (so a mix shuffled
 * with a seed stays shuffled within each level). Named levels follow `levels`; numeric levels sort ascending and come
 * before named ones only if you use one kind consistently (mixing kinds is an error).
 *
 * @param records - the records.
 * @param options - level accessor, level names, missing-level policy.
 * @returns a new array.
 * @throws CurriculumError for an unknown level name, a missing level (with `missing: 'error'`), or mixed
 *   numeric/named levels; the message names the record index and value.
 */
export function curriculumOrder<T>(records: readonly T[], options: CurriculumOptions<T> = {}): T[] {
  const levelOf = options.level ?? ((r: T) => (r as { level?: string | number } | null)?.level);
  const names = options.levels ?? DEFAULT_LEVELS;
  const missing = options.missing ?? 'error';
  const rankOfName = new Map(names.map((n, i) => [n, i]));
  let kind: 'number' | 'string' | undefined;
  const keyed = records.map((r, i) => {
    const lv = levelOf(r);
    let rank: number;
    if (lv === undefined || lv === null) {
      if (missing === 'error') throw new CurriculumError(`curriculumOrder: records[${i}] has no level`);
      rank = missing === 'first' ? -Infinity : Infinity;
    } else {
      const k = typeof lv === 'number' ? 'number' : 'string';
      if (kind !== undefined && kind !== k) {
        throw new CurriculumError(`curriculumOrder: records[${i}] has a ${k} level (${String(lv)}) but earlier records have ${kind} levels`);
      }
      kind = k;
      if (typeof lv === 'number') {
        if (Number.isNaN(lv)) throw new CurriculumError(`curriculumOrder: records[${i}] has level NaN`);
        rank = lv;
      } else {
        const r = rankOfName.get(lv);
        if (r === undefined) {
          throw new CurriculumError(`curriculumOrder: records[${i}] has unknown level '${lv}'; known levels: ${names.join(', ')}`);
        }
        rank = r;
      }
    }
    return { r, i, rank };
  });
  // Array.prototype.sort is stable; the index tie-break makes that explicit.
  keyed.sort((a, b) => (a.rank === b.rank ? a.i - b.i : a.rank < b.rank ? -1 : 1));
  return keyed.map((k) => k.r);
}
