import { describe, expect, it } from 'vitest';
import type { Triple } from '../../src/kg/types';
import {
  backTranslationFilter,
  buildVerbalisationPrompt,
  cleanGeneration,
  modelTranslateTriples,
  type TextGenerationOptions,
  type TextGenerator,
} from '../../src/translate';
import { EN_TRIPLES, ENTITIES, KG, ZH_TRIPLES } from './fixtures';

const DRUG_FACTS: Triple[] = [
  EN_TRIPLES.treats,
  EN_TRIPLES.symptomatic_relief,
  EN_TRIPLES.not_indication,
  { subject: 'DB00843', predicate: 'treats', object: 'DOID:10652', source: 'pharmacotherapydb', authority: 'A' },
  EN_TRIPLES.has_symptom,
  EN_TRIPLES.is_a,
];

/**
 * A fake model that reads the triple line of the prompt and answers with a sentence. It lies on purpose for some
 * facts: `liar(subject)` decides whether to negate the relation or swap the object for a wrong one.
 */
function fakeModel(lie: (subject: string) => 'truth' | 'negate' | 'swap', calls: TextGenerationOptions[] = []): TextGenerator {
  return async (prompt, options) => {
    calls.push(options);
    const m = /^(?:Triple|三元组)[:：] ?\((.*), (\w+)(?: \(.*\))?, (.*)\) →$/m.exec(prompt);
    if (!m) throw new Error('no triple in prompt');
    const [, s, p, o] = m as unknown as [string, string, string, string];
    const zh = prompt.includes('三元组');
    const mode = lie(s);
    const obj = mode === 'swap' ? (zh ? '咳嗽' : 'cough') : o;
    const negate = mode === 'negate';
    if (zh) {
      const body: Record<string, string> = {
        treats: negate ? `${s}不适用于治疗${obj}` : `${s}能有效治疗${obj}`,
        symptomatic_relief: negate ? `${s}不能缓解${obj}的症状` : `${s}能缓解${obj}的症状`,
        not_indication: negate ? `${s}常用于治疗${obj}` : `${s}不适用于${obj}的治疗`,
        has_symptom: negate ? `${s}不会出现${obj}` : `${s}患者通常会出现${obj}`,
        is_a: negate ? `${s}不属于${obj}` : `${s}属于${obj}`,
      };
      return `句子：${body[p] ?? `${s}与${obj}有关`}。\n多余的第二行`;
    }
    const body: Record<string, string> = {
      treats: negate ? `${s} is not used to treat ${obj}` : `${s} is an effective treatment for ${obj}`,
      symptomatic_relief: negate ? `${s} does not relieve symptoms of ${obj}` : `${s} relieves the symptoms of ${obj}`,
      not_indication: negate ? `${s} is commonly used to treat ${obj}` : `${s} is not indicated for ${obj}`,
      has_symptom: negate ? `${s} never causes ${obj}` : `People with ${s} often experience ${obj}`,
      is_a: negate ? `${s} is not a kind of ${obj}` : `${s} is a subtype of ${obj}`,
    };
    return ` "${body[p] ?? `${s} relates to ${obj}`}." Extra sentence that should be cut.`;
  };
}

describe('verbalisation prompt', () => {
  it('states the fact, the relation meaning and a template example, in the output language', () => {
    const en = buildVerbalisationPrompt({ predicate: 'treats', subject: 'Metformin', object: 'type 2 diabetes mellitus' }, 'en');
    expect(en).toContain('Triple: (Metformin, treats, type 2 diabetes mellitus) →');
    expect(en).toMatch(/disease-modifying/);
    expect(en).toContain('Example: (Metformin, treats, type 2 diabetes mellitus) → Metformin is used to treat type 2 diabetes mellitus.');
    const zh = buildVerbalisationPrompt({ predicate: 'not_indication', subject: '阿莫西林', object: '流行性感冒' }, 'zh');
    expect(zh).toContain('三元组：(阿莫西林, not_indication, 流行性感冒) →');
    expect(zh).toContain('否定');
    expect(zh).toContain('阿莫西林不适用于治疗流行性感冒。');
  });

  it('cleanGeneration keeps the first sentence without labels or quotes', () => {
    expect(cleanGeneration(' Sentence: "Metformin treats type 2 diabetes." It is cheap.\nmore', 'en')).toBe('Metformin treats type 2 diabetes.');
    expect(cleanGeneration('句子：二甲双胍可用于治疗2型糖尿病。它很便宜。', 'zh')).toBe('二甲双胍可用于治疗2型糖尿病。');
    expect(cleanGeneration('\n\n', 'en')).toBe('');
  });
});

describe('model translator + back-translation filter, end to end', () => {
  it('keeps the true sentences and drops the lies, in English', async () => {
    const lies: Record<string, 'truth' | 'negate' | 'swap'> = { Metformin: 'negate', Donepezil: 'swap', Amoxicillin: 'negate' };
    const calls: TextGenerationOptions[] = [];
    const gen = fakeModel((s) => lies[s] ?? 'truth', calls);
    const { sentences, skipped } = await modelTranslateTriples(KG, DRUG_FACTS, gen, { language: 'en', seed: 9 });
    expect(skipped).toEqual([]);
    expect(sentences).toHaveLength(DRUG_FACTS.length);
    expect(sentences.every((s) => s.method === 'model' && s.templateId === 'model' && !/Extra/.test(s.text))).toBe(true);
    expect(sentences[0]!.text).toBe('Metformin is not used to treat type 2 diabetes mellitus.');
    // one derived seed per triple, deterministic
    expect(new Set(calls.map((c) => c.seed)).size).toBe(DRUG_FACTS.length);
    const again: TextGenerationOptions[] = [];
    await modelTranslateTriples(KG, DRUG_FACTS, fakeModel(() => 'truth', again), { language: 'en', seed: 9 });
    expect(again.map((c) => c.seed)).toEqual(calls.map((c) => c.seed));

    const res = await backTranslationFilter(KG, sentences, { extraEntities: ENTITIES });
    expect(res.kept.map((s) => s.triple.subject)).toEqual(['DB01050', 'DOID:8469', 'DOID:9352']);
    expect(res.report).toEqual({ kept: 3, dropped: 3, reasons: { 'polarity-mismatch': 2, 'object-not-found': 1 } });
  });

  it('keeps the true sentences and drops the lies, in Chinese', async () => {
    const lies: Record<string, 'truth' | 'negate' | 'swap'> = { 布洛芬: 'negate', 流行性感冒: 'swap', '2型糖尿病': 'negate' };
    const gen = fakeModel((s) => lies[s] ?? 'truth');
    const { sentences } = await modelTranslateTriples(KG, DRUG_FACTS, gen, { language: 'zh', seed: 1 });
    expect(sentences[0]!.text).toBe('二甲双胍能有效治疗2型糖尿病。');
    const res = await backTranslationFilter(KG, sentences, { extraEntities: ENTITIES });
    expect(res.kept.map((s) => s.triple.subject)).toEqual(['DB00331', 'DB01060', 'DB00843']);
    expect(res.report).toEqual({ kept: 3, dropped: 3, reasons: { 'polarity-mismatch': 1, 'object-not-found': 1, negated: 1 } });
  });

  it('reports unresolvable triples and failed generations as skipped', async () => {
    const failing: TextGenerator = async (prompt) => {
      if (prompt.includes('Ibuprofen')) throw new Error('out of memory');
      if (prompt.includes('Amoxicillin')) return '   ';
      return 'Metformin is used to treat type 2 diabetes mellitus.';
    };
    const unknown: Triple = { ...EN_TRIPLES.treats, subject: 'DB00000' };
    const r = await modelTranslateTriples(KG, [EN_TRIPLES.treats, EN_TRIPLES.symptomatic_relief, EN_TRIPLES.not_indication, unknown, ZH_TRIPLES.definition], failing, {
      language: 'en',
      seed: 0,
    });
    expect(r.sentences).toHaveLength(1);
    expect(r.skipped.map((s) => s.reason)).toEqual(['generation-failed', 'generation-failed', 'unknown-subject', 'literal-language-mismatch']);
    await expect(modelTranslateTriples(KG, [], 'x' as unknown as TextGenerator, { language: 'en', seed: 0 })).rejects.toThrow(/generate/);
  });
});
