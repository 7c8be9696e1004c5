/**
 * The high-entropy token mask of "Beyond the 80/20 Rule" (TRL `get_high_entropy_mask`, one process).
 *
 * @packageDocumentation
 */
import { GrpoInputError } from './input-error';

/**
 * `torch.quantile(values, q)` with linear interpolation: the value at position q·(n−1) of the sorted values.
 *
 * @throws {@link GrpoInputError} for an empty input or q outside [0, 1]
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new GrpoInputError('values', 'quantile of an empty set');
  if (!(q >= 0 && q <= 1)) throw new GrpoInputError('q', `must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * 1 for the tokens whose entropy is at least the `threshold`-quantile of the unpadded tokens' entropies, 0 for the
 * others and for padding (TRL: `masked_entropies >= quantile(entropies[mask], threshold)`, then `& mask`). The
 * policy loss keeps the top ρ = `topEntropyQuantile` of tokens with `threshold = 1 − ρ`; ρ = 0 keeps only the
 * highest-entropy token(s). All zeros when no token is unpadded.
 *
 * @param entropies - per-token entropies, row-major [B, T]
 * @param mask - 1 for completion tokens, 0 for padding, same layout
 * @returns the mask as a Float32Array, same layout
 */
export function highEntropyMask(entropies: ArrayLike<number>, mask: ArrayLike<number>, threshold: number): Float32Array {
  if (entropies.length !== mask.length) throw new GrpoInputError('entropies', `has ${entropies.length} values but mask has ${mask.length}`);
  const active: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]! !== 0) active.push(Math.fround(entropies[i]!));
  const out = new Float32Array(mask.length);
  if (active.length === 0) return out;
  const thr = quantile(active, threshold);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i]! !== 0 && entropies[i]! * mask[i]! >= thr ? 1 : 0;
  return out;
}
