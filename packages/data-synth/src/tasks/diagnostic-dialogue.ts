/**
 * Multi-turn diagnostic dialogue: the patient reports a symptom, the doctor asks about further symptoms, the
 * patient confirms, and the doctor names the most consistent diagnosis (reference keyword: the disease name).
 */
import { joinList, makeSample, tr } from './common';
import { sample } from '../random';
import type { Triple } from '../kg/types';
import type { ChatMessage, TaskDefinition } from './types';

export const diagnosticDialogue: TaskDefinition = {
  name: 'diagnostic_dialogue',
  dimension: 'analysis_reasoning',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'A multi-turn doctor–patient dialogue that gathers symptoms and ends with a diagnosis.',
  candidates: (ctx) =>
    ctx.graph
      .subjectsWith('has_symptom')
      .filter((d) => ctx.graph.name(d, ctx.language) && ctx.graph.namedOut(d, 'has_symptom', ctx.language).length >= 2),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const sym = sample(graph.namedOut(anchor, 'has_symptom', lang), 3, rand);
    if (!name || sym.length < 2) return null;
    const s = sym.map((t) => graph.name(t.object, lang) as string);
    const code = graph.icd10Codes(anchor)[0];
    const facts: Triple[] = [...sym, ...(code ? [code.triple] : [])];
    const rest = s.slice(1);
    const messages: ChatMessage[] = [
      { role: 'system', content: tr(lang, 'You are a careful physician taking a history.', '你是一名认真问诊的医生。') },
      { role: 'user', content: tr(lang, `Doctor, I have been having ${s[0]}.`, `医生，我最近一直${s[0]}。`) },
      { role: 'assistant', content: tr(lang, `I see. Have you also noticed ${joinList(rest, lang).replace(/ and /, ' or ')}?`, `明白了。您是否还有${rest.join('或')}？`) },
      { role: 'user', content: tr(lang, `Yes, I have ${joinList(rest, lang)} as well.`, `是的，我也有${joinList(rest, lang)}。`) },
      {
        role: 'assistant',
        content: tr(
          lang,
          `${joinList(s, lang)[0]?.toUpperCase()}${joinList(s, lang).slice(1)} together are consistent with ${name}${code ? ` (ICD-10-CM ${code.code})` : ''}. This needs to be confirmed by an examination and tests, so please see a doctor in person.`,
          `${joinList(s, lang)}同时出现，与${name}${code ? `（ICD-10编码${code.code}）` : ''}相符。需要通过体格检查和相关检验确诊，请及时到医院就诊。`,
        ),
      },
    ];
    return makeSample(this, anchor, ctx, {
      messages,
      reference: { kind: 'keywords', value: [name] },
      facts,
      entityIds: sym.map((t) => t.object),
    });
  },
};
