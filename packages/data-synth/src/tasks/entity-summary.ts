/** Entity summary: write a short encyclopedic entry from several facts (class, synonyms, code, symptoms, drugs). */
import { makeSample, tr } from './common';
import type { Triple } from '../kg/types';
import type { TaskDefinition } from './types';

export const entitySummary: TaskDefinition = {
  name: 'entity_summary',
  dimension: 'generation',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Write a short encyclopedic entry about a disease that states its class, code, symptoms and treatments.',
  candidates: (ctx) =>
    ctx.graph
      .entities('disease')
      .filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.parents(e.id).length > 0 && (ctx.graph.icd10Codes(e.id).length > 0 || ctx.graph.out(e.id, 'has_symptom').length > 0))
      .map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang } = ctx;
    const name = graph.name(anchor, lang);
    const parent = graph.parents(anchor).find((p) => graph.name(p, lang));
    if (!name || !parent) return null;
    const facts: Triple[] = [graph.isaTriple(anchor, parent)];
    const keywords = [graph.name(parent, lang) as string];
    const code = graph.icd10Codes(anchor)[0];
    if (code) {
      facts.push(code.triple);
      keywords.push(code.code);
    }
    for (const t of graph.namedOut(anchor, 'has_symptom', lang).slice(0, 3)) facts.push(t);
    for (const t of graph.indications(anchor).filter((x) => graph.name(x.subject, lang)).slice(0, 2)) facts.push(t);
    const sentences = facts.map((t) => ctx.render(t, lang)).filter(Boolean);
    const prompt = tr(
      lang,
      `Write a short encyclopedic entry about ${name}: its class, ICD-10-CM code, main symptoms and treatments, as far as they are known.`,
      `请为${name}写一段简短的百科条目：包括其分类、ICD-10编码、主要症状和治疗药物（如已知）。`,
    );
    return makeSample(this, anchor, ctx, {
      prompt,
      response: sentences.join(lang === 'zh' ? '' : ' '),
      reference: { kind: 'keywords', value: keywords },
      facts,
      entityIds: [parent, ...facts.slice(1).map((t) => (t.subject === anchor ? t.object : t.subject)).filter((x) => graph.entity(x))],
    });
  },
};
