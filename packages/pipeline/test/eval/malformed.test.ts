import { describe, expect, it } from 'vitest';
import { EvalDataError, PipelineError, loadBenchmark, loadCMBClin, loadCMExam, loadCNMLEQA, loadMedBullets, loadMedMCQA, loadMedQA, loadMMLU, loadPubMedQA } from '../../src/index';
import { jsonl, sampleLines, sampleText } from './fixtures';

/** Runs `f`, expects an EvalDataError, returns it. */
function dataError(f: () => unknown): EvalDataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EvalDataError);
    expect(e).toBeInstanceOf(PipelineError);
    return e as EvalDataError;
  }
  throw new Error('expected an EvalDataError');
}

const medqa = (): Record<string, unknown>[] => sampleLines('medqa_usmle_4options.sample.jsonl');

describe('malformed records → EvalDataError with file:line (and field)', () => {
  it('a JSON syntax error on line 3 of a JSON Lines file', () => {
    const lines = sampleText('medqa_usmle_4options.sample.jsonl').split('\n');
    lines[2] = lines[2]!.slice(0, 80);
    const e = dataError(() => loadMedQA(lines.join('\n'), { options: 4, file: 'test.jsonl' }));
    expect([e.file, e.line]).toEqual(['test.jsonl', 3]);
    expect(e.message).toMatch(/^test\.jsonl:3: invalid JSON/);
  });

  it('a record that is not an object; blank lines keep the numbering', () => {
    const text = `${JSON.stringify(medqa()[0])}\n\n[1, 2]\n`;
    const e = dataError(() => loadMedQA(text, { options: 4, file: 'f' }));
    expect(e.message).toBe('f:3: a record must be a JSON object, got an array');
  });

  it('a broken element inside a JSON array is reported at the line it starts', () => {
    const arr = JSON.stringify(medqa(), null, 2).split('\n');
    const i = arr.findIndex((l, k) => k > 5 && l === '  {');
    arr[i + 1] = '    "realidx": ,';
    const e = dataError(() => loadMedQA(arr.join('\n'), { options: 4, file: 'arr.json' }));
    expect(e.line).toBe(i + 1);
    expect(e.message).toMatch(/^arr\.json:\d+: invalid JSON/);
  });

  it('a JSON array without its closing bracket, or with junk after it', () => {
    const arr = JSON.stringify(medqa().slice(0, 2), null, 1);
    expect(dataError(() => loadMedQA(arr.slice(0, -1), { options: 4, file: 'a' })).message).toMatch(/^a:\d+: unterminated JSON array: missing \]/);
    expect(dataError(() => loadMedQA(`${arr}\n{}`, { options: 4, file: 'a' })).message).toMatch(/unexpected text after the closing \]/);
  });

  it('missing question, missing answer, an answer that is not an option, a letter/text disagreement', () => {
    const recs = medqa();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...recs[1], question: '  ' }, /^f:2: field "question": is empty$/],
      [{ ...recs[1], question: undefined }, /^f:2: field "question": missing/],
      [{ ...recs[1], answer_idx: 'F' }, /^f:2: field "answer_idx": answer F is not an option \(A, B, C, D\)$/],
      [{ ...recs[1], answer_idx: 'A' }, /^f:2: field "answer": disagrees with "answer_idx"/],
      [{ ...recs[1], answer_idx: undefined, answer: 'Not among the options' }, /^f:2: field "answer": "Not among the options" is neither an option letter nor the text of an option$/],
      [{ ...recs[1], answer_idx: undefined, answer: undefined }, /^f:2: field "answer_idx": missing answer/],
      [{ ...recs[1], options: { A: 'x', B: 'y', D: 'z', E: 'w' } }, /^f:2: field "options": option letters must run A, B, C/],
      [{ ...recs[1], options: { A: 'x', B: '', C: 'y', D: 'z' } }, /^f:2: field "options\.B": an option is empty$/],
      [{ ...recs[1], options: 42 }, /^f:2: field "options": expected options as an object, a list or lines/],
      [{ ...recs[1], answer_idx: 2 }, /^f:2: field "answer_idx": an integer answer \(2\) is not allowed here/],
    ];
    for (const [bad, re] of cases) {
      const e = dataError(() => loadMedQA(jsonl([recs[0], bad, recs[2]]), { options: 4, file: 'f' }));
      expect(e.message).toMatch(re);
    }
  });

  it('duplicate ids', () => {
    const r = medqa()[0]!;
    expect(dataError(() => loadMedQA(jsonl([r, r]), { options: 4, file: 'f' })).message).toBe('f:2: field "id": duplicate id "0" (first on line 1)');
  });

  it('MedMCQA: an unlabelled test record (answer -1), an index out of range', () => {
    const recs = sampleLines('medmcqa_dev.sample.jsonl');
    expect(dataError(() => loadMedMCQA(jsonl([recs[0], { ...recs[1], answer: -1 }]), { file: 'test.jsonl' })).message).toMatch(/^test\.jsonl:2: field "answer": is -1: the record is unlabelled/);
    expect(dataError(() => loadMedMCQA(jsonl([{ ...recs[0], answer: 4 }]), { file: 't' })).message).toMatch(/^t:1: field "answer": answer index 4 is outside the 4 options \(0-based\)/);
  });

  it('CMExam: an option line without a letter, an answer letter beyond the options, a CSV row with too few fields, an open quote', () => {
    const recs = sampleLines('cmexam_val.sample.jsonl');
    expect(dataError(() => loadCMExam(jsonl([recs[0], { ...recs[1], Options: 'A 甲\\n乙' }]), { file: 'c' })).message).toMatch(/^c:2: field "Options": option line 2 does not start with a letter/);
    expect(dataError(() => loadCMExam(jsonl([{ ...recs[0], Answer: 'AF' }]), { file: 'c' })).message).toMatch(/^c:1: field "Answer": answer F is not an option/);
    expect(dataError(() => loadCMExam('Question,Options,Answer\n"q","A a\nB b",A\n"q2","A a"\n', { file: 'v.csv' })).message).toBe('v.csv:4: expected 3 CSV fields (Question, Options, Answer), got 2');
    expect(dataError(() => loadCMExam('Question,Options,Answer\n"q,"A a\nB b",A\n', { file: 'v.csv' })).message).toMatch(/^v\.csv:2: /);
    expect(dataError(() => loadCMExam('Question,Options,Answer\n"q","A a\nB b,A\n', { file: 'v.csv' })).message).toBe('v.csv:2: unterminated quoted CSV field');
  });

  it('CNMLEQA: an answer column that does not exist; a gap in the option columns', () => {
    const recs = JSON.parse(sampleText('cnmleqa.sample.json')) as Record<string, unknown>[];
    const text = JSON.stringify([recs[0], { ...recs[1], answer: 'opf' }], null, 1);
    const e = dataError(() => loadCNMLEQA(text, { file: 'c.json' }));
    expect(e.message).toMatch(/^c\.json:\d+: field "answer": answer F is not an option \(A, B, C, D, E\)$/);
    expect(e.line).toBe(text.split('\n').findIndex((l, i) => i > 1 && l === ' {') + 1);
    expect(dataError(() => loadCNMLEQA(jsonl([{ ...recs[0], opc: '' }]), { file: 'c' })).message).toMatch(/^c:1: field "opc": option column opd is set but opc is missing/);
  });

  it('PubMedQA: a bad final_decision, missing contexts; keyed files report the key line', () => {
    const raw = JSON.parse(sampleText('pubmedqa_pqal.sample.json')) as Record<string, Record<string, unknown>>;
    const [k0, k1] = Object.keys(raw).sort();
    const text = JSON.stringify({ [k0!]: raw[k0!], [k1!]: { ...raw[k1!], final_decision: 'probably' } }, null, 1);
    const e = dataError(() => loadPubMedQA(text, { file: 'p.json' }));
    expect(e.line).toBe(text.split('\n').findIndex((l) => l.startsWith(` "${k1}"`)) + 1);
    expect(e.message).toMatch(/field "final_decision": expected yes, no or maybe, got "probably"$/);
    expect(dataError(() => loadPubMedQA(jsonl([{ QUESTION: 'q?', final_decision: 'yes' }]), { file: 'p' })).message).toMatch(/^p:1: field "CONTEXTS": missing/);
  });

  it('MMLU: a CSV answer that is not a letter; MedBullets with 3 options; CMB-Clin without QA pairs or with an empty answer', () => {
    expect(dataError(() => loadMMLU('q1,a,b,c,d,A\nq2,a,b,c,d,2\n', { file: 'x_test.csv' })).message).toMatch(/^x_test\.csv:2: field "answer": "2" is neither an option letter nor the text of an option$/);
    const mb = sampleLines('medbullets_5options.sample.jsonl')[0]!;
    expect(dataError(() => loadMedBullets(jsonl([{ ...mb, options: { A: 'Acetazolamide', B: 'x', C: 'y' } }]), { file: 'b' })).message).toMatch(/^b:1: field "options": MedBullets questions have 4 or 5 options, got 3/);
    const cases = JSON.parse(sampleText('cmb_clin.sample.json')) as Record<string, unknown>[];
    expect(dataError(() => loadCMBClin(jsonl([{ ...cases[0], QA_pairs: [] }]), { file: 'k' })).message).toMatch(/^k:1: field "QA_pairs": expected a non-empty list/);
    expect(dataError(() => loadCMBClin(jsonl([{ ...cases[0], QA_pairs: [{ question: 'q', answer: '' }] }]), { file: 'k' })).message).toBe('k:1: field "QA_pairs[0].answer": is empty');
  });

  it('empty files, invalid UTF-8 (with its line), CSV where the format has none', () => {
    expect(dataError(() => loadMedQA('\n\n', { options: 4, file: 'e' })).message).toBe('e:0: the file is empty');
    const bytes = new Uint8Array([...new TextEncoder().encode(`${JSON.stringify(medqa()[0])}\n`), 0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    expect(dataError(() => loadMedQA(bytes, { options: 4, file: 'u' })).message).toBe('u:2: invalid UTF-8');
    expect(dataError(() => loadBenchmark('pubmedqa', 'a,b,c\n', { file: 'p.csv' })).message).toMatch(/^p\.csv:1: expected JSON or JSON Lines/);
  });
});
