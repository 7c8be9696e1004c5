import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EvalDataError, evaluate, loadBenchmark, parsePredictions, promptHash, rescore, serializePredictions, type EvalItem } from '../../src/index';
import { readPredictionsFile, runEvalJob, writePredictionsFile } from '../../src/node/index';
import { sampleText } from './fixtures';
import { ScriptedModel, wrongLetter } from './scripted-model';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const tmp = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'qm-eval-'));
  dirs.push(d);
  return d;
};

/** Right on even positions, wrong on odd ones, a hedge every third (a mix so rescoring has something to match). */
const mixed = (items: readonly EvalItem[]) => (item: EvalItem): string => {
  const k = items.indexOf(item);
  if (item.kind === 'multiple-choice') return k % 3 === 2 ? `A or B` : `{"answer": "${k % 2 === 0 ? item.answer.join('') : wrongLetter(item)}"}`;
  if (item.kind === 'yes-no-maybe') return k % 2 === 0 ? `Answer: ${item.answer}` : 'Answer: maybe';
  return '';
};

describe('predictions files and rescoring', () => {
  it('rescoring a written and re-read predictions file equals the scoring of the run', async () => {
    const items = [...loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl')), ...loadBenchmark('pubmedqa', sampleText('pubmedqa_pqal.sample.json'))];
    const run = await evaluate({ items, model: new ScriptedModel('m1', items, mixed(items)), concurrency: 2 });
    expect(run.report.overall.accuracy).toBeGreaterThan(0);
    expect(run.report.overall.accuracy).toBeLessThan(1);
    const dir = await tmp();
    const file = join(dir, 'sub', 'predictions.jsonl');
    await writePredictionsFile(file, run.predictions);
    const back = await readPredictionsFile(file);
    expect(back).toEqual(run.predictions);
    const again = await rescore(back);
    expect(again.scores).toEqual(run.scores);
    expect(again.report).toEqual(run.report);
    // no temporary file is left next to it
    expect(await readdir(join(dir, 'sub'))).toEqual(['predictions.jsonl']);
    // each line records the model, the prompt hash of its prompt and the raw output
    const first = JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!);
    expect(first).toMatchObject({ v: 1, modelId: 'm1', itemId: '0', benchmark: 'medqa-usmle-4', retrieval: null, params: { temperature: 0 } });
    expect(first.promptHash).toBe(await promptHash(first.prompt));
    expect(first.output).toBe(run.predictions[0]!.output);
  });

  it('a rerun with the previous predictions reuses them and generates only what is new', async () => {
    const items = loadBenchmark('mmlu-medical', sampleText('mmlu_medical.sample.jsonl'));
    const dir = await tmp();
    const m1 = new ScriptedModel('m', items, mixed(items));
    const first = await runEvalJob({ items, model: m1, out: dir, limit: 4 });
    expect(m1.calls).toBe(4);
    const m2 = new ScriptedModel('m', items, mixed(items));
    const second = await runEvalJob({ items, model: m2, out: dir });
    expect(m2.calls).toBe(2);
    expect(second[0]!.reused).toBe(4);
    expect(second[0]!.predictions.slice(0, 4)).toEqual(first[0]!.predictions);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report[0]).toEqual(JSON.parse(JSON.stringify(second[0]!.report)));
    // another model id does not reuse
    const m3 = new ScriptedModel('other', items, mixed(items));
    await runEvalJob({ items, model: m3, out: dir });
    expect(m3.calls).toBe(6);
  });

  it('a corrupted predictions file is a typed error with file, line and field', async () => {
    const items = loadBenchmark('medqa-usmle-4', sampleText('medqa_usmle_4options.sample.jsonl'));
    const run = await evaluate({ items, model: new ScriptedModel('m', items, mixed(items)) });
    const lines = serializePredictions(run.predictions).split('\n');
    const bad = (i: number, patch: (p: Record<string, unknown>) => void): string => {
      const copy = [...lines];
      const p = JSON.parse(copy[i]!);
      patch(p);
      copy[i] = JSON.stringify(p);
      return copy.join('\n');
    };
    const err = (text: string): EvalDataError => {
      try {
        parsePredictions(text, 'p.jsonl');
      } catch (e) {
        expect(e).toBeInstanceOf(EvalDataError);
        return e as EvalDataError;
      }
      throw new Error('expected an error');
    };
    expect(err(bad(2, (p) => delete p.output)).message).toMatch(/^p\.jsonl:3: field "output": /);
    expect(err(bad(1, (p) => (p.promptHash = 'abc'))).message).toMatch(/^p\.jsonl:2: field "promptHash": /);
    expect(err(bad(0, (p) => ((p.item as { answer: unknown }).answer = ['a']))).message).toMatch(/^p\.jsonl:1: field "item\.answer\.0": /);
    expect(err(bad(4, (p) => (p.itemId = 'x'))).message).toBe('p.jsonl:5: field "itemId": is "x" but the item\'s id is "4"');
    const dir = await tmp();
    await writeFile(join(dir, 'p.jsonl'), lines.slice(0, 2).join('\n') + '\n{"v": 1,');
    await expect(readPredictionsFile(join(dir, 'p.jsonl'))).rejects.toThrow(/p\.jsonl:3: invalid JSON/);
  });
});
