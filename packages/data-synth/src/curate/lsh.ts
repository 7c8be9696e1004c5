/**
 * Locality-sensitive hashing over MinHash signatures (banding), candidate verification by estimated Jaccard, and
 * union-find clustering that keeps one deterministic representative per near-duplicate cluster.
 *
 * @packageDocumentation
 */
import { CurateInputError, CurateOptionsError } from './errors';
import { fmix32 } from './hash';
import { MinHasher, type MinHashOptions, type MinHashSignature } from './minhash';

/** Bands × rows of an LSH index. */
export interface LshParams {
  bands: number;
  rows: number;
}

/** Probability that two documents with Jaccard `s` share at least one band: 1 − (1 − s^r)^b. */
export function collisionProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

function integrate(f: (x: number) => number, a: number, b: number, steps = 200): number {
  if (b <= a) return 0;
  const h = (b - a) / steps;
  let sum = (f(a) + f(b)) / 2;
  for (let i = 1; i < steps; i++) sum += f(a + i * h);
  return sum * h;
}

/**
 * Chooses bands × rows (with bands·rows ≤ numPerm) for a Jaccard threshold by minimising the weighted area of false
 * positives (pairs below the threshold that collide) plus false negatives (pairs above it that do not), as
 * datasketch does. Deterministic; ties go to fewer bands.
 *
 * @param threshold - Jaccard threshold in (0, 1).
 * @param numPerm - signature length.
 * @param weights - relative weights of false positives and false negatives (default 0.1 / 0.9: candidates are
 *   verified by their estimated Jaccard afterwards, so a false positive only costs a comparison while a false negative
 *   is a missed duplicate). For threshold 0.8 and 128 permutations this gives 14 bands × 9 rows: a pair at Jaccard 0.8
 *   becomes a candidate with probability 0.87, at 0.85 with 0.975, at 0.9 with 0.999.
 */
export function optimalParams(
  threshold: number,
  numPerm: number,
  weights: { falsePositive?: number; falseNegative?: number } = {},
): LshParams {
  if (!(threshold > 0 && threshold < 1)) throw new CurateOptionsError(`optimalParams: threshold must be in (0, 1), got ${threshold}`);
  if (!Number.isInteger(numPerm) || numPerm < 2) throw new CurateOptionsError(`optimalParams: numPerm must be an integer ≥ 2, got ${numPerm}`);
  const wfp = weights.falsePositive ?? 0.1;
  const wfn = weights.falseNegative ?? 0.9;
  let best: LshParams = { bands: numPerm, rows: 1 };
  let bestErr = Infinity;
  for (let b = 1; b <= numPerm; b++) {
    const maxR = Math.floor(numPerm / b);
    for (let r = 1; r <= maxR; r++) {
      const fp = integrate((s) => collisionProbability(s, b, r), 0, threshold);
      const fn = integrate((s) => 1 - collisionProbability(s, b, r), threshold, 1);
      const err = wfp * fp + wfn * fn;
      if (err < bestErr - 1e-12) {
        bestErr = err;
        best = { bands: b, rows: r };
      }
    }
  }
  return best;
}

/** Options of {@link MinHashLSH}. */
export interface LshOptions {
  /** Jaccard threshold in (0, 1): candidate pairs are near-duplicates when their estimated Jaccard is ≥ this. */
  threshold: number;
  /** Signature length (must match the signatures inserted). */
  numPerm: number;
  /** Explicit banding; default {@link optimalParams}`(threshold, numPerm)`. `bands·rows` must be ≤ numPerm. */
  params?: LshParams;
  /** Weights for {@link optimalParams}. */
  weights?: { falsePositive?: number; falseNegative?: number };
}

/**
 * An LSH index of MinHash signatures. Each band of `rows` positions is hashed to a 53-bit bucket key; documents that
 * share any bucket are candidates.
 */
export class MinHashLSH {
  /** The threshold. */
  readonly threshold: number;
  /** The banding used. */
  readonly params: LshParams;
  /** Signature length. */
  readonly numPerm: number;
  private readonly buckets: Map<number, number[]>[];
  private readonly sigs: MinHashSignature[] = [];

  /** @param options - see {@link LshOptions}. */
  constructor(options: LshOptions) {
    const { threshold, numPerm } = options;
    if (!(threshold > 0 && threshold < 1)) throw new CurateOptionsError(`MinHashLSH: threshold must be in (0, 1), got ${threshold}`);
    this.threshold = threshold;
    this.numPerm = numPerm;
    this.params = options.params ?? optimalParams(threshold, numPerm, options.weights);
    const { bands, rows } = this.params;
    if (!Number.isInteger(bands) || !Number.isInteger(rows) || bands < 1 || rows < 1 || bands * rows > numPerm) {
      throw new CurateOptionsError(`MinHashLSH: params must be positive integers with bands·rows ≤ numPerm (${numPerm}), got ${bands}×${rows}`);
    }
    this.buckets = Array.from({ length: bands }, () => new Map<number, number[]>());
  }

  private bandKey(sig: MinHashSignature, band: number): number {
    const { rows } = this.params;
    let h1 = 0x9747b28c ^ band;
    let h2 = 0x1b873593 + band;
    for (let i = band * rows; i < (band + 1) * rows; i++) {
      h1 = fmix32((h1 ^ sig[i]!) >>> 0);
      h2 = fmix32((Math.imul(h2, 31) + sig[i]!) >>> 0);
    }
    return (h1 >>> 0) * 2097152 + (h2 & 0x1fffff);
  }

  private check(sig: MinHashSignature, where: string): void {
    if (sig.length !== this.numPerm) {
      throw new CurateInputError(`MinHashLSH.${where}: signature length must be numPerm (${this.numPerm}), got ${sig.length}`);
    }
  }

  /**
   * Adds a signature.
   *
   * @returns its id (insertion index).
   */
  insert(sig: MinHashSignature): number {
    this.check(sig, 'insert');
    const id = this.sigs.length;
    this.sigs.push(sig);
    for (let band = 0; band < this.params.bands; band++) {
      const key = this.bandKey(sig, band);
      const bucket = this.buckets[band]!.get(key);
      if (bucket) bucket.push(id);
      else this.buckets[band]!.set(key, [id]);
    }
    return id;
  }

  /** Number of signatures inserted. */
  get size(): number {
    return this.sigs.length;
  }

  /**
   * Ids sharing at least one band with `sig` (unverified candidates), ascending.
   *
   * @param sig - a signature of length numPerm.
   */
  candidates(sig: MinHashSignature): number[] {
    this.check(sig, 'candidates');
    const out = new Set<number>();
    for (let band = 0; band < this.params.bands; band++) {
      const bucket = this.buckets[band]!.get(this.bandKey(sig, band));
      if (bucket) for (const id of bucket) out.add(id);
    }
    return [...out].sort((a, b) => a - b);
  }

  /**
   * Ids whose estimated Jaccard with `sig` is ≥ the threshold, ascending.
   *
   * @param sig - a signature of length numPerm.
   */
  query(sig: MinHashSignature): number[] {
    return this.candidates(sig).filter((id) => MinHasher.estimate(sig, this.sigs[id]!) >= this.threshold);
  }

  /**
   * Every verified pair (i < j) among the inserted signatures, with its estimated Jaccard, in ascending (i, j) order.
   * Also returns how many candidate pairs were checked.
   */
  pairs(): { pairs: Array<[number, number, number]>; candidatePairs: number } {
    const seen = new Set<number>();
    const out: Array<[number, number, number]> = [];
    const n = this.sigs.length;
    let candidatePairs = 0;
    for (const buckets of this.buckets) {
      for (const ids of buckets.values()) {
        if (ids.length < 2) continue;
        for (let x = 0; x < ids.length; x++) {
          for (let y = x + 1; y < ids.length; y++) {
            const i = ids[x]!;
            const j = ids[y]!;
            const code = i * n + j;
            if (seen.has(code)) continue;
            seen.add(code);
            candidatePairs++;
            const est = MinHasher.estimate(this.sigs[i]!, this.sigs[j]!);
            if (est >= this.threshold) out.push([i, j, est]);
          }
        }
      }
    }
    out.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    return { pairs: out, candidatePairs };
  }
}

/** Disjoint sets over 0..n-1 with path halving and union by size. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  /** @param n - number of elements. */
  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  /** The root of `x`'s set. */
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }

  /** Merges the sets of `a` and `b`; returns false when they were already one set. */
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return true;
  }
}

/** Options of {@link nearDuplicateClusters} and {@link dedupNear}. */
export interface NearDedupOptions extends MinHashOptions {
  /** Jaccard threshold (default 0.8). */
  threshold?: number;
  /** Explicit banding (default chosen from the threshold, see {@link optimalParams}). */
  params?: LshParams;
  /** Weights for {@link optimalParams}. */
  weights?: { falsePositive?: number; falseNegative?: number };
  /**
   * Which member of a cluster to keep: negative when index `a` should be kept over index `b`. Ties (and the default)
   * keep the lowest index, so the choice depends only on the input order.
   */
  prefer?: (a: number, b: number) => number;
}

/** Result of {@link nearDuplicateClusters}. */
export interface NearDedupResult {
  /** Indices kept (one per cluster, singletons included), ascending. */
  kept: number[];
  /** For each dropped index, the kept index of its cluster. */
  duplicateOf: Map<number, number>;
  /** Verified pairs (i < j, estimated Jaccard). */
  pairs: Array<[number, number, number]>;
  /** Candidate pairs checked (sharing a band). */
  candidatePairs: number;
  /** Clusters with more than one member. */
  clusters: number;
  /** The banding used. */
  params: LshParams;
}

/**
 * Clusters signatures by LSH + verification + union-find and keeps one representative per cluster. Clustering is
 * transitive (a chain a≈b≈c is one cluster even if a and c are below the threshold), as in the usual corpus
 * deduplication pipelines.
 *
 * @param signatures - MinHash signatures of equal length.
 * @param options - threshold (default 0.8), banding, representative choice.
 */
export function nearDuplicateClusters(
  signatures: readonly MinHashSignature[],
  options: Omit<NearDedupOptions, keyof MinHashOptions> = {},
): NearDedupResult {
  const n = signatures.length;
  const threshold = options.threshold ?? 0.8;
  const numPerm = n > 0 ? signatures[0]!.length : 128;
  const lsh = new MinHashLSH({ threshold, numPerm, params: options.params, weights: options.weights });
  for (const s of signatures) lsh.insert(s);
  const { pairs, candidatePairs } = lsh.pairs();
  const uf = new UnionFind(n);
  for (const [i, j] of pairs) uf.union(i, j);
  const rep = new Map<number, number>();
  const clusterSize = new Map<number, number>();
  const prefer = options.prefer;
  for (let i = 0; i < n; i++) {
    const root = uf.find(i);
    clusterSize.set(root, (clusterSize.get(root) ?? 0) + 1);
    const cur = rep.get(root);
    // i ascends, so without a strict preference the lowest index stays.
    if (cur === undefined || (prefer !== undefined && prefer(i, cur) < 0)) rep.set(root, i);
  }
  const kept: number[] = [];
  const duplicateOf = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = rep.get(uf.find(i))!;
    if (r === i) kept.push(i);
    else duplicateOf.set(i, r);
  }
  let clusters = 0;
  for (const size of clusterSize.values()) if (size > 1) clusters++;
  return { kept, duplicateOf, pairs, candidatePairs, clusters, params: lsh.params };
}

/**
 * Near-duplicate removal of a list of texts: MinHash signatures (seeded), LSH banding chosen from the threshold,
 * candidates verified by estimated Jaccard ≥ threshold, union-find clusters, one kept per cluster.
 *
 * @param texts - the texts (normalise them first, see `normalizeText`).
 * @param options - threshold (default 0.8), MinHash options (numPerm 128, seed 1, unit 'mixed', k 5), `prefer`.
 */
export function dedupNear(texts: readonly string[], options: NearDedupOptions = {}): NearDedupResult {
  const mh = new MinHasher(options);
  const sigs = texts.map((t, i) => {
    if (typeof t !== 'string') throw new CurateInputError(`dedupNear: texts[${i}] must be a string, got ${typeof t}`);
    return mh.signature(t);
  });
  return nearDuplicateClusters(sigs, options);
}
