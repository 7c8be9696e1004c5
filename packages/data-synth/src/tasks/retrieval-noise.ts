/**
 * Retrieval noise resistance with citations: one relevant passage among distractor passages about related diseases
 * (same relation, siblings and cousins); the answer must be correct and cite the relevant passage as `[n]`.
 */
import { makeSample, tr } from './common';
import { buildPassages, formatPassages } from './passages';
import { pick, sample } from '../random';
import type { Triple } from '../kg/types';
import type { TaskContext, TaskDefinition } from './types';

type Q = 'code' | 'class' | 'drug';

function question(ctx: TaskContext, anchor: string, q: Q): { fact: Triple; answer: string; noise: Triple[]; ask: string } | null {
  const { graph, language: lang, rand } = ctx;
  const name = graph.name(anchor, lang) as string;
  const related = [...graph.siblings(anchor), ...graph.cousins(anchor)];
  if (q === 'code') {
    const own = graph.icd10Codes(anchor);
    if (own.length === 0) return null;
    const c = pick(own, rand);
    const ownSet = new Set(own.map((x) => x.code));
    const noise = related.flatMap((d) => graph.icd10Codes(d).filter((x) => !ownSet.has(x.code)).map((x) => x.triple));
    return { fact: c.triple, answer: c.code, noise, ask: tr(lang, `What is the ICD-10-CM code of ${name}?`, `${name}的ICD-10编码是什么？`) };
  }
  if (q === 'class') {
    const ps = graph.parents(anchor).filter((p) => graph.name(p, lang));
    if (ps.length === 0) return null;
    const p = pick(ps, rand);
    const noise = graph.siblings(anchor).flatMap((s) => graph.parents(s).filter((x) => x !== p).map((x) => graph.isaTriple(s, x)));
    const cousins = graph.cousins(anchor).flatMap((c) => graph.parents(c).map((x) => graph.isaTriple(c, x)));
    return { fact: graph.isaTriple(anchor, p), answer: graph.name(p, lang) as string, noise: [...noise, ...cousins], ask: tr(lang, `What kind of disease is ${name}?`, `${name}属于哪一类疾病？`) };
  }
  const ind = graph.indications(anchor).filter((t) => graph.name(t.subject, lang));
  if (ind.length === 0) return null;
  const f = pick(ind, rand);
  const own = new Set(graph.indications(anchor).map((t) => t.subject));
  const noise = related.flatMap((d) => graph.indications(d)).filter((t) => !own.has(t.subject));
  return { fact: f, answer: graph.name(f.subject, lang) as string, noise, ask: tr(lang, `Name a drug that is used for ${name}.`, `请说出一种用于${name}的药物。`) };
}

export const retrievalNoiseCitation: TaskDefinition = {
  name: 'retrieval_noise_citation',
  dimension: 'analysis_reasoning',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Answer from retrieved passages that include distractors about related diseases, citing the passage used.',
  candidates: (ctx) => ctx.graph.entities('disease').filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.parents(e.id).length > 0).map((e) => e.id),
  build(anchor, ctx) {
    const { language: lang, rand } = ctx;
    const order = (['code', 'class', 'drug'] as Q[]).map((q) => [q, rand()] as const).sort((a, b) => a[1] - b[1]);
    for (const [q] of order) {
      const qq = question(ctx, anchor, q);
      if (!qq) continue;
      const set = buildPassages(ctx, [qq.fact], sample(qq.noise, Math.max(2, ctx.numOptions - 1), rand));
      if (!set) continue;
      const n = set.relevantNumbers[0] as number;
      const prompt = tr(
        lang,
        `Answer the question using only the passages below, and cite the passage you used as [n]. Some passages are irrelevant.\n\n${formatPassages(set)}\n\nQuestion: ${qq.ask}`,
        `请仅根据下列资料回答问题，并用[n]标注所依据的资料编号。部分资料与问题无关。\n\n${formatPassages(set)}\n\n问题：${qq.ask}`,
      );
      const response = `${set.passages.find((p) => p.n === n)!.text} [${n}]`;
      return makeSample(this, anchor, ctx, {
        prompt,
        response,
        reference: { kind: 'keywords', value: [qq.answer, `[${n}]`] },
        facts: [qq.fact],
        contextFacts: set.passages.map((p) => p.triple),
        entityIds: set.passages.flatMap((p) => [p.triple.subject, p.triple.object]).filter((x) => x !== anchor && ctx.graph.entity(x)),
        variant: q,
      });
    }
    return null;
  },
};
