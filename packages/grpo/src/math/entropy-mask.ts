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
  const { lo, hi, frac } = quantilePosition(q, sorted.length);
  return frac === 0 ? sorted[lo]! : sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

/**
 * Where the q-quantile of n sorted values lies: between ranks `lo` and `hi` (= min(lo + 1, n − 1)) at `frac` ∈ [0, 1).
 * `q·(n−1)` within 1e-9 of an integer counts as that integer (0.3·10 is 3.0000000000000004 in float64: the quantile
 * is then the value of rank 3, not a hair above it), so the host and the tensor versions of the entropy mask agree.
 * For n = 0 every field is 0.
 */
export function quantilePosition(q: number, n: number): { lo: number; hi: number; frac: number } {
  if (n <= 0) return { lo: 0, hi: 0, frac: 0 };
  let pos = q * (n - 1);
  const near = Math.round(pos);
  if (Math.abs(pos - near) <= 1e-9) pos = near;
  const lo = Math.min(Math.floor(pos), n - 1);
  return { lo, hi: Math.min(lo + 1, n - 1), frac: pos - lo };
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
