/** Chinese ↔ English term translation (the target language is the sample language). */
import { entityFact, makeSample, tr } from './common';
import type { Language } from '../kg/types';
import type { TaskDefinition } from './types';

const other = (l: Language): Language => (l === 'zh' ? 'en' : 'zh');

export const termTranslation: TaskDefinition = {
  name: 'term_translation',
  dimension: 'generation',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Translate a medical term from the other language into the sample language.',
  candidates: (ctx) =>
    ctx.graph.entities().filter((e) => ctx.graph.name(e.id, 'en') && ctx.graph.name(e.id, 'zh')).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang } = ctx;
    const target = graph.name(anchor, lang);
    const src = graph.name(anchor, other(lang));
    if (!target || !src) return null;
    const prompt = tr(lang, `Translate the Chinese medical term "${src}" into English.`, `请将英文医学术语“${src}”翻译成中文。`);
    const e = graph.entity(anchor)!;
    const fact = e.language === lang ? entityFact(ctx, anchor, 'translation', src, other(lang)) : entityFact(ctx, anchor, 'translation', target, lang);
    return makeSample(this, anchor, ctx, { prompt, response: target, reference: { kind: 'text', value: target }, facts: [fact], entityIds: [] });
  },
};
