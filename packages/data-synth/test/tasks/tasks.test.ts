import { describe, expect, it } from 'vitest';
import { KnowledgeGraph } from '../../src/kg/knowledge-graph';
import { GraphView, builtinRegistry, generateTasks, type InstructionSample } from '../../src/tasks';
import { expectValidSample } from './check';
import { PUBMEDQA_FIXTURE, inlineGraph } from './fixture';

const kg = inlineGraph();
const g = new GraphView(kg);
const gen = (opts: Partial<Parameters<typeof generateTasks>[1]> = {}) =>
  generateTasks(kg, { countPerTask: 4, seed: 42, pubmedqa: PUBMEDQA_FIXTURE, ...opts });

/** Tasks whose distractors come from hierarchyDistractors around the answer entity. */
const HIERARCHY_MC = ['synonym_discrimination', 'definition_matching', 'icd10_code_to_title', 'disease_from_symptoms'];

function answerEntity(s: InstructionSample): string {
  const o = s.options!.find((x) => x.letter === (s.reference as { value: string }).value)!;
  return o.entityId ?? s.entityIds[0]!;
}

function answerEntityText(s: InstructionSample): string {
  return s.options!.find((x) => x.letter === (s.reference as { value: string }).value)!.text;
}

describe('name collisions', () => {
  it('never asks whether a class is a kind of a class with the same name', () => {
    const k = new KnowledgeGraph();
    const add = (id: string, en: string, zh: string) => k.addEntity({ id, kind: 'disease', name: en, language: 'en', synonyms: [], xrefs: {}, names: { zh: [zh] } });
    add('P', 'renal failure', '肾衰竭');
    add('C', 'acute renal failure', '肾衰竭'); // mapped to the same Chinese category name
    add('C2', 'chronic kidney disease', '慢性肾病');
    add('Q', 'kidney stone', '肾结石');
    add('R', 'urinary tract disease', '泌尿道疾病');
    for (const [s, o] of [['P', 'R'], ['Q', 'R'], ['C', 'P'], ['C2', 'P']]) k.addTriple({ subject: s!, predicate: 'is_a', object: o!, source: 't', authority: 'A' });
    const zh = generateTasks(k, { countPerTask: 10, seed: 1, language: 'zh', tasks: ['hypernym_identification', 'subtype_identification'] });
    expect(zh.some((s) => s.task === 'hypernym_identification' && s.entityIds[0] === 'C2')).toBe(true);
    expect(zh.some((s) => s.task === 'hypernym_identification' && s.entityIds[0] === 'C')).toBe(false);
    for (const s of zh.filter((x) => x.task === 'subtype_identification')) expect(s.entityIds).not.toContain('C');
    const en = generateTasks(k, { countPerTask: 10, seed: 1, language: 'en', tasks: ['hypernym_identification'] });
    expect(en.some((s) => s.entityIds[0] === 'C')).toBe(true);
  });
});

describe('instruction tasks on an inline graph', () => {
  const en = gen();
  const byTask = new Map<string, InstructionSample[]>();
  for (const s of en) byTask.set(s.task, [...(byTask.get(s.task) ?? []), s]);

  it('every registered task yields valid samples with checkable references', () => {
    for (const def of builtinRegistry().list()) {
      const xs = byTask.get(def.name) ?? [];
      expect(xs.length, def.name).toBeGreaterThan(0);
      for (const s of xs) {
        expect(s.task).toBe(def.name);
        expect(s.dimension).toBe(def.dimension);
        expectValidSample(s);
      }
    }
    expect(new Set(en.map((s) => s.id)).size).toBe(en.length);
  });

  it('hierarchy multiple choice uses siblings of the answer (cousins only after them), never the answer', () => {
    for (const task of HIERARCHY_MC) {
      for (const s of byTask.get(task)!) {
        const ans = answerEntity(s);
        const sib = new Set(g.siblings(ans));
        const cous = new Set(g.cousins(ans));
        const ds = s.options!.filter((o) => o.letter !== (s.reference as { value: string }).value);
        for (const d of ds) {
          expect(d.entityId).not.toBe(ans);
          expect(sib.has(d.entityId!) || cous.has(d.entityId!), `${s.id}: ${d.entityId}`).toBe(true);
        }
        // When some sibling was eligible, at least one distractor is a sibling.
        if (task === 'synonym_discrimination') expect(ds.some((d) => sib.has(d.entityId!))).toBe(true);
      }
    }
    for (const s of byTask.get('hypernym_identification')!) {
      const parent = answerEntity(s);
      const anchor = s.entityIds[0]!;
      const anc = new Set(g.ancestors(anchor));
      const desc = new Set(g.descendants(anchor));
      const eligible = [...g.siblings(parent), ...g.cousins(parent)].filter((x) => !anc.has(x) && !desc.has(x) && x !== anchor);
      const ds = s.options!.filter((o) => o.entityId !== parent).map((o) => o.entityId!);
      for (const d of ds) expect(anc.has(d)).toBe(false); // never another correct answer
      const random = ds.filter((d) => !eligible.includes(d));
      // Random entities only when the hierarchy has too few siblings and cousins.
      if (random.length > 0) for (const e of eligible) expect(ds).toContain(e);
    }
  });

  it('task-specific answers are right', () => {
    for (const s of byTask.get('icd10_coding')!) {
      const code = g.icd10Codes(s.entityIds[0]!)[0]!.code;
      expect(s.reference).toEqual({ kind: 'icd10', value: code });
    }
    for (const s of byTask.get('drug_indication_mc')!) {
      const disease = s.entityIds[0]!;
      const ok = new Set(g.indications(disease).map((t) => t.subject));
      for (const o of s.options!) expect(ok.has(o.entityId!)).toBe(o.letter === (s.reference as { value: string }).value);
    }
    const ni = byTask.get('not_indication_detection')!;
    for (const s of ni) {
      const ans = answerEntity(s);
      expect(g.in(s.entityIds[0]!, 'not_indication').map((t) => t.subject)).toContain(ans);
    }
    for (const s of byTask.get('disease_from_symptoms')!) expect(answerEntity(s)).toBe(s.entityIds[0]);
    for (const s of byTask.get('sibling_discrimination')!) {
      const odd = answerEntity(s);
      expect(g.descendants(s.entityIds[0]!)).not.toContain(odd);
      for (const o of s.options!) if (o.entityId !== odd) expect(g.parents(o.entityId!)).toContain(s.entityIds[0]);
    }
    for (const s of byTask.get('retrieval_noise_citation')!) {
      const [, cite] = (s.reference as { value: string[] }).value;
      const n = Number(cite!.slice(1, -1));
      const line = s.messages[0]!.content.split('\n').find((l) => l.startsWith(`[${n}] `))!;
      expect(s.messages[1]!.content.startsWith(line.slice(cite!.length + 1))).toBe(true);
      expect(s.contextFacts!.length).toBeGreaterThanOrEqual(3);
    }
    const pq = byTask.get('pubmedqa_yes_no_maybe')!;
    expect(pq).toHaveLength(3);
    for (const s of pq) expect(s.reference!.value).toBe(PUBMEDQA_FIXTURE[s.entityIds[0]!.slice(5)]!.final_decision);
    const fc = byTask.get('factual_consistency')!;
    expect(fc.length).toBeGreaterThan(0);
    const many = gen({ tasks: ['factual_consistency'], countPerTask: 20 });
    expect(new Set(many.map((s) => (s.reference as { value: string }).value))).toEqual(new Set(['yes', 'no']));
    const dlg = byTask.get('diagnostic_dialogue')!;
    for (const s of dlg) expect(s.messages.filter((m) => m.role === 'user').length).toBeGreaterThanOrEqual(2);
  });

  it('is deterministic by seed', () => {
    expect(JSON.stringify(gen())).toBe(JSON.stringify(en));
    const other = gen({ seed: 7 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(en));
    // A sample depends only on (seed, task, language, anchor): asking for more keeps the earlier ones.
    const more = gen({ countPerTask: 6, tasks: ['hypernym_identification'] });
    const fewer = gen({ countPerTask: 2, tasks: ['hypernym_identification'] });
    expect(more.slice(0, 2)).toEqual(fewer);
  });

  it('has Chinese variants where Chinese names exist', () => {
    const zh = gen({ language: 'zh' });
    const tasks = new Set(zh.map((s) => s.task));
    for (const t of ['synonym_discrimination', 'hypernym_identification', 'icd10_coding', 'disease_from_symptoms', 'drug_indication_mc', 'term_translation', 'diagnostic_dialogue', 'retrieval_noise_citation', 'chapter_classification']) {
      expect(tasks.has(t), t).toBe(true);
    }
    expect(tasks.has('pubmedqa_yes_no_maybe')).toBe(false); // English-only source
    for (const s of zh) {
      expect(s.language).toBe('zh');
      expectValidSample(s);
      expect(s.messages.map((m) => m.content).join('')).toMatch(/[\u4e00-\u9fff]/);
    }
    // Only tagged Chinese synonym triples count as synonyms (a second zh name such as 麻疹病 does not).
    const syn = zh.filter((s) => s.task === 'synonym_discrimination');
    for (const s of syn) {
      expect(['D:flu', 'D:tb', 'D:htn']).toContain(s.entityIds[0]);
      expect(['流感', '痨病', '高血压病']).toContain(answerEntityText(s));
    }
    const tr = zh.find((s) => s.task === 'term_translation' && s.entityIds[0] === 'D:flu');
    if (tr) expect(tr.reference).toEqual({ kind: 'text', value: '流行性感冒' });
    const fromEn = gen({ language: 'en', tasks: ['term_translation'], countPerTask: 50 });
    expect(fromEn.find((s) => s.entityIds[0] === 'D:measles')?.reference).toEqual({ kind: 'text', value: 'measles' });
  });
});
