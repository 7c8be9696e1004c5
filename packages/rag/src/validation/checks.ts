/** Argument checks shared by the chunker, the sparse index and the retrievers; each throws {@link RagArgumentError}. */
import { RagArgumentError } from './rag-argument-error';

/** `value` must be an integer ≥ `min`. */
export function checkInteger(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RagArgumentError(field, `must be an integer ≥ ${min}, got ${describe(value)}`);
  }
  return value;
}

/** `value` must be a finite number within [`min`, `max`]. */
export function checkNumber(field: string, value: unknown, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new RagArgumentError(field, `must be a finite number ${range}, got ${describe(value)}`);
  }
  return value;
}

/** `value` must be a string with at least one non-whitespace character. */
export function checkText(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new RagArgumentError(field, `must be a string, got ${describe(value)}`);
  if (value.trim().length === 0) throw new RagArgumentError(field, 'is empty');
  return value;
}

/** A short description of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
