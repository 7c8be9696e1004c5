/** ICD-10-CM chapter classification of a diagnosis (distractors: neighbouring chapters). */
import { buildMultipleChoice, formatOptions } from './exam';
import { ICD10CM_CHAPTERS, answerLine, icd10cmChapterOf, makeSample, tr } from './common';
import { pick, shuffle } from '../random';
import type { TaskDefinition } from './types';

export const chapterClassification: TaskDefinition = {
  name: 'chapter_classification',
  dimension: 'knowledge_application',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Choose the ICD-10-CM chapter in which a diagnosis is classified.',
  candidates: (ctx) =>
    ctx.graph
      .entities('disease')
      .filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.icd10Codes(e.id).some((c) => icd10cmChapterOf(c.code)))
      .map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const withChapter = graph.icd10Codes(anchor).filter((c) => icd10cmChapterOf(c.code));
    if (!name || withChapter.length === 0) return null;
    // A disease whose codes span several chapters would be ambiguous.
    const chapters = new Set(withChapter.map((c) => icd10cmChapterOf(c.code)?.num));
    if (chapters.size !== 1) return null;
    const { code, triple } = pick(withChapter, rand);
    const ch = icd10cmChapterOf(code)!;
    const title = (c: (typeof ICD10CM_CHAPTERS)[number]) => `${tr(lang, 'Chapter ', '第')}${c.num}${tr(lang, ': ', '章：')}${lang === 'zh' ? c.zh : c.en}`;
    // Plausible distractors: the nearest chapters by number, then the rest.
    const others = ICD10CM_CHAPTERS.filter((c) => c.num !== ch.num).sort((a, b) => Math.abs(a.num - ch.num) - Math.abs(b.num - ch.num) || a.num - b.num);
    const near = shuffle(others.slice(0, Math.max(ctx.numOptions + 1, 4)), rand).slice(0, ctx.numOptions - 1);
    const mc = buildMultipleChoice({ text: title(ch) }, near.map((c) => ({ text: title(c) })), rand);
    const prompt = tr(
      lang,
      `In which ICD-10-CM chapter is "${name}" classified?\n${formatOptions(mc.options)}`,
      `“${name}”在ICD-10中归入哪一章？\n${formatOptions(mc.options)}`,
    );
    const response = `${answerLine(lang, mc.answer, title(ch))}\n${tr(lang, `Its code ${code} lies in the range ${ch.start}–${ch.end}.`, `其编码${code}位于${ch.start}–${ch.end}范围内。`)}`;
    return makeSample(this, anchor, ctx, { prompt, response, reference: { kind: 'multiple-choice', value: mc.answer }, options: mc.options, facts: [triple], entityIds: [] });
  },
};
