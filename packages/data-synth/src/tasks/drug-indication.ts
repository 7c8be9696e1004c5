/**
 * Drug-indication multiple choice: which drug is indicated for a disease. Distractors are drugs indicated for the
 * disease's siblings, then cousins, then drugs recorded as not indicated for it, then (only when needed) other drugs.
 */
import { buildMultipleChoice, formatOptions, pickDistractors } from './exam';
import { answerLine, makeSample, tr } from './common';
import { pick } from '../random';
import type { TaskDefinition } from './types';

export const drugIndicationMc: TaskDefinition = {
  name: 'drug_indication_mc',
  dimension: 'knowledge_application',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Choose the drug indicated for a disease among drugs for related diseases.',
  candidates: (ctx) =>
    ctx.graph
      .entities('disease')
      .filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.indications(e.id).some((t) => ctx.graph.name(t.subject, ctx.language)))
      .map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const ind = graph.indications(anchor).filter((t) => graph.name(t.subject, lang));
    if (!name || ind.length === 0) return null;
    const fact = pick(ind, rand);
    const drug = graph.name(fact.subject, lang) as string;
    const indicated = new Set(graph.indications(anchor).map((t) => t.subject));
    const drugsFor = (ids: string[]) => ids.flatMap((d) => graph.indications(d).map((t) => t.subject));
    const ds = pickDistractors(
      graph,
      [
        ['sibling', drugsFor(graph.siblings(anchor))],
        ['cousin', drugsFor(graph.cousins(anchor))],
        ['related', graph.in(anchor, 'not_indication').map((t) => t.subject)],
      ],
      { count: ctx.numOptions - 1, language: lang, rand, exclude: indicated, excludeTexts: [drug], fallbackKind: 'drug' },
    );
    if (ds.length < 1) return null;
    const mc = buildMultipleChoice({ text: drug, entityId: fact.subject }, ds, rand);
    const prompt = tr(lang, `Which of the following drugs is indicated for ${name}?\n${formatOptions(mc.options)}`, `下列哪种药物可用于治疗${name}？\n${formatOptions(mc.options)}`);
    return makeSample(this, anchor, ctx, {
      prompt,
      response: `${answerLine(lang, mc.answer, drug)}\n${ctx.render(fact, lang)}`,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: [fact],
      entityIds: [fact.subject, ...ds.map((d) => d.id)],
    });
  },
};
