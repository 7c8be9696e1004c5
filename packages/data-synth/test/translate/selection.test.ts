import { describe, expect, it } from 'vitest';
import type { Triple } from '../../src/kg/types';
import {
  DEFAULT_SELECTION,
  entityStats,
  selectEntities,
  selectSentences,
  selectTriples,
  translateTriples,
  type Sentence,
} from '../../src/translate';
import { EN_TRIPLES, KG, T2DM_TRIPLES } from './fixtures';

const t = (subject: string, predicate: Triple['predicate'], object: string, extra: Partial<Triple> = {}): Triple => ({
  subject,
  predicate,
  object,
  source: 'test',
  authority: 'A',
  ...extra,
});

const TRIPLES: Triple[] = [
  ...T2DM_TRIPLES,
  EN_TRIPLES.has_symptom, // influenza → fever (B)
  EN_TRIPLES.not_indication, // amoxicillin ⊣ influenza
  EN_TRIPLES.symptomatic_relief, // ibuprofen → osteoarthritis
  t('DOID:1498', 'is_a', 'DOID:0050338', { authority: 'D', source: 'web' }),
  t('DOID:0000000', 'is_a', 'DOID:9351'),
];

describe('entity statistics', () => {
  it('counts degree (subject or entity object) and outgoing triples', () => {
    const st = entityStats(TRIPLES);
    expect(st.get('DOID:9352')).toMatchObject({ degree: 9, outTriples: 7, hasIcdTriple: true, hasDefinitionTriple: true, synonymTriples: 2, translationTriples: 1 });
    expect(st.get('DOID:9351')).toMatchObject({ degree: 2, outTriples: 0 });
    expect(st.get('DB00331')).toMatchObject({ degree: 1, outTriples: 1 });
  });
});

describe('importance', () => {
  it('filters entities by degree, ICD-10 code and number of triples', () => {
    const ids = ['DOID:9352', 'DOID:9351', 'DOID:8469', 'DOID:1498', 'DB00331', 'DOID:8398', 'DB99999'];
    const byDegree = selectEntities(KG, ids, TRIPLES, { importance: { minDegree: 2 } });
    expect(byDegree.selected).toEqual(['DOID:9352', 'DOID:9351', 'DOID:8469']);
    expect(byDegree.report).toEqual({ kept: 3, dropped: 4, reasons: { 'importance:degree': 3, 'unknown-entity': 1 } });
    const byIcd = selectEntities(KG, ids.slice(0, 6), TRIPLES, { importance: { requireIcdCode: true } });
    // xrefs (9351, 1498) or icd10_code triples (9352)
    expect(byIcd.selected).toEqual(['DOID:9352', 'DOID:9351', 'DOID:1498']);
    expect(byIcd.report.reasons).toEqual({ 'importance:icd10': 3 });
    const byTriples = selectEntities(KG, ids.slice(0, 6), TRIPLES, { importance: { minTriples: 2 } });
    expect(byTriples.selected).toEqual(['DOID:9352']);
  });
});

describe('completeness', () => {
  it('requires a definition, synonyms, names in a language, or any of several facets', () => {
    const ids = ['DOID:9352', 'DOID:9351', 'DOID:8469', 'DB01016'];
    expect(selectEntities(KG, ids, TRIPLES, { completeness: { requireDefinition: true } }).selected).toEqual(['DOID:9352']);
    const syn = selectEntities(KG, ids, TRIPLES, { completeness: { minSynonyms: 1 } });
    expect(syn.selected).toEqual(['DOID:9352', 'DOID:8469']);
    expect(syn.report.reasons).toEqual({ 'completeness:synonyms': 2 });
    const zh = selectEntities(KG, ids, TRIPLES, { completeness: { requireNameIn: ['zh'] } });
    expect(zh.rejected).toEqual([{ item: 'DB01016', reason: 'completeness:name-in-language' }]);
    const any = selectEntities(KG, ids, TRIPLES, { completeness: { requireAnyOf: ['definition', 'icd10'] } });
    expect(any.selected).toEqual(['DOID:9352', 'DOID:9351']);
    expect(any.report.reasons).toEqual({ 'completeness:any-of': 2 });
    const unnamed = { entity: (id: string) => (id === 'X' ? { id, kind: 'other' as const, name: ' ', language: 'en' as const, synonyms: [], xrefs: {} } : undefined) };
    expect(selectEntities(unnamed, ['X'], [], { completeness: {} }).rejected).toEqual([{ item: 'X', reason: 'completeness:name' }]);
  });
});

describe('accuracy', () => {
  it('filters triples by authority level and obsolete entities', () => {
    const r = selectTriples(KG, TRIPLES, { accuracy: { minAuthority: 'B' } });
    expect(r.rejected.map((x) => [x.item.subject, x.reason])).toEqual([
      ['DB01016', 'accuracy:authority'], // C
      ['DOID:1498', 'accuracy:authority'], // D
      ['DOID:0000000', 'accuracy:obsolete'],
    ]);
    expect(r.report).toEqual({ kept: TRIPLES.length - 3, dropped: 3, reasons: { 'accuracy:authority': 2, 'accuracy:obsolete': 1 } });
    const keepObsolete = selectTriples(KG, TRIPLES, { accuracy: { excludeObsolete: false } });
    expect(keepObsolete.report.dropped).toBe(0);
  });

  it('combines criteria on triples, optionally checking the object entity too', () => {
    const subjOnly = selectTriples(KG, TRIPLES, { importance: { minDegree: 2 } });
    // only triples whose subject has degree ≥ 2: type 2 diabetes (definition, is_a, 2 synonyms, code, symptom, translation) and influenza
    expect(subjOnly.selected.every((x) => x.subject === 'DOID:9352' || x.subject === 'DOID:8469')).toBe(true);
    expect(subjOnly.selected).toHaveLength(8);
    const both = selectTriples(KG, TRIPLES, { importance: { minDegree: 2 }, entities: 'subject-and-object' });
    // the symptom objects (polyuria, fever) have degree 1
    expect(both.selected).toHaveLength(6);
    const def = selectTriples(KG, TRIPLES, DEFAULT_SELECTION);
    expect(def.rejected.map((x) => x.reason)).toContain('accuracy:obsolete');
  });

  it('selectSentences applies back-translation agreement', () => {
    const good = translateTriples(KG, [EN_TRIPLES.treats, EN_TRIPLES.is_a], { language: 'en', seed: 0 });
    const wrong: Sentence = { ...good[0]!, text: 'Metformin is not indicated for type 2 diabetes mellitus.' };
    const lowAuth: Sentence = { ...good[1]!, triple: { ...good[1]!.triple, authority: 'E' }, authority: 'E' };
    const r = selectSentences(KG, [...good, wrong, lowAuth], { accuracy: { minAuthority: 'C', backTranslation: true } });
    expect(r.selected).toEqual(good);
    expect(r.rejected.map((x) => x.reason)).toEqual(['accuracy:back-translation', 'accuracy:authority']);
    const noBt = selectSentences(KG, [...good, wrong], { accuracy: { minAuthority: 'C' } });
    expect(noBt.selected).toHaveLength(3);
  });
});
