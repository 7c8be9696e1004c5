/**
 * Sibling discrimination: "which of these is NOT a kind of P?" — options are children of P plus one child of a
 * sibling of P (a cousin), the odd one out.
 */
import { buildMultipleChoice, formatOptions, pickDistractors } from './exam';
import { answerLine, makeSample, tr } from './common';
import { pick, sample } from '../random';
import type { TaskDefinition } from './types';

export const siblingDiscrimination: TaskDefinition = {
  name: 'sibling_discrimination',
  dimension: 'analysis_reasoning',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Find the option that is not a subtype of a class among its true subtypes.',
  candidates: (ctx) =>
    ctx.graph
      .entities('disease')
      .filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.children(e.id).filter((c) => ctx.graph.name(c, ctx.language)).length >= 2)
      .map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    if (!name) return null;
    const kidsAll = graph.children(anchor).filter((c) => graph.name(c, lang) && graph.name(c, lang)!.toLowerCase() !== name.toLowerCase());
    const seen = new Set<string>();
    const kids = sample(kidsAll, kidsAll.length, rand).filter((c) => {
      const k = (graph.name(c, lang) as string).toLowerCase();
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const members = kids.slice(0, ctx.numOptions - 1);
    if (members.length < 2) return null;
    const under = new Set(graph.descendants(anchor));
    const memberNames = members.map((c) => graph.name(c, lang) as string);
    // The odd one out: a child of one of the class's siblings (a cousin of the members), never a descendant.
    const odd = pickDistractors(graph, [['cousin', graph.cousins(pick(members, rand))]], {
      count: 1,
      language: lang,
      rand,
      exclude: [anchor, ...under, ...graph.ancestors(anchor)],
      excludeTexts: [name, ...memberNames],
    })[0];
    if (!odd) return null;
    const mc = buildMultipleChoice({ text: odd.text, entityId: odd.id }, members.map((c, i) => ({ text: memberNames[i] as string, id: c })), rand);
    const oddParent = graph.parents(odd.id)[0];
    const facts = members.map((c) => graph.isaTriple(c, anchor));
    if (oddParent) facts.push(graph.isaTriple(odd.id, oddParent));
    const prompt = tr(lang, `Which of the following is NOT a type of ${name}?\n${formatOptions(mc.options)}`, `下列哪一项不属于${name}？\n${formatOptions(mc.options)}`);
    const why = oddParent && graph.name(oddParent, lang) ? `\n${ctx.render(graph.isaTriple(odd.id, oddParent), lang)}` : '';
    return makeSample(this, anchor, ctx, {
      prompt,
      response: `${answerLine(lang, mc.answer, odd.text)}${why}`,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts,
      entityIds: [odd.id, ...members],
    });
  },
};
