import { describe, expect, it } from 'vitest';
import type { Language, Predicate } from '../../src/kg/types';
import {
  chooseTemplate,
  displayCode,
  formatList,
  renderTemplate,
  TEMPLATE_BANK,
  TEMPLATE_PREDICATES,
  templateById,
  TemplateError,
  templatesFor,
  translateEntityCard,
  translateEntityCards,
  translateTriples,
  translateTriplesWithReport,
  tripleValues,
} from '../../src/translate';
import { EN_TRIPLES, KG, T2DM_TRIPLES, ZH_TRIPLES } from './fixtures';

const PREDICATES = Object.keys(TEMPLATE_BANK) as Predicate[];
const LANGS: Language[] = ['en', 'zh'];
const triplesFor = (lang: Language) => (lang === 'en' ? EN_TRIPLES : ZH_TRIPLES);

describe('template banks', () => {
  it('cover all nine predicates, each with at least 4 phrasings per language', () => {
    expect(PREDICATES.sort()).toEqual([...TEMPLATE_PREDICATES].sort());
    expect(PREDICATES).toHaveLength(9);
    for (const p of PREDICATES) for (const l of LANGS) expect(templatesFor(p, l).length).toBeGreaterThanOrEqual(4);
  });

  it('every template of every predicate × language renders its fixture triple without placeholders', () => {
    for (const lang of LANGS) {
      for (const p of PREDICATES) {
        const r = tripleValues(KG, triplesFor(lang)[p], lang);
        expect(r.ok, `${p}.${lang}`).toBe(true);
        if (!r.ok) continue;
        for (const tpl of templatesFor(p, lang)) {
          const text = renderTemplate(tpl.pattern, r.values);
          expect(text, tpl.id).not.toMatch(/[{}]/);
          expect(text, tpl.id).toMatch(lang === 'en' ? /\.$/ : /。$/);
          expect(text).not.toMatch(/\.\.|。。/);
          expect(text.toLowerCase().includes(r.values.s.toLowerCase()), `${tpl.id} names the subject`).toBe(true);
          if (lang === 'zh') expect(text).toMatch(/\p{Script=Han}/u);
        }
      }
    }
  });

  it('renderTemplate throws a TemplateError naming the missing placeholder', () => {
    expect(() => renderTemplate('{s} is a type of {o}.', { s: 'x' })).toThrow(/\{o\}/);
    expect(() => renderTemplate('{s} {list}', { s: 'x' })).toThrow(TemplateError);
  });

  it('fills placeholders in one pass (braces inside names are kept) and capitalises English sentences', () => {
    expect(renderTemplate('{s} is a type of {o}.', { s: 'type 2 diabetes mellitus', o: '{o}' })).toBe(
      'Type 2 diabetes mellitus is a type of {o}.',
    );
    expect(renderTemplate('{s} is used to treat {o}.', { s: 'mRNA vaccine', o: 'x' })).toBe('mRNA vaccine is used to treat x.');
    expect(renderTemplate('{s} is defined as {o_lc}.', { s: 'anemia', o: 'A condition' })).toBe('Anemia is defined as a condition.');
    expect(renderTemplate('{s} is defined as {o_lc}.', { s: 'AIDS', o: 'HIV infection' })).toBe('AIDS is defined as HIV infection.');
  });

  it('templateById resolves ids and rejects unknown ones', () => {
    expect(templateById('treats.zh.0').pattern).toBe('{s}可用于治疗{o}。');
    expect(() => templateById('treats.fr.0')).toThrow(TemplateError);
    expect(() => templateById('treats.en.99')).toThrow(/treats\.en\.99/);
  });

  it('formatList joins in English and Chinese style', () => {
    expect(formatList(['a'], 'en')).toBe('a');
    expect(formatList(['a', 'b', 'c'], 'en')).toBe('a, b and c');
    expect(formatList(['甲', '乙', '丙'], 'zh')).toBe('甲、乙和丙');
    expect(() => formatList([], 'en')).toThrow(TemplateError);
  });
});

describe('seeded choice', () => {
  it('is deterministic for a seed and key, and covers at least 3 phrasings over many seeds', () => {
    for (const p of PREDICATES) {
      for (const l of LANGS) {
        expect(chooseTemplate(p, l, 7, 'k').id).toBe(chooseTemplate(p, l, 7, 'k').id);
        const ids = new Set<string>();
        for (let seed = 0; seed < 200; seed++) ids.add(chooseTemplate(p, l, seed, 'k').id);
        expect(ids.size, `${p}.${l}`).toBeGreaterThanOrEqual(3);
        // over 200 seeds every phrasing should come up
        expect(ids.size).toBe(templatesFor(p, l).length);
      }
    }
  });

  it('translateTriples gives the same sentences for the same seed and does not depend on batch order', () => {
    const triples = Object.values(EN_TRIPLES);
    const a = translateTriples(KG, triples, { language: 'en', seed: 3 });
    const b = translateTriples(KG, triples, { language: 'en', seed: 3 });
    expect(a).toEqual(b);
    const reversed = translateTriples(KG, [...triples].reverse(), { language: 'en', seed: 3 });
    expect(reversed.map((s) => s.text).reverse()).toEqual(a.map((s) => s.text));
    const texts = new Set<string>();
    for (let seed = 0; seed < 30; seed++) texts.add(translateTriples(KG, [EN_TRIPLES.treats], { language: 'en', seed })[0]!.text);
    expect(texts.size).toBeGreaterThanOrEqual(3);
  });
});

describe('translateTriples', () => {
  it('renders every predicate in both languages with provenance', () => {
    for (const lang of LANGS) {
      const triples = Object.values(triplesFor(lang));
      const { sentences, skipped } = translateTriplesWithReport(KG, triples, { language: lang, seed: 1 });
      expect(skipped).toEqual([]);
      expect(sentences.map((s) => s.triple.predicate).sort()).toEqual([...PREDICATES].sort());
      for (const s of sentences) {
        expect(s.language).toBe(lang);
        expect(s.source).toBe(s.triple.source);
        expect(s.authority).toBe(s.triple.authority);
        expect(s.method).toBe('template');
        expect(s.granularity).toBe('atomic');
        expect(s.templateId).toMatch(new RegExp(`^${s.triple.predicate}\\.${lang}\\.\\d+$`));
        const r = tripleValues(KG, s.triple, lang);
        if (!r.ok) throw new Error('fixture does not render');
        expect(s.text).toBe(renderTemplate(templateById(s.templateId).pattern, r.values));
      }
    }
  });

  it('writes natural Chinese for the treats example', () => {
    let found = '';
    for (let seed = 0; seed < 100 && !found; seed++) {
      const [s] = translateTriples(KG, [EN_TRIPLES.treats], { language: 'zh', seed });
      if (s!.templateId === 'treats.zh.0') found = s!.text;
    }
    expect(found).toBe('二甲双胍可用于治疗2型糖尿病。');
  });

  it('shows ICD-10 codes in display form and translation triples bilingually', () => {
    expect(displayCode('ICD10CM:A00.9')).toBe('A00.9');
    expect(displayCode('e119')).toBe('E11.9');
    const [zhCode] = translateTriples(KG, [ZH_TRIPLES.icd10_code], { language: 'zh', seed: 0 });
    expect(zhCode!.text).toContain('A00.9');
    expect(zhCode!.text).toContain('霍乱');
    expect(zhCode!.text).not.toContain('ICD10CM:');
    const [en] = translateTriples(KG, [EN_TRIPLES.translation], { language: 'en', seed: 0 });
    expect(en!.text).toMatch(/Chinese/);
    expect(en!.text).toContain('霍乱');
    expect(en!.text.toLowerCase()).toContain('cholera');
    const [zh] = translateTriples(KG, [EN_TRIPLES.translation], { language: 'zh', seed: 0 });
    expect(zh!.text).toContain('中文');
    expect(zh!.text).toContain('cholera');
  });

  it('reports triples it cannot render instead of dropping them silently', () => {
    const glyburide = { subject: 'DB01016', predicate: 'treats' as const, object: 'DOID:9352', source: 'x', authority: 'A' as const };
    const unknown = { ...glyburide, subject: 'DB99999' };
    const unknownObj = { ...glyburide, subject: 'DB00331', object: 'DOID:99999999' };
    const r = translateTriplesWithReport(KG, [glyburide, unknown, unknownObj, EN_TRIPLES.definition], { language: 'zh', seed: 0 });
    expect(r.sentences).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['no-name-in-language', 'unknown-subject', 'unknown-object', 'literal-language-mismatch']);
    const mixed = translateTriples(KG, [glyburide], { language: 'zh', seed: 0, allowMixedLanguage: true });
    expect(mixed[0]!.text).toContain('Glyburide');
    expect(mixed[0]!.text).toContain('2型糖尿病');
  });

  it('skips facts that relate a name to itself (same-name parent/child titles, case-variant synonyms)', () => {
    const sameTitle = { entity: (id: string) => ({ id, kind: 'disease' as const, name: 'Other schizophrenia', language: 'en' as const, synonyms: [], xrefs: {} }) };
    const isa = { subject: 'ICD10CM:F20.89', predicate: 'is_a' as const, object: 'ICD10CM:F20.8', source: 'icd10cm', authority: 'A' as const };
    expect(translateTriplesWithReport(sameTitle, [isa], { language: 'en', seed: 0 }).skipped).toEqual([{ triple: isa, reason: 'same-name' }]);
    const caseSyn = { ...EN_TRIPLES.synonym, object: 'Type 2 Diabetes  Mellitus' };
    expect(translateTriplesWithReport(KG, [caseSyn], { language: 'en', seed: 0 }).skipped.map((x) => x.reason)).toEqual(['same-name']);
  });

  it('validates options', () => {
    expect(() => translateTriples(KG, [], { language: 'fr' as Language, seed: 0 })).toThrow(/options\.language/);
    expect(() => translateTriples(KG, [], { language: 'en', seed: Number.NaN })).toThrow(/options\.seed/);
  });
});

describe('entity cards (composite)', () => {
  it('describes one entity with definition, parent, synonyms, code, symptoms and drugs', () => {
    const card = translateEntityCard(KG, 'DOID:9352', T2DM_TRIPLES, { language: 'en', seed: 5 })!;
    expect(card.granularity).toBe('composite');
    expect(card.entityId).toBe('DOID:9352');
    const text = card.text;
    expect(text).toMatch(/^(The term |Medically, |Definition of )?[Tt]ype 2 diabetes mellitus/);
    for (const piece of ['high blood sugar', 'diabetes mellitus', 'non-insulin-dependent diabetes mellitus', 'adult-onset diabetes', 'E11', 'polyuria', 'Metformin', 'Glyburide', '2型糖尿病']) {
      expect(text).toContain(piece);
    }
    // order: definition first, drugs last
    expect(text.indexOf('high blood sugar')).toBeLessThan(text.indexOf('E11'));
    expect(text.indexOf('E11')).toBeLessThan(text.indexOf('Metformin'));
    expect(card.triples).toHaveLength(T2DM_TRIPLES.length);
    expect(card.authority).toBe('C'); // weakest of A, B, C
    expect(card.sources).toEqual(['disease-symptom.tsv', 'doid.obo', 'icd10_cn', 'pharmacotherapydb']);
    expect(card.templateIds.some((id) => id.startsWith('group:synonym.en'))).toBe(true);
    expect(card.templateIds.some((id) => id.startsWith('group:treats:disease.en'))).toBe(true);
    expect(text).not.toMatch(/[{}]/);
    expect(translateEntityCard(KG, 'DOID:9352', T2DM_TRIPLES, { language: 'en', seed: 5 })).toEqual(card);
  });

  it('writes a Chinese card with only what has Chinese names, and a drug-centred card', () => {
    const zh = translateEntityCard(KG, 'DOID:9352', [...T2DM_TRIPLES, ZH_TRIPLES.synonym], { language: 'zh', seed: 2 })!;
    expect(zh.text).toContain('2型糖尿病');
    expect(zh.text).toContain('二甲双胍');
    expect(zh.text).toContain('多尿');
    expect(zh.text).toContain('非胰岛素依赖型糖尿病');
    expect(zh.text).not.toContain('Glyburide'); // no Chinese name, mixing off
    expect(zh.text).not.toContain('high blood sugar'); // English definition left out
    expect(zh.text).not.toMatch(/[{}]/);
    const drug = translateEntityCard(KG, 'DB00331', T2DM_TRIPLES, { language: 'en', seed: 0 })!;
    expect(drug.triples).toEqual([EN_TRIPLES.treats]);
    expect(drug.text).toMatch(/Metformin|type 2 diabetes/i);
    expect(translateEntityCard(KG, 'SYMP:0000613', T2DM_TRIPLES, { language: 'en', seed: 0 })).toBeUndefined();
  });

  it('caps sections with maxPerSection and builds many cards at once', () => {
    const card = translateEntityCard(KG, 'DOID:9352', T2DM_TRIPLES, { language: 'en', seed: 0, maxPerSection: 1 })!;
    expect(card.triples.filter((t) => t.predicate === 'synonym')).toHaveLength(1);
    expect(card.triples.filter((t) => t.predicate === 'treats')).toHaveLength(1);
    const cards = translateEntityCards(KG, ['DOID:9352', 'DB00331', 'SYMP:0000613'], T2DM_TRIPLES, { language: 'en', seed: 0 });
    expect(cards.map((c) => c.entityId)).toEqual(['DOID:9352', 'DB00331']);
    expect(cards[0]).toEqual(translateEntityCard(KG, 'DOID:9352', T2DM_TRIPLES, { language: 'en', seed: 0 }));
    expect(() => translateEntityCard(KG, 'DOID:9352', [], { language: 'en', seed: 0, maxPerSection: 0 })).toThrow(/maxPerSection/);
  });
});
