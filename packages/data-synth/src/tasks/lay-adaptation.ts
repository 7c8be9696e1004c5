/**
 * Terminology adaptation for a lay audience: explain a disease to a patient in plain words. The reference keywords
 * are the facts the explanation must keep (the broader class and the symptoms).
 */
import { joinList, makeSample, tr } from './common';
import { sample } from '../random';
import type { Triple } from '../kg/types';
import type { TaskDefinition } from './types';

export const layTerminologyAdaptation: TaskDefinition = {
  name: 'lay_terminology_adaptation',
  dimension: 'generation',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Explain a disease to a patient without jargon, keeping its class and symptoms.',
  candidates: (ctx) =>
    ctx.graph
      .entities('disease')
      .filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.parents(e.id).length > 0 && ctx.graph.out(e.id, 'has_symptom').length > 0)
      .map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const parent = graph.parents(anchor).find((p) => graph.name(p, lang));
    const sym = sample(graph.namedOut(anchor, 'has_symptom', lang), 3, rand);
    if (!name || !parent || sym.length === 0) return null;
    const pname = graph.name(parent, lang) as string;
    const snames = sym.map((t) => graph.name(t.object, lang) as string);
    const drugs = graph.indications(anchor).filter((t) => graph.name(t.subject, lang)).slice(0, 2);
    const facts: Triple[] = [graph.isaTriple(anchor, parent), ...sym, ...drugs];
    const prompt = tr(
      lang,
      `A patient has just been told they have "${name}". Explain what this means in plain language, avoiding medical jargon.`,
      `一位患者刚被诊断为“${name}”。请用通俗易懂的语言向他解释这是什么病，避免使用专业术语。`,
    );
    const drugLine = drugs.length
      ? tr(lang, ` Doctors may prescribe medicines such as ${joinList(drugs.map((t) => graph.name(t.subject, lang) as string), lang)}.`, `医生可能会开${joinList(drugs.map((t) => graph.name(t.subject, lang) as string), lang)}等药物。`)
      : '';
    const response = tr(
      lang,
      `"${name}" is the medical name for a condition that belongs to the group of ${pname}. People who have it may notice ${joinList(snames, lang)}.${drugLine} If you notice these signs getting worse, talk to your doctor.`,
      `“${name}”是一种疾病的医学名称，属于${pname}这一类。得了这种病的人可能会出现${joinList(snames, lang)}。${drugLine}如果这些情况加重，请及时就医。`,
    );
    return makeSample(this, anchor, ctx, {
      prompt,
      response,
      reference: { kind: 'keywords', value: [pname, ...snames] },
      facts,
      entityIds: [parent, ...sym.map((t) => t.object), ...drugs.map((t) => t.subject)],
    });
  },
};
