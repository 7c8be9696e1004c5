/**
 * Knowledge translation on the knowledge-graph subset shipped in data/kg-subset (real Disease Ontology, ICD-10-CM,
 * PharmacotherapyDB, disease–symptom and ICD-10 Chinese names): every template sentence must survive the
 * back-translation filter, and corrupted ones must not.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Predicate, Triple } from '../../src/kg/types';
import { mulberry32, pick } from '../../src/random';
import {
  backTranslationFilterSync,
  lexiconForTriples,
  translateEntityCards,
  translateTriples,
  type Lexicon,
  type Sentence,
  type TranslateKg,
} from '../../src/translate';

const SUBSET = fileURLToPath(new URL('../../data/kg-subset', import.meta.url));
const HAVE = existsSync(`${SUBSET}/doid.obo`);

describe.skipIf(!HAVE)('translation on the shipped KG subset', () => {
  let kg: TranslateKg & { entities(): { id: string; kind: string }[] };
  let sample: Triple[];
  let lex: Lexicon;

  beforeAll(async () => {
    const { buildMedicalKg } = await import('../../src/node/build');
    const built = await buildMedicalKg({ dir: SUBSET });
    kg = built.kg;
    const all = built.kg.triples();
    sample = all.filter((_, i) => i % 5 === 0);
    lex = lexiconForTriples(kg, all, built.kg.entities());
  });

  it('keeps every template sentence (en, and zh with mixed names) and covers every predicate', () => {
    expect(sample.length).toBeGreaterThan(500);
    for (const [language, allowMixedLanguage] of [['en', false], ['zh', true]] as const) {
      const s = translateTriples(kg, sample, { language, seed: 3, allowMixedLanguage });
      expect(s.length).toBeGreaterThan(sample.length * 0.95);
      expect(new Set(s.map((x) => x.triple.predicate)).size).toBe(9);
      const r = backTranslationFilterSync(kg, s, { lexicon: lex });
      expect(r.report.dropped, JSON.stringify(r.dropped.slice(0, 5).map((d) => [d.sentence.text, d.reason]))).toBe(0);
    }
  });

  it('drops corrupted sentences: swapped objects, treats ↔ not_indication, reversed hierarchy', () => {
    const rand = mulberry32(7);
    const byKind = new Map<string, string[]>();
    for (const e of kg.entities()) byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e.id]);
    const flip: Partial<Record<Predicate, Predicate>> = { treats: 'not_indication', symptomatic_relief: 'not_indication', not_indication: 'treats' };
    const bad: Sentence[] = [];
    const render = (t: Triple, original: Triple): void => {
      for (const s of translateTriples(kg, [t], { language: 'en', seed: bad.length })) bad.push({ ...s, triple: original });
    };
    for (const t of sample) {
      if (!t.objectIsLiteral) {
        const kind = (kg.entity(t.object) ?? { kind: 'other' }).kind;
        const other = pick(byKind.get(kind) ?? [t.object], rand);
        if (other !== t.object) render({ ...t, object: other }, t);
      }
      const f = flip[t.predicate];
      if (f) render({ ...t, predicate: f }, t);
      if (t.predicate === 'is_a') render({ ...t, subject: t.object, object: t.subject }, t);
    }
    expect(bad.length).toBeGreaterThan(500);
    const r = backTranslationFilterSync(kg, bad, { lexicon: lex });
    // a swapped object can coincide with a name of the true one; allow a handful in a thousand
    expect(r.report.kept).toBeLessThanOrEqual(Math.ceil(bad.length * 0.002));
    expect(r.report.reasons['polarity-mismatch']).toBeGreaterThan(0);
    expect(r.report.reasons['direction-mismatch']).toBeGreaterThan(0);
    expect(r.report.reasons['object-not-found']).toBeGreaterThan(0);
  });

  it('builds entity cards for well-described diseases', () => {
    const ids = sample.filter((t) => t.predicate === 'definition').slice(0, 20).map((t) => t.subject);
    const cards = translateEntityCards(kg, ids, sample, { language: 'en', seed: 0 });
    expect(cards.length).toBe(ids.length);
    for (const c of cards) {
      expect(c.granularity).toBe('composite');
      expect(c.text).not.toMatch(/[{}]/);
    }
  });
});
