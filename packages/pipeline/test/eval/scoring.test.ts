import { describe, expect, it } from 'vitest';
import { evaluate, EvalOptionError, loadBenchmark, type EvalItem, type OpenItem } from '../../src/index';
import { ScriptedModel, wrongLetter } from './scripted-model';
import { sampleText } from './fixtures';

const SAMPLES: Array<[string, string]> = [
  ['medqa-usmle-4', 'medqa_usmle_4options.sample.jsonl'],
  ['medqa-usmle-5', 'medqa_usmle_5options.sample.jsonl'],
  ['medmcqa', 'medmcqa_dev.sample.jsonl'],
  ['cmexam', 'cmexam_val.sample.jsonl'],
  ['cmexam', 'cmexam_multi.sample.jsonl'],
  ['cnmleqa', 'cnmleqa.sample.json'],
  ['pubmedqa', 'pubmedqa_pqal.sample.json'],
  ['mmlu-medical', 'mmlu_medical.sample.jsonl'],
  ['medbullets', 'medbullets_5options.sample.jsonl'],
  ['cmb-clin', 'cmb_clin.sample.json'],
];

/** Keywords of a CMB-Clin item for the keyword scorer: the first phrase of the reference answer. */
const keywordsOf = (item: OpenItem) => ({ required: [firstPhrase(item)] });
const firstPhrase = (item: OpenItem): string => item.answer.replace(/^[^：:]*[：:]/, '').split(/[。；;，,\n（(]/)[0]!.trim();

function correct(item: EvalItem): string {
  if (item.kind === 'multiple-choice') return `Let me think.\n\n{"answer": "${item.answer.join('')}"}`;
  if (item.kind === 'yes-no-maybe') return item.language === 'zh' ? '{"answer": "是"}' : `{"answer": "${item.answer}"}`;
  return `答：${firstPhrase(item)}。`;
}
function wrong(item: EvalItem): string {
  if (item.kind === 'multiple-choice') return `{"answer": "${wrongLetter(item)}"}`;
  if (item.kind === 'yes-no-maybe') return `{"answer": "${item.answer === 'no' ? 'yes' : 'no'}"}`;
  return '答：需要进一步观察。';
}
function hedge(item: EvalItem): string {
  if (item.kind === 'multiple-choice') {
    const g = item.answer.join('');
    return item.responseType === 'multiple' ? `{"answer": "${g}"} 或者 {"answer": "${wrongLetter(item)}"}` : `The answer is ${g} or ${wrongLetter(item)}.`;
  }
  if (item.kind === 'yes-no-maybe') return `Answer: ${item.answer} or ${item.answer === 'no' ? 'yes' : 'no'}`;
  return `答：${firstPhrase(item)}或腹部肿瘤。`;
}

describe('scoring with @quarkmed/verifier: correct 100%, wrong 0%, hedging 0% on every format sample', () => {
  for (const [name, file] of SAMPLES) {
    it(`${name} (${file})`, async () => {
      const items = loadBenchmark(name, sampleText(file), { file });
      for (const [strategy, want] of [
        [correct, 1],
        [wrong, 0],
        [hedge, 0],
      ] as const) {
        const model = new ScriptedModel(`scripted-${strategy.name}`, items, strategy);
        const run = await evaluate({ items, model, concurrency: 3, keywords: keywordsOf });
        expect(run.report.overall.n, strategy.name).toBe(items.length);
        expect(run.report.overall.accuracy, `${strategy.name}: ${run.scores.map((s) => s.evidence).join(' | ')}`).toBe(want);
        expect(model.calls).toBe(items.length);
      }
    });
  }

  it('the prompt asks for JSON with a placeholder; copying the instruction states no answer', async () => {
    const items = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    const copy = new ScriptedModel('copier', items, (_i, prompt) => prompt.split('\n').at(-1)!);
    const run = await evaluate({ items, model: copy });
    expect(copy.prompts[0]).toMatch(/Respond with JSON only: \{"answer": "<the letter of the correct option>"\}$/);
    expect(copy.prompts[0]).toContain('\nA. Disclose the error to the patient and put it in the operative report\nB. ');
    expect(run.report.overall.accuracy).toBe(0);
    expect(run.scores.every((s) => s.verdict === 'unparseable')).toBe(true);
  });

  it('multiple response: exact by default, partial credit on request', async () => {
    const items = loadBenchmark('cmexam', sampleText('cmexam_multi.sample.jsonl'));
    const subset = (i: EvalItem): string => (i.kind === 'multiple-choice' ? `{"answer": "${i.answer.slice(0, 2).join('')}"}` : '');
    const exact = await evaluate({ items, model: new ScriptedModel('m', items, subset) });
    // gold ABC, BCE, BC: only the third is answered in full
    expect(exact.report.overall.accuracy).toBeCloseTo(1 / 3, 12);
    expect(exact.report.overall.meanReward).toBeCloseTo(1 / 3, 12);
    const partial = await evaluate({ items, model: new ScriptedModel('m', items, subset), mode: 'partial' });
    // partial: two of three, two of three, two of two
    expect(partial.report.overall.meanReward).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 10);
    expect(partial.report.overall.correct).toBe(1);
  });

  it('accuracy per subject with Wilson intervals', async () => {
    const items = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    // right on step1, wrong on step2&3
    const model = new ScriptedModel('m', items, (i) => (i.subject === 'step1' ? correct(i) : wrong(i)));
    const { report } = await evaluate({ items, model });
    expect(Object.keys(report.bySubject)).toEqual(['step1', 'step2&3']);
    expect(report.bySubject.step1).toMatchObject({ n: 3, correct: 3, accuracy: 1 });
    expect(report.bySubject['step2&3']).toMatchObject({ n: 3, correct: 0, accuracy: 0 });
    expect(report.overall.ci.low).toBeCloseTo(0.1876, 4);
    expect(report.overall.ci.high).toBeCloseTo(0.8124, 4);
    expect(report.bySubject.step1!.ci.high).toBe(1);
  });

  it('open-ended items need a judge or keywords; a text judge is used through the registry', async () => {
    const items = loadBenchmark('cmb-clin', sampleText('cmb_clin.sample.json'));
    const model = new ScriptedModel('m', items, correct);
    await expect(evaluate({ items, model })).rejects.toThrow(EvalOptionError);
    await expect(evaluate({ items, model })).rejects.toThrow(/judge: item 0-1 \(cmb-clin\) is open-ended/);
    const judged: string[] = [];
    const judge = {
      name: 'test-judge',
      verify: (completion: string, reference: string) => {
        judged.push(reference);
        const ok = reference.includes(completion.replace(/^答：|。$/g, ''));
        return { reward: ok ? 1 : 0, verdict: ok ? ('correct' as const) : ('incorrect' as const), evidence: 'judge', source: 'model' as const };
      },
    };
    const run = await evaluate({ items, model, judge });
    expect(run.report.overall.accuracy).toBe(1);
    expect(judged).toEqual(items.map((i) => i.answer));
    expect(run.scores[0]!.source).toBe('model');
  });

  it('bad options are typed errors naming the option', async () => {
    const items = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    const model = new ScriptedModel('m', items, correct);
    await expect(evaluate({ items, model, concurrency: 0 })).rejects.toThrow(/^concurrency: must be a positive integer/);
    await expect(evaluate({ items, model, limit: 1.5 })).rejects.toThrow(/^limit: must be a positive integer/);
    await expect(evaluate({ items: [...items, items[0]!], model })).rejects.toThrow(/^items: duplicate item id "0"/);
    const two = await evaluate({ items, model, limit: 2 });
    expect(two.predictions.map((p) => p.itemId)).toEqual(['0', '1']);
  });
});
