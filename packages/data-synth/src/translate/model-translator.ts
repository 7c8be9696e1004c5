/**
 * Model-based knowledge translation: a text generator verbalises each triple from a prompt with the fact, the
 * meaning of its relation and one template-rendered example. Pair it with the back-translation filter
 * ({@link backTranslationFilter}) to drop sentences that do not state the fact.
 *
 * @packageDocumentation
 */
import { TranslateOptionsError } from './errors';
import { deriveSeed } from '../random';
import type { Language, Predicate, Triple } from '../kg/types';
import { renderTemplate, templatesFor } from './templates';
import { tripleKey, tripleValues } from './template-translator';
import type { Sentence, SkippedTriple, TextGenerator, TranslateKg, TranslateOptions } from './types';

/** What each relation means, for the prompt. */
export const RELATION_GLOSS: Readonly<Record<Predicate, Record<Language, string>>> = {
  is_a: { en: 'the subject is a subtype (a kind) of the object', zh: '主语是宾语的一个亚型（一种）' },
  synonym: { en: 'the object is another name (a synonym) of the subject', zh: '宾语是主语的另一个名称（同义词）' },
  icd10_code: { en: 'the subject is coded as the object in ICD-10', zh: '主语在ICD-10中的编码是宾语' },
  has_symptom: { en: 'the object is a symptom of the disease in the subject', zh: '宾语是主语这种疾病的症状' },
  treats: { en: 'the drug in the subject treats the disease in the object (disease-modifying)', zh: '主语药物可用于治疗宾语疾病（改变病程）' },
  symptomatic_relief: {
    en: 'the drug in the subject relieves the symptoms of the disease in the object (symptomatic, not disease-modifying)',
    zh: '主语药物可缓解宾语疾病的症状（对症治疗）',
  },
  not_indication: {
    en: 'the drug in the subject is NOT indicated for the disease in the object (state it negatively)',
    zh: '主语药物不适用于治疗宾语疾病（必须用否定句表达）',
  },
  definition: { en: 'the object is the definition of the subject', zh: '宾语是主语的定义' },
  translation: { en: 'the object is the name of the subject in another language', zh: '宾语是主语在另一种语言中的名称' },
};

/** Example values for the prompt's one-shot example, per predicate and language. */
const EXAMPLES: Readonly<Record<Predicate, Record<Language, { s: string; o: string; lang?: string }>>> = {
  is_a: { en: { s: 'type 2 diabetes mellitus', o: 'diabetes mellitus' }, zh: { s: '2型糖尿病', o: '糖尿病' } },
  synonym: { en: { s: 'myocardial infarction', o: 'heart attack' }, zh: { s: '心肌梗死', o: '心梗' } },
  icd10_code: { en: { s: 'cholera', o: 'A00' }, zh: { s: '霍乱', o: 'A00' } },
  has_symptom: { en: { s: 'influenza', o: 'fever' }, zh: { s: '流行性感冒', o: '发热' } },
  treats: { en: { s: 'Metformin', o: 'type 2 diabetes mellitus' }, zh: { s: '二甲双胍', o: '2型糖尿病' } },
  symptomatic_relief: { en: { s: 'Ibuprofen', o: 'osteoarthritis' }, zh: { s: '布洛芬', o: '骨关节炎' } },
  not_indication: { en: { s: 'Amoxicillin', o: 'influenza' }, zh: { s: '阿莫西林', o: '流行性感冒' } },
  definition: {
    en: { s: 'anemia', o: 'A condition in which the blood has fewer red blood cells or less hemoglobin than normal' },
    zh: { s: '贫血', o: '血液中红细胞数量或血红蛋白含量低于正常的状态' },
  },
  translation: { en: { s: 'cholera', o: '霍乱', lang: 'Chinese' }, zh: { s: 'cholera', o: '霍乱', lang: '中文' } },
};

/** The fact to verbalise, with names already resolved in the output language. */
export interface PromptFact {
  predicate: Predicate;
  subject: string;
  object: string;
  /** Language label of the object (translation triples). */
  objectLanguage?: string;
}

/**
 * The prompt asking a model to state one triple as one sentence: instructions, the relation's meaning, one example
 * (rendered from the template bank) and the fact.
 *
 * @param fact - the resolved fact.
 * @param language - the output language.
 */
export function buildVerbalisationPrompt(fact: PromptFact, language: Language): string {
  const ex = EXAMPLES[fact.predicate][language];
  const example = renderTemplate((templatesFor(fact.predicate, language)[0] as { pattern: string }).pattern, ex);
  const gloss = RELATION_GLOSS[fact.predicate][language];
  const rel = fact.objectLanguage ? `${fact.predicate} (${fact.objectLanguage})` : fact.predicate;
  if (language === 'zh') {
    return [
      '请把下面的医学知识图谱三元组改写成一句通顺、准确的中文句子。',
      `要求：只陈述这一条事实，不要添加其他信息；原样保留主语“${fact.subject}”和宾语“${fact.object}”；只输出这句话。`,
      `关系 ${fact.predicate} 的含义：${gloss}。`,
      `示例：(${ex.s}, ${fact.predicate}, ${ex.o}) → ${example}`,
      `三元组：(${fact.subject}, ${rel}, ${fact.object}) →`,
    ].join('\n');
  }
  return [
    'Rewrite the medical knowledge-graph triple below as one fluent, accurate English sentence.',
    `Rules: state this fact only and add nothing else; keep the subject "${fact.subject}" and the object "${fact.object}" verbatim; answer with the sentence only.`,
    `Meaning of the relation ${fact.predicate}: ${gloss}.`,
    `Example: (${ex.s}, ${fact.predicate}, ${ex.o}) → ${example}`,
    `Triple: (${fact.subject}, ${rel}, ${fact.object}) →`,
  ].join('\n');
}

/**
 * Clean a model completion into one sentence: first non-empty line, without a leading label ("Sentence:",
 * "句子：", an arrow), surrounding quotes, or anything after the first sentence end.
 *
 * @returns the sentence, or `''` when nothing usable remains.
 */
export function cleanGeneration(raw: string, language: Language): string {
  const line = raw.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  let s = line.replace(/^(→|->|sentence\s*[:：]|answer\s*[:：]|句子\s*[:：]|答\s*[:：])\s*/i, '').trim();
  s = s.replace(/^["“'‘「]+/, '').trim();
  const end = language === 'zh' ? /[。！？]/.exec(s) : /[.!?](?=["”'’」]*(\s|$))/.exec(s);
  if (end) s = s.slice(0, end.index + 1);
  return s.replace(/["”'’」]+$/, '').trim();
}

/** Options of {@link modelTranslateTriples}. */
export interface ModelTranslateOptions extends TranslateOptions {
  /** Default 64. */
  maxNewTokens?: number;
  /** Default 0.7. */
  temperature?: number;
}

/** Model-generated sentences plus the triples that produced none. */
export interface ModelTranslationResult {
  sentences: Sentence[];
  skipped: SkippedTriple[];
}

/**
 * Verbalise each triple with a text generator (sequentially; generation is the expensive part and a single model
 * is not re-entrant). Each call gets its own seed derived from `seed` and the triple, so results do not depend on
 * batch order. Triples that cannot be resolved, or whose generation throws or comes back empty, are reported in
 * `skipped`.
 *
 * @param kg - entity lookup.
 * @param triples - the facts.
 * @param generate - any text generator (wrap a `@quarkmed/model` checkpoint, an API, or a test fake).
 * @param options - language, seed, sampling settings.
 */
export async function modelTranslateTriples(
  kg: TranslateKg,
  triples: Iterable<Triple>,
  generate: TextGenerator,
  options: ModelTranslateOptions,
): Promise<ModelTranslationResult> {
  if (typeof generate !== 'function') throw new TranslateOptionsError('modelTranslateTriples: generate must be a function (prompt, options) => Promise<string>');
  if (options?.language !== 'en' && options?.language !== 'zh') {
    throw new TranslateOptionsError(`modelTranslateTriples: options.language must be 'en' or 'zh', got ${JSON.stringify(options?.language)}`);
  }
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new TranslateOptionsError(`modelTranslateTriples: options.seed must be a finite number, got ${String(options.seed)}`);
  }
  const lang = options.language;
  const sentences: Sentence[] = [];
  const skipped: SkippedTriple[] = [];
  for (const triple of triples) {
    const r = tripleValues(kg, triple, lang, options.allowMixedLanguage ?? false);
    if (!r.ok) {
      skipped.push({ triple, reason: r.reason });
      continue;
    }
    const fact: PromptFact = {
      predicate: triple.predicate,
      subject: r.values.s,
      object: r.values.o as string,
      objectLanguage: triple.predicate === 'translation' ? r.values.lang : undefined,
    };
    let text = '';
    try {
      const raw = await generate(buildVerbalisationPrompt(fact, lang), {
        seed: deriveSeed(options.seed, tripleKey(triple)),
        maxNewTokens: options.maxNewTokens ?? 64,
        temperature: options.temperature ?? 0.7,
        stop: ['\n'],
      });
      text = cleanGeneration(raw, lang);
    } catch {
      text = '';
    }
    if (text === '') {
      skipped.push({ triple, reason: 'generation-failed' });
      continue;
    }
    sentences.push({
      text,
      language: lang,
      triple,
      templateId: 'model',
      source: triple.source,
      authority: triple.authority,
      method: 'model',
      granularity: 'atomic',
    });
  }
  return { sentences, skipped };
}
