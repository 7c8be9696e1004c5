/**
 * Template banks for knowledge translation: several natural phrasings per predicate in English and Chinese, a
 * seeded choice among them, and rendering with placeholder checks.
 *
 * Placeholders: `{s}` subject name, `{o}` object name or literal, `{o_lc}` the object with its first letter
 * lower-cased (for definitions embedded mid-sentence), `{lang}` the name of the object's language (translation
 * triples), `{list}` a joined list of objects (entity-card group templates).
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';
import { deriveSeed, mulberry32 } from '../random';
import type { Language, Predicate } from '../kg/types';

/** One phrasing of one predicate in one language. */
export interface Template {
  /** Stable id: `<predicate>.<language>.<index>`, e.g. `treats.zh.0`. */
  id: string;
  predicate: Predicate;
  language: Language;
  pattern: string;
}

/** Thrown when a template is unknown or a rendering leaves a placeholder unfilled. */
export class TemplateError extends DataSynthError {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/**
 * The atomic template bank: for every predicate and language, at least five phrasings. Every phrasing states the
 * fact and nothing more; the back-translation extractor recognises each of them (this is tested).
 */
export const TEMPLATE_BANK: Readonly<Record<Predicate, Readonly<Record<Language, readonly string[]>>>> = {
  is_a: {
    en: [
      '{s} is a type of {o}.',
      '{s} is a form of {o}.',
      '{s} is classified as a kind of {o}.',
      'In the disease hierarchy, {s} is a subtype of {o}.',
      '{s} belongs to the broader category of {o}.',
      'The broader class {o} includes {s}.',
    ],
    zh: [
      '{s}是{o}的一种。',
      '{s}属于{o}。',
      '{s}是{o}的一个亚型。',
      '在疾病分类中，{s}归属于{o}。',
      '{s}是一种{o}。',
      '{o}的亚型包括{s}。',
    ],
  },
  synonym: {
    en: [
      '{s} is also known as {o}.',
      '{s} is also called {o}.',
      'Another name for {s} is {o}.',
      '{o} is a synonym of {s}.',
      'The terms {s} and {o} are used interchangeably.',
    ],
    zh: [
      '{s}又称{o}。',
      '{s}也叫{o}。',
      '{s}的别名是{o}。',
      '{o}是{s}的同义词。',
      '{s}，又名{o}。',
    ],
  },
  icd10_code: {
    en: [
      'The ICD-10 code for {s} is {o}.',
      '{s} is classified under ICD-10 code {o}.',
      'In the ICD-10 classification, {s} corresponds to code {o}.',
      'ICD-10 code {o} is used to record {s}.',
      '{s} is assigned the ICD-10 code {o}.',
    ],
    zh: [
      '{s}的ICD-10编码为{o}。',
      '在ICD-10分类中，{s}的编码是{o}。',
      'ICD-10编码{o}对应的疾病是{s}。',
      '{s}在ICD-10中编码为{o}。',
      '{s}对应的ICD-10代码是{o}。',
    ],
  },
  has_symptom: {
    en: [
      'A common symptom of {s} is {o}.',
      '{s} often presents with {o}.',
      'Patients with {s} may experience {o}.',
      '{o} is a recognised symptom of {s}.',
      'Symptoms of {s} include {o}.',
      '{s} can manifest as {o}.',
    ],
    zh: [
      '{s}的常见症状包括{o}。',
      '{s}患者常出现{o}。',
      '{o}是{s}的典型症状之一。',
      '{s}可表现为{o}。',
      '{s}常伴有{o}等症状。',
    ],
  },
  treats: {
    en: [
      '{s} is used to treat {o}.',
      '{s} is indicated for the treatment of {o}.',
      '{o} can be treated with {s}.',
      '{s} is a disease-modifying therapy for {o}.',
      'Clinicians prescribe {s} to treat {o}.',
      '{s} is an established treatment for {o}.',
    ],
    zh: [
      '{s}可用于治疗{o}。',
      '{s}是治疗{o}的常用药物。',
      '{o}可以使用{s}进行治疗。',
      '{s}适用于{o}的治疗。',
      '临床上常用{s}治疗{o}。',
      '{s}对{o}具有治疗作用。',
    ],
  },
  symptomatic_relief: {
    en: [
      '{s} is used to relieve the symptoms of {o}.',
      '{s} provides symptomatic relief in {o}.',
      '{s} is given as symptomatic treatment for {o}.',
      'In {o}, {s} can ease the symptoms.',
      '{s} helps to alleviate symptoms of {o}.',
    ],
    zh: [
      '{s}可用于缓解{o}的症状。',
      '{s}用于{o}的对症治疗。',
      '{s}能够减轻{o}患者的症状。',
      '对于{o}，{s}可起到对症缓解作用。',
      '{s}可改善{o}的相关症状。',
    ],
  },
  not_indication: {
    en: [
      '{s} is not indicated for {o}.',
      '{s} is not used to treat {o}.',
      '{o} is not an indication for {s}.',
      '{s} should not be considered a treatment for {o}.',
      '{s} is not an appropriate therapy for {o}.',
    ],
    zh: [
      '{s}不适用于治疗{o}。',
      '{o}不是{s}的适应证。',
      '{s}不用于{o}的治疗。',
      '{s}并非治疗{o}的药物。',
      '临床上不推荐使用{s}治疗{o}。',
    ],
  },
  definition: {
    en: [
      '{s} is defined as {o_lc}.',
      '{s} refers to {o_lc}.',
      'Definition of {s}: {o}.',
      'Medically, {s} is described as {o_lc}.',
      'The term {s} denotes {o_lc}.',
    ],
    zh: [
      '{s}是指{o}。',
      '{s}的定义是：{o}。',
      '所谓{s}，是指{o}。',
      '{s}，即{o}。',
      '医学上，{s}被定义为{o}。',
    ],
  },
  translation: {
    en: [
      'The {lang} name for {s} is {o}.',
      'In {lang}, {s} is called {o}.',
      '{s} is translated into {lang} as {o}.',
      '{o} is the {lang} term for {s}.',
      '{s} is known in {lang} as {o}.',
    ],
    zh: [
      '{s}的{lang}名称是{o}。',
      '{s}译成{lang}为{o}。',
      '{o}是{s}的{lang}名称。',
      '{s}在{lang}中称为{o}。',
      '在{lang}中，{s}被称作{o}。',
    ],
  },
};

/**
 * Group templates for entity cards: one sentence that lists several objects of the same predicate (`{list}`).
 * `disease` variants are centred on the disease (the object of drug→disease triples); `drug` variants on the drug.
 */
export const GROUP_TEMPLATE_BANK: Readonly<Record<string, Readonly<Record<Language, readonly string[]>>>> = {
  is_a: {
    en: ['{s} is classified under {list}.', '{s} is a type of {list}.'],
    zh: ['{s}同时属于{list}。', '{s}归属于{list}。'],
  },
  synonym: {
    en: ['{s} is also known as {list}.', 'Other names for {s} include {list}.'],
    zh: ['{s}又称{list}。', '{s}的别名包括{list}。'],
  },
  icd10_code: {
    en: ['The ICD-10 codes for {s} are {list}.', '{s} is classified under the ICD-10 codes {list}.'],
    zh: ['{s}的ICD-10编码包括{list}。', '在ICD-10分类中，{s}对应的编码有{list}。'],
  },
  has_symptom: {
    en: ['Common symptoms of {s} include {list}.', 'Patients with {s} may experience {list}.'],
    zh: ['{s}的常见症状包括{list}。', '{s}患者可出现{list}等症状。'],
  },
  translation: {
    en: ['In other languages, {s} is called {list}.', '{s} is translated as {list}.'],
    zh: ['{s}的其他语言名称包括{list}。', '{s}在其他语言中称为{list}。'],
  },
  'treats:disease': {
    en: ['Drugs used to treat {s} include {list}.', '{s} can be treated with {list}.'],
    zh: ['治疗{s}的药物包括{list}。', '{s}可以使用{list}进行治疗。'],
  },
  'treats:drug': {
    en: ['{s} is used to treat {list}.', '{s} is indicated for the treatment of {list}.'],
    zh: ['{s}可用于治疗{list}。', '{s}适用于{list}的治疗。'],
  },
  'symptomatic_relief:disease': {
    en: ['For symptomatic relief of {s}, {list} may be used.', 'The symptoms of {s} can be relieved with {list}.'],
    zh: ['{list}可用于缓解{s}的症状。', '{s}的对症治疗药物包括{list}。'],
  },
  'symptomatic_relief:drug': {
    en: ['{s} is used to relieve the symptoms of {list}.', '{s} provides symptomatic relief in {list}.'],
    zh: ['{s}可用于缓解{list}的症状。', '{s}用于{list}的对症治疗。'],
  },
  'not_indication:disease': {
    en: ['{list} are not indicated for {s}.', '{list} are not used to treat {s}.'],
    zh: ['{list}不适用于治疗{s}。', '{list}均不是{s}的适应药物。'],
  },
  'not_indication:drug': {
    en: ['{s} is not indicated for {list}.', '{s} is not used to treat {list}.'],
    zh: ['{s}不适用于治疗{list}。', '{s}不用于{list}的治疗。'],
  },
};

/** All predicates, in the order entity cards use. */
export const TEMPLATE_PREDICATES: readonly Predicate[] = [
  'definition',
  'is_a',
  'synonym',
  'translation',
  'icd10_code',
  'has_symptom',
  'treats',
  'symptomatic_relief',
  'not_indication',
];

/**
 * The templates of one predicate and language.
 *
 * @param predicate - the predicate.
 * @param language - `en` or `zh`.
 * @throws TemplateError for an unknown predicate or language.
 */
export function templatesFor(predicate: Predicate, language: Language): Template[] {
  const bank = TEMPLATE_BANK[predicate]?.[language];
  if (!bank) {
    throw new TemplateError(`templatesFor: no templates for predicate ${JSON.stringify(predicate)} and language ${JSON.stringify(language)}`);
  }
  return bank.map((pattern, i) => ({ id: `${predicate}.${language}.${i}`, predicate, language, pattern }));
}

/**
 * Look a template up by its id (`treats.en.2`).
 *
 * @throws TemplateError when the id is malformed or unknown.
 */
export function templateById(id: string): Template {
  const m = /^([a-z0-9_]+)\.(en|zh)\.(\d+)$/.exec(id);
  const pattern = m ? TEMPLATE_BANK[m[1] as Predicate]?.[m[2] as Language]?.[Number(m[3])] : undefined;
  if (!m || pattern === undefined) throw new TemplateError(`templateById: unknown template id ${JSON.stringify(id)}`);
  return { id, predicate: m[1] as Predicate, language: m[2] as Language, pattern };
}

/**
 * Choose one template with a seed. The choice depends only on `seed` and `key` (e.g. a triple's
 * subject|predicate|object), not on the order in which triples are rendered, so filtering a batch does not change
 * the phrasing of the remaining facts.
 *
 * @param predicate - the predicate.
 * @param language - the output language.
 * @param seed - the seed.
 * @param key - a string identifying the item being rendered.
 */
export function chooseTemplate(predicate: Predicate, language: Language, seed: number, key: string): Template {
  const all = templatesFor(predicate, language);
  const rand = mulberry32(deriveSeed(seed, `${predicate}|${language}|${key}`));
  return all[Math.floor(rand() * all.length)] as Template;
}

/**
 * Choose one group template (entity cards) with a seed.
 *
 * @param group - a key of {@link GROUP_TEMPLATE_BANK}, e.g. `has_symptom` or `treats:disease`.
 * @returns the id (`group:<group>.<language>.<index>`) and pattern.
 * @throws TemplateError for an unknown group.
 */
export function chooseGroupTemplate(group: string, language: Language, seed: number, key: string): { id: string; pattern: string } {
  const bank = GROUP_TEMPLATE_BANK[group]?.[language];
  if (!bank || bank.length === 0) throw new TemplateError(`chooseGroupTemplate: unknown group ${JSON.stringify(group)}`);
  const rand = mulberry32(deriveSeed(seed, `group|${group}|${language}|${key}`));
  const i = Math.floor(rand() * bank.length);
  return { id: `group:${group}.${language}.${i}`, pattern: bank[i] as string };
}

/** Values for the placeholders of a template. */
export interface TemplateValues {
  s: string;
  o?: string;
  lang?: string;
  list?: string;
}

const PLACEHOLDER = /\{(s|o|o_lc|lang|list)\}/g;

/**
 * Fill a template's placeholders (one pass, so braces inside names are never re-substituted) and tidy the result:
 * the first letter of an English sentence is capitalised unless the first word is mixed-case (`mRNA`, `pH`).
 *
 * @param pattern - the template pattern.
 * @param values - the placeholder values.
 * @throws TemplateError when the pattern uses a placeholder that `values` does not provide.
 */
export function renderTemplate(pattern: string, values: TemplateValues): string {
  const out = pattern.replace(PLACEHOLDER, (_m, name: string) => {
    const v =
      name === 'o_lc' ? (values.o === undefined ? undefined : lowerFirst(values.o)) : values[name as keyof TemplateValues];
    if (v === undefined || v === '') {
      throw new TemplateError(`renderTemplate: placeholder {${name}} of ${JSON.stringify(pattern)} has no value`);
    }
    return v;
  });
  return capitalizeSentence(out);
}

/** Lower-case the first letter unless the first word is an acronym or mixed-case (`HIV`, `mRNA`). */
export function lowerFirst(text: string): string {
  const first = /^\S+/.exec(text)?.[0] ?? '';
  if (first.length > 1 && /[A-Z]/.test(first.slice(1))) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Capitalise the first letter of a sentence unless its first word is mixed-case (`mRNA`, `pH`). */
export function capitalizeSentence(text: string): string {
  const first = /^\S+/.exec(text)?.[0] ?? '';
  if (!/^[a-z]/.test(first) || /[A-Z]/.test(first.slice(1))) return text;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Remove trailing sentence punctuation and whitespace (so templates can add their own full stop). */
export function stripEndPunctuation(text: string): string {
  return text.trim().replace(/[\s.。;；,，!！?？:：]+$/u, '');
}

/**
 * Join a list the way running text does: `a, b and c` in English, `a、b和c` in Chinese.
 *
 * @param items - the items (at least one).
 * @param language - the output language.
 * @throws TemplateError when `items` is empty.
 */
export function formatList(items: readonly string[], language: Language): string {
  if (items.length === 0) throw new TemplateError('formatList: items must be non-empty');
  if (items.length === 1) return items[0] as string;
  const head = items.slice(0, -1);
  const last = items[items.length - 1] as string;
  return language === 'zh' ? `${head.join('、')}和${last}` : `${head.join(', ')} and ${last}`;
}

/**
 * The name of `language` written in `inLanguage`: `zh` in English is `Chinese`, `en` in Chinese is `英文`.
 */
export function languageLabel(language: Language, inLanguage: Language): string {
  const labels: Record<Language, Record<Language, string>> = {
    en: { en: 'English', zh: 'Chinese' },
    zh: { en: '英文', zh: '中文' },
  };
  return labels[inLanguage][language];
}
