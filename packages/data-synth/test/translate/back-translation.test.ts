import { describe, expect, it } from 'vitest';
import type { Language, Predicate, Triple } from '../../src/kg/types';
import {
  backTranslationFilter,
  backTranslationFilterSync,
  buildLexicon,
  checkSentence,
  containment,
  createModelExtractor,
  extractFacts,
  findMentions,
  lexiconForTriples,
  normalizeForMatch,
  renderTemplate,
  TEMPLATE_BANK,
  templatesFor,
  translateTriples,
  tripleValues,
  type Sentence,
  type TextGenerator,
} from '../../src/translate';
import { BY_ID, EN_TRIPLES, ENTITIES, KG, ZH_TRIPLES } from './fixtures';

const PREDICATES = Object.keys(TEMPLATE_BANK) as Predicate[];
const LANGS: Language[] = ['en', 'zh'];
const triplesFor = (lang: Language) => (lang === 'en' ? EN_TRIPLES : ZH_TRIPLES);
/** A lexicon with every fixture entity, so corrupted sentences meet real distractors. */
const FULL = () => lexiconForTriples(KG, [...Object.values(EN_TRIPLES), ...Object.values(ZH_TRIPLES)], ENTITIES);

function sentence(text: string, triple: Triple, language: Language): Sentence {
  return { text, language, triple, templateId: 'test', source: triple.source, authority: triple.authority, method: 'template', granularity: 'atomic' };
}

/** Render `triple` with the values of another triple `like` (e.g. a different object) using template `i`. */
function renderAs(predicate: Predicate, lang: Language, i: number, values: { s: string; o: string; lang?: string }): string {
  return renderTemplate(templatesFor(predicate, lang)[i]!.pattern, values);
}

describe('lexicon and mentions', () => {
  it('finds the longest non-overlapping names at word boundaries, in English and Chinese', () => {
    const lex = buildLexicon(ENTITIES);
    const en = normalizeForMatch('Metformin is used to treat Type 2 Diabetes Mellitus, not diabetes mellitus in general.');
    const ms = findMentions(en, lex);
    expect(ms.map((m) => m.ids[0])).toEqual(['DB00331', 'DOID:9352', 'DOID:9351']);
    expect(findMentions(normalizeForMatch('Influenzas and flux'), lex)).toEqual([]); // no partial-word hits
    const zh = findMentions(normalizeForMatch('二甲双胍可用于治疗2型糖尿病。'), lex);
    expect(zh.map((m) => m.surface)).toEqual(['二甲双胍', '2型糖尿病']);
    expect(normalizeForMatch('Alzheimer’s  disease')).toBe("alzheimer's disease");
  });

  it('containment measures how much of a definition a sentence keeps', () => {
    expect(containment('high blood sugar and insulin resistance', 'It has high blood sugar and insulin resistance.')).toBe(1);
    expect(containment('high blood sugar', 'low blood pressure')).toBeCloseTo(1 / 3, 5);
    expect(containment('由霍乱弧菌引起', '霍乱是由霍乱弧菌引起的')).toBe(1);
  });
});

describe('rule-based back-translation', () => {
  it('reads back the fact of every template phrasing of every predicate in both languages', () => {
    const lex = FULL();
    for (const lang of LANGS) {
      for (const p of PREDICATES) {
        const triple = triplesFor(lang)[p];
        const r = tripleValues(KG, triple, lang);
        if (!r.ok) throw new Error(`fixture ${p}.${lang} does not render`);
        for (const tpl of templatesFor(p, lang)) {
          const text = renderTemplate(tpl.pattern, r.values);
          const res = checkSentence(text, lang, triple, lex);
          expect(res.ok, `${tpl.id}: ${text} → ${res.reason} ${JSON.stringify(res.facts)}`).toBe(true);
        }
      }
    }
  });

  it('reads the relation, not the word order: direction from entity kinds and reverse cues', () => {
    const lex = FULL();
    const facts = extractFacts('Type 2 diabetes mellitus can be treated with Metformin.', 'en', lex).facts;
    expect(facts).toContainEqual({ subject: 'DB00331', predicate: 'treats', object: 'DOID:9352' });
    const isa = extractFacts('The broader class diabetes mellitus includes type 2 diabetes mellitus.', 'en', lex).facts;
    expect(isa).toContainEqual({ subject: 'DOID:9352', predicate: 'is_a', object: 'DOID:9351', negated: false });
    const neg = extractFacts('二甲双胍不适用于治疗2型糖尿病。', 'zh', lex).facts;
    expect(neg).toContainEqual({ subject: 'DB00331', predicate: 'not_indication', object: 'DOID:9352' });
  });

  it('drops corrupted sentences (swapped object, treats ↔ not_indication, negation, direction, wrong literal) with reasons', () => {
    const sentences: Sentence[] = [];
    const expectedReasons: string[] = [];
    const good = translateTriples(KG, [...Object.values(EN_TRIPLES)], { language: 'en', seed: 11 });
    const goodZh = translateTriples(KG, [...Object.values(ZH_TRIPLES)], { language: 'zh', seed: 11 });
    sentences.push(...good, ...goodZh);
    const bad = (text: string, triple: Triple, lang: Language, reason: string): void => {
      sentences.push(sentence(text, triple, lang));
      expectedReasons.push(reason);
    };
    for (let i = 0; i < 5; i++) {
      // swap object: Metformin "treats" influenza instead of type 2 diabetes
      bad(renderAs('treats', 'en', i, { s: 'Metformin', o: 'influenza' }), EN_TRIPLES.treats, 'en', 'object-not-found');
      bad(renderAs('treats', 'zh', i, { s: '二甲双胍', o: '流行性感冒' }), EN_TRIPLES.treats, 'zh', 'object-not-found');
      // negate treats ↔ not_indication
      bad(renderAs('not_indication', 'en', i, { s: 'Metformin', o: 'type 2 diabetes mellitus' }), EN_TRIPLES.treats, 'en', 'polarity-mismatch');
      bad(renderAs('not_indication', 'zh', i, { s: '二甲双胍', o: '2型糖尿病' }), EN_TRIPLES.treats, 'zh', 'polarity-mismatch');
      bad(renderAs('treats', 'en', i, { s: 'Amoxicillin', o: 'influenza' }), EN_TRIPLES.not_indication, 'en', 'polarity-mismatch');
      bad(renderAs('treats', 'zh', i, { s: '阿莫西林', o: '流行性感冒' }), EN_TRIPLES.not_indication, 'zh', 'polarity-mismatch');
      // symptomatic relief stated as disease-modifying treatment
      bad(renderAs('treats', 'en', i, { s: 'Ibuprofen', o: 'osteoarthritis' }), EN_TRIPLES.symptomatic_relief, 'en', 'predicate-mismatch');
      // swapped symptom
      bad(renderAs('has_symptom', 'en', i, { s: 'influenza', o: 'polyuria' }), EN_TRIPLES.has_symptom, 'en', 'object-not-found');
      // wrong code, wrong synonym
      bad(renderAs('icd10_code', 'en', i, { s: 'type 2 diabetes mellitus', o: 'E10' }), EN_TRIPLES.icd10_code, 'en', 'object-not-found');
      bad(renderAs('synonym', 'en', i, { s: 'type 2 diabetes mellitus', o: 'flu' }), EN_TRIPLES.synonym, 'en', 'object-not-found');
    }
    bad('Type 2 diabetes mellitus is not a type of diabetes mellitus.', EN_TRIPLES.is_a, 'en', 'negated');
    bad('2型糖尿病不属于糖尿病。', EN_TRIPLES.is_a, 'zh', 'negated');
    bad('Diabetes mellitus is a type of type 2 diabetes mellitus.', EN_TRIPLES.is_a, 'en', 'direction-mismatch');
    bad('糖尿病是2型糖尿病的一个亚型。', EN_TRIPLES.is_a, 'zh', 'direction-mismatch');
    bad('Type 2 diabetes mellitus is defined as an infection of the small intestine by Vibrio cholerae.', EN_TRIPLES.definition, 'en', 'object-not-found');
    bad('Fever is the most frequent cause of influenza.', EN_TRIPLES.has_symptom, 'en', 'predicate-not-found');
    bad('Amoxicillin is an antibiotic.', EN_TRIPLES.not_indication, 'en', 'object-not-found');
    bad('Metformin lowers blood glucose.', EN_TRIPLES.treats, 'en', 'object-not-found');

    const res = backTranslationFilterSync(KG, sentences, { extraEntities: ENTITIES });
    expect(res.kept).toEqual([...good, ...goodZh]);
    expect(res.report.kept).toBe(good.length + goodZh.length);
    expect(res.report.dropped).toBe(expectedReasons.length);
    expect(res.dropped.map((d) => d.reason)).toEqual(expectedReasons);
    const counts: Record<string, number> = {};
    for (const r of expectedReasons) counts[r] = (counts[r] ?? 0) + 1;
    expect(res.report.reasons).toEqual(counts);
  });

  it('reads has_symptom direction from the sentence, not from entity kinds', () => {
    const lex = FULL();
    expect(checkSentence('Fever is a recognised symptom of influenza.', 'en', EN_TRIPLES.has_symptom, lex).ok).toBe(true);
    expect(checkSentence('Fever is one of the main symptoms of influenza.', 'en', EN_TRIPLES.has_symptom, lex).ok).toBe(true);
    expect(checkSentence('Influenza is a recognised symptom of fever.', 'en', EN_TRIPLES.has_symptom, lex)).toMatchObject({ ok: false, reason: 'direction-mismatch' });
    expect(checkSentence('流行性感冒是发热的典型症状之一。', 'zh', EN_TRIPLES.has_symptom, lex)).toMatchObject({ ok: false, reason: 'direction-mismatch' });
    // "symptom" itself is a Symptom Ontology term: as a name it must not hide the cue
    const withRoot = buildLexicon([...ENTITIES, { id: 'SYMP:0000567', kind: 'symptom', name: 'symptom', language: 'en', synonyms: [], xrefs: {} }]);
    expect(checkSentence('A common symptom of influenza is fever.', 'en', EN_TRIPLES.has_symptom, withRoot).ok).toBe(true);
  });

  it('requires the whole definition in template sentences, most of it in model sentences', () => {
    const def = EN_TRIPLES.definition;
    const near = 'Type 2 diabetes mellitus is defined as a diabetes mellitus that is characterized by high blood sugar, insulin resistance, and absolute lack of insulin.';
    const asTemplate = sentence(near, def, 'en');
    const asModel: Sentence = { ...asTemplate, method: 'model', templateId: 'model' };
    const r = backTranslationFilterSync(KG, [asTemplate, asModel]);
    expect(r.kept).toEqual([asModel]);
    expect(r.dropped.map((d) => d.reason)).toEqual(['object-not-found']);
    const strict = backTranslationFilterSync(KG, [asModel], { definitionThreshold: 1 });
    expect(strict.report.kept).toBe(0);
  });

  it('keeps every correct sentence over many seeds (no false drops on template output)', () => {
    const all = [...Object.values(EN_TRIPLES), ...Object.values(ZH_TRIPLES)];
    let n = 0;
    for (let seed = 0; seed < 40; seed++) {
      for (const lang of LANGS) {
        const s = translateTriples(KG, all, { language: lang, seed });
        n += s.length;
        const r = backTranslationFilterSync(KG, s);
        expect(r.report.dropped, JSON.stringify(r.dropped.map((d) => [d.sentence.text, d.reason]))).toBe(0);
      }
    }
    expect(n).toBeGreaterThan(500);
  });

  it('the async filter with the default extractor agrees with the sync one', async () => {
    const s = [
      ...translateTriples(KG, Object.values(EN_TRIPLES), { language: 'en', seed: 1 }),
      sentence('Metformin is not used to treat type 2 diabetes mellitus.', EN_TRIPLES.treats, 'en'),
    ];
    const a = await backTranslationFilter(KG, s);
    expect(a.report).toEqual(backTranslationFilterSync(KG, s).report);
    expect(a.report).toEqual({ kept: 9, dropped: 1, reasons: { 'polarity-mismatch': 1 } });
  });
});

describe('model-based extractor', () => {
  /** A fake extraction model: reads "X is used to treat Y" / "X is not ... Y" with a regex, like a small model would. */
  const fakeExtractorModel: TextGenerator = async (prompt) => {
    const sentenceLine = /Sentence: (.*)/.exec(prompt)?.[1] ?? '';
    if (/garbage/.test(sentenceLine)) return 'I cannot answer that.';
    const m = /^(.*?) is (not )?used to treat (.*?)\.$/.exec(sentenceLine);
    if (!m) return '{"subject": "?", "relation": "unknown", "object": "?"}';
    const relation = m[2] ? 'not_indication' : 'treats';
    return `Here you go: {"subject": "${m[1]}", "relation": "${relation}", "object": "${m[3]}", "negated": false}`;
  };

  it('builds a prompt, parses JSON, maps names to ids and drives the filter', async () => {
    const extractor = createModelExtractor(fakeExtractorModel);
    const lex = FULL();
    const out = await extractor('Metformin is used to treat type 2 diabetes mellitus.', 'en', lex);
    expect(out.facts).toEqual([{ subject: 'DB00331', predicate: 'treats', object: 'DOID:9352', objectIsLiteral: undefined, negated: undefined }]);
    const sentences = [
      sentence('Metformin is used to treat type 2 diabetes mellitus.', EN_TRIPLES.treats, 'en'),
      sentence('Metformin is not used to treat type 2 diabetes mellitus.', EN_TRIPLES.treats, 'en'),
      sentence('Metformin is used to treat influenza.', EN_TRIPLES.treats, 'en'),
      sentence('garbage', EN_TRIPLES.treats, 'en'),
      sentence('Amoxicillin is not used to treat influenza.', EN_TRIPLES.not_indication, 'en'),
    ];
    const res = await backTranslationFilter(KG, sentences, { extractor, lexicon: lex });
    expect(res.kept.map((s) => s.text)).toEqual([sentences[0]!.text, sentences[4]!.text]);
    expect(res.report).toEqual({ kept: 2, dropped: 3, reasons: { 'polarity-mismatch': 1, 'object-not-found': 1, 'subject-not-found': 1 } });
  });

  it('reports an extractor that throws as extractor-error', async () => {
    const res = await backTranslationFilter(KG, [sentence('x', EN_TRIPLES.treats, 'en')], {
      extractor: () => {
        throw new Error('boom');
      },
    });
    expect(res.report).toEqual({ kept: 0, dropped: 1, reasons: { 'extractor-error': 1 } });
  });

  it('the rule-based filter uses the KG names: unknown entities are not found', () => {
    const lex = buildLexicon([BY_ID.get('DB00331')!]);
    const r = checkSentence('Metformin is used to treat type 2 diabetes mellitus.', 'en', EN_TRIPLES.treats, lex);
    expect(r).toMatchObject({ ok: false, reason: 'object-not-found' });
  });
});
