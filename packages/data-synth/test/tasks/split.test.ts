import { describe, expect, it } from 'vitest';
import {
  GraphView,
  checkLeakage,
  factKey,
  factSplit,
  generateTasks,
  sampleSplit,
  splitByEntity,
  splitEntities,
  type InstructionSample,
} from '../../src/tasks';
import { PUBMEDQA_FIXTURE, inlineGraph } from './fixture';

const kg = inlineGraph();
const g = new GraphView(kg);

describe('entity split', () => {
  it('assigns ids deterministically, disjointly and roughly by ratio', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `X:${i}`);
    const a = splitEntities(ids, { seed: 9, ratios: { train: 0.6, validation: 0.2, test: 0.2 } });
    const b = splitEntities(ids, { seed: 9, ratios: { train: 0.6, validation: 0.2, test: 0.2 } });
    expect([...a.test]).toEqual([...b.test]);
    expect(a.train.size + a.validation.size + a.test.size).toBe(2000);
    for (const id of a.test) expect(a.train.has(id) || a.validation.has(id)).toBe(false);
    expect(a.train.size / 2000).toBeGreaterThan(0.55);
    expect(a.train.size / 2000).toBeLessThan(0.65);
    expect(a.test.size / 2000).toBeGreaterThan(0.16);
    const c = splitEntities(ids, { seed: 10, ratios: { train: 0.6, validation: 0.2, test: 0.2 } });
    expect([...c.test]).not.toEqual([...a.test]);
    // Stable under growth: an id keeps its split when others are added.
    const d = splitEntities(ids.slice(0, 100), { seed: 9, ratios: { train: 0.6, validation: 0.2, test: 0.2 } });
    for (const id of d.test) expect(a.test.has(id)).toBe(true);
    expect(a.splitOf('PMID:123')).toBeDefined();
    expect(a.splitOf('unknown')).toBeUndefined();
    expect(() => splitEntities(ids, { seed: 1, ratios: { train: 0.5, validation: 0.2, test: 0.2 } })).toThrow(/sum to 1/);
  });

  it('gives facts the most held-out split of their endpoints and drops mixed samples', () => {
    const sp = splitEntities(['a', 'b', 'c'], { seed: 1 });
    // Force a known assignment.
    sp.train.clear();
    sp.validation.clear();
    sp.test.clear();
    sp.train.add('a');
    sp.test.add('b');
    sp.validation.add('c');
    expect(factSplit('a|is_a|b', sp)).toBe('test');
    expect(factSplit('a|synonym|literal', sp)).toBe('train');
    expect(factSplit({ subject: 'c', predicate: 'is_a', object: 'a' }, sp)).toBe('validation');
    const s = { entityIds: ['a'], answerFacts: ['a|synonym|x', 'a|is_a|b'] };
    expect(sampleSplit(s, sp)).toBeNull();
    expect(sampleSplit(s, sp, { allowLeakage: true })).toBe('train');
    expect(sampleSplit({ entityIds: ['a'], answerFacts: ['a|synonym|x'], contextFacts: ['c|is_a|a'] }, sp)).toBeNull();
    expect(sampleSplit({ entityIds: ['b'], answerFacts: ['b|synonym|x'], contextFacts: ['a|is_a|a'] }, sp)).toBe('test');
  });

  const split = splitByEntity(kg, { seed: 5, ratios: { train: 0.5, validation: 0.2, test: 0.3 } });
  const run = (name: 'train' | 'validation' | 'test', allowLeakage = false, seed = 1): InstructionSample[] =>
    generateTasks(kg, { countPerTask: 50, seed, pubmedqa: PUBMEDQA_FIXTURE, split: { entitySplit: split, name, allowLeakage } });

  it('generates held-out sets that share no answer fact with training samples', () => {
    expect(split.test.size).toBeGreaterThan(0);
    expect(split.train.size).toBeGreaterThan(0);
    const train = run('train');
    const test = run('test');
    const val = run('validation');
    expect(train.length).toBeGreaterThan(0);
    expect(test.length).toBeGreaterThan(0);
    for (const s of test) for (const f of s.answerFacts) expect(factSplit(f, split)).toBe('test');
    const report = checkLeakage([...test, ...val], train, { graph: kg });
    expect(report.heldOutFacts).toBeGreaterThan(0);
    expect(report.leaks).toEqual([]);
    expect(report.ok).toBe(true);
    // Also against training sentences stating only training facts.
    const sentences = g.triples('has_symptom').filter((t) => factSplit(t, split) === 'train').map((t) => ({ text: `${g.name(t.subject, 'en')} can present with ${g.name(t.object, 'en')}.`, triple: t }));
    expect(checkLeakage(test, sentences, { graph: kg }).ok).toBe(true);
  });

  it('detects leakage when it is forced', () => {
    const test = run('test');
    // allowLeakage assigns by anchor only, so training samples can carry held-out facts.
    const leakyTrain = run('train', true);
    const report = checkLeakage(test, leakyTrain, { graph: kg });
    expect(report.ok).toBe(false);
    expect(report.leaks.length).toBeGreaterThan(0);
    const l = report.leaks[0]!;
    expect(test.find((s) => s.id === l.heldOutId)!.answerFacts).toContain(l.fact);
    expect(leakyTrain[l.trainingIndex]!.answerFacts.concat(leakyTrain[l.trainingIndex]!.contextFacts ?? [])).toContain(l.fact);
    // Plain training text naming both ends of a held-out fact is caught by text matching.
    const held = test.find((s) => s.answerFacts.some((f) => f.includes('|is_a|') || f.includes('|has_symptom|')));
    expect(held).toBeDefined();
    const f = held!.answerFacts.find((x) => x.includes('|is_a|') || x.includes('|has_symptom|'))!;
    const [subj, , obj] = f.split('|');
    const text = `Clinically, ${g.name(subj!, 'en')} is often discussed together with ${g.name(obj!, 'en')}.`;
    const r2 = checkLeakage(test, [{ text: 'Unrelated sentence about nothing.' }, { text, id: 'sent-2' }], { graph: kg });
    expect(r2.ok).toBe(false);
    expect(r2.leaks.some((x) => x.via === 'text' && x.trainingIndex === 1 && x.trainingId === 'sent-2' && x.fact === f)).toBe(true);
    expect(checkLeakage(test, [{ text }], { graph: kg, textMatch: 'none' }).ok).toBe(true);
    // A training triple equal to a held-out answer fact is caught by key.
    const [s0, p0, o0] = f.split('|') as [string, string, string];
    expect(checkLeakage(test, [{ text: 'x', triple: { subject: s0, predicate: p0 as 'is_a', object: o0 } }]).leaks[0]?.via).toBe('fact');
    expect(factKey({ subject: s0, predicate: p0, object: o0 })).toBe(f);
  });
});
