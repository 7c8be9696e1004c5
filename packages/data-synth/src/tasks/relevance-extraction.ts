/**
 * Relevance extraction: which passages answer a question about a disease? Hard negatives are other facts about the
 * same disease (another relation) and the same relation for related diseases.
 */
import { makeSample, tr } from './common';
import { buildPassages, formatPassages } from './passages';
import { pick, sample } from '../random';
import type { Predicate, Triple } from '../kg/types';
import type { TaskDefinition } from './types';

type Rel = 'has_symptom' | 'indication';

export const relevanceExtraction: TaskDefinition = {
  name: 'relevance_extraction',
  dimension: 'comprehension',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Select the passages relevant to a question among passages about the same and related diseases.',
  candidates: (ctx) =>
    ctx.graph
      .entities('disease')
      .filter((e) => ctx.graph.name(e.id, ctx.language) && (ctx.graph.out(e.id, 'has_symptom').length > 0 || ctx.graph.indications(e.id).length > 0))
      .map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    if (!name) return null;
    const rels: Rel[] = [];
    if (graph.out(anchor, 'has_symptom').length > 0) rels.push('has_symptom');
    if (graph.indications(anchor).length > 0) rels.push('indication');
    if (rels.length === 0) return null;
    const rel = pick(rels, rand);
    const factsOf = (d: string): Triple[] => (rel === 'has_symptom' ? graph.out(d, 'has_symptom') : graph.indications(d));
    const relevant = sample(factsOf(anchor), 2, rand);
    const otherPreds: Predicate[] = rel === 'has_symptom' ? ['treats', 'symptomatic_relief'] : ['has_symptom'];
    const sameEntity: Triple[] = [
      ...graph.parents(anchor).map((p) => graph.isaTriple(anchor, p)),
      ...graph.icd10Codes(anchor).map((c) => c.triple),
      ...otherPreds.flatMap((p) => (p === 'has_symptom' ? graph.out(anchor, p) : graph.in(anchor, p))),
    ];
    const related = [...graph.siblings(anchor), ...graph.cousins(anchor)].flatMap(factsOf);
    const set = buildPassages(ctx, relevant, [...sample(sameEntity, 2, rand), ...sample(related, 2, rand)]);
    if (!set) return null;
    const ask =
      rel === 'has_symptom'
        ? tr(lang, `What are the symptoms of ${name}?`, `${name}有哪些症状？`)
        : tr(lang, `Which drugs are used for ${name}?`, `哪些药物用于${name}？`);
    const cites = set.relevantNumbers.map((n) => `[${n}]`);
    const prompt = tr(
      lang,
      `Question: ${ask}\nWhich of the passages below are relevant to this question? List their numbers.\n\n${formatPassages(set)}`,
      `问题：${ask}\n下列哪些资料与该问题相关？请列出编号。\n\n${formatPassages(set)}`,
    );
    const response = tr(lang, `Relevant passages: ${cites.join(', ')}`, `相关资料：${cites.join('、')}`);
    return makeSample(this, anchor, ctx, {
      prompt,
      response,
      reference: { kind: 'keywords', value: cites },
      facts: set.passages.filter((p) => p.relevant).map((p) => p.triple),
      contextFacts: set.passages.map((p) => p.triple),
      entityIds: set.passages.flatMap((p) => [p.triple.subject, p.triple.object]).filter((x) => x !== anchor && graph.entity(x)),
    });
  },
};
