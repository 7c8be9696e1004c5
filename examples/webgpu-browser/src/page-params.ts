/**
 * Numeric settings read from the page URL (`?maxNewTokens=64&k=3&temperature=0.8&seed=1`), each with its
 * documented default and range; a malformed value is an error naming the parameter, never ignored.
 *
 * @packageDocumentation
 */
import { BrowserExampleError } from './app-error';

/** One numeric URL parameter: its default and inclusive range, and whether it must be an integer. */
export interface NumberParam {
  default: number;
  min: number;
  max: number;
  integer: boolean;
}

/**
 * The value of `name` in `search`, or its default when absent.
 *
 * @throws {@link BrowserExampleError} naming the parameter when the value is not a number in range
 */
export function numberParam(search: string, name: string, spec: NumberParam): number {
  const raw = new URLSearchParams(search).get(name);
  if (raw === null) return spec.default;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (spec.integer && !Number.isInteger(value)) || value < spec.min || value > spec.max) {
    throw new BrowserExampleError(`URL parameter ${name}=${raw}: expected ${spec.integer ? 'an integer' : 'a number'} in [${spec.min}, ${spec.max}]`);
  }
  return value;
}
