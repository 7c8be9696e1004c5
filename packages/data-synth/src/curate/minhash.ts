/**
 * Seeded MinHash signatures over character, word or mixed (Chinese character + English word) shingles.
 *
 * @packageDocumentation
 */
import { CurateInputError, CurateOptionsError } from './errors';
import { CJK_LETTER_CLASS } from '../cjk';
import { mulberry32 } from '../random';
import { fmix32, hash32 } from './hash';

/**
 * What a shingle is made of.
 * - `'char'`: `k` consecutive characters (whitespace collapsed), for any script.
 * - `'word'`: `k` consecutive words (runs of letters/digits; a run of Chinese characters counts as one word).
 * - `'mixed'` (default): `k` consecutive tokens where every Han/kana character is a token and every run of other
 *   letters/digits is a token, so Chinese gets character shingles and English word shingles in the same text.
 */
export type ShingleUnit = 'char' | 'word' | 'mixed';

/** Options of {@link shingles}. */
export interface ShingleOptions {
  /** Default `'mixed'`. */
  unit?: ShingleUnit;
  /** Shingle length in units (default 5). A text shorter than `k` units gives one shingle (the whole text). */
  k?: number;
}

/** Tokens of the `'mixed'` unit: one Han/kana character, or a run of other letters, marks and digits. */
const MIXED_TOKEN = new RegExp(`[${CJK_LETTER_CLASS}]|(?:(?![${CJK_LETTER_CLASS}])[\\p{L}\\p{M}\\p{N}])+`, 'gu');
/** Tokens of the `'word'` unit: runs of letters, marks and digits. */
const WORD_TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Splits a text into the units of `unit` (lower-cased; punctuation and whitespace dropped for `'word'`/`'mixed'`,
 * whitespace collapsed for `'char'`).
 *
 * @param text - any text.
 * @param unit - see {@link ShingleUnit}.
 */
export function tokenize(text: string, unit: ShingleUnit = 'mixed'): string[] {
  const t = text.toLowerCase();
  if (unit === 'char') return Array.from(t.replace(/\s+/g, ' ').trim());
  return t.match(unit === 'word' ? WORD_TOKEN : MIXED_TOKEN) ?? [];
}

function checkK(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 1) throw new CurateOptionsError(`${where}: k must be a positive integer, got ${k}`);
}

/**
 * The set of shingles of a text (strings; tokens joined with a space, characters joined directly).
 *
 * @param text - any text.
 * @param options - unit and k.
 * @returns a set of shingles; empty for a text with no tokens.
 */
export function shingles(text: string, options: ShingleOptions = {}): Set<string> {
  const unit = options.unit ?? 'mixed';
  const k = options.k ?? 5;
  checkK(k, 'shingles');
  const toks = tokenize(text, unit);
  const sep = unit === 'char' ? '' : ' ';
  const out = new Set<string>();
  if (toks.length === 0) return out;
  if (toks.length <= k) {
    out.add(toks.join(sep));
    return out;
  }
  for (let i = 0; i + k <= toks.length; i++) out.add(toks.slice(i, i + k).join(sep));
  return out;
}

/**
 * Exact Jaccard similarity |A∩B| / |A∪B| of two sets (1 when both are empty).
 *
 * @param a - a set.
 * @param b - a set.
 */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Options of {@link MinHasher}. */
export interface MinHashOptions extends ShingleOptions {
  /** Number of hash functions (signature length), default 128. More gives a tighter estimate (σ ≈ √(J(1−J)/n)). */
  numPerm?: number;
  /** Seed of the hash functions (default 1). Signatures are only comparable between hashers with the same seed. */
  seed?: number;
}

/** A MinHash signature: `numPerm` unsigned 32-bit minima. */
export type MinHashSignature = Uint32Array;

/**
 * Seeded MinHash: each of `numPerm` hash functions is `h_i(x) = fmix32(a_i·x + b_i)` (a bijection of 32-bit
 * integers, `a_i` odd and `b_i` drawn from the seed) applied to a 32-bit hash of each shingle; the signature holds
 * the minimum of each. The fraction of equal positions of two signatures is an unbiased estimate of the Jaccard
 * similarity of the two shingle sets.
 *
 * @example
 * ```ts
 * const mh = new MinHasher({ numPerm: 128, seed: 7, unit: 'mixed', k: 5 });
 * const j = MinHasher.estimate(mh.signature(a), mh.signature(b));
 * ```
 */
export class MinHasher {
  /** Signature length. */
  readonly numPerm: number;
  /** Seed of the hash functions. */
  readonly seed: number;
  /** Shingle unit. */
  readonly unit: ShingleUnit;
  /** Shingle length. */
  readonly k: number;
  private readonly a: Uint32Array;
  private readonly b: Uint32Array;
  private readonly shingleSeed: number;

  /** @param options - see {@link MinHashOptions}. */
  constructor(options: MinHashOptions = {}) {
    const numPerm = options.numPerm ?? 128;
    if (!Number.isInteger(numPerm) || numPerm < 1) {
      throw new CurateOptionsError(`MinHasher: numPerm must be a positive integer, got ${numPerm}`);
    }
    this.numPerm = numPerm;
    this.seed = options.seed ?? 1;
    this.unit = options.unit ?? 'mixed';
    this.k = options.k ?? 5;
    checkK(this.k, 'MinHasher');
    const rand = mulberry32(this.seed);
    const u32 = (): number => Math.floor(rand() * 4294967296) >>> 0;
    this.shingleSeed = u32();
    this.a = new Uint32Array(numPerm);
    this.b = new Uint32Array(numPerm);
    for (let i = 0; i < numPerm; i++) {
      this.a[i] = (u32() | 1) >>> 0;
      this.b[i] = u32();
    }
  }

  /**
   * 32-bit hashes of the shingles of `text` (distinct values).
   *
   * @param text - any text.
   */
  shingleHashes(text: string): Uint32Array {
    const set = shingles(text, { unit: this.unit, k: this.k });
    const hs = new Set<number>();
    for (const s of set) hs.add(hash32(s, this.shingleSeed));
    return Uint32Array.from(hs);
  }

  /**
   * The MinHash signature of a text. A text with no tokens gets all positions `0xFFFFFFFF` (such texts should be
   * removed by the quality filters first; two of them estimate as identical).
   *
   * @param text - any text.
   */
  signature(text: string): MinHashSignature {
    return this.signatureOfHashes(this.shingleHashes(text));
  }

  /**
   * The MinHash signature of a set of 32-bit shingle hashes.
   *
   * @param hashes - shingle hashes (duplicates are harmless).
   */
  signatureOfHashes(hashes: ArrayLike<number>): MinHashSignature {
    const n = this.numPerm;
    const sig = new Uint32Array(n).fill(0xffffffff);
    const a = this.a;
    const b = this.b;
    for (let j = 0; j < hashes.length; j++) {
      const x = hashes[j]! >>> 0;
      for (let i = 0; i < n; i++) {
        const v = fmix32((Math.imul(a[i]!, x) + b[i]!) >>> 0);
        if (v < sig[i]!) sig[i] = v;
      }
    }
    return sig;
  }

  /**
   * Estimated Jaccard similarity: the fraction of positions where two signatures agree.
   *
   * @param s1 - a signature.
   * @param s2 - a signature of the same length, from a hasher with the same seed.
   * @throws CurateInputError when the lengths differ.
   */
  static estimate(s1: MinHashSignature, s2: MinHashSignature): number {
    if (s1.length !== s2.length) {
      throw new CurateInputError(`MinHasher.estimate: signatures must have the same length, got ${s1.length} and ${s2.length}`);
    }
    let eq = 0;
    for (let i = 0; i < s1.length; i++) if (s1[i] === s2[i]) eq++;
    return eq / s1.length;
  }
}
