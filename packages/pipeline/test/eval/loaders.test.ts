import { describe, expect, it } from 'vitest';
import {
  EvalDataError,
  loadBenchmark,
  loadCMBClin,
  loadCMExam,
  loadCNMLEQA,
  loadMedBullets,
  loadMedMCQA,
  loadMedQA,
  loadMMLU,
  loadPubMedQA,
  type ChoiceItem,
} from '../../src/index';
import { loadBenchmarkFile } from '../../src/node/index';
import { jsonl, sampleLines, samplePath, sampleText } from './fixtures';

const letters = (items: ChoiceItem[]): string[] => items.map((i) => i.answer.join(''));

describe('format samples → records with the correct answers', () => {
  it('MedQA-USMLE, 4 options: answer_idx letters, options A–D, meta_info as subject', () => {
    const items = loadMedQA(sampleText('medqa_usmle_4options.sample.jsonl'), { options: 4, file: 'medqa4.jsonl' });
    expect(items).toHaveLength(6);
    expect(letters(items)).toEqual(['B', 'D', 'B', 'D', 'B', 'D']);
    expect(items.map((i) => i.subject)).toEqual(['step1', 'step1', 'step2&3', 'step1', 'step2&3', 'step2&3']);
    expect(items[0]!.options.B).toBe('Tell the attending that he cannot fail to disclose this mistake');
    expect(items[0]!).toMatchObject({ benchmark: 'medqa-usmle-4', language: 'en', responseType: 'single', id: '0', source: { file: 'medqa4.jsonl', line: 1 } });
    expect(items[3]!.source.line).toBe(4);
  });

  it('MedQA-USMLE, 5 options; a 4-option file is refused as 5-option (and vice versa)', () => {
    const items = loadMedQA(sampleText('medqa_usmle_5options.sample.jsonl'), { options: 5 });
    expect(letters(items)).toEqual(['E', 'C', 'A']);
    expect(Object.keys(items[0]!.options)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(() => loadMedQA(sampleText('medqa_usmle_4options.sample.jsonl'), { options: 5, file: 'f' })).toThrow(/f:1: field "options": expected 5 options, got 4/);
    expect(() => loadMedQA(sampleText('medqa_usmle_5options.sample.jsonl'), { options: 4, file: 'f' })).toThrow(/f:1: field "options": expected 4 options, got 5/);
  });

  it('MedQA variants: JSON array, BigBIO {key,value} options, option lists, answer text only', () => {
    const recs = sampleLines('medqa_usmle_4options.sample.jsonl');
    const asArray = JSON.stringify(recs, null, 2);
    expect(letters(loadMedQA(asArray, { options: 4 }))).toEqual(['B', 'D', 'B', 'D', 'B', 'D']);
    const bigbio = recs.map((r) => ({ ...r, options: Object.entries(r.options as object).map(([key, value]) => ({ key, value })) }));
    expect(letters(loadMedQA(jsonl(bigbio), { options: 4 }))).toEqual(['B', 'D', 'B', 'D', 'B', 'D']);
    const textOnly = recs.map(({ answer_idx: _a, ...r }) => ({ ...r, options: Object.values(r.options as object) }));
    expect(letters(loadMedQA(jsonl(textOnly), { options: 4 }))).toEqual(['B', 'D', 'B', 'D', 'B', 'D']);
  });

  it('MedMCQA: choices list with "A. " prefixes and 0-based answer', () => {
    const items = loadMedMCQA(sampleText('medmcqa_dev.sample.jsonl'));
    expect(items).toHaveLength(8);
    expect(letters(items)).toEqual(['A', 'A', 'C', 'C', 'A', 'A', 'A', 'B']);
    expect(items[0]!.options.A).toBe('Impulse through myelinated fibers is slower than non-myelinated fibers');
  });

  it('MedMCQA: the official opa…opd + cop (1-based) layout and the Hugging Face (0-based) one', () => {
    const recs = sampleLines('medmcqa_dev.sample.jsonl');
    const official = recs.map((r, i) => {
      const c = (r.choices as string[]).map((s) => s.slice(3));
      return { id: `q${i}`, question: r.question, opa: c[0], opb: c[1], opc: c[2], opd: c[3], cop: (r.answer as number) + 1, subject_name: i % 2 ? 'Physiology' : 'Anatomy' };
    });
    // this file has cop 1..3 only: the base cannot be told, and the loader says so instead of guessing
    expect(() => loadMedMCQA(jsonl(official), { file: 'dev.json' })).toThrow(/dev\.json:0: field "cop": cannot tell whether cop is 0-based/);
    const withFour = [...official, { id: 'q9', question: 'Q?', opa: 'a', opb: 'b', opc: 'c', opd: 'd', cop: 4, subject_name: 'Anatomy' }];
    const items = loadMedMCQA(jsonl(withFour));
    expect(letters(items)).toEqual(['A', 'A', 'C', 'C', 'A', 'A', 'A', 'B', 'D']);
    expect(items[1]!.subject).toBe('Physiology');
    const hf = official.map((r) => ({ ...r, cop: r.cop - 1 }));
    expect(letters(loadMedMCQA(jsonl(hf)))).toEqual(['A', 'A', 'C', 'C', 'A', 'A', 'A', 'B']);
    expect(letters(loadMedMCQA(jsonl(official), { copBase: 1 }))).toEqual(letters(loadMedMCQA(jsonl(hf), { copBase: 0 })));
    const mixed = [...hf, { id: 'z', question: 'Q?', opa: 'a', opb: 'b', opc: 'c', opd: 'd', cop: 4 }];
    expect(() => loadMedMCQA(jsonl(mixed), { file: 'm' })).toThrow(/m:9: field "cop": cop is 0 on line 1 and 4 here/);
  });

  it('CMExam: option lines with the literal \\n, single answers, multiple-response answers', () => {
    const items = loadCMExam(sampleText('cmexam_val.sample.jsonl'));
    expect(letters(items)).toEqual(['C', 'E', 'A', 'B', 'B', 'B']);
    expect(items[0]!.options).toEqual({ A: '原发病', B: '出血部位', C: '出血量', D: '在胃内停留时间', E: '以上均非' });
    expect(items[0]!).toMatchObject({ language: 'zh', responseType: 'multiple' });
    const multi = loadCMExam(sampleText('cmexam_multi.sample.jsonl'));
    expect(multi.map((i) => i.answer)).toEqual([['A', 'B', 'C'], ['B', 'C', 'E'], ['B', 'C']]);
  });

  it('CMExam: the official CSV layout (header, quoted fields with commas, quotes and line breaks)', () => {
    const recs = sampleLines('cmexam_val.sample.jsonl').slice(0, 3);
    const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    const csv =
      'Question,Options,Answer,Explanation,Clinical Department\r\n' +
      recs.map((r, i) => [q(r.Question as string), q((r.Options as string).replace(/\\n/g, '\n')), r.Answer, q(`说明, "引用" ${i}`), i === 0 ? '内科' : '外科'].join(',')).join('\r\n') +
      '\r\n';
    const items = loadCMExam(csv, { file: 'val.csv' });
    expect(letters(items)).toEqual(['C', 'E', 'A']);
    expect(items.map((i) => i.subject)).toEqual(['内科', '外科', '外科']);
    expect(items[1]!.source.line).toBe(7); // the first record (line 2) has its five Options lines on lines 2–6
    expect(Object.keys(items[1]!.options)).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('CNMLEQA: opa…ope with the answer as a column name; question_type as subject', () => {
    const items = loadCNMLEQA(sampleText('cnmleqa.sample.json'), { file: 'c.json' });
    expect(letters(items)).toEqual(['B', 'D', 'E', 'D']);
    expect(items[0]!).toMatchObject({ id: '413f38dc-3df2-5955-8858-16e460462f44', subject: '知识问答', options: { B: '肾上腺皮质增多症定性' } });
    expect(items[1]!.source.line).toBeGreaterThan(items[0]!.source.line);
    const asLetters = (JSON.parse(sampleText('cnmleqa.sample.json')) as Record<string, unknown>[]).map((r) => ({ ...r, answer: String(r.answer).slice(2).toUpperCase() }));
    expect(letters(loadCNMLEQA(jsonl(asLetters)))).toEqual(['B', 'D', 'E', 'D']);
  });

  it('PubMedQA: keyed by PMID, labelled sections as context; the Hugging Face layout too', () => {
    const items = loadPubMedQA(sampleText('pubmedqa_pqal.sample.json'));
    expect(items.map((i) => [i.id, i.answer])).toEqual([['10808977', 'yes'], ['23831910', 'yes'], ['17113061', 'no']]);
    expect(items[0]!.context).toMatch(/^[A-Z ]+: /);
    const raw = JSON.parse(sampleText('pubmedqa_pqal.sample.json')) as Record<string, Record<string, unknown>>;
    const hf = items.map((i) => [i.id, raw[i.id]!] as const).map(([pubid, r]) => ({ pubid: Number(pubid), question: r.QUESTION, context: { contexts: r.CONTEXTS, labels: r.LABELS }, long_answer: r.LONG_ANSWER, final_decision: r.final_decision }));
    const hfItems = loadPubMedQA(jsonl(hf));
    expect(hfItems.map((i) => [i.id, i.answer, i.context])).toEqual(items.map((i) => [i.id, i.answer, i.context]));
  });

  it('MMLU: the MedAgentsBench copy, the Hugging Face copy (0-based answer), the original CSV and MMLU-Pro', () => {
    const items = loadMMLU(sampleText('mmlu_medical.sample.jsonl'));
    expect(letters(items)).toEqual(['A', 'B', 'A', 'C', 'B', 'B']);
    expect(items[0]!.subject).toBe('anatomy');
    const recs = sampleLines('mmlu_medical.sample.jsonl');
    const hf = recs.map((r) => ({ question: r.question, subject: r.subject, choices: Object.values(r.options as object), answer: 'ABCD'.indexOf(r.answer_idx as string) }));
    expect(letters(loadMMLU(jsonl(hf)))).toEqual(['A', 'B', 'A', 'C', 'B', 'B']);
    const q = (s: unknown): string => `"${String(s).replace(/"/g, '""')}"`;
    const csv = recs.map((r) => [q(r.question), ...Object.values(r.options as object).map(q), r.answer_idx].join(',')).join('\n');
    const csvItems = loadMMLU(csv, { subject: 'anatomy', file: 'anatomy_test.csv' });
    expect(letters(csvItems)).toEqual(['A', 'B', 'A', 'C', 'B', 'B']);
    expect(csvItems[2]!.subject).toBe('anatomy');
    const pro = recs.map((r, i) => ({ question_id: i, question: r.question, options: [...Object.values(r.options as object), 'none of these'], answer: r.answer_idx, answer_index: 'ABCD'.indexOf(r.answer_idx as string), category: 'health' }));
    const proItems = loadMMLU(jsonl(pro));
    expect(letters(proItems)).toEqual(['A', 'B', 'A', 'C', 'B', 'B']);
    expect(Object.keys(proItems[0]!.options)).toHaveLength(5);
    expect(proItems[0]!.subject).toBe('health');
  });

  it('MedBullets: 5 options, answer_idx cross-checked with the answer text', () => {
    const items = loadMedBullets(sampleText('medbullets_5options.sample.jsonl'));
    expect(letters(items)).toEqual(['A', 'D', 'A', 'B']);
    expect(items[0]!.options.A).toBe('Acetazolamide');
  });

  it('CMB-Clin: one open-ended item per QA pair with the case as context', () => {
    const items = loadCMBClin(sampleText('cmb_clin.sample.json'));
    expect(items.map((i) => i.id)).toEqual(['0-1', '0-2', '0-3', '1-1', '1-2', '1-3']);
    expect(items[0]!.kind).toBe('open');
    expect(items[0]!.answer).toMatch(/^诊断：嵌顿性腹股沟斜疝合并肠梗阻/);
    expect(items[0]!.context).toMatch(/^案例分析-腹外疝\n现病史/);
  });

  it('loads by benchmark name, from bytes and from files (with the path in errors)', async () => {
    const bytes = new TextEncoder().encode(sampleText('medqa_usmle_4options.sample.jsonl'));
    expect(loadBenchmark('medqa-usmle-4', bytes)).toHaveLength(6);
    const files: Array<[string, string, number]> = [
      ['medqa-usmle-4', 'medqa_usmle_4options.sample.jsonl', 6],
      ['medqa-usmle-5', 'medqa_usmle_5options.sample.jsonl', 3],
      ['medmcqa', 'medmcqa_dev.sample.jsonl', 8],
      ['cmexam', 'cmexam_val.sample.jsonl', 6],
      ['cmexam', 'cmexam_multi.sample.jsonl', 3],
      ['cnmleqa', 'cnmleqa.sample.json', 4],
      ['pubmedqa', 'pubmedqa_pqal.sample.json', 3],
      ['mmlu-medical', 'mmlu_medical.sample.jsonl', 6],
      ['medbullets', 'medbullets_5options.sample.jsonl', 4],
      ['cmb-clin', 'cmb_clin.sample.json', 6],
    ];
    for (const [name, file, n] of files) {
      const items = await loadBenchmarkFile(name, samplePath(file));
      expect(items, file).toHaveLength(n);
      expect(items[0]!.source.file).toBe(samplePath(file));
    }
    await expect(loadBenchmarkFile('medqa-usmle-4', samplePath('missing.jsonl'))).rejects.toThrow(/missing\.jsonl:0: cannot read the file \(ENOENT\)/);
    expect(() => loadBenchmark('medqa', '')).toThrow(/benchmark: unknown benchmark "medqa"; known: medqa-usmle-4/);
    await expect(loadBenchmarkFile('medqa-usmle-4', samplePath('missing.jsonl'))).rejects.toBeInstanceOf(EvalDataError);
  });
});
