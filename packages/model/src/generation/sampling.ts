/**
 * Pure logit processing and sampling over one row of logits (`Float32Array` of length V).
 *
 * Every function here is deterministic given its arguments (randomness comes only from an explicit
 * {@link Rng}), never mutates its input, and returns a new array. Removed tokens get `-Infinity`.
 * Probabilities, cumulative sums and log-sum-exps are computed in double precision.
 *
 * The processing order of {@link processLogits} follows Hugging Face `generate`: repetition penalty, then
 * temperature, then top-k, then top-p, then min-p.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';

/** Thrown for an invalid sampling argument; the message names the argument and its value. */
export class SamplingError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'SamplingError';
  }
}

function checkRow(fn: string, logits: unknown): asserts logits is Float32Array {
  if (!(logits instanceof Float32Array)) {
    throw new TypeError(`${fn}: logits must be a Float32Array, got ${Object.prototype.toString.call(logits)}`);
  }
  if (logits.length === 0) throw new SamplingError(`${fn}: logits must be non-empty, got length 0`);
}

/** Max over the finite-or-+Inf entries, -Infinity if every entry is -Infinity. NaN is an error. */
function rowMax(fn: string, logits: Float32Array): number {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i]!;
    if (Number.isNaN(x)) throw new SamplingError(`${fn}: logits[${i}] is NaN`);
    if (x > m) m = x;
  }
  return m;
}

/**
 * `log Σ exp(logits)` in double precision; `-Infinity` when every entry is `-Infinity`.
 *
 * @param logits - one row of logits, length V
 */
export function logSumExp(logits: Float32Array): number {
  checkRow('logSumExp', logits);
  const m = rowMax('logSumExp', logits);
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += Math.exp(logits[i]! - m);
  return m + Math.log(s);
}

/**
 * Softmax of one row in double precision (`Float64Array`); `-Infinity` entries get probability 0.
 * Throws {@link SamplingError} when every entry is `-Infinity` (no token is allowed).
 *
 * @param logits - one row of logits, length V
 */
export function softmax(logits: Float32Array): Float64Array {
  checkRow('softmax', logits);
  const m = rowMax('softmax', logits);
  if (m === -Infinity) throw new SamplingError('softmax: every logit is -Infinity (no token left to choose)');
  if (m === Infinity) throw new SamplingError('softmax: a logit is +Infinity');
  const p = new Float64Array(logits.length);
  let s = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i]! - m);
    p[i] = e;
    s += e;
  }
  for (let i = 0; i < p.length; i++) p[i]! /= s;
  return p;
}

/**
 * `logits[i] - logSumExp(logits)` in double precision (`Float64Array`).
 *
 * @param logits - one row of logits, length V
 */
export function logSoftmax(logits: Float32Array): Float64Array {
  const lse = logSumExp(logits);
  if (!Number.isFinite(lse)) throw new SamplingError(`logSoftmax: log-sum-exp of logits is ${lse}`);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse;
  return out;
}

/**
 * Log-probability of token `id` under the softmax of `logits`: `logits[id] - logSumExp(logits)`.
 *
 * @param logits - one row of logits, length V
 * @param id - a token id in `[0, V)`
 */
export function tokenLogProb(logits: Float32Array, id: number): number {
  checkRow('tokenLogProb', logits);
  checkId('tokenLogProb', 'id', id, logits.length);
  return logits[id]! - logSumExp(logits);
}

function checkId(fn: string, name: string, id: unknown, vocab: number): asserts id is number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocab) {
    throw new SamplingError(`${fn}: ${name} must be an integer in [0, ${vocab}), got ${String(id)}`);
  }
}

/**
 * Index of the largest logit (the first one on ties). `-Infinity` entries are never chosen unless every
 * entry is `-Infinity`, which throws.
 *
 * @param logits - one row of logits, length V
 */
export function greedy(logits: Float32Array): number {
  checkRow('greedy', logits);
  const m = rowMax('greedy', logits);
  if (m === -Infinity) throw new SamplingError('greedy: every logit is -Infinity (no token left to choose)');
  for (let i = 0; i < logits.length; i++) if (logits[i] === m) return i;
  /* c8 ignore next */
  throw new SamplingError('greedy: no maximum found');
}

/**
 * Divides the logits by `temperature` (> 0). Temperature 1 returns an unchanged copy. Temperature 0 is
 * not a distribution; callers use {@link greedy} for it (see {@link sampleNext}).
 *
 * @param logits - one row of logits, length V
 * @param temperature - a finite number > 0
 */
export function applyTemperature(logits: Float32Array, temperature: number): Float32Array {
  checkRow('applyTemperature', logits);
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new SamplingError(`applyTemperature: temperature must be a finite number > 0, got ${String(temperature)}`);
  }
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! / temperature;
  return out;
}

/** Indices sorted by decreasing logit; ties keep the lower index first (stable). */
function orderByLogit(logits: Float32Array): number[] {
  const idx = Array.from({ length: logits.length }, (_, i) => i);
  idx.sort((a, b) => {
    const x = logits[a]!;
    const y = logits[b]!;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
  return idx;
}

/**
 * Keeps the `k` largest logits and sets the others to `-Infinity`. Exactly `k` tokens survive: ties at
 * the k-th value are broken in favour of the lower token id (Hugging Face instead keeps every tie).
 * `k >= V` returns an unchanged copy. Tokens that were already `-Infinity` stay removed.
 *
 * @param logits - one row of logits, length V
 * @param k - a positive integer
 */
export function applyTopK(logits: Float32Array, k: number): Float32Array {
  checkRow('applyTopK', logits);
  if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) {
    throw new SamplingError(`applyTopK: k must be a positive integer, got ${String(k)}`);
  }
  rowMax('applyTopK', logits);
  if (k >= logits.length) return Float32Array.from(logits);
  const order = orderByLogit(logits);
  const out = new Float32Array(logits.length).fill(-Infinity);
  for (let r = 0; r < k; r++) out[order[r]!] = logits[order[r]!]!;
  return out;
}

/**
 * Nucleus (top-p) filtering: keeps the smallest set of highest-probability tokens whose total softmax
 * probability is at least `p`, and sets the others to `-Infinity`. At least one token always survives.
 * Ties in probability are ranked by lower token id. `p >= 1` returns an unchanged copy.
 *
 * This equals Hugging Face `TopPLogitsWarper` (which removes tokens whose ascending cumulative probability
 * is `<= 1 - p`) up to floating-point rounding at the boundary.
 *
 * @param logits - one row of logits, length V
 * @param p - a number in (0, 1]
 */
export function applyTopP(logits: Float32Array, p: number): Float32Array {
  checkRow('applyTopP', logits);
  if (typeof p !== 'number' || !(p > 0 && p <= 1)) {
    throw new SamplingError(`applyTopP: p must be a number in (0, 1], got ${String(p)}`);
  }
  const probs = softmax(logits);
  if (p >= 1) return Float32Array.from(logits);
  const order = orderByLogit(logits);
  const out = new Float32Array(logits.length).fill(-Infinity);
  let cum = 0;
  for (const i of order) {
    out[i] = logits[i]!;
    cum += probs[i]!;
    if (cum >= p) break;
  }
  return out;
}

/**
 * Min-p filtering (Hugging Face `MinPLogitsWarper`, Nguyen et al. 2024): keeps the tokens whose softmax
 * probability is at least `minP` times the largest probability and sets the others to `-Infinity`. The
 * most likely token always survives (ties at the maximum all survive). `minP` 0 returns an unchanged copy;
 * `minP` 1 keeps only the maximum. Apply it after the temperature (the threshold is relative to the
 * tempered distribution), as {@link processLogits} does.
 *
 * The test `p_i >= minP · p_max` is done in log space, `logit_i - logit_max >= log(minP)`, which is exact
 * for the ratio of two softmax probabilities (the normaliser cancels).
 *
 * @param logits - one row of logits, length V
 * @param minP - a number in [0, 1]
 */
export function applyMinP(logits: Float32Array, minP: number): Float32Array {
  checkRow('applyMinP', logits);
  if (typeof minP !== 'number' || !(minP >= 0 && minP <= 1)) {
    throw new SamplingError(`applyMinP: minP must be a number in [0, 1], got ${String(minP)}`);
  }
  const m = rowMax('applyMinP', logits);
  if (m === -Infinity) throw new SamplingError('applyMinP: every logit is -Infinity (no token left to choose)');
  if (m === Infinity) throw new SamplingError('applyMinP: a logit is +Infinity');
  if (minP === 0) return Float32Array.from(logits);
  const logThreshold = Math.log(minP);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i]!;
    out[i] = x - m >= logThreshold ? x : -Infinity;
  }
  return out;
}

/**
 * Repetition penalty with Hugging Face (CTRL) semantics: for every distinct token id in `context`, a
 * positive logit is divided by `penalty` and a negative one multiplied by it (zero stays zero). Penalty 1
 * returns an unchanged copy; penalty < 1 encourages repetition.
 *
 * @param logits - one row of logits, length V
 * @param context - the token ids seen so far (prompt and generated; duplicates are penalised once)
 * @param penalty - a finite number > 0
 */
export function applyRepetitionPenalty(logits: Float32Array, context: ArrayLike<number>, penalty: number): Float32Array {
  checkRow('applyRepetitionPenalty', logits);
  if (typeof penalty !== 'number' || !Number.isFinite(penalty) || penalty <= 0) {
    throw new SamplingError(`applyRepetitionPenalty: penalty must be a finite number > 0, got ${String(penalty)}`);
  }
  const out = Float32Array.from(logits);
  if (penalty === 1) return out;
  const seen = new Set<number>();
  for (let j = 0; j < context.length; j++) {
    const id = context[j]!;
    checkId('applyRepetitionPenalty', `context[${j}]`, id, logits.length);
    if (seen.has(id)) continue;
    seen.add(id);
    const x = logits[id]!;
    out[id] = x < 0 ? x * penalty : x / penalty;
  }
  return out;
}

/** A seeded pseudo-random source of uniform numbers in `[0, 1)`. */
export interface Rng {
  /** The next uniform number in `[0, 1)` (53 random bits). */
  next(): number;
}

function checkSeed(fn: string, name: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SamplingError(`${fn}: ${name} must be an integer in [0, 2^32), got ${String(seed)}`);
  }
}

/** splitmix32: a good 32-bit mixer used to expand the seed into the generator state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded PRNG (sfc32, state expanded from the seed with splitmix32). The same `(seed, stream)` always
 * gives the same sequence; different streams give independent-looking sequences (used for one stream per
 * batch row).
 *
 * This is deliberately not the package's mulberry32 (`training/rng`): mulberry32 has a single 32-bit state
 * that only steps by a constant, so per-row streams made by offsetting the seed are shifted copies of one
 * sequence, and each draw carries 32 bits where inverse-CDF sampling wants 53-bit uniforms. Swapping it
 * would also change every seeded `generate()` result.
 *
 * @param seed - an integer in `[0, 2^32)`
 * @param stream - an integer in `[0, 2^32)` selecting an independent stream (default 0)
 */
export function createRng(seed: number, stream = 0): Rng {
  checkSeed('createRng', 'seed', seed);
  checkSeed('createRng', 'stream', stream);
  const st = { s: seed ^ Math.imul(stream, 0x632be5ab) };
  splitmix32(st);
  let a = splitmix32(st) | 0;
  let b = splitmix32(st) | 0;
  let c = splitmix32(st) | 0;
  let d = (splitmix32(st) ^ stream) | 0;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  return {
    next(): number {
      const hi = u32() >>> 5; // 27 bits
      const lo = u32() >>> 6; // 26 bits
      return (hi * 67108864 + lo) / 9007199254740992;
    },
  };
}

/**
 * Draws one token id from the softmax of `logits` (inverse CDF over token ids in increasing order, in
 * double precision). Tokens at `-Infinity` have probability 0 and are never drawn.
 *
 * @param logits - one row of logits, length V (already processed: temperature, top-k, ...)
 * @param rng - the random source (see `createRng`)
 */
export function sampleCategorical(logits: Float32Array, rng: Rng): number {
  checkRow('sampleCategorical', logits);
  const probs = softmax(logits);
  const u = rng.next();
  let cum = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    const q = probs[i]!;
    if (q <= 0) continue;
    cum += q;
    last = i;
    if (u < cum) return i;
  }
  // Rounding left cum slightly below 1 and u above it: the last token with non-zero probability.
  return last;
}

/** Logit processing settings of {@link processLogits} and {@link sampleNext}. */
export interface SamplingOptions {
  /** 0 (the default) means greedy decoding; > 0 divides the logits before sampling. */
  temperature?: number;
  /** Keep only the k most likely tokens (no filtering when absent or 0). */
  topK?: number;
  /** Nucleus filtering with total probability p in (0, 1] (no filtering when absent or 1). */
  topP?: number;
  /** Hugging Face repetition penalty (> 0; 1, the default, disables it). */
  repetitionPenalty?: number;
  /**
   * Min-p filtering in [0, 1]: keep tokens with probability >= minP × the largest probability, after the
   * temperature (Hugging Face `min_p`; no filtering when absent, `null` or 0).
   */
  minP?: number | null;
}

/**
 * Applies, in Hugging Face order, the repetition penalty, the temperature, top-k, top-p and min-p to one row
 * of logits. With temperature 0 (greedy) only the repetition penalty applies: the other filters cannot change
 * the argmax.
 *
 * @param logits - one row of raw model logits, length V
 * @param context - token ids seen so far (for the repetition penalty)
 * @param options - the processing settings
 */
export function processLogits(logits: Float32Array, context: ArrayLike<number>, options: SamplingOptions = {}): Float32Array {
  checkRow('processLogits', logits);
  const { temperature = 0, topK = 0, topP = 1, repetitionPenalty = 1, minP = 0 } = options;
  validateSamplingOptions('processLogits', options);
  let out = applyRepetitionPenalty(logits, context, repetitionPenalty);
  if (temperature === 0) return out;
  if (temperature !== 1) out = applyTemperature(out, temperature);
  if (topK > 0 && topK < out.length) out = applyTopK(out, topK);
  if (topP < 1) out = applyTopP(out, topP);
  if (minP !== null && minP > 0) out = applyMinP(out, minP);
  return out;
}

/**
 * Validates {@link SamplingOptions}; throws {@link SamplingError} naming the offending option.
 *
 * @param fn - the caller's name, for the message
 * @param options - the settings to check
 */
export function validateSamplingOptions(fn: string, options: SamplingOptions): void {
  const { temperature = 0, topK = 0, topP = 1, repetitionPenalty = 1 } = options;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new SamplingError(`${fn}: temperature must be a finite number >= 0, got ${String(temperature)}`);
  }
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 0) {
    throw new SamplingError(`${fn}: topK must be a non-negative integer, got ${String(topK)}`);
  }
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) {
    throw new SamplingError(`${fn}: topP must be a number in (0, 1], got ${String(topP)}`);
  }
  if (typeof repetitionPenalty !== 'number' || !Number.isFinite(repetitionPenalty) || repetitionPenalty <= 0) {
    throw new SamplingError(`${fn}: repetitionPenalty must be a finite number > 0, got ${String(repetitionPenalty)}`);
  }
  const { minP = 0 } = options;
  if (minP !== null && (typeof minP !== 'number' || !(minP >= 0 && minP <= 1))) {
    throw new SamplingError(`${fn}: minP must be a number in [0, 1] or null, got ${String(minP)}`);
  }
}

/**
 * Chooses the next token from one row of raw logits: {@link processLogits}, then {@link greedy} when the
 * temperature is 0 (the default) or {@link sampleCategorical} with `rng` otherwise.
 *
 * @param logits - one row of raw model logits, length V
 * @param context - token ids seen so far (for the repetition penalty)
 * @param options - the processing settings
 * @param rng - the random source; required when `temperature > 0`
 */
export function sampleNext(
  logits: Float32Array,
  context: ArrayLike<number>,
  options: SamplingOptions,
  rng?: Rng,
): number {
  const processed = processLogits(logits, context, options);
  if ((options.temperature ?? 0) === 0) return greedy(processed);
  if (!rng) throw new SamplingError('sampleNext: rng is required when temperature > 0');
  return sampleCategorical(processed, rng);
}
