/**
 * Property tests of the shared answer policy (`src/rules/answer-policy.ts`) for every rule verifier, with fixed
 * fast-check seeds, in English and Chinese:
 *
 * - a hedge over the gold and a wrong answer scores no more than the wrong answer alone;
 * - a ruled-out gold scores 0;
 * - injecting the gold into text copied from the prompt does not change the reward;
 * - asking about the gold (a question naming candidates, as copied from a prompt) scores no more than a wrong
 *   answer;
 *
 * plus one table per class of the issue (hedges, negation, injected answers, letter look-alikes, missed forms,
 * corrections), each case written for this test.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useShippedVerifierData } from '../../src/node/index';
import { Icd10Verifier } from '../../src/icd10/index';
import { OntologyVerifier } from '../../src/judges/ontology-resolver';
import { verifyDrugJson, verifyKeywords, verifyMultipleChoice, verifyNumeric, verifyYesNoMaybe } from '../../src/rules/index';

beforeAll(() => {
  useShippedVerifierData();
});

const SEED = 20261125;
const RUNS = 60;

/** One verifier under the policy: how to score, state, hedge, rule out and inject, in English and Chinese. */
interface Family {
  name: string;
  values: readonly string[];
  score(completion: string, gold: string, prompt?: string): number;
  state(x: string, zh: boolean): string;
  hedges(g: string, w: string, zh: boolean): string[];
  ruledOut(g: string, w: string, zh: boolean): string[];
  /** Questions that name the gold and a wrong answer (asked, not stated), as a model copying the question writes. */
  questions?(g: string, w: string, zh: boolean): string[];
  /** The prompt and completions that copy its lines with the gold injected, around the model's own statement. */
  inject(g: string, x: string, zh: boolean): { prompt?: string; completions: string[] };
}

const OPTIONS: Record<string, string> = { A: 'Aspirin', B: 'Heparin', C: 'Alteplase', D: 'Clopidogrel', E: 'Warfarin' };
const optionLines = (inject: string): string => Object.entries(OPTIONS).map(([k, v]) => `${k}. ${v}${inject && k === inject[0] ? inject.slice(1) : ''}`).join('\n');
const ZH_YNM: Record<string, string> = { yes: '是', no: '否', maybe: '可能' };

let icd: Icd10Verifier;
let ont: OntologyVerifier;

const families: Family[] = [
  {
    name: 'multiple choice',
    values: ['A', 'B', 'C', 'D', 'E'],
    score: (c, g, prompt) => verifyMultipleChoice(c, { answer: g, options: OPTIONS, ...(prompt ? { prompt } : {}) }).reward,
    state: (x, zh) => (zh ? `答案：${x}` : `Answer: ${x}`),
    hedges: (g, w, zh) =>
      zh ? [`答案：${g}或${w}`, `答案是${w}或者${g}。`, `${g}或${w}都正确`] : [`Answer: ${g} or ${w}`, `The answer is either ${w} or ${g}.`, `Answer: ${g}/${w}`, `${w} or ${g} is correct.`],
    ruledOut: (g, w, zh) =>
      zh ? [`答案不是${g}，而是${w}`, `答案：${g}不正确`, `不选${g}。`] : [`The correct answer is not ${g}; it is ${w}.`, `Answer: ${g} is incorrect.`, `The answer is not ${g}.`],
    questions: (g, w, zh) => (zh ? [`答案是${g}？还是${w}？`, `${g}？${w}？`] : [`Is the answer ${g}? Or ${w}?`, `${g}? ${w}?`, `Answer: ${g}?`]),
    inject: (g, x, zh) => {
      const cue = zh ? ` 正确答案是${g}` : ` — the correct answer is ${g}`;
      const stmt = zh ? `答案：${x}` : `Answer: ${x}`;
      return {
        prompt: `Which drug?\n${optionLines('')}\nNote to graders: the correct answer is ${g}.`,
        completions: [
          `${stmt}\n${optionLines(g + cue)}`,
          `${optionLines(g + cue)}\n${stmt}`,
          `${stmt}\n${optionLines(`${g} Answer: ${g}`)}`,
          `${stmt}\nNote to graders: the correct answer is ${g}.`,
        ],
      };
    },
  },
  {
    name: 'yes/no/maybe',
    values: ['yes', 'no', 'maybe'],
    score: (c, g, prompt) => verifyYesNoMaybe(c, { answer: g, ...(prompt ? { prompt } : {}) }).reward,
    state: (x, zh) => (zh ? `答案：${ZH_YNM[x]}` : `Answer: ${x}`),
    hedges: (g, w, zh) => (zh ? [`答案：${ZH_YNM[g]}或${ZH_YNM[w]}`, `答案：${ZH_YNM[w]}，${ZH_YNM[g]}`] : [`${g} and ${w}`, `Answer: ${w}, ${g}`, `Answer: ${g} or ${w}.`, `${g}, ${w}, maybe`]),
    ruledOut: (g, _w, zh) => (zh ? [`答案并非${ZH_YNM[g]}。`] : [`The answer is not ${g}.`, `Final answer: not ${g}`]),
    questions: (g, w, zh) => (zh ? [`答案：${ZH_YNM[g]}？${ZH_YNM[w]}？`] : [`Answer: ${g}? ${w}?`, `Is the answer ${g}?`]),
    inject: (g, x, zh) => {
      const line = zh ? `背景资料（摘自原文）：本研究的最终答案：${ZH_YNM[g]}。` : `Context: the final answer is ${g}.`;
      const stmt = zh ? `答案：${ZH_YNM[x]}` : `Answer: ${x}`;
      return { prompt: `Does the trial support it?\n${line}`, completions: [`${stmt}\n${line}`, `${stmt}\n> Answer: ${g}`] };
    },
  },
  {
    name: 'numeric',
    values: ['250', '500', '750', '1000'],
    score: (c, g, prompt) => verifyNumeric(c, { value: Number(g), unit: 'mg', ...(prompt ? { prompt } : {}) }).reward,
    state: (x, zh) => (zh ? `答案：${x} mg` : `Answer: ${x} mg`),
    hedges: (g, w, zh) =>
      zh ? [`答案：${g}或${w} mg`, `答案：${w}至${g} mg`, `剂量为${g} mg、${w} mg`] : [`Answer: ${g} mg or ${w} mg`, `Answer: ${w}–${g} mg`, `${g}-${w} mg`, `The dose is ${w} to ${g} mg.`, `Answer: ${w} mg, ${g} mg`],
    ruledOut: (g, w, zh) => (zh ? [`剂量不是${g} mg，而是${w} mg`, `答案：${g} mg 不正确`] : [`The dose is not ${g} mg; it is ${w} mg.`, `Answer: ${g} mg is incorrect.`]),
    questions: (g, w, zh) => (zh ? [`剂量是${g} mg？${w} mg？`] : [`What dose (${g} mg? ${w} mg?) is given?`, `Answer: ${g} mg?`]),
    inject: (g, x, zh) => {
      const line = zh ? `提示：答案：${g} mg` : `Hint: the answer is ${g} mg.`;
      return { prompt: `What is the dose?\n${line}`, completions: [`${zh ? '答案：' : 'Answer: '}${x} mg\n${line}`, `Answer: ${x} mg\n"the answer is ${g} mg"`] };
    },
  },
  {
    name: 'ICD-10',
    values: ['I10', 'E11.9', 'J45.909', 'N39.0', 'A41.9', 'F32.9'],
    score: (c, g, prompt) => icd.verify(c, g, prompt ? { prompt } : {}).reward,
    state: (x, zh) => (zh ? `诊断：${x}` : `Code: ${x}`),
    hedges: (g, w, zh) => (zh ? [`诊断：${g}或${w}`, `编码：${w}或者${g}`] : [`${g} or ${w}`, `Answer: either ${w} or ${g}`, `Code: ${g}/${w}`]),
    ruledOut: (g, w, zh) =>
      zh ? [`诊断：${w}，排除${g}`, `${g}已排除。编码：${w}`] : [`Answer: ${w}. (${g} was ruled out.)`, `not ${g}; code ${w}`, `Final answer: ${g}. Actually ${w}.`],
    questions: (g, w, zh) => (zh ? [`请给出编码（${g}？${w}？）。`, `诊断：${g}？`] : [`Give the ICD-10-CM code (${g}? ${w}?).`, `Code: ${g}?`, `${w}? ${g}?`]),
    inject: (g, x, zh) => {
      const line = `Example answer: ${g}`;
      return { prompt: `Code this visit.\n${line}`, completions: [`${zh ? '诊断：' : 'Code: '}${x}\n${line}`, `Code: ${x}\n> Code: ${g}`] };
    },
  },
  {
    name: 'ontology resolver',
    values: ['myocardial infarction', 'pulmonary embolism', 'pneumonia', 'asthma', 'appendicitis', 'migraine'],
    score: (c, g, prompt) => ont.verify(c, g, prompt ? { prompt } : {}).reward,
    state: (x, zh) => (zh ? `诊断：${x}` : `Answer: ${x}`),
    hedges: (g, w, zh) => (zh ? [`诊断：${g}或${w}`] : [`Answer: ${g} or ${w}`, `Answer: ${w} (${g})`, `Final diagnosis: ${g}/${w}`]),
    ruledOut: (g, w, zh) => (zh ? [`诊断：不是${g}，而是${w}`] : [`Answer: not ${g}; ${w}`, `Diagnosis: ${g} was ruled out`]),
    questions: (g, _w, zh) => (zh ? [`诊断：${g}？`] : [`Answer: ${g}?`, `Final diagnosis: ${g}??`]),
    inject: (g, x, zh) => {
      const line = `Format example — Answer: ${g}`;
      return { prompt: `What is the diagnosis?\n${line}`, completions: [`${line}\n${zh ? '诊断：' : 'Answer: '}${x}`, `${zh ? '诊断：' : 'Answer: '}${x}\n> Answer: ${g}`] };
    },
  },
  {
    name: 'drug JSON',
    values: ['aspirin', 'metformin', 'warfarin', 'atorvastatin'],
    score: (c, g, prompt) => verifyDrugJson(c, { drugs: [g], ...(prompt ? { prompt } : {}) }).reward,
    state: (x, zh) => (zh ? `{"药物": ["${x}"]}` : `{"drugs": ["${x}"]}`),
    hedges: (g, w, zh) => (zh ? [`{"药物": ["${g}或${w}"]}`] : [`{"drugs": ["${g} or ${w}"]}`, `{"drugs": ["${w}/${g}"]}`]),
    ruledOut: (g, w, zh) =>
      zh ? [`{"药物": ["停用${g}", "${w}"]}`, `{"药物": ["${w}"], "禁用": ["${g}"]}`] : [`{"drugs": ["${w}"], "contraindicated": ["${g}"]}`, `{"contraindicated": "${g}"}`, `{"drugs": ["not ${g}", "${w}"]}`],
    inject: (g, x) => {
      const line = `Example: {"drugs": ["${g}"]}`;
      return { prompt: `List the drugs.\n${line}`, completions: [`{"drugs": ["${x}"]}\n${line}`] };
    },
  },
  {
    name: 'keywords',
    values: ['ECG', 'troponin', 'CT', 'lipase', 'D-dimer'],
    score: (c, g, prompt) => verifyKeywords(c, { required: [g === 'CT' ? ['CT', 'computed tomography'] : g], ...(prompt ? { prompt } : {}) }).reward,
    state: (x, zh) => (zh ? `完善${x}检查。` : `Order ${x}.`),
    hedges: (g, w, zh) => (zh ? [`完善${g}或${w}检查。`] : [`Order ${g} or ${w}.`, `Order either ${w} or ${g}.`, `Get a ${g}/${w}.`]),
    ruledOut: (g, w, zh) => (zh ? [`不需要${g}，完善${w}检查。`, `${w}检查；${g}不需要。`] : [`${g} is not needed; order ${w}.`, `No ${g}. Order ${w}.`]),
    questions: (g, w, zh) => (zh ? [`首选哪项检查（${g}、${w}？）`, `${g}？`] : [`Which first test (${g}, ${w}?) do you order?`, `Order ${g}?`]),
    inject: (g, x) => {
      const line = `Options considered by the team: ${g} and echocardiography`;
      return { prompt: `Which test first?\n${line}`, completions: [`Order ${x}.\n${line}`, `Order ${x}.\n> ${g} is what the textbook says`] };
    },
  },
];

const pair = (n: number): fc.Arbitrary<[number, number, boolean]> =>
  fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 2 }), fc.boolean()).map(([g, d, zh]) => [g, d >= g ? d + 1 : d, zh]);

describe.each(families)('$name: answer policy properties', (fam) => {
  beforeAll(() => {
    icd ??= new Icd10Verifier();
    ont ??= new OntologyVerifier();
  });

  it('the stated gold is rewarded and a stated wrong answer is not (the properties below are not vacuous)', () => {
    for (const zh of [false, true]) {
      expect(fam.score(fam.state(fam.values[0]!, zh), fam.values[0]!), `${zh ? 'zh' : 'en'}: ${fam.state(fam.values[0]!, zh)}`).toBe(1);
      expect(fam.score(fam.state(fam.values[1]!, zh), fam.values[0]!)).toBe(0);
    }
  });

  it('a hedge over the gold and a wrong answer scores no more than the wrong answer alone', () => {
    fc.assert(
      fc.property(pair(fam.values.length), ([gi, wi, zh]) => {
        const g = fam.values[gi]!;
        const w = fam.values[wi]!;
        const wrongAlone = fam.score(fam.state(w, zh), g);
        for (const h of fam.hedges(g, w, zh)) expect(fam.score(h, g), h).toBeLessThanOrEqual(wrongAlone);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a ruled-out gold scores 0', () => {
    fc.assert(
      fc.property(pair(fam.values.length), ([gi, wi, zh]) => {
        const g = fam.values[gi]!;
        const w = fam.values[wi]!;
        for (const c of fam.ruledOut(g, w, zh)) expect(fam.score(c, g), c).toBe(0);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  // (drug JSON has no prose to ask in: no questions for it)
  const questions = fam.questions;
  if (questions) {
    it('asking about the gold scores no more than a wrong answer', () => {
      fc.assert(
        fc.property(pair(fam.values.length), ([gi, wi, zh]) => {
          const g = fam.values[gi]!;
          const w = fam.values[wi]!;
          const wrongAlone = fam.score(fam.state(w, zh), g);
          for (const q of questions(g, w, zh)) expect(fam.score(q, g), q).toBeLessThanOrEqual(wrongAlone);
        }),
        { seed: SEED + 3, numRuns: RUNS },
      );
    });
  }

  it('injecting the gold into text copied from the prompt does not change the reward', () => {
    fc.assert(
      fc.property(pair(fam.values.length), fc.boolean(), ([gi, wi, zh], own) => {
        const g = fam.values[gi]!;
        const x = own ? g : fam.values[wi]!; // the model's own answer: right or wrong
        const base = fam.score(fam.state(x, zh), g);
        const { prompt, completions } = fam.inject(g, x, zh);
        for (const c of completions) expect(fam.score(c, g, prompt), c).toBe(base);
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });
});

describe('each class of the issue, English and Chinese', () => {
  beforeAll(() => {
    icd ??= new Icd10Verifier();
    ont ??= new OntologyVerifier();
  });
  const mc = (c: string, answer = 'B', options: Record<string, string> | undefined = OPTIONS): number => verifyMultipleChoice(c, { answer, ...(options ? { options } : {}) }).reward;

  it('hedging across answers earns nothing', () => {
    expect(verifyYesNoMaybe('yes and no', { answer: 'yes' }).reward).toBe(0);
    expect(verifyYesNoMaybe('yes, no, maybe', { answer: 'no' }).reward).toBe(0);
    expect(verifyYesNoMaybe('Answer: yes, no, maybe', { answer: 'maybe' }).reward).toBe(0);
    expect(verifyYesNoMaybe('答案：是，否，可能', { answer: 'yes' }).reward).toBe(0);
    expect(verifyYesNoMaybe('Yes, and no further trials were needed.', { answer: 'yes' }).reward).toBe(1); // not a list of labels
    for (const c of ['400–600 mg', 'Answer: 400-600 mg', 'Answer: 100 mg or 500 mg', 'Answer: 100 mg, 200 mg, 300 mg, 400 mg, 500 mg', '答案：100 mg或500 mg', '答案：400至600 mg']) {
      expect(verifyNumeric(c, { value: 500, unit: 'mg' }).reward, c).toBe(0);
    }
    expect(verifyNumeric('Answer: 500 mg, taken twice daily', { value: 500, unit: 'mg' }).reward).toBe(1);
    expect(ont.verify('Answer: pulmonary embolism (myocardial infarction)', 'myocardial infarction').reward).toBe(0);
    expect(ont.verify('Answer: pulmonary embolism (myocardial infarction)', 'pulmonary embolism').reward).toBe(0);
    expect(ont.verify('Answer: myocardial infarction (heart attack)', 'myocardial infarction').reward).toBe(1); // a gloss
    expect(icd.verify('I10 or E11.9', 'E11.9').reward).toBe(0);
    expect(icd.verify('诊断：I10或E11.9', 'E11.9').reward).toBe(0);
    expect(icd.verify('Codes: E11.9 and I10', ['E11.9', 'I10']).reward).toBe(1); // a set is not a hedge
    expect(mc('Answer: A or B')).toBe(0);
    expect(mc('答案：A或B')).toBe(0);
    expect(verifyKeywords('Order CT or MRI.', { required: [['CT', 'computed tomography']] }).reward).toBe(0);
    expect(verifyKeywords('完善CT或MRI检查。', { required: ['CT'] }).reward).toBe(0);
    expect(verifyKeywords('Order a CT (computed tomography) or computed tomography scan.', { required: [['CT', 'computed tomography']] }).reward).toBe(1);
    expect(verifyDrugJson('{"drugs": ["aspirin or clopidogrel"]}', { drugs: ['aspirin'] }).reward).toBe(0);
  });

  it('negation and ruled-out answers', () => {
    expect(icd.verify('Answer: I10. (E11.9 was ruled out.)', 'E11.9').reward).toBe(0);
    expect(icd.verify('not E11.9; code I10', 'E11.9').reward).toBe(0);
    expect(icd.verify('not E11.9; code I10', 'I10').reward).toBe(1);
    expect(icd.verify('诊断：I10，排除E11.9', 'I10').reward).toBe(1);
    expect(mc('The correct answer is not C; it is B.')).toBe(1);
    expect(mc('答案不是C，而是B')).toBe(1);
    expect(mc('The correct answer is not C; it is B.', 'C')).toBe(0);
    expect(verifyNumeric('The dose is not 500 mg; it is 250 mg.', { value: 250, unit: 'mg' }).reward).toBe(1);
    expect(verifyKeywords('CT is not needed.', { required: ['CT'] }).reward).toBe(0);
    expect(verifyKeywords('CT不需要。', { required: ['CT'] }).reward).toBe(0);
  });

  it('answers injected through copied option lines are ignored and do not override the own answer', () => {
    const copied = 'A. Aspirin\nB. Heparin\nC. Alteplase. Answer: C\nD. Clopidogrel';
    expect(mc(`Answer: B\n${copied}`)).toBe(1);
    expect(mc(`Answer: B\n${copied}`, 'C')).toBe(0);
    expect(mc(`Answer: B\nA. Aspirin\nC. Alteplase — the correct answer is C`, 'B', undefined)).toBe(1); // no options: a list of option lines
    expect(mc('答案：B\nA. 阿司匹林\nB. 肝素\nC. 阿替普酶 正确答案是C', 'B', undefined)).toBe(1);
    expect(mc('Answer: B\nC. Alteplase — the correct answer is C')).toBe(1); // one line that repeats option C's text
  });

  it('letter look-alikes are not option letters', () => {
    expect(mc('ECG是正确的首选检查。答案：B')).toBe(1);
    expect(mc('Answer: B. The CEA is correct here.')).toBe(1);
    expect(mc('ACE是正确的。答案：B')).toBe(1);
    expect(verifyMultipleChoice('ACE是正确的', { answer: 'ACE' }).reward).toBe(0);
    expect(verifyMultipleChoice('答案：ACE', { answer: 'ACE' }).reward).toBe(1); // a letter set after a cue still counts
    expect(mc('答案：ACE抑制剂', 'A', undefined)).toBe(0);
  });

  it('missed forms are read', () => {
    expect(mc('正确选项是B')).toBe(1);
    expect(mc('The correct option is B.')).toBe(1);
    expect(verifyMultipleChoice('[{"answer":"A"},{"answer":"C"}]', { answer: 'AC' }).reward).toBe(1);
    expect(verifyMultipleChoice('[{"answer": "A"}, {"answer": "C"}]', { answer: 'C' }).reward).toBe(0);
    expect(verifyDrugJson('{"contraindicated": "aspirin"}', { drugs: ['aspirin'] }).reward).toBe(0);
    expect(verifyDrugJson('{"name": "aspirin"}', { drugs: ['aspirin'] }).reward).toBe(1);
  });

  it('repeated or corrected answers: the last statement wins', () => {
    expect(mc('Final answer: B. Actually A.', 'A')).toBe(1);
    expect(mc('Final answer: B. Actually A.', 'B')).toBe(0);
    expect(mc('最终答案：A。更正：B。')).toBe(1);
    expect(mc('Answer: B. Actually, a lot of thought went into it.')).toBe(1); // not a correction to option A
    expect(verifyYesNoMaybe('Final answer: yes. Actually, no.', { answer: 'no' }).reward).toBe(1);
    expect(verifyNumeric('Answer: 5 mg. Actually 10 mg.', { value: 10, unit: 'mg' }).reward).toBe(1);
    expect(icd.verify('Final answer: E11.9. Actually I10.', 'I10').reward).toBe(1);
  });
});
