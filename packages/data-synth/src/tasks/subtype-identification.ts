/** Subtype identification: which option is a kind of a class (distractors: children of the class's siblings). */
import { buildMultipleChoice, formatOptions, pickDistractors } from './exam';
import { answerLine, makeSample, tr } from './common';
import { pick } from '../random';
import type { TaskDefinition } from './types';

export const subtypeIdentification: TaskDefinition = {
  name: 'subtype_identification',
  dimension: 'knowledge_application',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Choose the subtype of a disease class among diseases of neighbouring classes.',
  candidates: (ctx) =>
    ctx.graph.entities('disease').filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.children(e.id).some((c) => ctx.graph.name(c, ctx.language))).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const kids = graph.children(anchor).filter((c) => { const n = graph.name(c, lang); return n && n.toLowerCase() !== name?.toLowerCase(); });
    if (!name || kids.length === 0) return null;
    const child = pick(kids, rand);
    const cname = graph.name(child, lang) as string;
    const under = new Set(graph.descendants(anchor));
    const ds = pickDistractors(
      graph,
      [
        ['cousin', graph.cousins(child)],
        ['sibling', graph.siblings(anchor)],
      ],
      { count: ctx.numOptions - 1, language: lang, rand, exclude: [anchor, child, ...under, ...graph.ancestors(anchor)], excludeTexts: [cname, name], fallbackKind: 'disease' },
    );
    if (ds.length < 1) return null;
    const mc = buildMultipleChoice({ text: cname, entityId: child }, ds, rand);
    const fact = graph.isaTriple(child, anchor);
    const prompt = tr(lang, `Which of the following is a type of ${name}?\n${formatOptions(mc.options)}`, `下列哪一项属于${name}？\n${formatOptions(mc.options)}`);
    return makeSample(this, anchor, ctx, {
      prompt,
      response: `${answerLine(lang, mc.answer, cname)}\n${ctx.render(fact, lang)}`,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: [fact],
      entityIds: [child, ...ds.map((d) => d.id)],
    });
  },
};
