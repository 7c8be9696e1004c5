import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMedicalKg } from '../../src/node/build';
import type { KnowledgeGraph } from '../../src/kg/knowledge-graph';
import {
  GraphView,
  builtinRegistry,
  checkLeakage,
  generateTasks,
  splitByEntity,
  type InstructionSample,
  type PubMedQAInput,
} from '../../src/tasks';
import { expectValidSample } from './check';

const pubmedqa = JSON.parse(readFileSync(fileURLToPath(new URL('../../data/pubmedqa-subset.json', import.meta.url)), 'utf8')) as PubMedQAInput;

let kg: KnowledgeGraph;
let g: GraphView;
beforeAll(async () => {
  const r = await buildMedicalKg();
  expect(r.issues).toEqual([]);
  kg = r.kg;
  g = new GraphView(kg);
});

const answerOf = (s: InstructionSample) => s.options!.find((o) => o.letter === (s.reference as { value: string }).value)!;

describe('instruction tasks on the shipped knowledge-graph subset', () => {
  it('every task generates valid English samples with references', () => {
    const xs = generateTasks(kg, { countPerTask: 8, seed: 11, pubmedqa });
    for (const def of builtinRegistry().list()) {
      const mine = xs.filter((s) => s.task === def.name);
      expect(mine.length, def.name).toBe(8);
      for (const s of mine) expectValidSample(s);
    }
    expect(new Set(xs.map((s) => s.id)).size).toBe(xs.length);
    expect(JSON.stringify(generateTasks(kg, { countPerTask: 8, seed: 11, pubmedqa }))).toBe(JSON.stringify(xs));
  });

  it('multiple-choice distractors are siblings first, never the answer, options unique', () => {
    const xs = generateTasks(kg, {
      countPerTask: 60,
      seed: 3,
      tasks: ['synonym_discrimination', 'definition_matching', 'icd10_code_to_title', 'disease_from_symptoms', 'hypernym_identification'],
    });
    let near = 0;
    let total = 0;
    for (const s of xs) {
      const ans = answerOf(s);
      const answerId = ans.entityId ?? s.entityIds[0]!;
      const ds = s.options!.filter((o) => o !== ans);
      expect(new Set(s.options!.map((o) => o.text.toLowerCase())).size).toBe(s.options!.length);
      const sib = new Set(g.siblings(answerId));
      const cous = new Set(g.cousins(answerId));
      for (const d of ds) {
        expect(d.entityId).not.toBe(answerId);
        total++;
        if (sib.has(d.entityId!) || cous.has(d.entityId!)) near++;
      }
      if (s.task === 'synonym_discrimination' || s.task === 'definition_matching') {
        // Exact tier order: a non-sibling appears only when every eligible sibling is already an option.
        const taken = new Set(s.options!.map((o) => o.text.toLowerCase()));
        const banned = new Set(g.allNames(answerId));
        const eligible = [...sib].filter((x) => {
          const n = g.name(x, 'en');
          return n && !banned.has(n.toLowerCase());
        });
        if (ds.some((d) => !sib.has(d.entityId!))) for (const e of eligible) expect(taken.has(g.name(e, 'en')!.toLowerCase()), `${s.id} skipped sibling ${e}`).toBe(true);
      }
    }
    expect(total).toBeGreaterThan(500);
    expect(near / total).toBeGreaterThan(0.5);
  });

  it('has Chinese variants where Chinese names exist', () => {
    const zh = generateTasks(kg, { countPerTask: 5, seed: 2, language: 'zh', pubmedqa });
    const tasks = new Set(zh.map((s) => s.task));
    for (const t of ['term_translation', 'icd10_coding', 'icd10_code_to_title', 'chapter_classification', 'hypernym_identification', 'factual_consistency', 'retrieval_noise_citation']) {
      expect(tasks.has(t), t).toBe(true);
    }
    for (const s of zh) {
      expectValidSample(s);
      expect(s.messages[0]!.content).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('an entity split of the subset has no leakage, and forced leakage is detected', () => {
    const split = splitByEntity(kg, { seed: 8, ratios: { train: 0.8, validation: 0.1, test: 0.1 } });
    const opts = { countPerTask: 40, seed: 4, pubmedqa };
    const train = generateTasks(kg, { ...opts, split: { entitySplit: split, name: 'train' } });
    const test = generateTasks(kg, { ...opts, split: { entitySplit: split, name: 'test' } });
    expect(test.length).toBeGreaterThan(50);
    expect(train.length).toBeGreaterThan(test.length);
    expect(test.some((s) => s.task === 'pubmedqa_yes_no_maybe')).toBe(true);
    const ok = checkLeakage(test, train, { graph: g });
    expect(ok.leaks.slice(0, 3)).toEqual([]);
    const leaky = generateTasks(kg, { ...opts, split: { entitySplit: split, name: 'train', allowLeakage: true } });
    const bad = checkLeakage(test, leaky, { graph: g });
    expect(bad.ok).toBe(false);
  });
});
