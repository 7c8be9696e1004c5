/**
 * Symmetric features of a pair of disease names for the learned equivalence judge: string similarities
 * (character n-gram and word overlap, containment, abbreviation, number and qualifier agreement) and hashed
 * indicators of the words and character trigrams the two names share or do not share.
 *
 * @packageDocumentation
 */
import { nameKey } from './answer-span';

/** Number of hand-made similarity features. */
export const DENSE_FEATURES = 16;
/** Buckets per hashed feature group (shared words, differing words, differing trigrams). */
export const HASH_BUCKETS = 128;
/** Length of the vector {@link pairFeatures} returns. */
export const PAIR_FEATURE_DIM = DENSE_FEATURES + 3 * HASH_BUCKETS;

const QUALIFIERS = [
  ['acute', 'chronic'],
  ['left', 'right', 'bilateral'],
  ['with', 'without', 'non', 'not', 'no'],
  ['benign', 'malignant', 'primary', 'secondary'],
  ['type', 'i', 'ii', '1', '2', '3'],
];

function grams(s: string, n: number): Set<string> {
  const p = ` ${s} `;
  const out = new Set<string>();
  for (let i = 0; i + n <= p.length; i++) out.add(p.slice(i, i + n));
  return out;
}

function jaccard<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

function containment<T>(a: Set<T>, b: Set<T>): number {
  const m = Math.min(a.size, b.size);
  if (m === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / m;
}

/** FNV-1a hash to a bucket. */
function bucket(s: string, salt: number): number {
  let h = 0x811c9dc5 ^ salt;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % HASH_BUCKETS;
}

const initials = (words: string[]): string => words.map((w) => w[0] ?? '').join('');

/**
 * The feature vector of a pair; symmetric: `pairFeatures(a, b)` equals `pairFeatures(b, a)`.
 *
 * @param a - a disease name (or any short string)
 * @param b - another
 * @returns a Float32Array of length {@link PAIR_FEATURE_DIM}
 */
export function pairFeatures(a: string, b: string): Float32Array {
  const f = new Float32Array(PAIR_FEATURE_DIM);
  const ka = nameKey(a);
  const kb = nameKey(b);
  const wa = ka ? ka.split(' ') : [];
  const wb = kb ? kb.split(' ') : [];
  const sa = new Set(wa);
  const sb = new Set(wb);
  const g3a = grams(ka, 3);
  const g3b = grams(kb, 3);
  const numsA = wa.filter((w) => /\d/.test(w)).sort().join(',');
  const numsB = wb.filter((w) => /\d/.test(w)).sort().join(',');
  const compactA = ka.replace(/ /g, '');
  const compactB = kb.replace(/ /g, '');
  let k = 0;
  f[k++] = jaccard(g3a, g3b);
  f[k++] = jaccard(grams(ka, 2), grams(kb, 2));
  f[k++] = jaccard(grams(ka, 4), grams(kb, 4));
  f[k++] = jaccard(sa, sb);
  f[k++] = containment(sa, sb);
  f[k++] = containment(g3a, g3b);
  f[k++] = Math.min(ka.length, kb.length) / Math.max(1, ka.length, kb.length);
  f[k++] = ka === kb ? 1 : 0;
  f[k++] = [...sa].sort().join(' ') === [...sb].sort().join(' ') ? 1 : 0;
  f[k++] = numsA === numsB ? 1 : 0;
  f[k++] = (compactA.length > 1 && compactA === initials(wb)) || (compactB.length > 1 && compactB === initials(wa)) ? 1 : 0;
  f[k++] = ka.length > 0 && kb.length > 0 && (ka.includes(kb) || kb.includes(ka)) ? 1 : 0;
  let qualDiff = 0;
  for (const group of QUALIFIERS) {
    const qa = group.filter((q) => sa.has(q)).join();
    const qb = group.filter((q) => sb.has(q)).join();
    if (qa !== qb) qualDiff++;
  }
  f[k++] = qualDiff / QUALIFIERS.length;
  const diff = [...sa].filter((w) => !sb.has(w)).concat([...sb].filter((w) => !sa.has(w)));
  f[k++] = diff.length / Math.max(1, sa.size + sb.size);
  f[k++] = Math.abs(wa.length - wb.length) / Math.max(1, wa.length, wb.length);
  f[k++] = Math.log1p(Math.min(ka.length, kb.length)) / 5;
  const shared = DENSE_FEATURES;
  const differ = DENSE_FEATURES + HASH_BUCKETS;
  const tri = DENSE_FEATURES + 2 * HASH_BUCKETS;
  for (const w of sa) if (sb.has(w)) f[shared + bucket(w, 1)] = 1;
  for (const w of diff) f[differ + bucket(w, 2)] = 1;
  for (const g of g3a) if (!g3b.has(g)) f[tri + bucket(g, 3)] = 1;
  for (const g of g3b) if (!g3a.has(g)) f[tri + bucket(g, 3)] = 1;
  return f;
}
