/**
 * Factual consistency judgment: is a statement consistent with medical knowledge? True statements come from the
 * graph; false ones swap the object for a plausible wrong one (a sibling class, a code of a related disease, or a
 * drug recorded as not indicated). Symptoms are only used for true statements (absence from the graph is not
 * evidence of absence).
 */
import { hierarchyDistractors } from './exam';
import { makeSample, tr } from './common';
import { pick } from '../random';
import type { Triple } from '../kg/types';
import type { TaskContext, TaskDefinition } from './types';

type Kind = 'is_a' | 'icd10_code' | 'indication' | 'has_symptom';

function falseVariant(anchor: string, kind: Kind, ctx: TaskContext): { claim: Triple; truth: Triple[] } | null {
  const { graph, language: lang, rand } = ctx;
  if (kind === 'is_a') {
    const parents = graph.parents(anchor).filter((p) => graph.name(p, lang) && graph.name(p, lang) !== graph.name(anchor, lang));
    if (parents.length === 0) return null;
    const parent = pick(parents, rand);
    const wrong = hierarchyDistractors(graph, parent, {
      count: 1,
      language: lang,
      rand,
      exclude: [anchor, ...graph.ancestors(anchor), ...graph.descendants(anchor)],
      excludeTexts: [graph.name(anchor, lang) ?? '', ...graph.ancestors(anchor).map((a) => graph.name(a, lang) ?? '')].filter(Boolean),
    })[0];
    if (!wrong) return null;
    return { claim: { ...graph.isaTriple(anchor, parent), object: wrong.id }, truth: [graph.isaTriple(anchor, parent)] };
  }
  if (kind === 'icd10_code') {
    const own = graph.icd10Codes(anchor);
    const ownSet = new Set(own.map((c) => c.code));
    const others = [...graph.siblings(anchor), ...graph.cousins(anchor)].flatMap((d) => graph.icd10Codes(d).map((c) => c.code)).filter((c) => !ownSet.has(c));
    if (others.length === 0 || own.length === 0) return null;
    const truth = pick(own, rand).triple;
    return { claim: { ...truth, object: pick([...new Set(others)].sort(), rand) }, truth: own.map((c) => c.triple) };
  }
  if (kind === 'indication') {
    const indicated = new Set(graph.indications(anchor).map((t) => t.subject));
    const nots = graph.in(anchor, 'not_indication').filter((t) => !indicated.has(t.subject) && graph.name(t.subject, lang));
    if (nots.length === 0) return null;
    const n = pick(nots, rand);
    return { claim: { ...n, predicate: 'treats' }, truth: [n] };
  }
  return null;
}

function trueVariant(anchor: string, kind: Kind, ctx: TaskContext): Triple | null {
  const { graph, language: lang, rand } = ctx;
  const pool: Triple[] =
    kind === 'is_a'
      ? graph.parents(anchor).filter((p) => graph.name(p, lang) !== graph.name(anchor, lang)).map((p) => graph.isaTriple(anchor, p))
      : kind === 'icd10_code'
        ? graph.icd10Codes(anchor).map((c) => c.triple)
        : kind === 'indication'
          ? graph.indications(anchor)
          : graph.out(anchor, 'has_symptom');
  const named = pool.filter((t) => ctx.render(t, lang));
  return named.length ? pick(named, rand) : null;
}

export const factualConsistency: TaskDefinition = {
  name: 'factual_consistency',
  dimension: 'analysis_reasoning',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Judge whether a medical statement is factually consistent (yes/no) and correct it if not.',
  candidates: (ctx) => ctx.graph.entities('disease').filter((e) => ctx.graph.name(e.id, ctx.language)).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const kinds: Kind[] = ['is_a', 'icd10_code', 'indication', 'has_symptom'];
    const wantTrue = rand() < 0.5;
    const order = kinds.map((k) => [k, rand()] as const).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
    for (const kind of order) {
      if (wantTrue) {
        const t = trueVariant(anchor, kind, ctx);
        if (!t) continue;
        const statement = ctx.render(t, lang);
        const prompt = tr(lang, `Is the following statement factually correct? Answer yes or no, then explain.\nStatement: ${statement}`, `以下陈述是否符合事实？请回答“是”或“否”，并说明理由。\n陈述：${statement}`);
        const response = tr(lang, `Yes. ${statement}`, `是。${statement}`);
        return makeSample(this, anchor, ctx, { prompt, response, reference: { kind: 'yes-no-maybe', value: 'yes' }, facts: [t], entityIds: [t.subject === anchor ? t.object : t.subject].filter((x) => graph.entity(x)), variant: 'true' });
      }
      if (kind === 'has_symptom') continue;
      const f = falseVariant(anchor, kind, ctx);
      if (!f) continue;
      const statement = ctx.render(f.claim, lang);
      const correction = f.truth.map((t) => ctx.render(t, lang)).filter(Boolean).join(lang === 'zh' ? '' : ' ');
      if (!statement || !correction) continue;
      const prompt = tr(lang, `Is the following statement factually correct? Answer yes or no, then explain.\nStatement: ${statement}`, `以下陈述是否符合事实？请回答“是”或“否”，并说明理由。\n陈述：${statement}`);
      const response = tr(lang, `No. ${correction}`, `否。${correction}`);
      return makeSample(this, anchor, ctx, {
        prompt,
        response,
        reference: { kind: 'yes-no-maybe', value: 'no' },
        facts: f.truth,
        entityIds: [f.claim.subject === anchor ? f.claim.object : f.claim.subject].filter((x) => graph.entity(x)),
        variant: 'false',
      });
    }
    return null;
  },
};
