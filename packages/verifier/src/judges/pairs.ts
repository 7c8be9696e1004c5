/**
 * Training and held-out pairs for the equivalence judge, built from the ontology: positives are synonym
 * pairs (name↔synonym, synonym↔synonym) and name↔ICD-10-CM title of the term's code; negatives are
 * siblings (terms with a common parent; ICD-10-CM codes in one category) and random pairs. The split is by
 * concept, so held-out pairs name concepts never seen in training. Seeded.
 *
 * @packageDocumentation
 */
import type { Ontology } from './ontology-resolver';
import { nameKey } from './answer-span';
import { formatIcd10Code } from '../icd10/normalize';
import { mulberry32 } from '@quarkmed/model';
import { VerifierError } from '../error';
import { seededShuffle } from '../shuffle';

/** A labelled pair. */
export interface EquivalencePair {
  a: string;
  b: string;
  /** 1: same disease; 0: different. */
  label: 0 | 1;
  kind: 'synonym' | 'code-title' | 'sibling' | 'icd-sibling' | 'random';
  /** The concept the pair was built around (the split key). */
  group: string;
}

/** Thrown for invalid options of {@link buildEquivalencePairs} (names the option). */
export class EquivalencePairsError extends VerifierError {}

/** Options of {@link buildEquivalencePairs}. */
export interface BuildPairsOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Fraction of concepts held out (default 0.2). */
  testFraction?: number;
  /** Upper bound on positives (default 4000). */
  maxPositives?: number;
}

/**
 * Builds balanced labelled pairs and splits them by concept.
 *
 * @param ontology - the ontology
 * @param options - see {@link BuildPairsOptions}
 * @throws {@link EquivalencePairsError} when `testFraction` is not in (0, 1) or `seed` is not an integer
 */
export function buildEquivalencePairs(ontology: Ontology, options: BuildPairsOptions): { train: EquivalencePair[]; test: EquivalencePair[] } {
  const { seed, testFraction = 0.2, maxPositives = 4000 } = options;
  if (!Number.isInteger(seed)) throw new EquivalencePairsError(`options.seed must be an integer, got ${seed}`);
  if (!(testFraction > 0 && testFraction < 1)) throw new EquivalencePairsError(`options.testFraction must be in (0, 1), got ${testFraction}`);
  const rnd = mulberry32(seed);
  const terms = [...ontology.terms.values()];
  const distinct = (a: string, b: string): boolean => nameKey(a) !== '' && nameKey(b) !== '' && nameKey(a) !== nameKey(b);
  const pos: EquivalencePair[] = [];
  for (const t of terms) {
    const names = [t.name, ...t.synonyms];
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        if (distinct(names[i]!, names[j]!)) pos.push({ a: names[i]!, b: names[j]!, label: 1, kind: 'synonym', group: t.id });
      }
    }
    for (const c of ontology.codesOf(t.id)) {
      const title = ontology.codeList.title(c);
      if (title && distinct(t.name, title)) pos.push({ a: t.name, b: title, label: 1, kind: 'code-title', group: t.id });
    }
  }
  const positives = seededShuffle(pos, rnd).slice(0, maxPositives);
  const neg: EquivalencePair[] = [];
  const nSib = Math.round(positives.length * 0.4);
  const nIcd = Math.round(positives.length * 0.2);
  const nRand = positives.length - nSib - nIcd;
  const withSiblings = terms.filter((t) => t.parents.some((p) => ontology.childrenOf(p).length > 1));
  for (let tries = 0; neg.length < nSib && tries < nSib * 20; tries++) {
    const t = withSiblings[Math.floor(rnd() * withSiblings.length)]!;
    const p = t.parents[Math.floor(rnd() * t.parents.length)]!;
    const sibs = ontology.childrenOf(p).filter((s) => s !== t.id);
    if (sibs.length === 0) continue;
    const s = ontology.terms.get(sibs[Math.floor(rnd() * sibs.length)]!)!;
    const names = [t.name, ...t.synonyms];
    const a = names[Math.floor(rnd() * names.length)]!;
    if (distinct(a, s.name)) neg.push({ a, b: s.name, label: 0, kind: 'sibling', group: t.id });
  }
  const cm = [...ontology.codeList.entriesCm()].filter(([c]) => c.length >= 4);
  const byCat = new Map<string, string[]>();
  for (const [c] of cm) (byCat.get(c.slice(0, 3)) ?? byCat.set(c.slice(0, 3), []).get(c.slice(0, 3))!).push(c);
  for (let tries = 0; neg.length < nSib + nIcd && tries < nIcd * 20; tries++) {
    const [c, title] = cm[Math.floor(rnd() * cm.length)]!;
    const sibs = byCat.get(c.slice(0, 3))!.filter((s) => s !== c && s.length === c.length);
    if (sibs.length === 0) continue;
    const s = sibs[Math.floor(rnd() * sibs.length)]!;
    const st = ontology.codeList.title(s) ?? '';
    if (distinct(title, st)) neg.push({ a: title, b: st, label: 0, kind: 'icd-sibling', group: `ICD:${formatIcd10Code(c.slice(0, 3))}` });
  }
  while (neg.length < nSib + nIcd + nRand) {
    const t = terms[Math.floor(rnd() * terms.length)]!;
    const u = terms[Math.floor(rnd() * terms.length)]!;
    if (t.id !== u.id && distinct(t.name, u.name)) neg.push({ a: t.name, b: u.name, label: 0, kind: 'random', group: t.id });
  }
  const groups = [...new Set([...positives, ...neg].map((p) => p.group))].sort();
  seededShuffle(groups, rnd);
  const testGroups = new Set(groups.slice(0, Math.round(groups.length * testFraction)));
  const all = seededShuffle([...positives, ...neg], rnd);
  return { train: all.filter((p) => !testGroups.has(p.group)), test: all.filter((p) => testGroups.has(p.group)) };
}
