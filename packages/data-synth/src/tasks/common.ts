/**
 * Shared helpers of the task builders: sample assembly, per-language text, the default fact renderer and the
 * ICD-10-CM chapter table.
 *
 * @packageDocumentation
 */
import type { Language, Triple } from '../kg/types';
import { factKey, stripCodePrefix, weakestAuthority } from './graph';
import type { ChatMessage, ChoiceOption, InstructionSample, Reference, TaskContext, TaskDefinition } from './types';

/** Picks the English or Chinese variant. */
export function tr(lang: Language, en: string, zh: string): string {
  return lang === 'zh' ? zh : en;
}

/** Joins a list in natural language (`a, b and c` / `a、b和c`). */
export function joinList(items: readonly string[], lang: Language): string {
  if (items.length <= 1) return items[0] ?? '';
  if (lang === 'zh') return `${items.slice(0, -1).join('、')}和${items[items.length - 1]}`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What a task builder hands to {@link makeSample}. */
export interface SampleParts {
  /** User/assistant turns; a single prompt/response pair is given as `prompt`/`response`. */
  messages?: ChatMessage[];
  prompt?: string;
  response?: string;
  reference?: Reference;
  options?: ChoiceOption[];
  /** Facts the answer depends on. */
  facts: ReadonlyArray<Triple | { key: string; source: string; authority: Triple['authority'] }>;
  /** Facts stated in the prompt (passages). */
  contextFacts?: readonly Triple[];
  entityIds: readonly string[];
  variant?: string;
}

/**
 * Assembles an {@link InstructionSample}: id, task metadata, provenance (sources joined with `+`, weakest
 * authority) and fact keys.
 */
export function makeSample(def: TaskDefinition, anchor: string, ctx: TaskContext, parts: SampleParts): InstructionSample {
  const messages: ChatMessage[] =
    parts.messages ??
    [
      { role: 'user', content: parts.prompt ?? '' },
      { role: 'assistant', content: parts.response ?? '' },
    ];
  const facts = parts.facts.map((f) => ('key' in f ? f : { key: factKey(f), source: f.source, authority: f.authority }));
  const sources = [...new Set(facts.map((f) => f.source))].sort();
  const s: InstructionSample = {
    id: `${def.name}:${ctx.language}:${anchor}${parts.variant ? `:${parts.variant}` : ''}`,
    task: def.name,
    dimension: def.dimension,
    level: def.level,
    language: ctx.language,
    messages,
    source: sources.join('+') || 'kg',
    authority: weakestAuthority(facts.map((f) => f.authority)),
    entityIds: [...new Set([anchor, ...parts.entityIds])],
    answerFacts: [...new Set(facts.map((f) => f.key))],
  };
  if (parts.reference) s.reference = parts.reference;
  if (parts.options) s.options = parts.options;
  if (parts.contextFacts && parts.contextFacts.length > 0) s.contextFacts = [...new Set(parts.contextFacts.map(factKey))];
  return s;
}

/** A synthesized fact for data held on the entity rather than as a triple (synonyms, names, definitions). */
export function entityFact(
  ctx: TaskContext,
  subject: string,
  predicate: Triple['predicate'],
  object: string,
  objectLanguage?: Language,
): Triple {
  const found = ctx.graph.out(subject, predicate).find((t) => t.object === object);
  if (found) return found;
  const t: Triple = { subject, predicate, object, objectIsLiteral: true, source: 'kg', authority: 'A' };
  if (objectLanguage) t.objectLanguage = objectLanguage;
  return t;
}

/** Multiple-choice answer line, e.g. `Answer: B. asthma`. */
export function answerLine(lang: Language, letter: string, text: string): string {
  return tr(lang, `Answer: ${letter}. ${text}`, `答案：${letter}. ${text}`);
}

const EN_TEMPLATES: Record<string, string> = {
  is_a: '{s} is a type of {o}.',
  synonym: '{s} is also known as {o}.',
  icd10_code: 'The ICD-10-CM code for {s} is {o}.',
  has_symptom: '{s} can present with {o}.',
  treats: '{s} is used to treat {o}.',
  symptomatic_relief: '{s} is used for the symptomatic relief of {o}.',
  not_indication: '{s} is not indicated for {o}.',
  definition: '{s}: {o}',
  translation: '{s} is called {o} in another language.',
};
const ZH_TEMPLATES: Record<string, string> = {
  is_a: '{s}是一种{o}。',
  synonym: '{s}又称{o}。',
  icd10_code: '{s}的ICD-10编码是{o}。',
  has_symptom: '{s}可表现为{o}。',
  treats: '{s}可用于治疗{o}。',
  symptomatic_relief: '{s}可用于缓解{o}的症状。',
  not_indication: '{s}不适用于治疗{o}。',
  definition: '{s}：{o}',
  translation: '{s}的另一种语言名称是{o}。',
};

/**
 * The built-in one-phrasing renderer (the template banks of `src/translate/` can replace it through
 * `GenerateOptions.render`). Returns `undefined` when an entity has no name in `language`.
 */
export function defaultRender(ctx: Pick<TaskContext, 'graph'>, t: Triple, language: Language): string | undefined {
  const s = ctx.graph.name(t.subject, language);
  const o = t.objectIsLiteral || !ctx.graph.entity(t.object) ? (t.predicate === 'icd10_code' ? stripCodePrefix(t.object) : t.object) : ctx.graph.name(t.object, language);
  if (!s || !o) return undefined;
  const tpl = (language === 'zh' ? ZH_TEMPLATES : EN_TEMPLATES)[t.predicate];
  if (!tpl) return undefined;
  const out = tpl.replace('{s}', s).replace('{o}', o);
  // Sentence case for English names that start lower-case ("influenza is …" → "Influenza is …").
  return language === 'en' && /^[a-z]/.test(out) && !/^[a-z]+[A-Z]/.test(out) ? out[0]!.toUpperCase() + out.slice(1) : out;
}

/** An ICD-10-CM chapter. */
export interface Icd10Chapter {
  num: number;
  start: string;
  end: string;
  en: string;
  zh: string;
}

/**
 * ICD-10-CM FY2022 chapters (`icd10cm_chapters.tsv`) with Chinese titles from the ICD-10 Chinese catalogue
 * (`icd10_cn/disease_catalog.csv`; chapters 20–22 have no entry there and use standard translations).
 */
export const ICD10CM_CHAPTERS: readonly Icd10Chapter[] = [
  { num: 1, start: 'A00', end: 'B99', en: 'Certain infectious and parasitic diseases', zh: '某些传染病和寄生虫病' },
  { num: 2, start: 'C00', end: 'D49', en: 'Neoplasms', zh: '肿瘤' },
  { num: 3, start: 'D50', end: 'D89', en: 'Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism', zh: '血液及造血器官疾病和涉及免疫机制的某些疾患' },
  { num: 4, start: 'E00', end: 'E89', en: 'Endocrine, nutritional and metabolic diseases', zh: '内分泌、营养和代谢疾病' },
  { num: 5, start: 'F01', end: 'F99', en: 'Mental, behavioral and neurodevelopmental disorders', zh: '精神和行为障碍' },
  { num: 6, start: 'G00', end: 'G99', en: 'Diseases of the nervous system', zh: '神经系统疾病' },
  { num: 7, start: 'H00', end: 'H59', en: 'Diseases of the eye and adnexa', zh: '眼和附器疾病' },
  { num: 8, start: 'H60', end: 'H95', en: 'Diseases of the ear and mastoid process', zh: '耳和乳突疾病' },
  { num: 9, start: 'I00', end: 'I99', en: 'Diseases of the circulatory system', zh: '循环系统疾病' },
  { num: 10, start: 'J00', end: 'J99', en: 'Diseases of the respiratory system', zh: '呼吸系统疾病' },
  { num: 11, start: 'K00', end: 'K95', en: 'Diseases of the digestive system', zh: '消化系统疾病' },
  { num: 12, start: 'L00', end: 'L99', en: 'Diseases of the skin and subcutaneous tissue', zh: '皮肤和皮下组织疾病' },
  { num: 13, start: 'M00', end: 'M99', en: 'Diseases of the musculoskeletal system and connective tissue', zh: '肌肉骨骼系统和结缔组织疾病' },
  { num: 14, start: 'N00', end: 'N99', en: 'Diseases of the genitourinary system', zh: '泌尿生殖系统疾病' },
  { num: 15, start: 'O00', end: 'O9A', en: 'Pregnancy, childbirth and the puerperium', zh: '妊娠、分娩和产褥期' },
  { num: 16, start: 'P00', end: 'P96', en: 'Certain conditions originating in the perinatal period', zh: '起源于围生期的某些情况' },
  { num: 17, start: 'Q00', end: 'Q99', en: 'Congenital malformations, deformations and chromosomal abnormalities', zh: '先天性畸形、变形和染色体异常' },
  { num: 18, start: 'R00', end: 'R99', en: 'Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified', zh: '症状、体征和临床与实验室异常所见，不可归类在他处者' },
  { num: 19, start: 'S00', end: 'T88', en: 'Injury, poisoning and certain other consequences of external causes', zh: '损伤、中毒和外因的某些其他后果' },
  { num: 20, start: 'V00', end: 'Y99', en: 'External causes of morbidity', zh: '疾病和死亡的外因' },
  { num: 21, start: 'Z00', end: 'Z99', en: 'Factors influencing health status and contact with health services', zh: '影响健康状态和与保健机构接触的因素' },
  { num: 22, start: 'U00', end: 'U85', en: 'Codes for special purposes', zh: '用于特殊目的的编码' },
];

/** The chapter of an ICD-10-CM code (3-character category compared against chapter ranges), or undefined. */
export function icd10cmChapterOf(code: string): Icd10Chapter | undefined {
  const cat = stripCodePrefix(code).toUpperCase().replace('.', '').slice(0, 3);
  if (!/^[A-Z][0-9][0-9A-Z]$/.test(cat)) return undefined;
  return ICD10CM_CHAPTERS.find((c) => cat >= c.start && cat <= c.end);
}
