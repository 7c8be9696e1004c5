/** Definition matching: which term a definition describes (distractors: siblings/cousins). */
import { buildMultipleChoice, formatOptions, hierarchyDistractors } from './exam';
import { answerLine, entityFact, makeSample, tr } from './common';
import type { TaskDefinition } from './types';

/** The definition with the term's own names masked, so the question is not answered by string matching. */
export function maskedDefinition(def: string, names: readonly string[]): string {
  let out = def;
  for (const n of [...names].sort((a, b) => b.length - a.length)) {
    if (n.length < 3) continue;
    out = out.replace(new RegExp(n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '___');
  }
  return out;
}

export const definitionMatching: TaskDefinition = {
  name: 'definition_matching',
  dimension: 'comprehension',
  level: 'atomic',
  languages: ['en'],
  description: 'Choose the disease that a definition describes.',
  candidates: (ctx) => ctx.graph.entities('disease').filter((e) => e.definition && e.language === ctx.language).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const e = graph.entity(anchor);
    const name = graph.name(anchor, lang);
    if (!e?.definition || !name) return null;
    const ds = hierarchyDistractors(graph, anchor, { count: ctx.numOptions - 1, language: lang, rand, excludeTexts: graph.allNames(anchor), fallbackKind: 'disease' });
    if (ds.length < 1) return null;
    const mc = buildMultipleChoice({ text: name, entityId: anchor }, ds, rand);
    const def = maskedDefinition(e.definition, graph.allNames(anchor));
    const prompt = tr(lang, `Which term matches this definition?\n"${def}"\n${formatOptions(mc.options)}`, `下列哪个术语符合这一定义？\n“${def}”\n${formatOptions(mc.options)}`);
    return makeSample(this, anchor, ctx, {
      prompt,
      response: answerLine(lang, mc.answer, name),
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: [entityFact(ctx, anchor, 'definition', e.definition)],
      entityIds: ds.map((d) => d.id),
    });
  },
};
