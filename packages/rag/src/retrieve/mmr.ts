/** Maximal marginal relevance (Carbonell & Goldstein 1998): picks relevant results that are not redundant. */
import { checkInteger, checkNumber } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';

/**
 * Greedy MMR over candidates with relevance `relevance[i]` (any scale; normalised here to [0, 1] by the maximum) and
 * vectors `vectors[i]`: each step takes `argmax λ·rel(i) − (1 − λ)·max_{j chosen} cos(i, j)`. Returns the chosen
 * candidate indexes in order.
 *
 * @throws {@link RagArgumentError} for `λ` outside [0, 1], `k` < 1, mismatched lengths or vector dimensions.
 */
export function maximalMarginalRelevance(relevance: readonly number[], vectors: readonly Float32Array[], k: number, lambda: number): number[] {
  checkInteger('k', k, 1);
  checkNumber('lambda', lambda, 0, 1);
  if (relevance.length !== vectors.length) throw new RagArgumentError('vectors', `has ${vectors.length} vectors for ${relevance.length} candidates`);
  const dim = vectors[0]?.length ?? 0;
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new RagArgumentError(`vectors[${i}]`, `has dimension ${v.length}, expected ${dim}`);
  });
  const norms = vectors.map((v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1);
  const maxRel = Math.max(...relevance.map(Math.abs), Number.MIN_VALUE);
  const rel = relevance.map((r) => r / maxRel);
  const maxSim = new Float64Array(relevance.length).fill(-Infinity);
  const chosen: number[] = [];
  const free = new Set(relevance.map((_, i) => i));
  while (chosen.length < k && free.size > 0) {
    let best = -1;
    let bestScore = -Infinity;
    for (const i of free) {
      const redundancy = chosen.length === 0 ? 0 : maxSim[i]!;
      const s = lambda * rel[i]! - (1 - lambda) * redundancy;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    chosen.push(best);
    free.delete(best);
    const vb = vectors[best]!;
    for (const i of free) {
      const vi = vectors[i]!;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += vi[d]! * vb[d]!;
      const cos = dot / (norms[i]! * norms[best]!);
      if (cos > maxSim[i]!) maxSim[i] = cos;
    }
  }
  return chosen;
}
