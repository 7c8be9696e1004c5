/** Seeded pseudo-random numbers for the tests (mulberry32, with Box-Muller for normals). */

/** A seeded generator of uniform [0, 1) numbers (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` standard normal samples from a seeded generator. */
export function randomNormal(n: number, seed: number): Float64Array {
  const u = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/**
 * `n` float32 normal samples times `scale`, one Box-Muller cosine per sample (two uniforms each, the first
 * clamped to >= 1e-12). A different sequence from {@link randomNormal}: the kernel tests' data is drawn
 * with this one.
 */
export function randnArray(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/** `n` int32 values uniform in [0, hi), from a seeded generator. */
export function randIntArray(n: number, hi: number, seed: number): Int32Array {
  const u = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(u() * hi));
}
