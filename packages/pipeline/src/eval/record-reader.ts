/**
 * Checked access to the fields of one benchmark record: every problem is an {@link EvalDataError} naming the file,
 * the record's line and the field.
 *
 * @packageDocumentation
 */
import { EvalDataError } from './eval-data-error';

/** One record of a benchmark file, with where it is, for checked field access. */
export class RecordReader {
  constructor(
    readonly value: Record<string, unknown>,
    readonly file: string,
    readonly line: number,
  ) {}

  /** An error about `field` of this record. */
  error(problem: string, field?: string): EvalDataError {
    return new EvalDataError(this.file, this.line, problem, field);
  }

  /** The first of `names` present (not undefined/null), with its name; undefined when none is. */
  first(names: readonly string[]): { name: string; value: unknown } | undefined {
    for (const name of names) {
      const v = this.value[name];
      if (v !== undefined && v !== null) return { name, value: v };
    }
    return undefined;
  }

  /** Whether any of `names` is present. */
  has(...names: string[]): boolean {
    return this.first(names) !== undefined;
  }

  /**
   * A required non-empty string from the first present field of `names` (numbers are accepted and written as text).
   *
   * @throws {@link EvalDataError} naming the field when none is present, or it is empty or not a string.
   */
  text(names: string | readonly string[]): string {
    const list = typeof names === 'string' ? [names] : names;
    const f = this.first(list);
    if (!f) throw this.error(`missing (expected ${list.map((n) => JSON.stringify(n)).join(' or ')})`, list[0]);
    return this.checkText(f.name, f.value);
  }

  /** An optional string (numbers written as text); undefined when absent or blank. */
  optionalText(names: string | readonly string[]): string | undefined {
    const f = this.first(typeof names === 'string' ? [names] : names);
    if (!f) return undefined;
    if (typeof f.value === 'number') return String(f.value);
    if (typeof f.value !== 'string') throw this.error(`expected a string, got ${describe(f.value)}`, f.name);
    const t = f.value.trim();
    return t.length > 0 ? t : undefined;
  }

  private checkText(name: string, v: unknown): string {
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string') throw this.error(`expected a string, got ${describe(v)}`, name);
    const t = v.trim();
    if (t.length === 0) throw this.error('is empty', name);
    return t;
  }
}

/** A short description of a JSON value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array (${JSON.stringify(v).slice(0, 60)})`;
  if (typeof v === 'object') return `an object (${JSON.stringify(v).slice(0, 60)})`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 60))}`;
  return `${typeof v} ${String(v)}`;
}
