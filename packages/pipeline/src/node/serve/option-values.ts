/**
 * Parsing of numeric command-line option values for `quarkmed serve` and `quarkmed chat`.
 *
 * @packageDocumentation
 */
import { ServeOptionError } from './serve-errors';

/** An integer option value in `[min, max]`. @throws {@link ServeOptionError} naming the flag */
export function intOption(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ServeOptionError(flag, `must be an integer in [${min}, ${max}], got '${value}'`);
  }
  return n;
}

/** A number option value in `[min, max]`. @throws {@link ServeOptionError} naming the flag */
export function numberOption(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new ServeOptionError(flag, `must be a number in [${min}, ${max}], got '${value}'`);
  return n;
}

/** The backends `--backend` accepts. */
export const BACKEND_CHOICES = ['auto', 'cpu', 'wasm', 'native', 'webgpu', 'tensorflow'] as const;

/** A `--backend` value. @throws {@link ServeOptionError} */
export function backendOption(value: string): (typeof BACKEND_CHOICES)[number] {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) throw new ServeOptionError('--backend', `must be one of ${BACKEND_CHOICES.join(', ')}, got '${value}'`);
  return value as (typeof BACKEND_CHOICES)[number];
}
