/** Metadata filters and the freshness (date) filter, applied by the sparse index and the hybrid retriever. */
import type { DocumentMetadata, MetadataFilter } from '../types';
import { RagArgumentError } from '../validation/rag-argument-error';
import { describe } from '../validation/checks';

/** Whether `metadata` passes `filter`: every key equals the value or, for an array, one of its values. */
export function matchesFilter(metadata: DocumentMetadata, filter: MetadataFilter | undefined): boolean {
  if (filter === undefined) return true;
  for (const key of Object.keys(filter)) {
    const want = filter[key]!;
    const have = metadata[key];
    if (Array.isArray(want)) {
      if (!(want as readonly unknown[]).includes(have)) return false;
    } else if (have !== want) return false;
  }
  return true;
}

/** Checks a filter's shape. @throws {@link RagArgumentError} naming the bad key. */
export function checkFilter(field: string, filter: unknown): MetadataFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new RagArgumentError(field, `must be an object of metadata key → value(s), got ${describe(filter)}`);
  }
  for (const [key, value] of Object.entries(filter)) {
    const values = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && value.length === 0) throw new RagArgumentError(`${field}.${key}`, 'is an empty list (it would match nothing)');
    for (const v of values) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) {
        throw new RagArgumentError(`${field}.${key}`, `values must be strings, numbers or booleans, got ${describe(v)}`);
      }
    }
  }
  return filter as MetadataFilter;
}

/** Keeps documents whose `metadata.date` lies in [`since`, `until`] (either bound optional). */
export interface FreshnessFilter {
  /** Earliest date kept (ISO 8601 string or `Date`). */
  since?: string | Date;
  /** Latest date kept (ISO 8601 string or `Date`). */
  until?: string | Date;
  /** What to do with documents that have no `metadata.date`: `drop` (default) or `keep`. */
  undated?: 'drop' | 'keep';
}

const ISO_DATE = /^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

/**
 * Milliseconds since the epoch of an ISO 8601 date (`2024`, `2024-05`, `2024-05-01`, `2024-05-01T10:00Z`).
 *
 * @throws {@link RagArgumentError} naming `field` for anything else.
 */
export function parseIsoDate(field: string, value: unknown): number {
  if (value instanceof Date) {
    const t = value.getTime();
    if (Number.isNaN(t)) throw new RagArgumentError(field, 'is an invalid Date');
    return t;
  }
  if (typeof value !== 'string' || !ISO_DATE.test(value)) {
    throw new RagArgumentError(field, `must be an ISO 8601 date such as "2024-05-01", got ${describe(value)}`);
  }
  const padded = value.length === 4 ? `${value}-01-01` : value.length === 7 ? `${value}-01` : value;
  const t = Date.parse(padded);
  if (Number.isNaN(t)) throw new RagArgumentError(field, `is not a real date: ${describe(value)}`);
  return t;
}

/** A compiled freshness filter: a predicate over metadata. @throws {@link RagArgumentError} for bad bounds. */
export function compileFreshness(field: string, f: FreshnessFilter | undefined): ((m: DocumentMetadata) => boolean) | undefined {
  if (f === undefined) return undefined;
  const since = f.since === undefined ? -Infinity : parseIsoDate(`${field}.since`, f.since);
  const until = f.until === undefined ? Infinity : parseIsoDate(`${field}.until`, f.until);
  if (since > until) throw new RagArgumentError(field, 'since is after until');
  if (f.undated !== undefined && f.undated !== 'drop' && f.undated !== 'keep') {
    throw new RagArgumentError(`${field}.undated`, `must be "drop" or "keep", got ${describe(f.undated)}`);
  }
  const keepUndated = f.undated === 'keep';
  return (m) => {
    if (m.date === undefined) return keepUndated;
    const t = parseIsoDate('metadata.date', m.date);
    return t >= since && t <= until;
  };
}
