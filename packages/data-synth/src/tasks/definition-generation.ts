/** Definition generation: define a disease (reference: the source definition). */
import { entityFact, makeSample, tr } from './common';
import type { TaskDefinition } from './types';

export const definitionGeneration: TaskDefinition = {
  name: 'definition_generation',
  dimension: 'generation',
  level: 'atomic',
  languages: ['en'],
  description: 'Write the definition of a disease.',
  candidates: (ctx) => ctx.graph.entities('disease').filter((e) => e.definition && e.language === ctx.language).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang } = ctx;
    const e = graph.entity(anchor);
    const name = graph.name(anchor, lang);
    if (!e?.definition || !name) return null;
    const prompt = tr(lang, `Give a concise medical definition of "${name}".`, `请给出“${name}”的简明医学定义。`);
    return makeSample(this, anchor, ctx, {
      prompt,
      response: e.definition,
      reference: { kind: 'text', value: e.definition },
      facts: [entityFact(ctx, anchor, 'definition', e.definition)],
      entityIds: [],
    });
  },
};
