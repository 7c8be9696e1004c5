/** Structured JSON extraction of drugs (with disease and relation) from a short passage. */
import { makeSample, tr } from './common';
import { sample, shuffle } from '../random';
import type { Triple } from '../kg/types';
import type { DrugMention, TaskDefinition } from './types';

const REL = new Set(['treats', 'symptomatic_relief', 'not_indication']);

export const jsonDrugExtraction: TaskDefinition = {
  name: 'json_drug_extraction',
  dimension: 'comprehension',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Extract the drugs a passage mentions, with disease and relation, as a JSON array.',
  candidates: (ctx) =>
    [...new Set([...ctx.graph.objectsWith('treats'), ...ctx.graph.objectsWith('symptomatic_relief'), ...ctx.graph.objectsWith('not_indication')])]
      .filter((d) => ctx.graph.name(d, ctx.language))
      .sort(),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const all: Triple[] = [...graph.indications(anchor), ...graph.in(anchor, 'not_indication')].filter(
      (t) => REL.has(t.predicate) && graph.name(t.subject, lang),
    );
    // One mention per drug.
    const byDrug = new Map<string, Triple>();
    for (const t of all) if (!byDrug.has(t.subject)) byDrug.set(t.subject, t);
    const facts = sample([...byDrug.values()], 4, rand);
    if (facts.length === 0) return null;
    const sentences = facts.map((t) => ctx.render(t, lang));
    if (sentences.some((s) => !s)) return null;
    // A non-drug filler sentence (hierarchy or symptom) as noise.
    const filler = [...graph.out(anchor, 'is_a'), ...graph.out(anchor, 'has_symptom')].map((t) => ctx.render(t, lang)).filter(Boolean);
    const passage = shuffle([...sentences, ...filler.slice(0, 1)], rand).join(lang === 'zh' ? '' : ' ');
    const disease = graph.name(anchor, lang) as string;
    const value: DrugMention[] = facts.map((t) => ({
      drug: graph.name(t.subject, lang) as string,
      disease,
      relation: t.predicate as DrugMention['relation'],
    }));
    value.sort((a, b) => (a.drug < b.drug ? -1 : a.drug > b.drug ? 1 : 0));
    const prompt = tr(
      lang,
      `Extract every drug mentioned in the text below as a JSON array of objects with the keys "drug", "disease" and "relation" (one of "treats", "symptomatic_relief", "not_indication"). Output only the JSON.\n\nText: ${passage}`,
      `请从下面的文本中抽取所有提到的药物，输出JSON数组，每个对象包含"drug"、"disease"和"relation"（取值为"treats"、"symptomatic_relief"或"not_indication"）。只输出JSON。\n\n文本：${passage}`,
    );
    return makeSample(this, anchor, ctx, {
      prompt,
      response: JSON.stringify(value),
      reference: { kind: 'drug-json', value },
      facts,
      entityIds: facts.map((t) => t.subject),
    });
  },
};
