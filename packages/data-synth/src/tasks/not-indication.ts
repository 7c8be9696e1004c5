/** Not-an-indication detection: which drug is NOT indicated for a disease (other options: its indicated drugs). */
import { buildMultipleChoice, formatOptions } from './exam';
import { answerLine, makeSample, tr } from './common';
import { pick, sample } from '../random';
import type { TaskDefinition } from './types';

export const notIndicationDetection: TaskDefinition = {
  name: 'not_indication_detection',
  dimension: 'knowledge_application',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Spot the drug recorded as not indicated for a disease among drugs that are indicated for it.',
  candidates: (ctx) =>
    ctx.graph
      .objectsWith('not_indication')
      .filter((d) => ctx.graph.name(d, ctx.language) && ctx.graph.indications(d).length > 0),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const indicated = graph.indications(anchor);
    const indicatedIds = new Set(indicated.map((t) => t.subject));
    // A drug both indicated and "not indicated" (different sources) would be ambiguous.
    const nots = graph.in(anchor, 'not_indication').filter((t) => graph.name(t.subject, lang) && !indicatedIds.has(t.subject));
    if (!name || nots.length === 0) return null;
    const notFact = pick(nots, rand);
    const notName = graph.name(notFact.subject, lang) as string;
    const seen = new Set([notName.toLowerCase()]);
    const pool = indicated.filter((t) => {
      const n = graph.name(t.subject, lang);
      if (!n || seen.has(n.toLowerCase())) return false;
      seen.add(n.toLowerCase());
      return true;
    });
    const chosen = sample(pool, ctx.numOptions - 1, rand);
    if (chosen.length < 1) return null;
    const mc = buildMultipleChoice(
      { text: notName, entityId: notFact.subject },
      chosen.map((t) => ({ text: graph.name(t.subject, lang) as string, id: t.subject })),
      rand,
    );
    const prompt = tr(lang, `Which of the following drugs is NOT indicated for ${name}?\n${formatOptions(mc.options)}`, `下列哪种药物不适用于治疗${name}？\n${formatOptions(mc.options)}`);
    return makeSample(this, anchor, ctx, {
      prompt,
      response: `${answerLine(lang, mc.answer, notName)}\n${ctx.render(notFact, lang)}`,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: [notFact, ...chosen],
      entityIds: [notFact.subject, ...chosen.map((t) => t.subject)],
    });
  },
};
