/**
 * The verifiable task of the learning test, built from the shipped knowledge-graph subset of
 * `@quarkmed/data-synth` (Disease Ontology diseases with their ICD-10-CM codes): "which of these codes is in the
 * same ICD-10-CM chapter as this disease's code?", four options, answer as JSON (`{"answer": "B"}`).
 *
 * Why this task and not drug indication: the held-out questions are about diseases never seen in training, and
 * which drug treats an unseen disease cannot be inferred from the prompt by a tiny model. Here it can, by a rule:
 * the correct option is the code of another disease of the question's chapter that starts with the same letter,
 * and every distractor is a code of a disease of another chapter whose first letter differs. A model that learns
 * "answer the letter of the option whose first character matches the question code's first character" is right
 * on unseen diseases; nothing about the training diseases themselves helps.
 *
 * Splits are by disease (data-synth's seeded `splitEntities`): a question's disease and its correct option's
 * disease are both in the question's split.
 */
import { GraphView, formatOptions, icd10cmChapterOf, splitEntities, type ChoiceOption } from '@quarkmed/data-synth';
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import type { GenerationTokenizer } from '@quarkmed/model';

/** One question. */
export interface ChapterQuestion {
  prompt: string;
  /** The SFT target (without EOS). */
  response: string;
  /** The gold letter. */
  answer: string;
  options: ChoiceOption[];
  /** The question's disease (its split decides train vs held out). */
  entityId: string;
  code: string;
}

interface CodedDisease {
  id: string;
  code: string;
  chapter: number;
}

/** Diseases with exactly one ICD-10-CM chapter, one code each (the first in the KG's order, seeded choice is not needed). */
async function codedDiseases(): Promise<CodedDisease[]> {
  const { kg } = await buildMedicalKg();
  const g = new GraphView(kg);
  const out: CodedDisease[] = [];
  for (const e of g.entities('disease')) {
    const codes = g.icd10Codes(e.id).filter((c) => icd10cmChapterOf(c.code));
    if (codes.length === 0) continue;
    const chapters = new Set(codes.map((c) => icd10cmChapterOf(c.code)!.num));
    if (chapters.size !== 1) continue;
    const code = codes[0]!.code.replace(/^ICD10CM:/i, '').toUpperCase();
    out.push({ id: e.id, code, chapter: icd10cmChapterOf(code)!.num });
  }
  return out;
}

/**
 * The four options: ICD-10-CM chapter blocks by the code's first letter, balanced on the shipped subset (A–B:
 * chapter 1; C–F: chapters 2–5; G–J: 6–10; K–Z: 11–22). Always in this order, so the answer is a function of the
 * question code's first letter.
 */
export const BLOCKS: readonly { letter: string; text: string; first: string; last: string }[] = [
  { letter: 'A', text: 'A00-B99', first: 'A', last: 'B' },
  { letter: 'B', text: 'C00-F99', first: 'C', last: 'F' },
  { letter: 'C', text: 'G00-J99', first: 'G', last: 'J' },
  { letter: 'D', text: 'K00-Z99', first: 'K', last: 'Z' },
];

function question(d: CodedDisease): ChapterQuestion {
  const initial = d.code[0]!;
  const block = BLOCKS.find((b) => initial >= b.first && initial <= b.last)!;
  const options: ChoiceOption[] = BLOCKS.map((b) => ({ letter: b.letter, text: b.text }));
  const prompt = `${formatOptions(options)}\nWhich block holds ${d.code}?\n`;
  return { prompt, response: `{"answer": "${block.letter}"}`, answer: block.letter, options, entityId: d.id, code: d.code };
}

/**
 * Train and held-out questions, split by disease with data-synth's seeded `splitEntities` (held-out diseases are
 * unseen in training; a held-out question whose prompt text equals a training prompt, two diseases sharing a
 * code, is dropped).
 */
export async function chapterQuestions(options: { seed: number }): Promise<{ train: ChapterQuestion[]; heldOut: ChapterQuestion[]; diseases: { train: number; heldOut: number } }> {
  const all = await codedDiseases();
  const split = splitEntities(all.map((d) => d.id), { seed: options.seed, ratios: { train: 0.5, validation: 0, test: 0.5 } });
  const train = all.filter((d) => split.splitOf(d.id) === 'train').map(question);
  const seen = new Set(train.map((q) => q.prompt));
  const heldOut = all.filter((d) => split.splitOf(d.id) === 'test').map(question).filter((q) => !seen.has(q.prompt));
  return { train, heldOut, diseases: { train: train.length, heldOut: all.length - train.length } };
}

/** One token per character of `alphabet`, then `<eos>` and `<pad>`. */
export function charTokenizer(alphabet: string): GenerationTokenizer & { vocabSize: number; eosTokenId: number; padTokenId: number } {
  const chars = [...new Set(alphabet)].sort();
  const id = new Map(chars.map((c, i) => [c, i]));
  const eos = chars.length;
  const pad = chars.length + 1;
  return {
    vocabSize: chars.length + 2,
    eosTokenId: eos,
    padTokenId: pad,
    encode: (text: string) =>
      [...text].map((c) => {
        const i = id.get(c);
        if (i === undefined) throw new Error(`charTokenizer: character ${JSON.stringify(c)} is not in the alphabet`);
        return i;
      }),
    decode: (ids: number[]) => ids.map((i) => chars[i] ?? '').join(''),
  };
}
