/**
 * False-premise refusal: a question that presupposes a false fact (a drug recorded as not indicated, a wrong class,
 * a wrong code). The response must reject the premise and state the correct fact; the reference keywords are that
 * correct fact (an indicated drug, the true class, the true code).
 */
import { hierarchyDistractors } from './exam';
import { makeSample, tr } from './common';
import { pick } from '../random';
import type { Triple } from '../kg/types';
import type { InstructionSample, TaskContext, TaskDefinition } from './types';

type Variant = 'drug' | 'class' | 'code';

export const falsePremiseRefusal: TaskDefinition = {
  name: 'false_premise_refusal',
  dimension: 'analysis_reasoning',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Reject a question built on a false premise and correct it.',
  candidates: (ctx) =>
    ctx.graph
      .entities('disease')
      .filter((e) => ctx.graph.name(e.id, ctx.language) && (ctx.graph.parents(e.id).length > 0 || ctx.graph.in(e.id, 'not_indication').length > 0))
      .map((e) => e.id),
  build(anchor, ctx) {
    const order = (['drug', 'class', 'code'] as Variant[]).map((v) => [v, ctx.rand()] as const).sort((a, b) => a[1] - b[1]);
    for (const [v] of order) {
      const s = buildVariant(this, anchor, v, ctx);
      if (s) return s;
    }
    return null;
  },
};

function buildVariant(def: TaskDefinition, anchor: string, v: Variant, ctx: TaskContext): InstructionSample | null {
  const { graph, language: lang, rand } = ctx;
  const name = graph.name(anchor, lang);
  if (!name) return null;
  if (v === 'drug') {
    const indicated = graph.indications(anchor).filter((t) => graph.name(t.subject, lang));
    const ids = new Set(indicated.map((t) => t.subject));
    const nots = graph.in(anchor, 'not_indication').filter((t) => !ids.has(t.subject) && graph.name(t.subject, lang));
    if (nots.length === 0 || indicated.length === 0) return null;
    const n = pick(nots, rand);
    const good = pick(indicated, rand);
    const drug = graph.name(n.subject, lang) as string;
    const goodName = graph.name(good.subject, lang) as string;
    return makeSample(def, anchor, ctx, {
      prompt: tr(lang, `Since ${drug} is a standard treatment for ${name}, what dose is usually prescribed?`, `既然${drug}是${name}的标准治疗药物，通常的剂量是多少？`),
      response: tr(
        lang,
        `The premise is incorrect: ${drug} is not indicated for ${name}, so no dose for this use can be recommended. A drug that is indicated is ${goodName}; ${ctx.render(good, lang)}`,
        `该问题的前提不正确：${drug}不适用于治疗${name}，因此无法给出该用途的剂量。适用的药物如${goodName}；${ctx.render(good, lang)}`,
      ),
      reference: { kind: 'keywords', value: [goodName] },
      facts: [n, good],
      entityIds: [n.subject, good.subject],
      variant: 'drug',
    });
  }
  if (v === 'class') {
    const parents = graph.parents(anchor).filter((p) => graph.name(p, lang) && graph.name(p, lang)!.toLowerCase() !== name.toLowerCase());
    if (parents.length === 0) return null;
    const parent = pick(parents, rand);
    const wrong = hierarchyDistractors(graph, parent, {
      count: 1,
      language: lang,
      rand,
      exclude: [anchor, ...graph.ancestors(anchor), ...graph.descendants(anchor)],
      excludeTexts: [name, ...graph.ancestors(anchor).map((a) => graph.name(a, lang) ?? '')].filter(Boolean),
    })[0];
    if (!wrong) return null;
    const pname = graph.name(parent, lang) as string;
    const fact = graph.isaTriple(anchor, parent);
    return makeSample(def, anchor, ctx, {
      prompt: tr(lang, `Because ${name} is a form of ${wrong.text}, what does it have in common with other forms of ${wrong.text}?`, `既然${name}是${wrong.text}的一种，它与其他${wrong.text}有什么共同点？`),
      response: tr(
        lang,
        `The premise is incorrect: ${name} is not classified as a form of ${wrong.text}. ${ctx.render(fact, lang)}`,
        `该问题的前提不正确：${name}并不属于${wrong.text}。${ctx.render(fact, lang)}`,
      ),
      reference: { kind: 'keywords', value: [pname] },
      facts: [fact],
      entityIds: [parent, wrong.id],
      variant: 'class',
    });
  }
  const own = graph.icd10Codes(anchor);
  if (own.length === 0) return null;
  const ownSet = new Set(own.map((c) => c.code));
  const others = [...new Set([...graph.siblings(anchor), ...graph.cousins(anchor)].flatMap((d) => graph.icd10Codes(d).map((c) => c.code)))].filter((c) => !ownSet.has(c)).sort();
  if (others.length === 0) return null;
  const wrong = pick(others, rand);
  const truth: Triple = pick(own, rand).triple;
  const code = own.find((c) => c.triple === truth)!.code;
  return makeSample(def, anchor, ctx, {
    prompt: tr(lang, `${name} is coded as ${wrong} in ICD-10-CM. Which chapter does that put it in?`, `${name}在ICD-10中编码为${wrong}，它属于哪一章？`),
    response: tr(lang, `The premise is incorrect: ${name} is not coded as ${wrong}. ${ctx.render(truth, lang)}`, `该问题的前提不正确：${name}的编码不是${wrong}。${ctx.render(truth, lang)}`),
    reference: { kind: 'keywords', value: [code] },
    facts: [truth],
    entityIds: [],
    variant: 'code',
  });
}
